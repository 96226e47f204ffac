-- Writes of the disbursement and reporting activities (issue 4). Rows are
-- locked, changed in Go and written back whole, inside one transaction.

-- name: PayeeGet :one
-- Who is paid for an organisation's grants: the organisation itself, or
-- the host of an unconstituted group.
SELECT p.id, p.name, p.stripe_account_id, p.payout_ready_at,
       (b.organisation_id IS NOT NULL)::bool AS has_bank_account,
       o.host_organisation_id, o.host_consented_at
FROM organisations o
JOIN organisations p ON p.id = coalesce(o.host_organisation_id, o.id)
LEFT JOIN bank_accounts b ON b.organisation_id = p.id
WHERE o.id = @organisation_id;

-- name: OrganisationLockForPayout :one
SELECT id, name, stripe_account_id FROM organisations WHERE id = @id FOR UPDATE;

-- name: OrganisationSetStripeAccount :exec
UPDATE organisations SET stripe_account_id = @stripe_account_id, updated_at = now()
WHERE id = @id AND stripe_account_id IS NULL;

-- name: PaymentPayeeMemberIDs :many
-- The members of a payment's grantee, of the partner whose share it
-- pays (if any) and of its payee (the host of an unconstituted group),
-- who may not approve the payment.
SELECT DISTINCT m.user_id
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id IN (g.organisation_id, p.partner_organisation_id)
JOIN organisation_members m ON m.organisation_id IN (o.id, o.host_organisation_id)
WHERE p.id = @payment_id
ORDER BY m.user_id;

-- name: OrganisationAdminEmail :one
SELECT u.email FROM organisation_members m JOIN users u ON u.id = m.user_id
WHERE m.organisation_id = @organisation_id AND m.role = 'admin'
ORDER BY m.user_id LIMIT 1;

-- name: GrantUpdateState :one
UPDATE grants
SET status = @status, award_pence = @award_pence, clawback_pence = @clawback_pence, flags = @flags,
    completed_at = sqlc.narg(completed_at), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: PaymentGet :one
SELECT * FROM payments WHERE id = @id;

-- name: PaymentGetForUpdate :one
SELECT * FROM payments WHERE id = @id FOR UPDATE;

-- name: PaymentListByGrantForUpdate :many
SELECT * FROM payments WHERE grant_id = @grant_id ORDER BY tranche, created_at FOR UPDATE;

-- name: PaymentUpdateState :one
UPDATE payments
SET status = @status, amount_pence = @amount_pence, provider = sqlc.narg(provider), attempt = @attempt,
    provider_reference = sqlc.narg(provider_reference), failure_reason = sqlc.narg(failure_reason),
    cancel_reason = sqlc.narg(cancel_reason), cancelled_by = sqlc.narg(cancelled_by),
    held_reason = sqlc.narg(held_reason), due_at = sqlc.narg(due_at), paid_at = sqlc.narg(paid_at),
    reversed_at = sqlc.narg(reversed_at), reversal_reason = sqlc.narg(reversal_reason), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: PaymentInsertIssued :one
INSERT INTO payments (id, grant_id, tranche, amount_pence, condition, requested_by, partner_organisation_id)
VALUES (@id, @grant_id, @tranche, @amount_pence, @condition, sqlc.narg(requested_by), sqlc.narg(partner_organisation_id))
RETURNING *;

-- name: PaymentMaxTranche :one
SELECT coalesce(max(tranche), 0)::int FROM payments WHERE grant_id = @grant_id;

-- name: PaymentApprovalInsert :exec
-- An approval, bound to the payee and amount the approver saw.
INSERT INTO payment_approvals (payment_id, user_id, note, approved_at, payee_organisation_id, payee_fingerprint, amount_pence)
VALUES (@payment_id, @user_id, @note, @approved_at, @payee_organisation_id, @payee_fingerprint, @amount_pence);

-- name: PaymentApprovalBindings :many
-- What each approval of the given payments approved: the payee, where the
-- money goes (fingerprint) and the amount.
SELECT payment_id, user_id, payee_organisation_id, payee_fingerprint, amount_pence
FROM payment_approvals
WHERE payment_id = ANY (@payment_ids::text[])
ORDER BY payment_id, approved_at, user_id;

