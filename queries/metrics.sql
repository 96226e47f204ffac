-- Gauges read on each /metrics scrape (package metrics): small aggregate
-- reads over indexed columns, restart-proof because they come from the
-- database rather than from counters in memory.

-- name: MetricsOutbox :one
-- Undispatched outbox rows and the age in seconds of the oldest (0: none).
SELECT count(*)::bigint AS pending,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
FROM outbox WHERE dispatched_at IS NULL;

-- name: MetricsEmailsByStatus :many
SELECT status, count(*)::bigint AS emails FROM emails GROUP BY status ORDER BY status;

-- name: MetricsApplicationsByStatus :many
SELECT status, count(*)::bigint AS applications FROM applications GROUP BY status ORDER BY status;

-- name: MetricsDecisionsByOutcome :many
SELECT decision_outcome::text AS outcome, count(*)::bigint AS decisions
FROM applications WHERE decision_outcome IS NOT NULL GROUP BY decision_outcome ORDER BY decision_outcome;

-- name: MetricsPaymentsByStatus :many
SELECT status, count(*)::bigint AS payments, coalesce(sum(amount_pence), 0)::bigint AS pence
FROM payments GROUP BY status ORDER BY status;
