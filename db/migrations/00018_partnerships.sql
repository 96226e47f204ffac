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

-- One definition of whether a payee can be paid now, for a grant's payee
-- and for each payment's: a host (if any) has consented; then under the
-- manual provider the payee's bank details are saved, under Stripe its
-- account has payouts enabled.
-- +goose StatementBegin
CREATE FUNCTION payee_payout_ready(provider text, host_consented boolean, payee_id text, stripe_account_id text,
                                   payout_ready_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT host_consented AND CASE provider
                                  WHEN 'manual' THEN EXISTS (SELECT 1 FROM bank_accounts b WHERE b.organisation_id = payee_id)
                                  ELSE stripe_account_id IS NOT NULL AND payout_ready_at IS NOT NULL
                                END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION payee_payout_ready(text, boolean, text, text, timestamptz);
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
