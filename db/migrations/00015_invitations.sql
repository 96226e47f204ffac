-- +goose Up
-- Invitations (issue 15): an organisation's admin invites someone by
-- e-mail to join its team as member or admin; a staff admin invites
-- someone to hold staff roles. The invitee follows the e-mailed link,
-- whose token is made from nonce with a key the database never sees
-- (package linktoken); only its SHA-256 is kept. An invitation is used
-- once (accepted_at), may be cancelled, and lapses at expires_at.
CREATE TABLE invitations (
    id              text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('organisation', 'staff')),
    organisation_id text REFERENCES organisations (id) ON DELETE CASCADE,
    role            text CHECK (role IN ('admin', 'member')),
    roles           text[] NOT NULL DEFAULT '{}',
    email           text NOT NULL CHECK (position('@' IN email) > 1),
    name            text,
    invited_by      text NOT NULL REFERENCES users (id),
    nonce           bytea NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    accepted_by     text REFERENCES users (id),
    cancelled_at    timestamptz,
    CONSTRAINT invitations_expiry CHECK (expires_at > created_at),
    CONSTRAINT invitations_organisation CHECK ((kind = 'organisation') = (organisation_id IS NOT NULL AND role IS NOT NULL)),
    CONSTRAINT invitations_staff_roles CHECK (kind = 'organisation' OR (cardinality(roles) > 0
        AND roles <@ ARRAY['manager', 'chair', 'assessor', 'finance', 'admin', 'caseworker']::text[])),
    CONSTRAINT invitations_accepted_by CHECK ((accepted_at IS NULL) = (accepted_by IS NULL)),
    CONSTRAINT invitations_one_end CHECK (accepted_at IS NULL OR cancelled_at IS NULL)
);
-- One open invitation per address and team (or per address for staff):
-- inviting again replaces it.
CREATE UNIQUE INDEX invitations_open_organisation ON invitations (organisation_id, lower(email))
    WHERE kind = 'organisation' AND accepted_at IS NULL AND cancelled_at IS NULL;
CREATE UNIQUE INDEX invitations_open_staff ON invitations (lower(email))
    WHERE kind = 'staff' AND accepted_at IS NULL AND cancelled_at IS NULL;

-- An invitation's e-mail is rendered from its invitation.
ALTER TABLE emails ADD COLUMN invitation_id text REFERENCES invitations (id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE emails DROP COLUMN invitation_id;
DROP TABLE invitations;
