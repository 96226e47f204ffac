-- +goose Up
-- Partnerships (issue 17, parts 3 and 4). A lead invites a named partner
-- of its draft application by e-mail: a third kind of invitation, naming
-- the application and the partner (its stable id inside the application's
-- partners JSON). The partner's admin confirms or declines from the link.
ALTER TABLE invitations DROP CONSTRAINT invitations_kind_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_kind_check CHECK (kind IN ('organisation', 'staff', 'partner'));
ALTER TABLE invitations DROP CONSTRAINT invitations_staff_roles;
ALTER TABLE invitations ADD CONSTRAINT invitations_staff_roles CHECK (kind <> 'staff' OR (cardinality(roles) > 0
    AND roles <@ ARRAY['manager', 'chair', 'assessor', 'finance', 'admin', 'caseworker']::text[]));
ALTER TABLE invitations
    ADD COLUMN application_id text REFERENCES applications (id) ON DELETE CASCADE,
    ADD COLUMN partner_id     text,
    ADD CONSTRAINT invitations_partner CHECK ((kind = 'partner') = (application_id IS NOT NULL AND partner_id IS NOT NULL));
-- One open invitation per partner: inviting again replaces it.
CREATE UNIQUE INDEX invitations_open_partner ON invitations (application_id, partner_id)
    WHERE kind = 'partner' AND accepted_at IS NULL AND cancelled_at IS NULL;

-- A round that pays each partner (partner_payments: each) splits every
-- tranche across the payees: a payment names the partner organisation
-- whose share it pays (NULL: the grantee, the lead), which is then its
-- payee (or that partner's host). One live payment per tranche and payee.
ALTER TABLE payments ADD COLUMN partner_organisation_id text REFERENCES organisations (id);
DROP INDEX payments_tranche_live;
CREATE UNIQUE INDEX payments_tranche_live ON payments (grant_id, tranche, coalesce(partner_organisation_id, ''))
    WHERE status <> 'cancelled';
CREATE INDEX payments_partner ON payments (partner_organisation_id) WHERE partner_organisation_id IS NOT NULL;

-- +goose Down
DROP INDEX payments_partner;
DROP INDEX payments_tranche_live;
CREATE UNIQUE INDEX payments_tranche_live ON payments (grant_id, tranche) WHERE status <> 'cancelled';
ALTER TABLE payments DROP COLUMN partner_organisation_id;
DELETE FROM invitations WHERE kind = 'partner';
DROP INDEX invitations_open_partner;
ALTER TABLE invitations DROP CONSTRAINT invitations_partner, DROP COLUMN partner_id, DROP COLUMN application_id;
ALTER TABLE invitations DROP CONSTRAINT invitations_staff_roles;
ALTER TABLE invitations ADD CONSTRAINT invitations_staff_roles CHECK (kind = 'organisation' OR (cardinality(roles) > 0
    AND roles <@ ARRAY['manager', 'chair', 'assessor', 'finance', 'admin', 'caseworker']::text[]));
ALTER TABLE invitations DROP CONSTRAINT invitations_kind_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_kind_check CHECK (kind IN ('organisation', 'staff'));
