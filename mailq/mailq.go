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
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Queue writes e, and the outbox row that delivers it, with q (inside the
// caller's transaction), and returns the e-mail's id.
func Queue(ctx context.Context, q *sqlc.Queries, e sqlc.EmailInsertParams) (int64, error) {
	id, err := q.EmailInsert(ctx, e)
	if err != nil {
		return 0, fmt.Errorf("queue e-mail %s: %w", e.Kind, err)
	}
	if err := deliver(ctx, q, id, 0); err != nil {
		return 0, err
	}
	return id, nil
}

// Retry queues a failed e-mail again (a manager's request): generation
// makes its delivery a workflow of its own.
func Retry(ctx context.Context, q *sqlc.Queries, emailID int64, generation int) error {
	return deliver(ctx, q, emailID, generation)
}

func deliver(ctx context.Context, q *sqlc.Queries, emailID int64, generation int) error {
	payload, err := json.Marshal(struct {
		workflows.EmailInput
		Generation int `json:"generation,omitempty"`
	}{workflows.EmailInput{EmailID: emailID}, generation})
	if err != nil {
		return fmt.Errorf("encode e-mail delivery: %w", err)
	}
	if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxDeliverEmail, Payload: payload}); err != nil {
		return fmt.Errorf("queue e-mail delivery: %w", err)
	}
	return nil
}
