-- +goose Up
-- Notifications on the web (issue 14): a person marks a notification read.
-- read_at is null while unread; the partial index serves the unread count
-- in every signed-in page's header and the ?unread=true list.
ALTER TABLE notifications ADD COLUMN read_at timestamptz;
CREATE INDEX notifications_user_unread ON notifications (user_id, id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX notifications_user_unread;
ALTER TABLE notifications DROP COLUMN read_at;
