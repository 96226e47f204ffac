-- name: OutboxInsert :one
INSERT INTO outbox (kind, payload) VALUES (@kind, @payload) RETURNING id;

-- name: OutboxClaim :many
-- Claimed rows stay locked until the dispatcher's transaction ends, so
-- several dispatchers share the work without doing any row twice.
SELECT * FROM outbox
WHERE dispatched_at IS NULL AND available_at <= now()
ORDER BY id
LIMIT @row_limit
FOR UPDATE SKIP LOCKED;

-- name: OutboxMarkDispatched :exec
UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = @id;

-- name: OutboxMarkFailed :exec
UPDATE outbox
SET attempts = attempts + 1, last_error = @last_error, available_at = now() + make_interval(secs => @retry_after_seconds::int)
WHERE id = @id;

-- name: OutboxPendingCount :one
SELECT count(*) FROM outbox WHERE dispatched_at IS NULL;
