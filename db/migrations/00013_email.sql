-- +goose Up
-- E-mail (issue 14): every notification and every account message is a
-- row of emails, written in the transaction that decides to send it, and
-- delivered by an activity fed from the outbox. The row is the record of
-- delivery: "sending" is written before the SMTP conversation starts and
-- "sent" after it, and the Message-ID is fixed at insert, so a retry
-- after a crash looks the row up first and never sends a sent message
-- again. message_id is the local part of the Message-ID header; the
-- domain is the site's (GRANTS_PUBLIC_URL's host).

-- Accounts made before this migration were usable without confirmation:
-- they count as confirmed.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;

-- Single-use links for confirming an address, resetting a password and
-- signing in by e-mail. The token in the link is derived from nonce with a
-- key the database never sees (see package linktoken); only its SHA-256 is
-- stored, so a copy of the database cannot use a link.
CREATE TABLE account_tokens (
    id         bigserial PRIMARY KEY,
    purpose    text NOT NULL CHECK (purpose IN ('confirm', 'reset', 'sign_in')),
    user_id    text NOT NULL REFERENCES users (id),
    email      text NOT NULL,
    nonce      bytea NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT account_tokens_expiry CHECK (expires_at > created_at)
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

CREATE TABLE emails (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL,
    to_address       text NOT NULL CHECK (position('@' IN to_address) > 1),
    user_id          text REFERENCES users (id),
    notification_id  bigint UNIQUE REFERENCES notifications (id) ON DELETE CASCADE,
    account_token_id bigint REFERENCES account_tokens (id),
    message_id       text NOT NULL UNIQUE DEFAULT gen_random_uuid()::text,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         int NOT NULL DEFAULT 0,
    retries          int NOT NULL DEFAULT 0, -- a manager asked to try a failed one again
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sending_at       timestamptz,
    sent_at          timestamptz,
    failed_at        timestamptz,
    CONSTRAINT emails_sent_has_time CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CONSTRAINT emails_failed_has_time CHECK ((status = 'failed') = (failed_at IS NOT NULL))
);
CREATE INDEX emails_undelivered ON emails (id) WHERE status = 'failed';

-- +goose Down
DROP TABLE emails;
DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
