-- name: NotificationInsert :exec
-- A retried activity writes the same dedupe_key and adds nothing.
INSERT INTO notifications (user_id, kind, subject, body, entity, dedupe_key)
VALUES (@user_id, @kind, @subject, @body, @entity, @dedupe_key)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: NotificationListForUser :many
SELECT * FROM notifications
WHERE user_id = @user_id AND (sqlc.narg(before)::bigint IS NULL OR id < sqlc.narg(before))
ORDER BY id DESC
LIMIT @row_limit;
