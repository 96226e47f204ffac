-- Spaces at Risk casework (issue 16): support requests, their triage, and
-- cases. After a case opens only CaseWorkflow's activities write its rows.

-- name: SupportRequestInsert :one
INSERT INTO support_requests (id, organisation_id, programme_id, application_id, requested_by, space_name, space_kind,
    address, borough_name, borough_gss, uses, used_by, weekly_users, tenure, landlord_type, tenure_ends_on,
    annual_rent_pence, rent_changes, risk_kind, risk_key_date, risk_key_date_kind, risk_description, urgency,
    led_by_community, consent_to_share, created_at)
VALUES (@id, @organisation_id, sqlc.narg(programme_id), sqlc.narg(application_id), @requested_by, @space_name,
    @space_kind, @address, @borough_name, @borough_gss, @uses, @used_by, @weekly_users, @tenure,
    sqlc.narg(landlord_type), sqlc.narg(tenure_ends_on), sqlc.narg(annual_rent_pence), @rent_changes, @risk_kind,
    sqlc.narg(risk_key_date), sqlc.narg(risk_key_date_kind), @risk_description, @urgency, @led_by_community,
    @consent_to_share, @created_at)
ON CONFLICT (application_id) DO NOTHING
RETURNING *;

-- name: SupportRequestGet :one
-- A request with what its priority and its readers need.
SELECT sqlc.embed(r), o.name AS organisation_name, o.annual_income_pence AS organisation_income_pence,
    c.id AS case_id
FROM support_requests r
JOIN organisations o ON o.id = r.organisation_id
LEFT JOIN cases c ON c.support_request_id = r.id
WHERE r.id = @id;

-- name: SupportRequestGetForUpdate :one
SELECT * FROM support_requests WHERE id = @id FOR UPDATE;

-- name: SupportRequestByApplication :one
SELECT * FROM support_requests WHERE application_id = @application_id;

-- name: SupportRequestListNew :many
-- The intake queue: every request not yet triaged (the caller orders it
-- by priority, which depends on today's date), oldest first, bounded.
SELECT sqlc.embed(r), o.name AS organisation_name, o.annual_income_pence AS organisation_income_pence
FROM support_requests r
JOIN organisations o ON o.id = r.organisation_id
WHERE r.status = 'new'
ORDER BY r.created_at, r.id
LIMIT @row_limit;

-- name: SupportRequestListForOrganisations :many
-- A member's view: the requests of their organisations, newest first,
-- keyset-paged by id.
SELECT sqlc.embed(r), o.name AS organisation_name, o.annual_income_pence AS organisation_income_pence,
    c.id AS case_id
FROM support_requests r
JOIN organisations o ON o.id = r.organisation_id
LEFT JOIN cases c ON c.support_request_id = r.id
WHERE r.organisation_id = ANY(@organisation_ids::text[])
  AND (sqlc.narg(after)::text IS NULL OR r.id < sqlc.narg(after))
ORDER BY r.id DESC
LIMIT @row_limit;

-- name: SupportRequestListAll :many
-- A caseworker's view of every request by status (the queue is
-- SupportRequestListNew), newest first, keyset-paged by id.
SELECT sqlc.embed(r), o.name AS organisation_name, o.annual_income_pence AS organisation_income_pence,
    c.id AS case_id
FROM support_requests r
JOIN organisations o ON o.id = r.organisation_id
LEFT JOIN cases c ON c.support_request_id = r.id
WHERE (sqlc.narg(status)::text IS NULL OR r.status = sqlc.narg(status))
  AND (sqlc.narg(after)::text IS NULL OR r.id < sqlc.narg(after))
ORDER BY r.id DESC
LIMIT @row_limit;

-- name: SupportSimilarSpaces :many
-- How many other spaces of each kind the system knows in each borough
-- (every request but declined ones): the scarcity part of a request's
-- priority counts the same borough and kind.
SELECT borough_gss, space_kind, count(*)::integer AS spaces
FROM support_requests
WHERE status <> 'declined'
GROUP BY borough_gss, space_kind;

-- name: SupportRequestTriage :one
-- Records a triage outcome on a request that is still new (no row: it was
-- triaged meanwhile).
UPDATE support_requests
SET status = @status, triaged_by = @triaged_by, triaged_at = @triaged_at, triage_reason = @triage_reason,
    referred_to = sqlc.narg(referred_to)
WHERE id = @id AND status = 'new'
RETURNING *;

-- name: CaseInsert :one
INSERT INTO cases (id, support_request_id, organisation_id, caseworker_id, opened_at, opened_by, first_contact_due_on,
    review_due_on)
VALUES (@id, @support_request_id, @organisation_id, @caseworker_id, @opened_at, @opened_by, @first_contact_due_on,
    @review_due_on)
RETURNING *;

