// Package budget commits and releases a round's money. The sum of a
// round's active commitments never exceeds its budget, whatever the
// concurrency: every commitment to a round takes a row lock on the round
// inside the caller's transaction, then checks what is left. Amounts are
// integer pence.
package budget

import (
	"context"
	"errors"
	"fmt"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
)

// OverBudgetError is a commitment larger than what the round has left.
type OverBudgetError struct {
	RequestedPence int64
	LeftPence      int64
}

func (e *OverBudgetError) Error() string {
	return fmt.Sprintf("over budget: %d pence asked, %d pence left", e.RequestedPence, e.LeftPence)
}

// ErrAlreadyCommitted is a second, different commitment for an application
// that already has an active one.
var ErrAlreadyCommitted = errors.New("application already has a different active commitment")

// Commit commits amountPence of round's budget to an application, inside
// the caller's transaction q. Committing again the same amount for the same
// application (a retried activity) returns the existing commitment.
func Commit(ctx context.Context, q *sqlc.Queries, roundID, applicationID string, amountPence int64) (sqlc.BudgetCommitment, error) {
	if amountPence <= 0 {
		return sqlc.BudgetCommitment{}, fmt.Errorf("commit budget: amount must be positive, got %d", amountPence)
	}
	budgetPence, err := q.BudgetLockRound(ctx, roundID)
	if err != nil {
		return sqlc.BudgetCommitment{}, fmt.Errorf("lock round: %w", db.Translate(err))
	}
	existing, err := q.BudgetActiveForApplication(ctx, applicationID)
	switch err = db.Translate(err); {
	case err == nil && existing.AmountPence == amountPence && existing.RoundID == roundID:
		return existing, nil
	case err == nil:
		return sqlc.BudgetCommitment{}, ErrAlreadyCommitted
	case !errors.Is(err, db.ErrNotFound):
		return sqlc.BudgetCommitment{}, fmt.Errorf("read commitment: %w", err)
	}
	committed, err := q.BudgetCommitted(ctx, roundID)
	if err != nil {
		return sqlc.BudgetCommitment{}, fmt.Errorf("sum commitments: %w", err)
	}
	if left := budgetPence - committed; amountPence > left {
		return sqlc.BudgetCommitment{}, &OverBudgetError{RequestedPence: amountPence, LeftPence: left}
	}
	c, err := q.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: roundID, ApplicationID: applicationID, AmountPence: amountPence})
	if err != nil {
		return sqlc.BudgetCommitment{}, fmt.Errorf("insert commitment: %w", db.Translate(err))
	}
	return c, nil
}

// Release frees an application's active commitment, if it has one, and
// reports the pence released.
func Release(ctx context.Context, q *sqlc.Queries, applicationID string) (int64, error) {
	c, err := q.BudgetRelease(ctx, applicationID)
	if err = db.Translate(err); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("release commitment: %w", err)
	}
	return c.AmountPence, nil
}

// Left is what a round has not committed.
func Left(ctx context.Context, q *sqlc.Queries, roundID string) (int64, error) {
	budgetPence, err := q.BudgetLockRound(ctx, roundID)
	if err != nil {
		return 0, fmt.Errorf("lock round: %w", db.Translate(err))
	}
	committed, err := q.BudgetCommitted(ctx, roundID)
	if err != nil {
		return 0, fmt.Errorf("sum commitments: %w", err)
	}
	return budgetPence - committed, nil
}

// Adjust changes an application's active commitment to amountPence (a
// variation of its award) under the round's lock: raising it needs the
// difference to fit in what the round has left (else an
// *OverBudgetError); lowering it frees the difference. It reports the
// change in pence.
func Adjust(ctx context.Context, q *sqlc.Queries, roundID, applicationID string, amountPence int64) (int64, error) {
	if amountPence <= 0 {
		return 0, fmt.Errorf("adjust budget: amount must be positive, got %d", amountPence)
	}
	budgetPence, err := q.BudgetLockRound(ctx, roundID)
	if err != nil {
		return 0, fmt.Errorf("lock round: %w", db.Translate(err))
	}
	existing, err := q.BudgetActiveForApplication(ctx, applicationID)
	if err != nil {
		return 0, fmt.Errorf("read commitment: %w", db.Translate(err))
	}
	delta := amountPence - existing.AmountPence
	if delta > 0 {
		committed, err := q.BudgetCommitted(ctx, roundID)
		if err != nil {
			return 0, fmt.Errorf("sum commitments: %w", err)
		}
		if left := budgetPence - committed; delta > left {
			return 0, &OverBudgetError{RequestedPence: delta, LeftPence: left}
		}
	}
	if delta == 0 {
		return 0, nil
	}
	if _, err := q.BudgetAdjust(ctx, sqlc.BudgetAdjustParams{ApplicationID: applicationID, AmountPence: amountPence}); err != nil {
		return 0, fmt.Errorf("adjust commitment: %w", db.Translate(err))
	}
	return delta, nil
}
