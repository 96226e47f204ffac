-- name: AuthTokenCreate :exec
INSERT INTO auth_tokens (token_hash, user_id, kind, expires_at)
VALUES (@token_hash, @user_id, @kind, @expires_at);

-- name: AuthTokenUser :one
SELECT u.*, t.expires_at AS token_expires_at
FROM auth_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash AND t.expires_at > now();

-- name: AuthTokenDelete :exec
DELETE FROM auth_tokens WHERE token_hash = @token_hash;

-- name: AuthTokenDeleteExpired :execrows
DELETE FROM auth_tokens WHERE expires_at <= now();
