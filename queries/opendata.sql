-- ---- Open data (360Giving) and CSV exports ----

-- name: GivingGrantPage :many
-- One keyset page of awarded grants for the 360Giving export: accepted
-- grants (active and later; never offered, lapsed or declined) of
-- programmes with a 360Giving prefix, by grant id. programme_code limits
-- it to one programme; published_only to rounds whose decisions are final
-- (closed, with no application still awaiting a decision); since to grants
-- modified on or after it. The rounds are chosen first (an array the
-- planner cannot see into), so every page walks grants in id order from
-- the cursor: as fast at the last page as at the first. Of the answers,
-- only answer_keys (those the record reads) are sent: the whole form,
-- decoded for three of its answers, was the export's largest cost.
SELECT g.id, g.award_pence, g.offered_at, g.accepted_at, g.status,
       greatest(g.updated_at, a.updated_at, o.updated_at)::timestamptz AS date_modified,
       a.requested_pence,
       (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}')
        FROM jsonb_each(a.answers) AS e WHERE e.key = ANY (@answer_keys::text[]))::jsonb AS answers,
       o.id AS organisation_id, o.name AS organisation_name, o.charity_number, o.company_number,
       o.borough_name, o.borough_gss, o.address,
       p.code AS programme_code, p.name AS programme_name, p.funder_name, p.giving_prefix,
       coalesce((SELECT sum(pa.amount_pence) FROM payments pa WHERE pa.grant_id = g.id AND pa.status = 'paid'), 0)::bigint AS disbursed_pence,
       coalesce((SELECT max(r.due_after_ms) FROM reports r WHERE r.grant_id = g.id), 0)::bigint AS last_report_after_ms
FROM grants g
JOIN applications a ON a.id = g.application_id
JOIN organisations o ON o.id = g.organisation_id
JOIN rounds rd ON rd.id = g.round_id
JOIN programmes p ON p.id = rd.programme_id
WHERE g.status IN ('active', 'completed', 'suspended', 'terminated')
  AND g.id > coalesce(sqlc.narg(cursor)::text, '')
  AND g.round_id = ANY (ARRAY(
        SELECT xr.id FROM rounds xr JOIN programmes xp ON xp.id = xr.programme_id
        WHERE xp.giving_prefix <> ''
          AND (sqlc.narg(programme_code)::text IS NULL OR xp.code = sqlc.narg(programme_code))
          AND (NOT @published_only::boolean OR (xr.closes_at <= now() AND NOT EXISTS (
                SELECT 1 FROM applications w WHERE w.round_id = xr.id AND w.status IN ('submitted', 'in_assessment'))))))
  AND (sqlc.narg(since)::timestamptz IS NULL OR greatest(g.updated_at, a.updated_at, o.updated_at) >= sqlc.narg(since))
ORDER BY g.id
LIMIT @row_limit;

-- name: GivingGrantCount :one
-- How many grants GivingGrantPage would list (the CLI's progress bar).
SELECT count(*)
FROM grants g
JOIN applications a ON a.id = g.application_id
JOIN organisations o ON o.id = g.organisation_id
JOIN rounds rd ON rd.id = g.round_id
JOIN programmes p ON p.id = rd.programme_id
WHERE g.status IN ('active', 'completed', 'suspended', 'terminated')
  AND p.giving_prefix <> ''
  AND (sqlc.narg(programme_code)::text IS NULL OR p.code = sqlc.narg(programme_code))
  AND (sqlc.narg(since)::timestamptz IS NULL OR greatest(g.updated_at, a.updated_at, o.updated_at) >= sqlc.narg(since))
  AND (NOT @published_only::boolean OR (rd.closes_at <= now() AND NOT EXISTS (
        SELECT 1 FROM applications w WHERE w.round_id = rd.id AND w.status IN ('submitted', 'in_assessment'))));

-- name: GivingProgrammesWithoutPrefix :many
-- Programmes with awarded grants but no 360Giving prefix: their grants
-- cannot be published, and the export says so.
SELECT DISTINCT p.code
FROM programmes p
JOIN rounds rd ON rd.programme_id = p.id
JOIN grants g ON g.round_id = rd.id
WHERE p.giving_prefix = '' AND g.status IN ('active', 'completed', 'suspended', 'terminated')
ORDER BY p.code;

-- name: GrantExportPage :many
-- One keyset page of GET /exports/grants.csv: every grant by id, with its
-- organisation, round, programme and money paid.
SELECT g.id, g.application_id, g.status, g.award_pence, g.offered_at, g.accepted_at, g.completed_at,
       o.id AS organisation_id, o.name AS organisation_name, o.borough_name,
       rd.id AS round_id, rd.name AS round_name, p.code AS programme_code,
       coalesce((SELECT sum(pa.amount_pence) FROM payments pa WHERE pa.grant_id = g.id AND pa.status = 'paid'), 0)::bigint AS paid_pence
FROM grants g
JOIN organisations o ON o.id = g.organisation_id
JOIN rounds rd ON rd.id = g.round_id
JOIN programmes p ON p.id = rd.programme_id
WHERE sqlc.narg(cursor)::text IS NULL OR g.id > sqlc.narg(cursor)
ORDER BY g.id
LIMIT @row_limit;

-- name: ApplicationExportPage :many
-- One keyset page of GET /exports/applications.csv: a round's
-- applications by id (status optional), with the lead organisation.
SELECT a.id, a.status, a.tier, a.requested_pence, a.award_pence, a.answers, a.partners, a.submitted_at,
       a.decision_outcome, o.id AS organisation_id, o.name AS organisation_name, o.borough_name
FROM applications a
JOIN organisations o ON o.id = a.organisation_id
WHERE a.round_id = @round_id AND a.status <> 'draft'
  AND (sqlc.narg(status)::text IS NULL OR a.status = sqlc.narg(status))
  AND (sqlc.narg(cursor)::text IS NULL OR a.id > sqlc.narg(cursor))
ORDER BY a.id
LIMIT @row_limit;
