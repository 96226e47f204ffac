package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/mailq"
)

// UndeliveredEmail is an e-mail the mail server refused for good, or that
// could not be sent for workflows.EmailRetryFor: managers see these, so a
// person who never heard from the service can be reached another way.
type UndeliveredEmail struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	To        string    `json:"to"`
	Subject   *string   `json:"subject"` // a notification's subject; null for account e-mails
	Attempts  int32     `json:"attempts"`
	Retries   int32     `json:"retries"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	FailedAt  time.Time `json:"failed_at"`
}

// ListUndeliveredEmails lists failed e-mails, newest first (managers).
func (a *App) ListUndeliveredEmails(ctx context.Context, actor Actor, pq PageQuery) (Page[UndeliveredEmail], error) {
	if !actor.Has(RoleManager) {
		return Page[UndeliveredEmail]{}, forbidden("Only managers can see undelivered email")
	}
	fields := map[string]string{}
	before, limit := pq.parseSerial(fields)
	if len(fields) > 0 {
		return Page[UndeliveredEmail]{}, Invalid(fields)
	}
	rows, err := a.store.EmailListUndelivered(ctx, sqlc.EmailListUndeliveredParams{Before: before, RowLimit: limit})
	if err != nil {
		return Page[UndeliveredEmail]{}, fmt.Errorf("list undelivered email: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.EmailListUndeliveredRow) string { return strconv.FormatInt(r.ID, 10) },
		func(r sqlc.EmailListUndeliveredRow) (UndeliveredEmail, error) {
			u := UndeliveredEmail{ID: strconv.FormatInt(r.ID, 10), Kind: r.Kind, To: r.ToAddress, Subject: r.NotificationSubject,
				Attempts: r.Attempts, Retries: r.Retries, Reason: deref(r.LastError), CreatedAt: r.CreatedAt}
			if r.FailedAt != nil {
				u.FailedAt = *r.FailedAt
			}
			return u, nil
		})
}

// RetryEmail queues a failed e-mail again (managers), with the same
// Message-ID; one that is not failed is 409.
func (a *App) RetryEmail(ctx context.Context, actor Actor, id string) error {
	if !actor.Has(RoleManager) {
		return forbidden("Only managers can retry undelivered email")
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return notFound("Email")
	}
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		again, err := q.EmailRequeue(ctx, n)
		if isNotFound(err) {
			if _, err := q.EmailGet(ctx, n); isNotFound(err) {
				return notFound("Email")
			}
			return invalidState("Only an email that could not be delivered can be tried again")
		}
		if err != nil {
			return fmt.Errorf("requeue email: %w", err)
		}
		if err := mailq.Retry(ctx, q, n, again.MessageID, int(again.Retries)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "email:" + id, Actor: actor.ID, Action: "email.retried", Entity: "email:" + id,
			Data: map[string]any{"retry": again.Retries}})
		return err
	})
}
