-- name: ApplicationCreate :one
INSERT INTO applications (id, round_id, organisation_id, created_by)
VALUES (@id, @round_id, @organisation_id, @created_by)
RETURNING *;

-- name: ApplicationGet :one
SELECT * FROM applications WHERE id = @id;

-- name: ApplicationGetForUpdate :one
SELECT * FROM applications WHERE id = @id FOR UPDATE;

-- name: ApplicationSaveDraft :one
-- Optimistic concurrency: no row when the version is stale or the
-- application is no longer a draft.
UPDATE applications
SET tier = sqlc.narg(tier), requested_pence = sqlc.narg(requested_pence), answers = @answers,
    partners = @partners, version = version + 1, updated_at = now()
WHERE id = @id AND version = @version AND status = 'draft'
RETURNING *;

-- name: ApplicationMarkSubmitted :one
UPDATE applications
SET status = 'submitted', version = version + 1, submitted_at = now(), updated_at = now()
WHERE id = @id AND status = 'draft'
RETURNING *;

-- name: ApplicationSetEligibility :one
-- The eligibility activity's write; a re-run after it applied changes nothing.
UPDATE applications
SET status = @status, eligibility = @eligibility, version = version + 1, updated_at = now()
WHERE id = @id AND status = 'submitted'
RETURNING *;

-- name: ApplicationListForMember :many
SELECT a.*
FROM applications a
WHERE a.organisation_id IN (SELECT organisation_id FROM organisation_members WHERE user_id = @user_id)
  AND (sqlc.narg(cursor)::text IS NULL OR a.id > sqlc.narg(cursor))
  AND (sqlc.narg(round_id)::text IS NULL OR a.round_id = sqlc.narg(round_id))
  AND (sqlc.narg(status)::text IS NULL OR a.status = sqlc.narg(status))
ORDER BY a.id
LIMIT @row_limit;

-- name: ApplicationListAll :many
SELECT a.*
FROM applications a
WHERE (sqlc.narg(cursor)::text IS NULL OR a.id > sqlc.narg(cursor))
  AND (sqlc.narg(round_id)::text IS NULL OR a.round_id = sqlc.narg(round_id))
  AND (sqlc.narg(status)::text IS NULL OR a.status = sqlc.narg(status))
  AND (@include_drafts::boolean OR a.status <> 'draft')
ORDER BY a.id
LIMIT @row_limit;

-- name: ApplicationSetFlags :one
UPDATE applications SET flags = @flags::text[], updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ApplicationModerate :one
UPDATE applications
SET moderated_total = @moderated_total, moderation_rationale = @rationale, moderated_by = @moderated_by,
    moderated_at = @moderated_at, flags = array_append(array_remove(array_remove(flags, 'needs_moderation'), 'moderated'), 'moderated'),
    version = version + 1, updated_at = now()
WHERE id = @id AND status IN ('in_assessment', 'waitlisted')
RETURNING *;

-- name: ApplicationDecide :one
-- The decision's write; no row when the application is not awaiting one.
UPDATE applications
SET status = @status, decision_outcome = @outcome, decision_reason = @reason, decided_by = @decided_by,
    decided_at = @decided_at, award_pence = sqlc.narg(award_pence), grant_id = sqlc.narg(grant_id),
    version = version + 1, updated_at = now()
WHERE id = @id AND status IN ('in_assessment', 'waitlisted')
RETURNING *;

-- name: ApplicationWithdraw :one
UPDATE applications
SET status = 'withdrawn', withdrawn_at = @withdrawn_at, version = version + 1, updated_at = now()
WHERE id = @id AND status IN ('submitted', 'in_assessment', 'waitlisted')
RETURNING *;

-- name: ApplicationRankingRows :many
-- Every assessed application of a round with its lead organisation's name;
-- totals come from assessments (AssessmentListByRound).
SELECT sqlc.embed(a), o.name AS organisation_name
FROM applications a
JOIN organisations o ON o.id = a.organisation_id
WHERE a.round_id = @round_id AND a.status IN ('in_assessment', 'approved', 'rejected', 'waitlisted')
ORDER BY a.submitted_at, a.id;

-- name: ApplicationCountByRoundStatus :one
SELECT count(*) FROM applications WHERE round_id = @round_id AND status = @status;

-- name: ApplicationWithdrawDraft :one
-- A draft is withdrawn directly; no workflow exists for it yet.
UPDATE applications
SET status = 'withdrawn', withdrawn_at = now(), version = version + 1, updated_at = now()
WHERE id = @id AND status = 'draft'
RETURNING *;

-- name: ApplicationRankingTotals :many
-- What ranks a round's assessed applications, without their answers: each
-- one's status, request, moderated total and its assessors' totals (scored
-- assessments), in submission order. For one case's place in the ranking.
SELECT a.id, a.status, a.requested_pence, a.moderated_total,
       coalesce(array_agg(s.total_hundredths::bigint ORDER BY s.assigned_at, s.id)
                FILTER (WHERE s.status = 'scored' AND s.total_hundredths IS NOT NULL), '{}')::bigint[] AS assessor_totals
FROM applications a
LEFT JOIN assessments s ON s.application_id = a.id
WHERE a.round_id = @round_id AND a.status IN ('in_assessment', 'approved', 'rejected', 'waitlisted')
GROUP BY a.id
ORDER BY a.submitted_at, a.id;

-- name: ApplicationDeleteDraft :one
-- A draft is deleted outright (its documents first); a submitted
-- application is never deleted. The caller holds its row lock.
DELETE FROM applications WHERE id = @id AND status = 'draft'
RETURNING *;