-- name: CaseGet :one
-- A case with its request's space and risk.
SELECT c.*, r.space_name, r.space_kind, r.borough_name, r.borough_gss, r.risk_kind, r.risk_key_date,
    r.risk_description, r.urgency, r.consent_to_share, r.application_id, o.name AS organisation_name,
    u.name AS caseworker_name
FROM cases c
JOIN support_requests r ON r.id = c.support_request_id
JOIN organisations o ON o.id = c.organisation_id
JOIN users u ON u.id = c.caseworker_id
WHERE c.id = @id;

-- name: CaseGetForUpdate :one
SELECT * FROM cases WHERE id = @id FOR UPDATE;

-- name: CaseList :many
-- Cases, newest first, keyset-paged by id: a caseworker's view (every
-- case, or one caseworker's, by status) or a member's (organisation_ids).
SELECT c.*, r.space_name, r.space_kind, r.borough_name, r.risk_kind, r.risk_key_date, o.name AS organisation_name,
    u.name AS caseworker_name
FROM cases c
JOIN support_requests r ON r.id = c.support_request_id
JOIN organisations o ON o.id = c.organisation_id
JOIN users u ON u.id = c.caseworker_id
WHERE (sqlc.narg(organisation_ids)::text[] IS NULL OR c.organisation_id = ANY(sqlc.narg(organisation_ids)::text[]))
  AND (sqlc.narg(caseworker_id)::text IS NULL OR c.caseworker_id = sqlc.narg(caseworker_id))
  AND (sqlc.narg(status)::text IS NULL OR c.status = sqlc.narg(status))
  AND (sqlc.narg(after)::text IS NULL OR c.id < sqlc.narg(after))
ORDER BY c.id DESC
LIMIT @row_limit;

-- name: CaseByApplication :one
-- The case opened from an application's support request, if any.
SELECT c.*, r.risk_kind, r.risk_key_date, r.consent_to_share, u.name AS caseworker_name
FROM cases c
JOIN support_requests r ON r.id = c.support_request_id
JOIN users u ON u.id = c.caseworker_id
WHERE r.application_id = @application_id;

-- name: CaseActionList :many
-- The actions of the cases case_ids (one case, or a page of them), each
-- case's by due date.
SELECT a.*, u.name AS owner_name
FROM case_actions a
LEFT JOIN users u ON u.id = a.owner_id
WHERE a.case_id = ANY(@case_ids::text[])
ORDER BY a.case_id, a.due_on, a.created_at, a.id;

-- name: CaseActionGet :one
SELECT * FROM case_actions WHERE id = @id AND case_id = @case_id;

-- name: CaseActionInsert :one
INSERT INTO case_actions (id, case_id, title, owner_id, due_on, created_by, created_at)
VALUES (@id, @case_id, @title, sqlc.narg(owner_id), @due_on, @created_by, @created_at)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: CaseActionSetStatus :one
UPDATE case_actions
SET status = @status,
    done_at = CASE WHEN @status::text = 'done' THEN @at::timestamptz END,
    done_by = CASE WHEN @status::text = 'done' THEN sqlc.narg(done_by)::text END
WHERE id = @id AND case_id = @case_id
RETURNING *;

-- name: CaseActionMarkReminded :one
UPDATE case_actions SET reminded_at = @at WHERE id = @id AND reminded_at IS NULL AND status = 'open' RETURNING *;

-- name: CaseActionMarkEscalated :one
UPDATE case_actions SET escalated_at = @at WHERE id = @id AND escalated_at IS NULL AND status = 'open' RETURNING *;

-- name: CaseNoteList :many
-- The notes of the cases case_ids (shared_only: the shared ones), oldest first.
SELECT n.*, u.name AS author_name
FROM case_notes n
JOIN users u ON u.id = n.author_id
WHERE n.case_id = ANY(@case_ids::text[]) AND (NOT @shared_only::boolean OR n.shared)
ORDER BY n.case_id, n.created_at, n.id;

-- name: CaseNoteInsert :one
INSERT INTO case_notes (id, case_id, body, shared, author_id, created_at)
VALUES (@id, @case_id, @body, @shared, @author_id, @created_at)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: CaseContactList :many
-- The contacts of the cases case_ids, in time order.
SELECT k.*, u.name AS recorded_by_name
FROM case_contacts k
JOIN users u ON u.id = k.recorded_by
WHERE k.case_id = ANY(@case_ids::text[])
ORDER BY k.case_id, k.at, k.id;

-- name: CaseContactInsert :one
INSERT INTO case_contacts (id, case_id, at, kind, minutes, summary, recorded_by, created_at)
VALUES (@id, @case_id, @at, @kind, @minutes, @summary, @recorded_by, @created_at)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: CaseMarkFirstContact :one
-- Records the first contact (the earliest wins; later ones change nothing).
UPDATE cases SET first_contact_at = @at, version = version + 1
WHERE id = @id AND (first_contact_at IS NULL OR first_contact_at > @at)
RETURNING *;

-- name: CaseKeyDateList :many
-- The key dates of the cases case_ids, by date.
SELECT * FROM case_key_dates WHERE case_id = ANY(@case_ids::text[]) ORDER BY case_id, "on", id;