-- name: PaymentPayees :many
-- Who each of the given payments would pay now: the payee (the grantee,
-- or the partner whose share it pays, or the host of either when it is an
-- unconstituted group), whether that host has consented,
-- and where the money would go under the payment's provider
-- (payee_fingerprint, migration 00012). The masks are what an approver is
-- shown.
SELECT p.id AS payment_id, payee.id AS payee_organisation_id, payee.name AS payee_name,
       (o.host_organisation_id IS NULL OR o.host_consented_at IS NOT NULL)::bool AS host_consented,
       payee_fingerprint(p.provider, b.details_enc, payee.stripe_account_id)::text AS fingerprint,
       coalesce(payee.stripe_account_id, '')::text AS stripe_account_id,
       coalesce(b.account_name, '')::text AS account_name,
       coalesce(b.sort_code_mask, '')::text AS sort_code_mask,
       coalesce(b.account_mask, '')::text AS account_mask
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
JOIN organisations payee ON payee.id = coalesce(o.host_organisation_id, o.id)
LEFT JOIN bank_accounts b ON b.organisation_id = payee.id
WHERE p.id = ANY (@payment_ids::text[])
ORDER BY p.id;

-- name: PaymentLockOpenForPayee :many
-- The unsettled payments paid to an organisation (its own grants', its
-- shares as a partner and those of the unconstituted groups it hosts), locked, so a change of
-- payee and an approval of one of them wait for each other.
SELECT p.id, p.grant_id, p.tranche, p.status, p.payment_run_id
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
WHERE (o.id = @organisation_id OR o.host_organisation_id = @organisation_id)
  AND p.status NOT IN ('paid', 'reversed', 'cancelled')
ORDER BY p.id
FOR UPDATE OF p;

-- name: PaymentApprovers :many
SELECT user_id FROM payment_approvals WHERE payment_id = @payment_id ORDER BY approved_at, user_id;

-- name: PaymentAttemptInsert :one
INSERT INTO payment_attempts (payment_id, attempt, idempotency_key, started_at)
VALUES (@payment_id, @attempt, @idempotency_key, @started_at)
RETURNING *;

-- name: PaymentAttemptGet :one
SELECT * FROM payment_attempts WHERE payment_id = @payment_id AND attempt = @attempt;

-- name: PaymentAttemptFinish :exec
UPDATE payment_attempts
SET status = @status, provider_reference = sqlc.narg(provider_reference), error = sqlc.narg(error), finished_at = @finished_at
WHERE payment_id = @payment_id AND attempt = @attempt;

-- name: ReportGetForUpdate :one
SELECT * FROM reports WHERE id = @id FOR UPDATE;

-- name: ReportUpdateState :one
UPDATE reports
SET status = @status, answers = @answers, spend_pence = sqlc.narg(spend_pence),
    submitted_by = sqlc.narg(submitted_by), submitted_at = sqlc.narg(submitted_at),
    reviewed_by = sqlc.narg(reviewed_by), reviewed_at = sqlc.narg(reviewed_at),
    review_comment = sqlc.narg(review_comment), escalated_at = sqlc.narg(escalated_at), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: DocumentListByReport :many
SELECT id FROM documents WHERE report_id = @report_id ORDER BY id;

-- name: VariationInsert :exec
INSERT INTO variations (id, grant_id, reason, old_award_pence, new_award_pence, clawback_pence, offset_pence, schedule, actor_id, created_at)
VALUES (@id, @grant_id, @reason, @old_award_pence, @new_award_pence, @clawback_pence, @offset_pence, @schedule, @actor_id, @created_at);

-- name: UserRoles :one
SELECT roles FROM users WHERE id = @id;

-- name: PaymentListByProviderReference :many
-- The payments a provider's reference (a Stripe transfer id) names, by id.
-- stripe-mock gives every transfer the same id, so there may be several.
SELECT * FROM payments WHERE provider_reference = @provider_reference AND provider = @provider ORDER BY id;

-- name: PaymentRecordReversed :one
-- How much of a paid payment the provider has reversed so far.
UPDATE payments SET reversed_pence = @reversed_pence, updated_at = now()
WHERE id = @id
RETURNING *;
