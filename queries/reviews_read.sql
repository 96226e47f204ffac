-- name: AssessmentGetWithOrganisation :one
-- One assessment with its application's lead organisation's name.
SELECT sqlc.embed(s), o.name AS organisation_name
FROM assessments s
JOIN applications a ON a.id = s.application_id
JOIN organisations o ON o.id = a.organisation_id
WHERE s.id = @id;

-- name: AssessmentScoredTotalsByApplications :many
-- The totals of the scored assessments of several applications, for the
-- staff view of an application list.
SELECT application_id, total_hundredths::bigint AS total_hundredths
FROM assessments
WHERE application_id = ANY (@application_ids::text[]) AND status = 'scored'
ORDER BY application_id, assigned_at, id;

-- name: GrantListScoped :many
-- Grants of the user's organisations (and those paying shares to partner
-- organisations of theirs), or every grant when see_all.
SELECT g.* FROM grants g
WHERE (@see_all::boolean
       OR g.organisation_id IN (SELECT m.organisation_id FROM organisation_members m WHERE m.user_id = @user_id)
       OR EXISTS (SELECT 1 FROM payments p JOIN organisation_members pm ON pm.organisation_id = p.partner_organisation_id
                  WHERE p.grant_id = g.id AND pm.user_id = @user_id))
  AND (sqlc.narg(cursor)::text IS NULL OR g.id > sqlc.narg(cursor))
  AND (sqlc.narg(status)::text IS NULL OR g.status = sqlc.narg(status))
  AND (sqlc.narg(round_id)::text IS NULL OR g.round_id = sqlc.narg(round_id))
ORDER BY g.id
LIMIT @row_limit;

-- name: PaymentListByGrants :many
-- The payments of several grants, each with how many approvals it has.
SELECT sqlc.embed(p),
       (SELECT count(*) FROM payment_approvals a WHERE a.payment_id = p.id)::int AS approvals
FROM payments p
WHERE p.grant_id = ANY (@grant_ids::text[])
ORDER BY p.grant_id, p.tranche, p.partner_organisation_id NULLS FIRST, p.id;

-- name: ReportListByGrants :many
SELECT * FROM reports WHERE grant_id = ANY (@grant_ids::text[]) ORDER BY grant_id, due_after_ms, kind;

-- name: PaymentListForPartnerMember :many
-- The payments of a grant that pay shares of partner organisations the
-- user is a member of (a partner sees its own payments only).
SELECT sqlc.embed(p),
       (SELECT count(*) FROM payment_approvals a WHERE a.payment_id = p.id)::int AS approvals
FROM payments p
WHERE p.grant_id = @grant_id
  AND p.partner_organisation_id IN (SELECT m.organisation_id FROM organisation_members m WHERE m.user_id = @user_id)
ORDER BY p.tranche, p.id;
