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
  AND a.id > coalesce(sqlc.narg(cursor)::text, '')
  AND (sqlc.narg(round_id)::text IS NULL OR a.round_id = sqlc.narg(round_id))
  AND (sqlc.narg(status)::text IS NULL OR a.status = sqlc.narg(status))
ORDER BY a.id
LIMIT @row_limit;

-- name: ApplicationListAll :many
SELECT a.*
FROM applications a
WHERE a.id > coalesce(sqlc.narg(cursor)::text, '')
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

-- name: ApplicationCountByRoundStatus :one
SELECT count(*) FROM applications WHERE round_id = @round_id AND status = @status;

-- name: ApplicationWithdrawDraft :one
-- A draft is withdrawn directly; no workflow exists for it yet.
UPDATE applications
SET status = 'withdrawn', withdrawn_at = now(), version = version + 1, updated_at = now()
WHERE id = @id AND status = 'draft'
RETURNING *;

-- name: ApplicationRankingPage :many
-- One page of a round's ranking, best first (application_rank_key: the
-- highest ranking_total first, unscored last), then in submission order,
-- then by id: the rows after the keyset (after_key, after_submitted,
-- after_id), read along the applications_ranking index. Without the
-- answers. The first page passes a key below every total.
SELECT a.id, a.status, a.tier, a.requested_pence, a.flags, a.moderated_total, a.award_pence,
       a.submitted_at, a.ranking_total, o.name AS organisation_name
FROM applications a
JOIN organisations o ON o.id = a.organisation_id
WHERE a.round_id = @round_id AND application_is_ranked(a.status)
  AND (application_rank_key(a.ranking_total), application_rank_submitted(a.submitted_at), a.id)
      > (@after_key::bigint, application_rank_submitted(sqlc.narg(after_submitted)::timestamptz), @after_id::text)
ORDER BY application_rank_key(a.ranking_total), application_rank_submitted(a.submitted_at), a.id
LIMIT @row_limit;

-- name: ApplicationRankingBefore :many
-- The ranking read backwards from a keyset, the keyset's row included:
-- what the page before it holds, for its cursor and running total.
SELECT a.id, a.status, a.requested_pence, a.submitted_at, a.ranking_total
FROM applications a
WHERE a.round_id = @round_id AND application_is_ranked(a.status)
  AND (application_rank_key(a.ranking_total), application_rank_submitted(a.submitted_at), a.id)
      <= (@at_key::bigint, application_rank_submitted(sqlc.narg(at_submitted)::timestamptz), @at_id::text)
ORDER BY application_rank_key(a.ranking_total) DESC, application_rank_submitted(a.submitted_at) DESC, a.id DESC
LIMIT @row_limit;

-- name: ApplicationRankingPlace :one
-- One application's place in its round's ranking: how many are ranked,
-- how many rank before it and the running total of the undecided
-- requests down to it, from the applications_ranking index alone.
SELECT count(*)::bigint AS ranked,
       (count(*) FILTER (WHERE (application_rank_key(a.ranking_total), application_rank_submitted(a.submitted_at), a.id)
                               < (@at_key::bigint, application_rank_submitted(sqlc.narg(at_submitted)::timestamptz), @at_id::text)))::bigint AS before,
       coalesce(sum(a.requested_pence) FILTER (WHERE a.status IN ('in_assessment', 'waitlisted')
           AND (application_rank_key(a.ranking_total), application_rank_submitted(a.submitted_at), a.id)
               <= (@at_key::bigint, application_rank_submitted(sqlc.narg(at_submitted)::timestamptz), @at_id::text)), 0)::bigint AS running
FROM applications a
WHERE a.round_id = @round_id AND application_is_ranked(a.status);

-- name: ApplicationDeleteDraft :one
-- A draft is deleted outright (its documents first); a submitted
-- application is never deleted. The caller holds its row lock.
DELETE FROM applications WHERE id = @id AND status = 'draft'
RETURNING *;
