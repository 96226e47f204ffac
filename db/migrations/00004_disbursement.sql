-- +goose Up
-- Disbursement and reporting (issue 4): payout accounts (Stripe Connect or
-- bank details for the manual provider), payment approvals and attempts,
-- payment runs, report submissions and reviews, variations, and Stripe
-- webhook events. After acceptance every change to a grant, its payments
-- and its reports comes from an activity.

-- Where an organisation is paid. Stripe: the Connect Express account and
-- when Stripe said payouts are enabled (account.updated). stripe-mock
-- answers every create with the same id, so the account id is not unique.
ALTER TABLE organisations
    ADD COLUMN stripe_account_id text,
    ADD COLUMN payout_ready_at   timestamptz,
    ADD COLUMN payout_failed_at  timestamptz,
    ADD COLUMN payout_failure    text;

-- Manual provider: bank details, encrypted (AES-256-GCM with
-- GRANTS_ENCRYPTION_KEY); only the masked form is readable in SQL.
CREATE TABLE bank_accounts (
    organisation_id text PRIMARY KEY REFERENCES organisations (id),
    account_name    text NOT NULL CHECK (account_name <> ''),
    details_enc     bytea NOT NULL,
    sort_code_mask  text NOT NULL,
    account_mask    text NOT NULL,
    updated_by      text NOT NULL REFERENCES users (id),
    updated_at      timestamptz NOT NULL
);

ALTER TABLE grants
    ADD COLUMN clawback_pence bigint NOT NULL DEFAULT 0 CHECK (clawback_pence >= 0),
    ADD COLUMN flags          text[] NOT NULL DEFAULT '{}',
    ADD COLUMN completed_at   timestamptz,
    ADD CONSTRAINT grants_flags_known CHECK (flags <@ ARRAY['report_overdue', 'payout_failed', 'payment_reversed']::text[]);

-- A payment's provider is fixed when it falls due (the round's). attempt
-- counts sends; the attempt's idempotency key is payment:<id>:attempt:<n>.
-- requested_by is the person who issued it (null: scheduled by the system).
-- A cancelled tranche may be reissued, so only one live payment per tranche.
ALTER TABLE payments
    DROP CONSTRAINT payments_tranche_once,
    ADD COLUMN provider           text CHECK (provider IN ('stripe', 'manual')),
    ADD COLUMN requested_by       text REFERENCES users (id),
    ADD COLUMN attempt            integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    ADD COLUMN provider_reference text,
    ADD COLUMN failure_reason     text,
    ADD COLUMN cancel_reason      text,
    ADD COLUMN cancelled_by       text,
    ADD COLUMN held_reason        text,
    ADD COLUMN payment_run_id     text,
    ADD COLUMN paid_at            timestamptz,
    ADD COLUMN reversed_at        timestamptz,
    ADD COLUMN reversal_reason    text,
    ADD CONSTRAINT payments_paid_has_reference CHECK (status NOT IN ('paid', 'reversed') OR provider_reference IS NOT NULL);
CREATE UNIQUE INDEX payments_tranche_live ON payments (grant_id, tranche) WHERE status <> 'cancelled';
CREATE INDEX payments_status ON payments (status, id);

-- Two approvals by two different finance users: one row each.
CREATE TABLE payment_approvals (
    payment_id  text NOT NULL REFERENCES payments (id),
    user_id     text NOT NULL REFERENCES users (id),
    note        text NOT NULL DEFAULT '',
    approved_at timestamptz NOT NULL,
    PRIMARY KEY (payment_id, user_id)
);

-- Each send, recorded before the provider is called; a row with status
-- sending and no reference is looked up at the provider before anything
-- is created again.
CREATE TABLE payment_attempts (
    payment_id         text NOT NULL REFERENCES payments (id),
    attempt            integer NOT NULL CHECK (attempt > 0),
    idempotency_key    text NOT NULL UNIQUE,
    status             text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'paid', 'failed')),
    provider_reference text,
    error              text,
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz,
    PRIMARY KEY (payment_id, attempt)
);

