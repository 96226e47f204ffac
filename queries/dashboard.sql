-- name: DashboardBudgetByRound :many
-- Each round's budget and what is committed to awards (active commitments),
-- the most recently opening rounds first.
SELECT r.id, r.name, r.opens_at, r.closes_at, r.budget_pence,
       coalesce((SELECT sum(b.amount_pence) FROM budget_commitments b
                 WHERE b.round_id = r.id AND b.released_at IS NULL), 0)::bigint AS committed_pence
FROM rounds r
ORDER BY r.opens_at DESC, r.id DESC
LIMIT @row_limit;

-- name: DashboardPipeline :many
-- The number of applications in each status.
SELECT status, count(*)::bigint AS applications
FROM applications
GROUP BY status
ORDER BY status;

-- name: DashboardAwardsByBorough :many
-- Grants awarded (every grant but a lapsed offer) by the borough of the
-- lead organisation: how many and their total award.
SELECT o.borough_name, o.borough_gss, count(*)::bigint AS grants,
       sum(g.award_pence)::bigint AS award_pence
FROM grants g
JOIN organisations o ON o.id = g.organisation_id
WHERE g.status <> 'lapsed'
GROUP BY o.borough_name, o.borough_gss
ORDER BY award_pence DESC, o.borough_name;

-- name: DashboardDecisionDays :many
-- How many decided applications took each whole number of days from
-- submission to decision.
SELECT greatest(floor(extract(epoch FROM (decided_at - submitted_at)) / 86400), 0)::bigint AS days,
       count(*)::bigint AS applications
FROM applications
WHERE decided_at IS NOT NULL AND submitted_at IS NOT NULL
GROUP BY 1
ORDER BY 1;
