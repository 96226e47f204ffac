-- +goose Up
-- Staff administration and programmes (issue 15): the admin role (manages staff) and the
-- caseworker role (Spaces at Risk casework); a deactivated account keeps
-- its history but cannot sign in, and every session and token it had ends
-- when it is deactivated.
ALTER TABLE users DROP CONSTRAINT users_roles_known;
ALTER TABLE users ADD CONSTRAINT users_roles_known
    CHECK (roles <@ ARRAY['manager', 'chair', 'assessor', 'finance', 'admin', 'caseworker']::text[]);
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- Programmes are made by managers (no longer only by the seed), with what
-- open data needs: the funder's name and its registered 360Giving prefix
-- ('360G-…'; '' until the funder has one).
ALTER TABLE programmes ADD COLUMN funder_name text NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN giving_prefix text NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE programmes ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE programmes DROP COLUMN updated_at;
ALTER TABLE programmes DROP COLUMN created_at;
ALTER TABLE programmes DROP COLUMN giving_prefix;
ALTER TABLE programmes DROP COLUMN funder_name;
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE users DROP CONSTRAINT users_roles_known;
ALTER TABLE users ADD CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['manager', 'chair', 'assessor', 'finance']::text[]);