-- Manual provider: a batch of approved payments finance sends as one BACS
-- file, then marks paid.
CREATE TABLE payment_runs (
    id          text PRIMARY KEY,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    total_pence bigint NOT NULL CHECK (total_pence >= 0),
    count       integer NOT NULL CHECK (count > 0),
    created_by  text NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    paid_by     text REFERENCES users (id),
    paid_at     timestamptz
);
ALTER TABLE payments ADD CONSTRAINT payments_run FOREIGN KEY (payment_run_id) REFERENCES payment_runs (id);

ALTER TABLE reports
    ADD COLUMN answers        jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN spend_pence    bigint CHECK (spend_pence >= 0),
    ADD COLUMN submitted_by   text REFERENCES users (id),
    ADD COLUMN submitted_at   timestamptz,
    ADD COLUMN reviewed_by    text REFERENCES users (id),
    ADD COLUMN reviewed_at    timestamptz,
    ADD COLUMN review_comment text,
    ADD COLUMN escalated_at   timestamptz;

-- Evidence uploaded to a report is a document of the grant's application.
ALTER TABLE documents ADD COLUMN report_id text REFERENCES reports (id);
CREATE INDEX documents_report ON documents (report_id) WHERE report_id IS NOT NULL;

-- A manager's change to a grant: award, schedule of the unpaid tranches,
-- or a clawback (offset against later tranches; what they cannot cover is
-- owed back).
CREATE TABLE variations (
    id              text PRIMARY KEY,
    grant_id        text NOT NULL REFERENCES grants (id),
    reason          text NOT NULL CHECK (reason <> ''),
    old_award_pence bigint NOT NULL,
    new_award_pence bigint NOT NULL CHECK (new_award_pence > 0),
    clawback_pence  bigint NOT NULL DEFAULT 0 CHECK (clawback_pence >= 0),
    offset_pence    bigint NOT NULL DEFAULT 0 CHECK (offset_pence >= 0),
    schedule        jsonb,
    actor_id        text NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL
);
CREATE INDEX variations_grant ON variations (grant_id, created_at);

-- Stripe events, kept once by id: a duplicate delivery changes nothing.
CREATE TABLE webhook_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE webhook_events;
DROP TABLE variations;
DROP INDEX documents_report;
ALTER TABLE documents DROP COLUMN report_id;
ALTER TABLE reports
    DROP COLUMN answers, DROP COLUMN spend_pence, DROP COLUMN submitted_by, DROP COLUMN submitted_at,
    DROP COLUMN reviewed_by, DROP COLUMN reviewed_at, DROP COLUMN review_comment, DROP COLUMN escalated_at;
ALTER TABLE payments DROP CONSTRAINT payments_run;
DROP TABLE payment_runs;
DROP TABLE payment_attempts;
DROP TABLE payment_approvals;
DROP INDEX payments_status;
DROP INDEX payments_tranche_live;
ALTER TABLE payments
    DROP CONSTRAINT payments_paid_has_reference,
    DROP COLUMN provider, DROP COLUMN requested_by, DROP COLUMN attempt, DROP COLUMN provider_reference,
    DROP COLUMN failure_reason, DROP COLUMN cancel_reason, DROP COLUMN cancelled_by, DROP COLUMN held_reason,
    DROP COLUMN payment_run_id, DROP COLUMN paid_at, DROP COLUMN reversed_at, DROP COLUMN reversal_reason,
    ADD CONSTRAINT payments_tranche_once UNIQUE (grant_id, tranche);
ALTER TABLE grants
    DROP CONSTRAINT grants_flags_known,
    DROP COLUMN clawback_pence, DROP COLUMN flags, DROP COLUMN completed_at;
DROP TABLE bank_accounts;
ALTER TABLE organisations
    DROP COLUMN stripe_account_id, DROP COLUMN payout_ready_at, DROP COLUMN payout_failed_at, DROP COLUMN payout_failure;
