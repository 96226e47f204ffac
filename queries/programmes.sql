-- name: ProgrammeUpsert :one
INSERT INTO programmes (id, code, name, description)
VALUES (@id, @code, @name, @description)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description
RETURNING *;

-- name: ProgrammeList :many
SELECT * FROM programmes ORDER BY name;

-- name: ProgrammeGetByCode :one
SELECT * FROM programmes WHERE code = @code;
