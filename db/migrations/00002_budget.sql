-- +goose Up

-- Budget committed to awards. A row per award; the active rows of a round
-- never sum to more than its budget, which the committing transaction
-- checks under a row lock on the round. A lapsed or varied award releases
-- its row (released_at) rather than deleting it, so the history stays.
CREATE TABLE budget_commitments (
    id             bigserial PRIMARY KEY,
    round_id       text NOT NULL REFERENCES rounds (id),
    application_id text NOT NULL REFERENCES applications (id),
    amount_pence   bigint NOT NULL CHECK (amount_pence > 0),
    committed_at   timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz
);
CREATE UNIQUE INDEX budget_commitments_one_active ON budget_commitments (application_id) WHERE released_at IS NULL;
CREATE INDEX budget_commitments_round_active ON budget_commitments (round_id) WHERE released_at IS NULL;

-- +goose Down
DROP TABLE budget_commitments;
