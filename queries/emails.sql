-- name: EmailInsert :one
-- An e-mail to send, in the transaction that decides to send it; its
-- outbox row (deliver:email) goes in the same transaction.
INSERT INTO emails (kind, to_address, user_id, notification_id, account_token_id, invitation_id)
VALUES (@kind, @to_address, sqlc.narg(user_id), sqlc.narg(notification_id), sqlc.narg(account_token_id), sqlc.narg(invitation_id))
RETURNING id, message_id;

-- name: EmailGet :one
-- An e-mail to deliver, with what it is rendered from: its notification
-- (if any), its link token (if any), its invitation (if any: the team,
-- the roles, who invited) and the recipient's name.
SELECT e.*,
       n.subject AS notification_subject, n.body AS notification_body, n.entity AS notification_entity,
       t.nonce AS token_nonce, t.purpose AS token_purpose, t.expires_at AS token_expires_at,
       u.name AS user_name,
       i.nonce AS invitation_nonce, i.expires_at AS invitation_expires_at, i.role AS invitation_role,
       i.roles AS invitation_roles, i.name AS invitation_name, io.name AS invitation_organisation_name,
       iu.name AS invitation_inviter_name, i.partner_id AS invitation_partner_id,
       ilo.name AS invitation_lead_name, ir.name AS invitation_round_name, ia.partners AS invitation_partners
FROM emails e
LEFT JOIN notifications n ON n.id = e.notification_id
LEFT JOIN account_tokens t ON t.id = e.account_token_id
LEFT JOIN users u ON u.id = e.user_id
LEFT JOIN invitations i ON i.id = e.invitation_id
LEFT JOIN organisations io ON io.id = i.organisation_id
LEFT JOIN users iu ON iu.id = i.invited_by
LEFT JOIN applications ia ON ia.id = i.application_id
LEFT JOIN organisations ilo ON ilo.id = ia.organisation_id
LEFT JOIN rounds ir ON ir.id = ia.round_id
WHERE e.id = @id;

-- name: EmailMarkSending :one
-- Recorded, and committed, before the SMTP conversation starts: a row
-- found "sending" later was perhaps delivered. Only a pending or sending
-- row moves; a sent or failed one is final.
UPDATE emails SET status = 'sending', attempts = attempts + 1, sending_at = now()
WHERE id = @id AND status IN ('pending', 'sending')
RETURNING attempts;

-- name: EmailMarkSent :exec
UPDATE emails SET status = 'sent', sent_at = now(), last_error = NULL
WHERE id = @id AND status IN ('pending', 'sending');

-- name: EmailNoteError :exec
-- A temporary failure: the row stays to be retried, with the reason.
UPDATE emails SET last_error = @last_error WHERE id = @id AND status IN ('pending', 'sending');

-- name: EmailMarkFailed :exec
-- Given up: a permanent refusal, or retries exhausted.
UPDATE emails SET status = 'failed', failed_at = now(), last_error = @last_error
WHERE id = @id AND status IN ('pending', 'sending');

-- name: EmailRequeue :one
-- A manager asks for a failed e-mail to be tried again: it keeps its
-- Message-ID, so a recipient who got it after all sees one message.
UPDATE emails SET status = 'pending', failed_at = NULL, retries = retries + 1
WHERE id = @id AND status = 'failed'
RETURNING retries, message_id;

-- name: EmailListUndelivered :many
-- Failed e-mails, newest first, for managers; keyset paged by id.
SELECT e.id, e.kind, e.to_address, e.attempts, e.retries, e.last_error, e.created_at, e.failed_at,
       n.subject AS notification_subject
FROM emails e
LEFT JOIN notifications n ON n.id = e.notification_id
WHERE e.status = 'failed' AND (sqlc.narg(before)::bigint IS NULL OR e.id < sqlc.narg(before))
ORDER BY e.id DESC
LIMIT @row_limit;
