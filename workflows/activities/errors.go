package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/db"
)

// classify decides whether an activity error is worth retrying: a missing
// row or broken constraint will not mend itself; anything else (a dropped
// connection, a timeout) may.
func classify(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, db.ErrNotFound), errors.Is(err, db.ErrCheckViolation), errors.Is(err, db.ErrForeignKey):
		return temporal.NewNonRetryableApplicationError(err.Error(), "permanent", err)
	}
	return err
}
