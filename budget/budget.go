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
	budgetPence, err := lockRound(ctx, q, roundID)
	if err != nil {
		return sqlc.BudgetCommitment{}, err
	}
	existing, err := q.BudgetActiveForApplication(ctx, applicationID)
	switch {
	case err == nil && existing.AmountPence == amountPence && existing.RoundID == roundID:
		return existing, nil
	case err == nil:
		return sqlc.BudgetCommitment{}, ErrAlreadyCommitted
	case !errors.Is(err, db.ErrNotFound):
		return sqlc.BudgetCommitment{}, fmt.Errorf("read commitment: %w", err)
	}
	if err := fits(ctx, q, roundID, budgetPence, amountPence); err != nil {
		return sqlc.BudgetCommitment{}, err
	}
	c, err := q.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: roundID, ApplicationID: applicationID, AmountPence: amountPence})
	if err != nil {
		return sqlc.BudgetCommitment{}, fmt.Errorf("insert commitment: %w", err)
	}
	return c, nil
}

// Release frees an application's active commitment, if it has one, and
// reports the pence released.
func Release(ctx context.Context, q *sqlc.Queries, applicationID string) (int64, error) {
	c, err := q.BudgetRelease(ctx, applicationID)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("release commitment: %w", err)
	}
	return c.AmountPence, nil
}

// Left is what a round has not committed.
func Left(ctx context.Context, q *sqlc.Queries, roundID string) (int64, error) {
	budgetPence, err := lockRound(ctx, q, roundID)
	if err != nil {
		return 0, err
	}
	return left(ctx, q, roundID, budgetPence)
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
	budgetPence, err := lockRound(ctx, q, roundID)
	if err != nil {
		return 0, err
	}
	existing, err := q.BudgetActiveForApplication(ctx, applicationID)
	if err != nil {
		return 0, fmt.Errorf("read commitment: %w", err)
	}
	delta := amountPence - existing.AmountPence
	if delta == 0 {
		return 0, nil
	}
	if delta > 0 {
		if err := fits(ctx, q, roundID, budgetPence, delta); err != nil {
			return 0, err
		}
	}
	if _, err := q.BudgetAdjust(ctx, sqlc.BudgetAdjustParams{ApplicationID: applicationID, AmountPence: amountPence}); err != nil {
		return 0, fmt.Errorf("adjust commitment: %w", err)
	}
	return delta, nil
}

// lockRound takes the round's row lock for the rest of the transaction
// and reads its budget.
func lockRound(ctx context.Context, q *sqlc.Queries, roundID string) (int64, error) {
	budgetPence, err := q.BudgetLockRound(ctx, roundID)
	if err != nil {
		return 0, fmt.Errorf("lock round: %w", err)
	}
	return budgetPence, nil
}

// left is what a round, locked with budgetPence, has not committed.
func left(ctx context.Context, q *sqlc.Queries, roundID string, budgetPence int64) (int64, error) {
	committed, err := q.BudgetCommitted(ctx, roundID)
	if err != nil {
		return 0, fmt.Errorf("sum commitments: %w", err)
	}
	return budgetPence - committed, nil
}

// fits refuses (*OverBudgetError) amountPence more than a locked round
// has left.
func fits(ctx context.Context, q *sqlc.Queries, roundID string, budgetPence, amountPence int64) error {
	l, err := left(ctx, q, roundID, budgetPence)
	if err != nil {
		return err
	}
	if amountPence > l {
		return &OverBudgetError{RequestedPence: amountPence, LeftPence: l}
	}
	return nil
}
