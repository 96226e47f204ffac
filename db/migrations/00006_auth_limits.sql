-- +goose Up
-- Sign-in and sessions (issue 12): failed-sign-in limits kept in
-- PostgreSQL, so every replica shares them; API tokens end after a time
-- without use (last_used_at); expired tokens and sessions are purged.

-- When an auth token was last used (API tokens end after GRANTS_TOKEN_IDLE
-- without use; touched at most once a minute).
ALTER TABLE auth_tokens ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX auth_tokens_expires_at ON auth_tokens (expires_at);

-- Sign-in attempts per account (the lower-cased e-mail address as typed,
-- known account or not). Each attempt is counted before the password is
-- checked, in one statement, so concurrent guesses cannot overtake the
-- limit; a success deletes the row. From the fifth failure on the account
-- waits until blocked_until, a delay that doubles per failure up to a cap;
-- it is never locked for good.
CREATE TABLE login_throttle (
    email           text PRIMARY KEY,
    failures        integer NOT NULL CHECK (failures > 0),
    last_attempt_at timestamptz NOT NULL,
    blocked_until   timestamptz
);

-- Sign-in, registration and link attempts per client address, in fixed
-- windows (at most attempts within window_started_at + the window).
CREATE TABLE client_attempts (
    client            text PRIMARY KEY,
    attempts          integer NOT NULL CHECK (attempts > 0),
    window_started_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE client_attempts;
DROP TABLE login_throttle;
DROP INDEX auth_tokens_expires_at;
ALTER TABLE auth_tokens DROP COLUMN last_used_at;
