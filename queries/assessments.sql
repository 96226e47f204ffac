-- name: AssessmentInsert :one
INSERT INTO assessments (id, application_id, round_id, assessor_id, generation, deadline, assigned_at)
VALUES (@id, @application_id, @round_id, @assessor_id, @generation, @deadline, @assigned_at)
RETURNING *;

-- name: AssessmentGet :one
SELECT * FROM assessments WHERE id = @id;

-- name: AssessmentGetForUpdate :one
SELECT * FROM assessments WHERE id = @id FOR UPDATE;

-- name: AssessmentListByApplication :many
SELECT * FROM assessments WHERE application_id = @application_id ORDER BY assigned_at, id;

-- name: AssessmentScore :one
UPDATE assessments
SET scores = @scores, total_hundredths = @total_hundredths, status = 'scored', scored_at = @scored_at
WHERE id = @id AND assessment_is_live(status)
RETURNING *;

-- name: AssessmentMarkConflict :one
UPDATE assessments
SET status = 'conflict', conflict_reason = @reason, released_at = @released_at,
    scores = NULL, total_hundredths = NULL
WHERE id = @id AND assessment_is_live(status)
RETURNING *;

-- name: AssessmentRelease :one
UPDATE assessments
SET status = 'released', release_reason = @reason, released_at = @released_at,
    scores = NULL, total_hundredths = NULL
WHERE id = @id AND assessment_is_live(status)
RETURNING *;

-- name: AssessmentMarkReminded :one
UPDATE assessments SET reminded_at = @reminded_at
WHERE id = @id AND reminded_at IS NULL
RETURNING *;

-- name: AssessmentLoadByRound :many
-- Active assignments per assessor in a round, for balancing load.
SELECT assessor_id, count(*)::bigint AS active
FROM assessments
WHERE round_id = @round_id AND assessment_is_live(status)
GROUP BY assessor_id;

-- name: AssessmentListForAssessor :many
-- An assessor's queue: what they are assigned or have scored. The cursor
-- is a range on the id (no "IS NULL OR"), so a cached generic plan still
-- starts at the cursor; by status, assessments_assessor_status serves it.
SELECT sqlc.embed(s), a.round_id AS app_round_id, o.name AS organisation_name
FROM assessments s
JOIN applications a ON a.id = s.application_id
JOIN organisations o ON o.id = a.organisation_id
WHERE s.assessor_id = @assessor_id AND assessment_is_live(s.status)
  AND (sqlc.narg(status)::text IS NULL OR s.status = sqlc.narg(status))
  AND s.id > coalesce(sqlc.narg(cursor)::text, '')
ORDER BY s.id
LIMIT @row_limit;

-- name: AssessmentActiveForAssessor :one
-- The assessor's live assignment to an application, if any (read access).
SELECT * FROM assessments
WHERE application_id = @application_id AND assessor_id = @assessor_id AND assessment_is_live(status);

-- name: AssessorConflictInsert :exec
INSERT INTO assessor_conflicts (assessor_id, organisation_id, name_key, charity_number, company_number, application_id, reason)
VALUES (@assessor_id, @organisation_id, @name_key, sqlc.narg(charity_number), sqlc.narg(company_number), @application_id, @reason)
ON CONFLICT (assessor_id, organisation_id) DO NOTHING;

-- name: AssessorConflictList :many
SELECT * FROM assessor_conflicts WHERE assessor_id = ANY (@assessor_ids::text[]) ORDER BY id;

-- name: AssessmentLockRoundAssignment :exec
-- Serialises assignment within a round for the rest of the transaction, so
-- concurrent cases see each other's new assignments when balancing load.
-- (Not the round row: that lock belongs to budget commitments.)
SELECT pg_advisory_xact_lock(hashtextextended('assign:' || @round_id::text, 0));

-- name: AssessmentScoredTotalsByRound :many
-- The assessors' totals of a round's scored assessments, for ranking the
-- waitlist.
SELECT application_id, total_hundredths::bigint AS total_hundredths
FROM assessments
WHERE round_id = @round_id AND status = 'scored'
ORDER BY application_id, id;

-- name: AssessmentListByApplications :many
-- Some applications' assessments with the assessors' names, for a page
-- of the ranking or one case's place in it.
SELECT sqlc.embed(s), u.name AS assessor_name
FROM assessments s
JOIN users u ON u.id = s.assessor_id
WHERE s.application_id = ANY (@application_ids::text[])
ORDER BY s.application_id, s.assigned_at, s.id;
