-- name: GrantInsert :one
INSERT INTO grants (id, application_id, round_id, organisation_id, award_pence, conditions, offered_at, offer_expires_at)
VALUES (@id, @application_id, @round_id, @organisation_id, @award_pence, @conditions, @offered_at, @offer_expires_at)
RETURNING *;

-- name: GrantGet :one
SELECT * FROM grants WHERE id = @id;

-- name: GrantGetForUpdate :one
SELECT * FROM grants WHERE id = @id FOR UPDATE;

-- name: GrantGetByApplication :one
SELECT * FROM grants WHERE application_id = @application_id;

-- name: GrantAccept :one
UPDATE grants
SET status = 'active', signatory_name = @signatory_name, signatory_role = @signatory_role,
    accepted_by = @accepted_by, accepted_at = @accepted_at, updated_at = now()
WHERE id = @id AND status = 'offered'
RETURNING *;

-- name: GrantLapse :one
UPDATE grants SET status = 'lapsed', lapsed_at = @lapsed_at, updated_at = now()
WHERE id = @id AND status = 'offered'
RETURNING *;

-- name: GrantDecline :one
UPDATE grants SET status = 'declined', declined_at = @declined_at, decline_reason = sqlc.narg(decline_reason), updated_at = now()
WHERE id = @id AND status = 'offered'
RETURNING *;

-- name: GrantCountOfferedInRound :one
SELECT count(*) FROM grants WHERE round_id = @round_id AND status = 'offered';

-- name: PaymentInsert :one
INSERT INTO payments (id, grant_id, tranche, amount_pence, condition, partner_organisation_id)
VALUES (@id, @grant_id, @tranche, @amount_pence, @condition, sqlc.narg(partner_organisation_id))
RETURNING *;

-- name: PaymentListByGrant :many
SELECT * FROM payments WHERE grant_id = @grant_id ORDER BY tranche, partner_organisation_id NULLS LAST, id;

-- name: ReportInsert :one
INSERT INTO reports (id, grant_id, kind, due_after_ms)
VALUES (@id, @grant_id, @kind, @due_after_ms)
RETURNING *;

-- name: ReportListByGrant :many
SELECT * FROM reports WHERE grant_id = @grant_id ORDER BY due_after_ms, kind;

-- name: ReportSetDueFrom :exec
-- Report deadlines count from the offer's acceptance.
UPDATE reports SET due_at = sqlc.arg(accepted_at)::timestamptz + make_interval(secs => due_after_ms / 1000.0), updated_at = now()
WHERE grant_id = @grant_id AND due_at IS NULL;

-- name: PaymentPayeeReadiness :many
-- Whether the payee of each payment of a grant can be paid now (see
-- GrantPayeesByGrants): the grantee's or the partner's whose share it
-- pays, or the host of either.
SELECT p.id AS payment_id, payee.id AS payee_organisation_id,
       payee_payout_ready(coalesce(r.definition ->> 'payment_provider', @default_provider::text),
                          o.host_organisation_id IS NULL OR o.host_consented_at IS NOT NULL,
                          payee.id, payee.stripe_account_id, payee.payout_ready_at)::boolean AS payout_ready
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
JOIN organisations payee ON payee.id = coalesce(o.host_organisation_id, o.id)
JOIN rounds r ON r.id = g.round_id
WHERE p.grant_id = @grant_id
ORDER BY p.id;
