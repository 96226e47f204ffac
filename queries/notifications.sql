-- name: NotificationInsert :one
-- A retried activity writes the same dedupe_key and adds nothing (no row
-- comes back, and no e-mail is queued again). The recipient's address
-- comes back for the e-mail.
WITH n AS (
    INSERT INTO notifications (user_id, kind, subject, body, entity, dedupe_key)
    VALUES (@user_id, @kind, @subject, @body, @entity, @dedupe_key)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, user_id)
SELECT n.id, u.email FROM n JOIN users u ON u.id = n.user_id;

-- name: NotificationListForUser :many
-- Newest first; with @unread_only, only those not yet read; each with the
-- state of its e-mail (none for rows written before e-mail existed).
SELECT sqlc.embed(n), e.status AS email_status, e.sent_at AS email_sent_at
FROM notifications n
LEFT JOIN emails e ON e.notification_id = n.id
WHERE n.user_id = @user_id AND (sqlc.narg(before)::bigint IS NULL OR n.id < sqlc.narg(before))
  AND (NOT @unread_only::boolean OR n.read_at IS NULL)
ORDER BY n.id DESC
LIMIT @row_limit;

-- name: NotificationMarkRead :one
-- Marks one of the user's notifications read; already read keeps its first
-- read_at. No row: not the user's (or no such notification).
UPDATE notifications SET read_at = coalesce(read_at, now())
WHERE id = @id AND user_id = @user_id
RETURNING id;

-- name: NotificationGetForUser :one
-- One of the user's notifications with the state of its e-mail.
SELECT sqlc.embed(n), e.status AS email_status, e.sent_at AS email_sent_at
FROM notifications n
LEFT JOIN emails e ON e.notification_id = n.id
WHERE n.id = @id AND n.user_id = @user_id;

-- name: NotificationUnreadCount :one
SELECT count(*) FROM notifications WHERE user_id = @user_id AND read_at IS NULL;

-- name: NotificationMarkSent :exec
-- The notification's e-mail went out.
UPDATE notifications SET sent_at = coalesce(sent_at, now()) WHERE id = @id;
