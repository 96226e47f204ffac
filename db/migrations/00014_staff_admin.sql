-- +goose Up
-- Staff administration (issue 15): the admin role (manages staff) and the
-- caseworker role (Spaces at Risk casework); a deactivated account keeps
-- its history but cannot sign in, and every session and token it had ends
-- when it is deactivated.
ALTER TABLE users DROP CONSTRAINT users_roles_known;
ALTER TABLE users ADD CONSTRAINT users_roles_known
    CHECK (roles <@ ARRAY['manager', 'chair', 'assessor', 'finance', 'admin', 'caseworker']::text[]);
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE users DROP CONSTRAINT users_roles_known;
ALTER TABLE users ADD CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['manager', 'chair', 'assessor', 'finance']::text[]);
