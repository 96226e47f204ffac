-- name: UserCreate :one
INSERT INTO users (id, email, name, password_hash, roles, email_verified_at)
VALUES (@id, @email, @name, @password_hash, @roles::text[], sqlc.narg(email_verified_at))
RETURNING *;

-- name: UserGet :one
SELECT * FROM users WHERE id = @id;

-- name: UserGetByEmail :one
SELECT * FROM users WHERE lower(email) = lower(@email);

-- name: UserListByRole :many
SELECT * FROM users WHERE @role::text = ANY (roles) ORDER BY id;

-- name: UserSetAffiliations :one
UPDATE users SET affiliations = @affiliations WHERE id = @id
RETURNING *;

-- name: UserNames :many
-- Names of the users with the given ids, for showing who did something.
SELECT id, name FROM users WHERE id = ANY(@ids::text[]);

-- name: UserListStaff :many
-- Every user holding a staff role, for finding who has an interest in a
-- case.
SELECT * FROM users WHERE roles <> '{}' ORDER BY id;

-- name: UserConfirmEmail :one
-- Marks a user's address confirmed (the first confirmation counts).
UPDATE users SET email_verified_at = coalesce(email_verified_at, @now::timestamptz) WHERE id = @id
RETURNING *;

-- name: UserSetPassword :exec
UPDATE users SET password_hash = @password_hash WHERE id = @id;
