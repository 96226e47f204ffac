-- name: RoundCreate :one
INSERT INTO rounds (id, programme_id, name, opens_at, closes_at, budget_pence, min_partners, definition, created_by)
VALUES (@id, @programme_id, @name, @opens_at, @closes_at, @budget_pence, @min_partners, @definition, @created_by)
RETURNING *;

-- name: RoundGet :one
SELECT * FROM rounds WHERE id = @id;

-- name: RoundGetForShare :one
-- Taken by submission so a concurrent edit of the window waits for it.
SELECT r.*, clock_timestamp()::timestamptz AS checked_at
FROM rounds r
WHERE r.id = @id
FOR SHARE;

-- name: RoundGetForUpdate :one
SELECT * FROM rounds WHERE id = @id FOR UPDATE;

-- name: RoundList :many
SELECT r.*
FROM rounds r JOIN programmes p ON p.id = r.programme_id
WHERE (sqlc.narg(cursor)::text IS NULL OR r.id > sqlc.narg(cursor))
  AND (sqlc.narg(programme)::text IS NULL OR p.code = sqlc.narg(programme))
  AND (sqlc.narg(status)::text IS NULL OR sqlc.narg(status) =
        CASE WHEN now() < r.opens_at THEN 'upcoming' WHEN now() < r.closes_at THEN 'open' ELSE 'closed' END)
ORDER BY r.id
LIMIT @row_limit;

-- name: RoundUpdate :one
UPDATE rounds
SET name = @name, opens_at = @opens_at, closes_at = @closes_at, budget_pence = @budget_pence,
    min_partners = @min_partners, definition = @definition, updated_at = now()
WHERE id = @id
RETURNING *;
