-- name: BudgetLockRound :one
-- Serialises every commitment to one round for the rest of the transaction.
SELECT budget_pence FROM rounds WHERE id = @round_id FOR UPDATE;

-- name: BudgetCommitted :one
SELECT coalesce(sum(amount_pence), 0)::bigint FROM budget_commitments
WHERE round_id = @round_id AND released_at IS NULL;

-- name: BudgetActiveForApplication :one
SELECT * FROM budget_commitments WHERE application_id = @application_id AND released_at IS NULL;

-- name: BudgetInsert :one
INSERT INTO budget_commitments (round_id, application_id, amount_pence)
VALUES (@round_id, @application_id, @amount_pence)
RETURNING *;

-- name: BudgetRelease :one
UPDATE budget_commitments SET released_at = now()
WHERE application_id = @application_id AND released_at IS NULL
RETURNING *;

-- name: BudgetAdjust :one
-- A variation changes an application's active commitment in place.
UPDATE budget_commitments SET amount_pence = @amount_pence
WHERE application_id = @application_id AND released_at IS NULL
RETURNING *;
