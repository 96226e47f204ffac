package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// errStored is stored data that cannot be read (a round definition, an
// application's partners): a bug or a bad migration, which retrying will
// not mend.
var errStored = errors.New("stored data unreadable")

// classify decides what the workflow sees of an activity error, in one
// place:
//   - a rejection (workflows.Reject) is returned as raised, at the top of
//     the chain so Temporal keeps its type and non-retryable flag;
//   - a commitment over the budget left is a conflict rejection;
//   - a missing row, a broken constraint or unreadable stored data will not
//     mend itself: non-retryable;
//   - anything else (a dropped connection, a timeout) may: retryable.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae
	}
	var over *budget.OverBudgetError
	if errors.As(err, &over) {
		return workflows.Reject(workflows.RejectConflict,
			fmt.Sprintf("This award is more than the round has left: only %s left", money.PoundsAndPence(over.LeftPence)), nil)
	}
	switch {
	case errors.Is(err, budget.ErrAlreadyCommitted):
		return workflows.Reject(workflows.RejectConflict, "This application already has a different award committed", nil)
	case errors.Is(err, db.ErrNotFound), errors.Is(err, db.ErrCheckViolation), errors.Is(err, db.ErrForeignKey),
		errors.Is(err, errStored), errors.Is(err, interest.ErrStored):
		return temporal.NewNonRetryableApplicationError(err.Error(), "permanent", err)
	}
	return err
}

// isNotFound reports whether a query found no row.
func isNotFound(err error) bool {
	return errors.Is(err, db.ErrNotFound)
}
