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
-- Grants awarded (every grant but a lapsed or declined offer) by the borough of the
-- lead organisation: how many and their total award.
SELECT o.borough_name, o.borough_gss, count(*)::bigint AS grants,
       sum(g.award_pence)::bigint AS award_pence
FROM grants g
JOIN organisations o ON o.id = g.organisation_id
WHERE g.status NOT IN ('lapsed', 'declined')
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

-- name: HomeApplicantCounts :one
-- What a member's organisations have: draft applications, submitted ones
-- (neither a draft nor withdrawn), grants and offers waiting.
WITH mine AS (SELECT m.organisation_id FROM organisation_members m WHERE m.user_id = @user_id::text)
SELECT
  (SELECT count(*) FROM applications a
   WHERE a.organisation_id IN (SELECT organisation_id FROM mine) AND a.status = 'draft')::bigint AS drafts,
  (SELECT count(*) FROM applications a
   WHERE a.organisation_id IN (SELECT organisation_id FROM mine) AND a.status NOT IN ('draft', 'withdrawn'))::bigint AS submitted,
  (SELECT count(*) FROM grants g WHERE g.organisation_id IN (SELECT organisation_id FROM mine))::bigint AS grants,
  (SELECT count(*) FROM grants g
   WHERE g.organisation_id IN (SELECT organisation_id FROM mine) AND g.status = 'offered')::bigint AS offers;

-- name: HomeAssessorNext :one
-- An assessor's assessments waiting to be scored: how many, and the
-- earliest deadline (no row when none waits).
SELECT count(*) OVER ()::bigint AS waiting, deadline
FROM assessments
WHERE assessor_id = @assessor_id AND status = 'assigned'
ORDER BY deadline, id
LIMIT 1;

-- name: HomeChairRounds :many
-- The rounds with applications in assessment, with how many, by name.
SELECT r.id, r.name, count(*)::bigint AS cases
FROM applications a
JOIN rounds r ON r.id = a.round_id
WHERE a.status = 'in_assessment'
GROUP BY r.id, r.name
ORDER BY r.name, r.id;

-- name: HomeFinanceCounts :one
-- Payments awaiting approval and failed payments.
SELECT count(*) FILTER (WHERE status = 'awaiting_approval')::bigint AS awaiting,
       count(*) FILTER (WHERE status = 'failed')::bigint AS failed
FROM payments
WHERE status IN ('awaiting_approval', 'failed');
