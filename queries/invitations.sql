-- Invitations to an organisation's team or to staff roles; times come
-- from the application's clock (@now). "Open" is neither accepted nor
-- cancelled; an open invitation past expires_at has lapsed.

-- name: InvitationCreate :one
INSERT INTO invitations (id, kind, organisation_id, role, roles, email, name, invited_by, nonce, token_hash, created_at, expires_at,
                         application_id, partner_id)
VALUES (@id, @kind, sqlc.narg(organisation_id), sqlc.narg(role), @roles::text[], @email, sqlc.narg(name), @invited_by,
        @nonce, @token_hash, @now, @expires_at, sqlc.narg(application_id), sqlc.narg(partner_id))
RETURNING *;

-- name: InvitationCancelOpenTo :many
-- Inviting an address again replaces its open invitation (to the same
-- team, or to staff roles when organisation_id is null).
UPDATE invitations SET cancelled_at = @now::timestamptz
WHERE kind = @kind AND kind <> 'partner' AND organisation_id IS NOT DISTINCT FROM sqlc.narg(organisation_id)
  AND lower(email) = lower(@email) AND accepted_at IS NULL AND cancelled_at IS NULL
RETURNING id;

-- name: InvitationOpenByToken :one
-- The live invitation a link's token belongs to, locked until the
-- transaction ends; a used, cancelled or lapsed one finds no row.
SELECT * FROM invitations
WHERE token_hash = @token_hash AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > @now
FOR UPDATE;

-- name: InvitationMarkAccepted :exec
UPDATE invitations SET accepted_at = @now::timestamptz, accepted_by = @user_id
WHERE id = @id AND accepted_at IS NULL AND cancelled_at IS NULL;

-- name: InvitationListOpenForOrganisation :many
-- An organisation's open invitations (lapsed ones too, until replaced or
-- cancelled), newest first.
SELECT i.*, u.name AS invited_by_name
FROM invitations i JOIN users u ON u.id = i.invited_by
WHERE i.organisation_id = @organisation_id AND i.accepted_at IS NULL AND i.cancelled_at IS NULL
ORDER BY i.created_at DESC, i.id DESC;

-- name: InvitationCancel :one
-- Cancels an open invitation of an organisation.
UPDATE invitations SET cancelled_at = @now::timestamptz
WHERE id = @id AND organisation_id = @organisation_id AND accepted_at IS NULL AND cancelled_at IS NULL
RETURNING *;

-- name: InvitationGrantRoles :one
-- Adds staff roles to a user (an accepted staff invitation); roles held
-- already stay.
UPDATE users SET roles = ARRAY(SELECT DISTINCT r FROM unnest(roles || @roles::text[]) AS r ORDER BY r)
WHERE id = @id
RETURNING *;

-- name: InvitationLatestNonce :one
-- The nonce of the newest invitation sent to an address: tests (and
-- support tools holding the key) make its token from it.
SELECT nonce FROM invitations WHERE lower(email) = lower(@email) ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: InvitationCancelOpenForPartner :many
-- Inviting a partner again (or removing it from the application)
-- replaces its open invitation.
UPDATE invitations SET cancelled_at = @now::timestamptz
WHERE kind = 'partner' AND application_id = @application_id AND partner_id = @partner_id
  AND accepted_at IS NULL AND cancelled_at IS NULL
RETURNING id;

-- name: InvitationOpenForApplication :many
-- The open partner invitations of an application.
SELECT * FROM invitations
WHERE kind = 'partner' AND application_id = @application_id AND accepted_at IS NULL AND cancelled_at IS NULL
ORDER BY created_at, id;

-- name: InvitationOpenByTokenShared :one
-- The live invitation a link's token belongs to, read without spending it
-- (a page showing what accepting would do).
SELECT * FROM invitations
WHERE token_hash = @token_hash AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > @now;
