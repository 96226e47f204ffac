-- Single-use link tokens (confirm, reset, sign_in); times come from the
-- application's clock (@now).

-- name: AccountTokenCreate :one
INSERT INTO account_tokens (purpose, user_id, email, nonce, token_hash, created_at, expires_at)
VALUES (@purpose, @user_id, @email, @nonce, @token_hash, @now, @expires_at)
RETURNING id;

-- name: AccountTokenUse :one
-- Spends a live token of a purpose, once: a second use, an expired token
-- or another purpose's token finds no row. The token only counts for the
-- address it was sent to: an address changed since then makes it stale.
UPDATE account_tokens t SET used_at = @now::timestamptz
FROM users u
WHERE t.token_hash = @token_hash AND t.purpose = @purpose AND t.used_at IS NULL AND t.expires_at > @now
  AND u.id = t.user_id AND lower(u.email) = lower(t.email)
RETURNING t.id, t.user_id, t.email;

-- name: AccountTokenRevokeForUser :exec
-- Ends every unused token of a purpose for a user (a password reset ends
-- older reset and sign-in links too).
UPDATE account_tokens SET used_at = @now::timestamptz
WHERE user_id = @user_id AND purpose = ANY(@purposes::text[]) AND used_at IS NULL;

-- name: AccountTokenLatestNonce :one
-- The nonce of the newest link of a purpose sent to an address: tests
-- (and support tools holding the key) make its token from it.
SELECT nonce FROM account_tokens
WHERE lower(email) = lower(@email) AND purpose = @purpose
ORDER BY id DESC
LIMIT 1;
