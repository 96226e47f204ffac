-- Equality monitoring answers (db/migrations/00020_equality.sql): read
-- only by the applicant's members, the aggregate report and the open-data
-- export. Never join this table into an assessment, panel or ranking read.

-- name: EqualityGet :one
SELECT * FROM equality_answers WHERE application_id = @application_id;

-- name: EqualityUpsert :one
INSERT INTO equality_answers (application_id, answers, publish, updated_by)
VALUES (@application_id, @answers, @publish, @updated_by)
ON CONFLICT (application_id) DO UPDATE
SET answers = excluded.answers, publish = excluded.publish, updated_by = excluded.updated_by, updated_at = now()
RETURNING *;

-- name: EqualityReportRows :many
-- Every submitted (non-draft) application of a round or of a programme's
-- rounds, with its equality answers (NULL: not answered) and its award
-- (NULL: none; a lapsed or declined offer is no award).
SELECT a.id, e.answers,
       (g.id IS NOT NULL AND g.status NOT IN ('lapsed', 'declined'))::boolean AS awarded,
       CASE WHEN g.status NOT IN ('lapsed', 'declined') THEN g.award_pence ELSE 0 END::bigint AS award_pence
FROM applications a
JOIN rounds r ON r.id = a.round_id
JOIN programmes p ON p.id = r.programme_id
LEFT JOIN equality_answers e ON e.application_id = a.id
LEFT JOIN grants g ON g.application_id = a.id
WHERE a.status <> 'draft'
  AND (sqlc.narg(round_id)::text IS NULL OR a.round_id = sqlc.narg(round_id))
  AND (sqlc.narg(programme)::text IS NULL OR p.code = sqlc.narg(programme))
ORDER BY a.id;

-- name: EqualityPublishedForGrants :many
-- The answers of the given grants' applications whose organisation agreed
-- to publish them (for the 360Giving DEI extension).
SELECT g.id AS grant_id, e.answers
FROM grants g
JOIN equality_answers e ON e.application_id = g.application_id
WHERE g.id = ANY(@grant_ids::text[]) AND e.publish
ORDER BY g.id;
