-- name: OrganisationCreate :one
INSERT INTO organisations (id, name, legal_form, charity_number, company_number, borough_name, borough_gss,
                           address, annual_income_pence, host_organisation_id, created_by)
VALUES (@id, @name, @legal_form, sqlc.narg(charity_number), sqlc.narg(company_number), @borough_name, @borough_gss,
        @address, @annual_income_pence, sqlc.narg(host_organisation_id), @created_by)
RETURNING *;

-- name: OrganisationGet :one
SELECT * FROM organisations WHERE id = @id;

-- name: OrganisationUpdate :one
UPDATE organisations
SET name = @name, legal_form = @legal_form, charity_number = sqlc.narg(charity_number),
    company_number = sqlc.narg(company_number), borough_name = @borough_name, borough_gss = @borough_gss,
    address = @address, annual_income_pence = @annual_income_pence,
    host_organisation_id = sqlc.narg(host_organisation_id),
    host_consented_at = CASE WHEN host_organisation_id IS DISTINCT FROM sqlc.narg(host_organisation_id) THEN NULL ELSE host_consented_at END,
    host_consented_by = CASE WHEN host_organisation_id IS DISTINCT FROM sqlc.narg(host_organisation_id) THEN NULL ELSE host_consented_by END,
    updated_at = now()
WHERE id = @id
RETURNING *;

-- name: OrganisationSetHostConsent :one
UPDATE organisations
SET host_consented_at = now(), host_consented_by = @user_id, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: OrganisationListForUser :many
SELECT sqlc.embed(o), m.role AS member_role
FROM organisations o
JOIN organisation_members m ON m.organisation_id = o.id
WHERE m.user_id = @user_id
  AND (sqlc.narg(cursor)::text IS NULL OR o.id > sqlc.narg(cursor))
ORDER BY o.id
LIMIT @row_limit;

-- name: OrganisationMemberAdd :exec
INSERT INTO organisation_members (organisation_id, user_id, role)
VALUES (@organisation_id, @user_id, @role)
ON CONFLICT (organisation_id, user_id) DO NOTHING;

-- name: OrganisationMemberRole :one
SELECT role FROM organisation_members WHERE organisation_id = @organisation_id AND user_id = @user_id;

-- name: OrganisationMembershipsForUser :many
SELECT m.organisation_id, m.role, o.name
FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
WHERE m.user_id = @user_id
ORDER BY o.name;

-- name: OrganisationAdmins :many
SELECT user_id FROM organisation_members
WHERE organisation_id = @organisation_id AND role = 'admin'
ORDER BY user_id;

-- name: OrganisationsOfUsers :many
-- The organisations each of the given users belongs to, for conflict
-- detection: a member of an organisation never assesses it.
SELECT m.user_id, o.id, o.name, o.charity_number, o.company_number, o.host_organisation_id
FROM organisation_members m
JOIN organisations o ON o.id = m.organisation_id
WHERE m.user_id = ANY (@user_ids::text[])
ORDER BY m.user_id, o.id;

-- name: OrganisationMemberList :many
-- Every member of an organisation with their role.
SELECT user_id, role FROM organisation_members
WHERE organisation_id = @organisation_id
ORDER BY user_id;

-- name: OrganisationByNumber :one
-- The organisation holding a charity or company number (normalised), if
-- any, other than @self_id.
SELECT id, name, charity_number, company_number FROM organisations
WHERE id <> @self_id
  AND ((sqlc.narg(charity_number)::text IS NOT NULL AND charity_number = sqlc.narg(charity_number))
    OR (sqlc.narg(company_number)::text IS NOT NULL AND company_number = sqlc.narg(company_number)))
ORDER BY id
LIMIT 1;
