-- +goose Up

-- Review and decision (issue 3): assessments, declared conflicts, grants
-- offered on approval with their payment and report schedules, and
-- notification rows. Every write after submission comes from an activity.

-- The case's review state on the application row: flags for staff
-- (needs_moderation, pool_exhausted, unscored), a moderated total set by a
-- manager (the assessors' scores stay as they were), and the decision.
ALTER TABLE applications
    ADD COLUMN flags                text[] NOT NULL DEFAULT '{}',
    ADD COLUMN moderated_total      bigint CHECK (moderated_total BETWEEN 0 AND 10000),
    ADD COLUMN moderation_rationale text,
    ADD COLUMN moderated_by         text REFERENCES users (id),
    ADD COLUMN moderated_at         timestamptz,
    ADD COLUMN decision_outcome     text CHECK (decision_outcome IN ('approve', 'reject', 'waitlist')),
    ADD COLUMN decision_reason      text,
    ADD COLUMN decided_by           text,
    ADD COLUMN decided_at           timestamptz,
    ADD COLUMN award_pence          bigint CHECK (award_pence > 0),
    ADD COLUMN withdrawn_at         timestamptz,
    ADD CONSTRAINT applications_flags_known CHECK (flags <@ ARRAY['needs_moderation', 'moderated', 'pool_exhausted', 'unscored']::text[]);

-- One assessor's assignment to one application. generation 0 is a first
-- assignment (or the replacement of a conflicted one); generation 1 is the
-- one reassignment after a deadline passed unscored. scores is
-- {criterion: {score, justification}}; total is in hundredths of a point.
CREATE TABLE assessments (
    id               text PRIMARY KEY,
    application_id   text NOT NULL REFERENCES applications (id),
    round_id         text NOT NULL REFERENCES rounds (id),
    assessor_id      text NOT NULL REFERENCES users (id),
    status           text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned', 'scored', 'conflict', 'released')),
    generation       integer NOT NULL DEFAULT 0 CHECK (generation IN (0, 1)),
    deadline         timestamptz NOT NULL,
    scores           jsonb CHECK (scores IS NULL OR jsonb_typeof(scores) = 'object'),
    total_hundredths bigint CHECK (total_hundredths BETWEEN 0 AND 10000),
    conflict_reason  text,
    release_reason   text,
    assigned_at      timestamptz NOT NULL,
    scored_at        timestamptz,
    released_at      timestamptz,
    reminded_at      timestamptz,
    CONSTRAINT assessments_once_per_assessor UNIQUE (application_id, assessor_id),
    CONSTRAINT assessments_scored_has_total CHECK ((status = 'scored') = (total_hundredths IS NOT NULL))
);
CREATE INDEX assessments_assessor ON assessments (assessor_id, id);
CREATE INDEX assessments_round_load ON assessments (round_id, assessor_id) WHERE status IN ('assigned', 'scored');

-- A conflict an assessor declared: they never assess an application whose
-- lead or partner is this organisation (matched by charity or company
-- number, else by name), in any round.
CREATE TABLE assessor_conflicts (
    id              bigserial PRIMARY KEY,
    assessor_id     text NOT NULL REFERENCES users (id),
    organisation_id text NOT NULL REFERENCES organisations (id),
    name_key        text NOT NULL,
    charity_number  text,
    company_number  text,
    application_id  text NOT NULL REFERENCES applications (id),
    reason          text NOT NULL,
    declared_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assessor_conflicts_once UNIQUE (assessor_id, organisation_id)
);

-- A grant exists from approval: offered until accepted (active) or the
-- offer expires (lapsed).
CREATE TABLE grants (
    id               text PRIMARY KEY,
    application_id   text NOT NULL UNIQUE REFERENCES applications (id),
    round_id         text NOT NULL REFERENCES rounds (id),
    organisation_id  text NOT NULL REFERENCES organisations (id),
    award_pence      bigint NOT NULL CHECK (award_pence > 0),
    conditions       text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'offered' CHECK (status IN ('offered', 'active', 'lapsed', 'completed', 'suspended', 'terminated')),
    offered_at       timestamptz NOT NULL,
    offer_expires_at timestamptz NOT NULL,
    signatory_name   text,
    signatory_role   text,
    accepted_by      text REFERENCES users (id),
    accepted_at      timestamptz,
    lapsed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT grants_accepted CHECK ((accepted_at IS NULL) = (signatory_name IS NULL))
);
CREATE INDEX grants_organisation ON grants (organisation_id);
CREATE INDEX grants_round ON grants (round_id);

ALTER TABLE applications ADD CONSTRAINT applications_grant FOREIGN KEY (grant_id) REFERENCES grants (id);

-- A grant's tranches, from the round's payment schedule: exact pence, the
-- remainder on the last. The disbursement issue drives their states.
CREATE TABLE payments (
    id           text PRIMARY KEY,
    grant_id     text NOT NULL REFERENCES grants (id),
    tranche      integer NOT NULL CHECK (tranche > 0),
    amount_pence bigint NOT NULL CHECK (amount_pence >= 0),
    condition    text NOT NULL,
    status       text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'awaiting_approval', 'approved', 'sending', 'paid', 'failed', 'cancelled', 'reversed')),
    due_at       timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_tranche_once UNIQUE (grant_id, tranche)
);

-- The reports a grant owes, from the round's timeline; due_at is set when
-- the offer is accepted (due_after counts from acceptance).
CREATE TABLE reports (
    id           text PRIMARY KEY,
    grant_id     text NOT NULL REFERENCES grants (id),
    kind         text NOT NULL,
    status       text NOT NULL DEFAULT 'upcoming' CHECK (status IN ('upcoming', 'due', 'overdue', 'submitted', 'accepted', 'changes_requested')),
    due_after_ms bigint NOT NULL CHECK (due_after_ms > 0),
    due_at       timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reports_kind_once UNIQUE (grant_id, kind)
);

-- Messages to people. Rows now; e-mail delivery comes later and sends each
-- once (sent_at). dedupe_key makes a retried activity write one row.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    kind       text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    entity     text NOT NULL,
    dedupe_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- Rounds created before this migration get their workflow too.
INSERT INTO outbox (kind, payload)
SELECT 'start:round', jsonb_build_object('round_id', id) FROM rounds;

-- +goose Down
DROP TABLE notifications;
DROP TABLE reports;
DROP TABLE payments;
ALTER TABLE applications DROP CONSTRAINT applications_grant;
DROP TABLE grants;
DROP TABLE assessor_conflicts;
DROP TABLE assessments;
ALTER TABLE applications
    DROP CONSTRAINT applications_flags_known,
    DROP COLUMN flags, DROP COLUMN moderated_total, DROP COLUMN moderation_rationale,
    DROP COLUMN moderated_by, DROP COLUMN moderated_at, DROP COLUMN decision_outcome,
    DROP COLUMN decision_reason, DROP COLUMN decided_by, DROP COLUMN decided_at,
    DROP COLUMN award_pence, DROP COLUMN withdrawn_at;
