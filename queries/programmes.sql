-- name: ProgrammeUpsert :one
-- Creates or updates a programme by code; for seeding.
INSERT INTO programmes (id, code, name, description, funder_name, giving_prefix)
VALUES (@id, @code, @name, @description, @funder_name, @giving_prefix)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
    funder_name = EXCLUDED.funder_name, giving_prefix = EXCLUDED.giving_prefix, updated_at = now()
RETURNING *;

-- name: ProgrammeCreate :one
-- A new programme; a code already taken inserts nothing (no row).
INSERT INTO programmes (id, code, name, description, funder_name, giving_prefix, case_first_contact_days)
VALUES (@id, @code, @name, @description, @funder_name, @giving_prefix, sqlc.narg(case_first_contact_days))
ON CONFLICT (code) DO NOTHING
RETURNING *;

-- name: ProgrammeUpdate :one
-- Changes a programme's name, description, funder and 360Giving prefix;
-- its code names it for good.
UPDATE programmes
SET name = @name, description = @description, funder_name = @funder_name, giving_prefix = @giving_prefix,
    case_first_contact_days = sqlc.narg(case_first_contact_days), updated_at = now()
WHERE code = @code
RETURNING *;

-- name: ProgrammeList :many
SELECT * FROM programmes ORDER BY name;

-- name: ProgrammeGetByCode :one
SELECT * FROM programmes WHERE code = @code;

-- name: ProgrammeGet :one
SELECT * FROM programmes WHERE id = @id;
