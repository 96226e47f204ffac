-- name: UserCreate :one
INSERT INTO users (id, email, name, password_hash, roles)
VALUES (@id, @email, @name, @password_hash, @roles::text[])
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
