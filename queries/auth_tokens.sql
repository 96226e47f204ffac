-- Times come from the application's clock (@now), not PostgreSQL's, so
-- the service and its tests agree on when a session or token ends.

-- name: AuthTokenCreate :exec
INSERT INTO auth_tokens (token_hash, user_id, kind, expires_at, created_at, last_used_at)
VALUES (@token_hash, @user_id, @kind, @expires_at, @created_at, @created_at::timestamptz);

-- name: AuthTokenAPI :one
-- An API token and its user: only kind 'api' (a web session cookie is no
-- bearer token), only before its expiry and while it has been used within
-- the idle time.
SELECT u.*, t.last_used_at AS token_last_used_at
FROM auth_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash AND t.kind = 'api' AND t.expires_at > @now
  AND t.last_used_at > @idle_since AND u.deactivated_at IS NULL;

-- name: AuthTokenTouch :exec
-- Notes an use of an API token, at most once a minute (few writes).
UPDATE auth_tokens SET last_used_at = @now
WHERE token_hash = @token_hash AND last_used_at < @touched_before;

-- name: AuthTokenDelete :exec
DELETE FROM auth_tokens WHERE token_hash = @token_hash;

-- name: AuthTokenDeleteExpired :execrows
-- Purges web sessions and API tokens past their expiry, and API tokens
-- unused for longer than the idle time.
DELETE FROM auth_tokens
WHERE expires_at <= @now
   OR (kind = 'api' AND last_used_at <= @idle_since);

-- name: AuthTokenSession :one
-- A web session and its user; only kind 'session', only while live.
SELECT u.*, t.expires_at AS token_expires_at, t.created_at AS token_created_at
FROM auth_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash AND t.kind = 'session' AND t.expires_at > @now
  AND u.deactivated_at IS NULL;

-- name: AuthTokenExtend :one
-- Slides a live web session's expiry, never past its absolute limit.
UPDATE auth_tokens
SET expires_at = LEAST(@expires_at::timestamptz, created_at + make_interval(secs => @max_age_seconds::double precision))
WHERE token_hash = @token_hash AND kind = 'session' AND expires_at > @now
RETURNING expires_at;

-- name: AuthTokenDeleteForUser :execrows
-- Signs a user out everywhere: every web session and API token.
DELETE FROM auth_tokens WHERE user_id = @user_id;

-- name: AuthTokenDeleteOthersForUser :execrows
-- Signs a user out everywhere but the session or token in hand (a
-- password change keeps the person who made it signed in).
DELETE FROM auth_tokens WHERE user_id = @user_id AND token_hash <> @keep_hash;
