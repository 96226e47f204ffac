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

-- name: StaffList :many
-- Staff (users holding a role, or deactivated ones who held one), by
-- role and whether active, keyset paged by id.
SELECT * FROM users
WHERE (roles <> '{}' OR deactivated_at IS NOT NULL)
  AND (sqlc.narg(cursor)::text IS NULL OR id > sqlc.narg(cursor))
  AND (sqlc.narg(role)::text IS NULL OR sqlc.narg(role) = ANY (roles))
  AND (sqlc.narg(active)::boolean IS NULL OR (deactivated_at IS NULL) = sqlc.narg(active))
ORDER BY id
LIMIT @row_limit;

-- name: StaffLockAdmins :many
-- The active admins, locked, so that two changes cannot each leave the
-- other as the last admin and then remove it.
SELECT id FROM users WHERE 'admin' = ANY (roles) AND deactivated_at IS NULL ORDER BY id FOR UPDATE;

-- name: UserLockForUpdate :one
SELECT * FROM users WHERE id = @id FOR UPDATE;

-- name: UserSetRoles :one
UPDATE users SET roles = @roles::text[] WHERE id = @id
RETURNING *;

-- name: UserSetDeactivated :one
-- Deactivates (a time) or reactivates (NULL) an account.
UPDATE users SET deactivated_at = sqlc.narg(deactivated_at) WHERE id = @id
RETURNING *;
