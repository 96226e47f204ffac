-- Reads and the few direct writes of disbursement and reporting (issue 4)
-- made by the use-case layer: the payment queue and views, approvals,
-- payment runs, bank details, Stripe webhook events, organisations'
-- payout state, reports and their evidence, variations and the payments
-- export. The workflows' activities write the rest (disbursement.sql).

-- ---- Payments ----

-- name: PaymentDetailGet :one
-- One payment with the organisation it pays: the grantee, or the partner
-- whose share it pays.
SELECT sqlc.embed(p), o.id AS organisation_id, o.name AS organisation_name
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
WHERE p.id = @id;

-- name: PaymentListQueue :many
-- The finance queue: every payment, optionally by status and grant, by id.
SELECT sqlc.embed(p), o.id AS organisation_id, o.name AS organisation_name
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
WHERE (sqlc.narg(status)::text IS NULL OR p.status = sqlc.narg(status))
  AND (sqlc.narg(grant_id)::text IS NULL OR p.grant_id = sqlc.narg(grant_id))
  AND (sqlc.narg(cursor)::text IS NULL OR p.id > sqlc.narg(cursor))
ORDER BY p.id
LIMIT @row_limit;

-- name: PaymentDetailListByRun :many
SELECT sqlc.embed(p), o.id AS organisation_id, o.name AS organisation_name
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
WHERE p.payment_run_id = @payment_run_id
ORDER BY p.id;

-- name: PaymentApprovalsByPayments :many
-- The approvals of several payments with the approvers' names.
SELECT a.payment_id, a.user_id, u.name, a.note, a.approved_at, a.payee_organisation_id, a.amount_pence
FROM payment_approvals a
JOIN users u ON u.id = a.user_id
WHERE a.payment_id = ANY (@payment_ids::text[])
ORDER BY a.payment_id, a.approved_at, a.user_id;

-- name: PaymentExportPage :many
-- One page of the payments export, by id, with the approvers' names.
SELECT p.id, p.grant_id, o.name AS organisation_name, p.tranche, p.amount_pence, p.status,
       p.provider, p.provider_reference, p.paid_at,
       coalesce((SELECT string_agg(u.name, '; ' ORDER BY a.approved_at, a.user_id)
                 FROM payment_approvals a JOIN users u ON u.id = a.user_id
                 WHERE a.payment_id = p.id), '')::text AS approved_by
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
WHERE sqlc.narg(cursor)::text IS NULL OR p.id > sqlc.narg(cursor)
ORDER BY p.id
LIMIT @row_limit;

-- ---- Payment runs (manual provider) ----

-- name: PaymentLockForRun :many
-- Approved manual payments in no run yet, locked until the run is made.
-- A concurrent run waits for the lock and then finds them taken.
SELECT * FROM payments
WHERE status = 'approved' AND provider = 'manual' AND payment_run_id IS NULL
ORDER BY id
FOR UPDATE;

-- name: PaymentRunInsert :one
INSERT INTO payment_runs (id, total_pence, count, created_by, created_at)
VALUES (@id, @total_pence, @count, @created_by, @created_at)
RETURNING *;

-- name: PaymentAssignRun :exec
UPDATE payments SET payment_run_id = @payment_run_id, updated_at = now()
WHERE id = ANY (@payment_ids::text[]);

-- name: PaymentRunGet :one
SELECT * FROM payment_runs WHERE id = @id;

-- name: PaymentRunList :many
-- Runs, newest first.
SELECT * FROM payment_runs
WHERE sqlc.narg(cursor)::text IS NULL OR id < sqlc.narg(cursor)
ORDER BY id DESC
LIMIT @row_limit;

-- name: PaymentRunMarkPaid :one
-- Marks a run paid once every payment in it is paid (or later reversed).
UPDATE payment_runs
SET status = 'paid', paid_by = @paid_by, paid_at = @paid_at
WHERE payment_runs.id = @run_id AND payment_runs.status = 'open'
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_run_id = @run_id AND p.status NOT IN ('paid', 'reversed'))
RETURNING *;

-- name: PaymentRunPayees :many
-- The payee of each payment of a run (the grantee, or its host for an
-- unconstituted group) and the payee's encrypted bank details, if any.
SELECT p.id AS payment_id, p.tranche, p.amount_pence, payee.id AS payee_id, payee.name AS payee_name,
       b.details_enc, b.account_name,
       (o.host_organisation_id IS NULL OR o.host_consented_at IS NOT NULL)::bool AS host_consented,
       payee_fingerprint(p.provider, b.details_enc, payee.stripe_account_id)::text AS fingerprint
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = coalesce(p.partner_organisation_id, g.organisation_id)
JOIN organisations payee ON payee.id = coalesce(o.host_organisation_id, o.id)
LEFT JOIN bank_accounts b ON b.organisation_id = payee.id
WHERE p.payment_run_id = @payment_run_id
ORDER BY p.id;

-- ---- Bank details and payout readiness ----

