-- An organisation's team: who is on it, their roles, joining and leaving.

-- name: OrganisationLockForTeam :one
-- Serialises changes to an organisation's team, so that two admins
-- demoting each other at once cannot leave it with none.
SELECT id FROM organisations WHERE id = @id FOR UPDATE;

-- name: OrganisationMemberListNamed :many
-- Every member of an organisation with their name and address, admins
-- first.
SELECT m.user_id, u.name, u.email, m.role, m.created_at
FROM organisation_members m JOIN users u ON u.id = m.user_id
WHERE m.organisation_id = @organisation_id
ORDER BY m.role = 'admin' DESC, lower(u.name), m.user_id;

-- name: OrganisationMemberRoleByEmail :one
-- The role in an organisation of the account with an address, if any.
SELECT m.role FROM organisation_members m JOIN users u ON u.id = m.user_id
WHERE m.organisation_id = @organisation_id AND lower(u.email) = lower(@email);

-- name: OrganisationAdminCount :one
SELECT count(*) FROM organisation_members WHERE organisation_id = @organisation_id AND role = 'admin';

-- name: OrganisationMemberSetRole :execrows
UPDATE organisation_members SET role = @role WHERE organisation_id = @organisation_id AND user_id = @user_id;

-- name: OrganisationMemberRemove :execrows
DELETE FROM organisation_members WHERE organisation_id = @organisation_id AND user_id = @user_id;