-- name: CaseKeyDateInsert :one
INSERT INTO case_key_dates (id, case_id, kind, "on", description, created_by, created_at)
VALUES (@id, @case_id, @kind, @on_date, @description, @created_by, @created_at)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: CaseKeyDateMarkReminded :one
-- Records one of a key date's reminders (week: a week before; else the
-- working day before); no row when it was sent already.
UPDATE case_key_dates
SET reminded_week_at = CASE WHEN @week::boolean THEN @at::timestamptz ELSE reminded_week_at END,
    reminded_day_at = CASE WHEN @week::boolean THEN reminded_day_at ELSE @at::timestamptz END
WHERE id = @id AND ((@week::boolean AND reminded_week_at IS NULL) OR (NOT @week::boolean AND reminded_day_at IS NULL))
RETURNING *;

-- name: CaseMarkFirstContactEscalated :one
UPDATE cases SET first_contact_escalated_at = @at
WHERE id = @id AND first_contact_escalated_at IS NULL AND first_contact_at IS NULL AND status = 'open'
RETURNING *;

-- name: CaseMarkReviewReminded :one
-- Records the review reminder of review_due_on and sets the next review.
UPDATE cases SET review_reminded_on = review_due_on, review_due_on = @next_review_on
WHERE id = @id AND review_due_on = @review_due_on AND status = 'open'
RETURNING *;

-- name: CaseClose :one
UPDATE cases
SET status = 'closed', outcome = @outcome, outcome_summary = @outcome_summary, closed_at = @closed_at,
    closed_by = @closed_by, version = version + 1
WHERE id = @id AND status = 'open'
RETURNING *;

-- name: CaseDocumentList :many
-- The documents of the cases case_ids (shared_only: the shared ones).
SELECT * FROM case_documents
WHERE case_id = ANY(@case_ids::text[]) AND (NOT @shared_only::boolean OR shared)
ORDER BY case_id, created_at, id;

-- name: CaseDocumentGet :one
SELECT * FROM case_documents WHERE id = @id AND case_id = @case_id;

-- name: CaseCaseworkers :many
-- Everyone who may be given a case: active caseworkers, by name.
SELECT id, name, email FROM users
WHERE 'caseworker' = ANY(roles) AND deactivated_at IS NULL
ORDER BY name, id;

-- name: CaseDashboardOpen :many
-- Open cases by risk and borough.
SELECT r.risk_kind, r.borough_name, count(*)::integer AS cases
FROM cases c JOIN support_requests r ON r.id = c.support_request_id
WHERE c.status = 'open'
GROUP BY r.risk_kind, r.borough_name
ORDER BY r.risk_kind, r.borough_name;

-- name: CaseDashboardRows :many
-- Every case with what the dashboard and the CSV export need, oldest
-- first.
SELECT c.id, c.organisation_id, o.name AS organisation_name, r.space_name, r.space_kind, r.borough_name,
    r.risk_kind, r.urgency, c.caseworker_id, u.name AS caseworker_name, c.status, c.opened_at,
    c.first_contact_due_on, c.first_contact_at, c.outcome, c.outcome_summary, c.closed_at,
    COALESCE((SELECT sum(k.minutes) FROM case_contacts k WHERE k.case_id = c.id), 0)::bigint AS minutes,
    (SELECT count(*) FROM case_contacts k WHERE k.case_id = c.id)::integer AS contacts
FROM cases c
JOIN support_requests r ON r.id = c.support_request_id
JOIN organisations o ON o.id = c.organisation_id
JOIN users u ON u.id = c.caseworker_id
ORDER BY c.opened_at, c.id;

-- name: CaseClockLoad :one
-- What CaseWorkflow's clock needs of a case.
SELECT c.id, c.status, c.caseworker_id, c.organisation_id, c.opened_at, c.first_contact_due_on,
    c.first_contact_at, c.first_contact_escalated_at, c.review_due_on
FROM cases c WHERE c.id = @id;

-- name: SupportRequestCountByStatus :many
SELECT status, count(*)::integer AS requests FROM support_requests GROUP BY status;

-- name: CaseReassign :one
-- Gives an open case to another caseworker (no row: closed, or theirs
-- already).
UPDATE cases SET caseworker_id = @caseworker_id, version = version + 1
WHERE id = @id AND status = 'open' AND caseworker_id <> @caseworker_id
RETURNING *;

-- name: CaseDocumentAdd :one
-- Records a case's document at the workflow's time; a retry with the same
-- id adds nothing (no row).
INSERT INTO case_documents (id, case_id, filename, content_type, size_bytes, sha256, shared, uploaded_by, created_at)
VALUES (@id, @case_id, @filename, @content_type, @size_bytes, @sha256, @shared, @uploaded_by, @created_at)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: CaseCountOpen :one
SELECT count(*)::integer FROM cases WHERE status = 'open';
