-- name: NotificationInsert :exec
-- A retried activity writes the same dedupe_key and adds nothing.
INSERT INTO notifications (user_id, kind, subject, body, entity, dedupe_key)
VALUES (@user_id, @kind, @subject, @body, @entity, @dedupe_key)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: NotificationListForUser :many
-- Newest first; with @unread_only, only those not yet read.
SELECT * FROM notifications
WHERE user_id = @user_id AND (sqlc.narg(before)::bigint IS NULL OR id < sqlc.narg(before))
  AND (NOT @unread_only::boolean OR read_at IS NULL)
ORDER BY id DESC
LIMIT @row_limit;

-- name: NotificationMarkRead :one
-- Marks one of the user's notifications read; already read keeps its first
-- read_at. No row: not the user's (or no such notification).
UPDATE notifications SET read_at = coalesce(read_at, now())
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: NotificationUnreadCount :one
SELECT count(*) FROM notifications WHERE user_id = @user_id AND read_at IS NULL;