-- name: BankAccountUpsert :one
INSERT INTO bank_accounts (organisation_id, account_name, details_enc, sort_code_mask, account_mask, updated_by, updated_at)
VALUES (@organisation_id, @account_name, @details_enc, @sort_code_mask, @account_mask, @updated_by, @updated_at)
ON CONFLICT (organisation_id) DO UPDATE
SET account_name = EXCLUDED.account_name, details_enc = EXCLUDED.details_enc,
    sort_code_mask = EXCLUDED.sort_code_mask, account_mask = EXCLUDED.account_mask,
    updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: BankAccountGet :one
SELECT * FROM bank_accounts WHERE organisation_id = @organisation_id;

-- name: GrantActivePaidTo :many
-- The active grants paid to an organisation (its own, those it has a
-- share of as a partner, and those of the unconstituted groups it hosts) whose round pays through provider.
SELECT g.id
FROM grants g
JOIN organisations o ON o.id = g.organisation_id
JOIN rounds r ON r.id = g.round_id
WHERE g.status = 'active'
  AND (g.organisation_id = @organisation_id OR o.host_organisation_id = @organisation_id
       OR EXISTS (SELECT 1 FROM payments p JOIN organisations po ON po.id = p.partner_organisation_id
                  WHERE p.grant_id = g.id AND @organisation_id IN (po.id, po.host_organisation_id)))
  AND coalesce(r.definition ->> 'payment_provider', @default_provider::text) = @provider::text
ORDER BY g.id;

-- name: GrantPayeesByGrants :many
-- The payee of each grant (the grantee, or its host for an unconstituted
-- group) and whether it can be paid now: a host must have consented; then
-- for a manual round the payee's bank details are saved, for a Stripe
-- round its account has payouts enabled. A round that names no provider
-- pays through default_provider.
SELECT g.id AS grant_id, payee.id AS payee_organisation_id,
       payee_payout_ready(coalesce(r.definition ->> 'payment_provider', @default_provider::text),
                          o.host_organisation_id IS NULL OR o.host_consented_at IS NOT NULL,
                          payee.id, payee.stripe_account_id, payee.payout_ready_at)::boolean AS payout_ready
FROM grants g
JOIN organisations o ON o.id = g.organisation_id
JOIN organisations payee ON payee.id = coalesce(o.host_organisation_id, o.id)
JOIN rounds r ON r.id = g.round_id
WHERE g.id = ANY (@grant_ids::text[])
ORDER BY g.id;

-- ---- Stripe webhooks ----

-- name: WebhookEventInsert :one
-- Keeps an event once; a duplicate delivery returns no row.
INSERT INTO webhook_events (id, type, payload) VALUES (@id, @type, @payload)
ON CONFLICT (id) DO NOTHING
RETURNING id;

-- name: OrganisationGetForPayout :one
SELECT * FROM organisations WHERE id = @id FOR UPDATE;

-- name: OrganisationListByStripeAccount :many
SELECT * FROM organisations WHERE stripe_account_id = @stripe_account_id ORDER BY id FOR UPDATE;

-- name: OrganisationPayoutReadyUpdate :exec
-- Sets when Stripe said payouts are enabled (kept if already set), or
-- clears it when they are not.
UPDATE organisations
SET payout_ready_at = CASE WHEN @ready::boolean THEN coalesce(payout_ready_at, @at::timestamptz) END,
    updated_at = now()
WHERE id = @id;

-- name: OrganisationPayoutFailedUpdate :exec
UPDATE organisations
SET payout_failed_at = @at, payout_failure = @failure, updated_at = now()
WHERE id = @id;

-- ---- Reports ----

-- name: ReportDetailGet :one
-- One report with the grant it belongs to.
SELECT sqlc.embed(r), g.organisation_id, g.application_id, g.round_id, g.status AS grant_status
FROM reports r
JOIN grants g ON g.id = r.grant_id
WHERE r.id = @id;

-- name: ReportStatusForShare :one
-- A report's status, locked against a concurrent review while evidence
-- is added.
SELECT status FROM reports WHERE id = @id FOR SHARE;

-- name: ReportListScoped :many
-- Reports of the user's organisations' grants, or every report when see_all.
SELECT r.* FROM reports r
JOIN grants g ON g.id = r.grant_id
WHERE (@see_all::boolean
       OR g.organisation_id IN (SELECT organisation_id FROM organisation_members WHERE user_id = @user_id))
  AND (sqlc.narg(grant_id)::text IS NULL OR r.grant_id = sqlc.narg(grant_id))
  AND (sqlc.narg(status)::text IS NULL OR r.status = sqlc.narg(status))
  AND (sqlc.narg(cursor)::text IS NULL OR r.id > sqlc.narg(cursor))
ORDER BY r.id
LIMIT @row_limit;

-- name: DocumentCreateForReport :one
INSERT INTO documents (id, application_id, report_id, filename, content_type, size_bytes, sha256, uploaded_by)
VALUES (@id, @application_id, @report_id, @filename, @content_type, @size_bytes, @sha256, @uploaded_by)
RETURNING *;

-- name: DocumentListByReports :many
SELECT * FROM documents WHERE report_id = ANY (@report_ids::text[]) ORDER BY report_id, id;

-- ---- Variations ----

-- name: VariationGet :one
SELECT * FROM variations WHERE id = @id;

-- name: VariationListByGrant :many
SELECT * FROM variations WHERE grant_id = @grant_id ORDER BY created_at, id;
