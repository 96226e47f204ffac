-- name: OrganisationCheckInsert :one
-- A check as asked for (status not_run until its activity runs, or for
-- good when no key is configured). A second ask with the same trigger
-- (submission, payment) returns nothing: see OrganisationCheckByTrigger.
INSERT INTO organisation_checks (id, organisation_id, source, number, status, details, checked_at, trigger_kind, trigger_id)
VALUES (@id, @organisation_id, @source, @number, @status, @details, sqlc.narg(checked_at), @trigger_kind, @trigger_id)
ON CONFLICT (organisation_id, source, trigger_kind, trigger_id) WHERE trigger_kind IN ('submission', 'payment') DO NOTHING
RETURNING *;

-- name: OrganisationCheckByTrigger :one
SELECT * FROM organisation_checks
WHERE organisation_id = @organisation_id AND source = @source AND trigger_kind = @trigger_kind AND trigger_id = @trigger_id;

-- name: OrganisationCheckGet :one
SELECT * FROM organisation_checks WHERE id = @id;

-- name: OrganisationCheckRecord :one
-- The activity's result.
UPDATE organisation_checks
SET status = @status, details = @details, checked_at = @checked_at
WHERE id = @id
RETURNING *;

-- name: OrganisationChecksLatest :many
-- The latest check per source of each of the given organisations, of the
-- number it holds now (a check of a number since removed or changed is
-- history, not its status).
SELECT DISTINCT ON (c.organisation_id, c.source) c.*
FROM organisation_checks c
JOIN organisations o ON o.id = c.organisation_id
WHERE c.organisation_id = ANY (@organisation_ids::text[])
  AND c.number = CASE c.source WHEN 'charity_commission' THEN o.charity_number ELSE o.company_number END
ORDER BY c.organisation_id, c.source, c.created_at DESC, c.id DESC;

-- name: RegisterCacheGet :one
SELECT * FROM register_cache WHERE source = @source AND number = @number AND fetched_at > @fresh_after;

-- name: RegisterCachePut :exec
INSERT INTO register_cache (source, number, status, details, fetched_at)
VALUES (@source, @number, @status, @details, @fetched_at)
ON CONFLICT (source, number) DO UPDATE SET status = EXCLUDED.status, details = EXCLUDED.details, fetched_at = EXCLUDED.fetched_at;
