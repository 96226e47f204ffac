// Package mailq queues an e-mail: its row in emails and, in the same
// transaction, the outbox row that makes the dispatcher start its
// delivery (workflows.EmailWorkflow). Whoever decides to send an e-mail
// (an activity writing a notification, a use case answering a password
// reset) queues it here and never talks to a mail server: only the
// delivery activity does.
package mailq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Queue writes e, and the outbox row that delivers it, with q (inside the
// caller's transaction), and returns the e-mail's id.
func Queue(ctx context.Context, q *sqlc.Queries, e sqlc.EmailInsertParams) (int64, error) {
	row, err := q.EmailInsert(ctx, e)
	if err != nil {
		return 0, fmt.Errorf("queue e-mail %s: %w", e.Kind, err)
	}
	if err := deliver(ctx, q, row.ID, row.MessageID, 0); err != nil {
		return 0, err
	}
	return row.ID, nil
}

// Retry queues a failed e-mail again (a manager's request): generation
// makes its delivery a workflow of its own.
func Retry(ctx context.Context, q *sqlc.Queries, emailID int64, messageID string, generation int) error {
	return deliver(ctx, q, emailID, messageID, generation)
}

// deliver writes the outbox row of an e-mail's delivery. Its workflow is
// named by the Message-ID (a UUID), not the row's id, so no two databases
// (a restored backup, a test's own) ever share a workflow on one Temporal.
func deliver(ctx context.Context, q *sqlc.Queries, emailID int64, messageID string, generation int) error {
	payload, err := json.Marshal(workflows.EmailDelivery{EmailInput: workflows.EmailInput{EmailID: emailID},
		MessageID: messageID, Generation: generation})
	if err != nil {
		return fmt.Errorf("encode e-mail delivery: %w", err)
	}
	if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxDeliverEmail, Payload: payload}); err != nil {
		return fmt.Errorf("queue e-mail delivery: %w", err)
	}
	return nil
}

// E-mail kinds (emails.kind): a notification, or a message about an
// account. Each has its content in the delivery activity
// (workflows/activities), which renders it.
const (
	EmailNotification         = "notification"
	EmailConfirm              = "account_confirm"        // confirm a new address (link)
	EmailAccountExists        = "account_exists"         // someone registered an address that has an account
	EmailPasswordReset        = "password_reset"         // reset a password (link)
	EmailPasswordResetUnknown = "password_reset_unknown" // a reset asked for an address with no account
	EmailSignInLink           = "sign_in_link"           // sign in (link)
	EmailSignInLinkUnknown    = "sign_in_link_unknown"   // a sign-in link asked for an address with no account
	EmailPasswordChanged      = "password_changed"       // the password was changed or reset
	EmailInvitation           = "invitation"             // an invitation to join an organisation's team (link)
	EmailStaffInvitation      = "staff_invitation"       // an invitation to hold staff roles (link)
	EmailPartnerInvitation    = "partner_invitation"     // an invitation to confirm a partnership in an application (link)
)

// EmailKinds are every kind compose knows, for tests that render each.
var EmailKinds = []string{EmailNotification, EmailConfirm, EmailAccountExists, EmailPasswordReset,
	EmailPasswordResetUnknown, EmailSignInLink, EmailSignInLinkUnknown, EmailPasswordChanged, EmailInvitation,
	EmailStaffInvitation, EmailPartnerInvitation}

// Paths of the web pages account e-mails link to; each takes ?token=.
// The web UI serves them.
const (
	PathConfirmEmail  = "/account/confirm"
	PathResetPassword = "/password-reset/complete"
	PathSignInLink    = "/sign-in/link"
	// PathAcceptInvitation accepts an invitation to a team or to staff
	// roles.
	PathAcceptInvitation = "/invitations/accept"
	// PathPartnerInvitation confirms or declines a partnership.
	PathPartnerInvitation = "/partner-invitations/accept"
)

// Notice is one notification to write for some people. Key makes it
// idempotent: each recipient's row has the dedupe key "<Key>:<user id>",
// so a retried activity or transaction adds nothing.
type Notice struct {
	Kind    string
	Subject string
	Body    string
	// Entity is what the notification is about ("case:cas_…"); the web
	// links it.
	Entity string
	Key    string
}

// Notify writes n for every user in userIDs (each once), inside the
// caller's transaction, and queues its e-mail to each.
func Notify(ctx context.Context, q *sqlc.Queries, userIDs []string, n Notice) error {
	seen := map[string]bool{}
	for _, u := range userIDs {
		if seen[u] {
			continue
		}
		seen[u] = true
		row, err := q.NotificationInsert(ctx, sqlc.NotificationInsertParams{
			UserID: u, Kind: n.Kind, Subject: n.Subject, Body: n.Body, Entity: n.Entity, DedupeKey: n.Key + ":" + u,
		})
		if errors.Is(err, db.ErrNotFound) {
			continue // written by an earlier try, its e-mail queued with it
		}
		if err != nil {
			return fmt.Errorf("notify %s: %w", n.Kind, err)
		}
		if _, err := Queue(ctx, q, sqlc.EmailInsertParams{Kind: EmailNotification, ToAddress: row.Email,
			UserID: &u, NotificationID: &row.ID}); err != nil {
			return err
		}
	}
	return nil
}
