package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/workflows"
)

// Cases sends lifecycle changes to the workflows that own them. After
// submission every change to an application goes through its workflow as
// an Update; the use cases read the result back from PostgreSQL.
type Cases interface {
	// Update sends an Update to the workflow and waits until it has
	// completed, decoding its result into result (may be nil).
	Update(ctx context.Context, workflowID, updateName string, arg any, result any) error
}

// DefaultUpdateTimeout bounds how long a use case waits for an Update.
const DefaultUpdateTimeout = 30 * time.Second

// unavailableRetryAfter is the Retry-After, in seconds, of a 503.
const unavailableRetryAfter = 5

// temporalCases is Cases over a Temporal client.
type temporalCases struct {
	client  client.Client
	timeout time.Duration
}

// TemporalCases sends Updates with c, waiting at most timeout (zero:
// DefaultUpdateTimeout) for each to complete.
func TemporalCases(c client.Client, timeout time.Duration) Cases {
	if timeout <= 0 {
		timeout = DefaultUpdateTimeout
	}
	return temporalCases{client: c, timeout: timeout}
}

// Update implements Cases.
func (t temporalCases) Update(ctx context.Context, workflowID, updateName string, arg any, result any) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	h, err := t.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   updateName,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, result)
}

// UseTemporal makes the use cases send lifecycle changes through c.
func (a *App) UseTemporal(c client.Client) { a.cases = TemporalCases(c, 0) }

// UseCases makes the use cases send lifecycle changes through c (tests
// pass a client with a short timeout, or one that cannot connect).
func (a *App) UseCases(c Cases) { a.cases = c }

// updateCase sends an Update to the workflow of application appID and maps
// its failure onto an *Error (see updateWorkflow). No such workflow, or
// one that has completed, is 409 not_ready (Retry-After 1) while
// PostgreSQL still says submitted (the outbox has not started it yet),
// else 409 invalid_state.
func (a *App) updateCase(ctx context.Context, appID, updateName string, arg any) error {
	var state workflows.CaseState
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.ApplicationWorkflowID(appID), what: "application", objectID: appID,
		notReady: "This application's case is still starting; try again in a moment",
		ended: func(ctx context.Context) error {
			// Read afresh, outside any transaction of the caller.
			row, gerr := a.store.ApplicationGet(context.WithoutCancel(ctx), appID)
			if gerr != nil && !isNotFound(db.Translate(gerr)) {
				return fmt.Errorf("recheck application after %s: %w", updateName, gerr)
			}
			if gerr == nil && row.Status == StatusSubmitted {
				return notReady("This application's case is still starting; try again in a moment")
			}
			return invalidState("This application is not in a state that allows this")
		},
	}, updateName, arg, &state)
}

// updateGrant sends an Update to the workflow of a grant. No such
// workflow is 409 not_ready while PostgreSQL says the grant is active (its
// workflow is being started after the acceptance), else 409 invalid_state
// (the grant completed, or the offer was never accepted).
func (a *App) updateGrant(ctx context.Context, grantID, updateName string, arg, result any) error {
	const starting = "This grant's workflow is still starting; try again in a moment"
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.GrantWorkflowID(grantID), what: "grant", objectID: grantID, startup: true, notReady: starting,
		ended: func(ctx context.Context) error {
			g, err := a.store.GrantGet(context.WithoutCancel(ctx), grantID)
			if err != nil && !isNotFound(db.Translate(err)) {
				return fmt.Errorf("recheck grant after %s: %w", updateName, err)
			}
			if err == nil && g.Status == GrantActive {
				return notReady(starting)
			}
			return invalidState("This grant is no longer active, so it cannot be changed")
		},
	}, updateName, arg, result)
}

// updatePayment sends an Update to the workflow of a payment. No such
// workflow is 409 not_ready while PostgreSQL says the payment is being
// approved or sent (its workflow is being started), else 409
// invalid_state (settled, or a tranche not yet due).
func (a *App) updatePayment(ctx context.Context, paymentID, updateName string, arg, result any) error {
	const starting = "This payment's workflow is still starting; try again in a moment"
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.PaymentWorkflowID(paymentID), what: "payment", objectID: paymentID, startup: true, notReady: starting,
		ended: func(ctx context.Context) error {
			p, err := a.store.PaymentDetailGet(context.WithoutCancel(ctx), paymentID)
			if err != nil && !isNotFound(db.Translate(err)) {
				return fmt.Errorf("recheck payment after %s: %w", updateName, err)
			}
			if err == nil {
				switch p.Payment.Status {
				case workflows.PaymentAwaitingApproval, workflows.PaymentApproved, workflows.PaymentSending, workflows.PaymentFailed:
					return notReady(starting)
				}
			}
			return invalidState("This payment is not in a state that allows this: it is settled or not yet due")
		},
	}, updateName, arg, result)
}

// workflowTarget is the workflow an Update goes to and how to explain
// that it is not there.
type workflowTarget struct {
	id       string // workflow ID
	what     string // application, grant, payment: for logs
	objectID string
	notReady string // message of a workflow that has not finished its first task
	// ended answers serviceerror.NotFound: no such workflow, or it has
	// completed.
	ended func(ctx context.Context) error
	// startup: the workflow registers its Update handlers only after a
	// first activity (DisbursementWorkflow loads its payment), so an
	// Update it does not know yet means it is still starting: not_ready.
	startup bool
}

// isUnknownUpdate reports whether err is the SDK's refusal of an Update
// the workflow has no handler for (yet).
func isUnknownUpdate(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && strings.HasPrefix(appErr.Message(), "unknown update ")
}

// updateWorkflow sends an Update and maps its failure onto an *Error.
// This is the one place Update errors are translated:
//   - a rejection (validator, handler or activity) keeps its kind: 403,
//     404, 409 (invalid_state, not_ready, conflict) or 422 with its fields;
//   - no such workflow, or it has completed: target.ended decides (409);
//     a workflow that has not finished its first task (WorkflowNotReady):
//     409 not_ready;
//   - anything else (Temporal unreachable, no worker, timeout): 503
//     unavailable with Retry-After. A failure that is not a rejection but
//     came from workflow code (a bug) is an internal error.
func (a *App) updateWorkflow(ctx context.Context, target workflowTarget, updateName string, arg, result any) error {
	if a.cases == nil {
		return Unavailable(unavailableRetryAfter)
	}
	err := a.cases.Update(ctx, target.id, updateName, arg, result)
	if err == nil {
		return nil
	}
	if r, ok := workflows.AsRejection(err); ok {
		return rejectionError(r)
	}
	var notYet *serviceerror.WorkflowNotReady
	if errors.As(err, &notYet) {
		return notReady(target.notReady)
	}
	if target.startup && isUnknownUpdate(err) {
		a.log.InfoContext(ctx, "update before the workflow registered its handlers", target.what+"_id", target.objectID, "update", updateName, "err", err)
		return notReady(target.notReady)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return target.ended(ctx)
	}
	var (
		appErr   *temporal.ApplicationError
		panicErr *temporal.PanicError
	)
	if errors.As(err, &appErr) || errors.As(err, &panicErr) {
		return fmt.Errorf("update %s of %s: %w", updateName, target.objectID, err)
	}
	a.log.WarnContext(ctx, "case update unavailable", target.what+"_id", target.objectID, "update", updateName, "err", err)
	return Unavailable(unavailableRetryAfter)
}

// rejectionError maps a workflow rejection onto the API's error shape.
func rejectionError(r workflows.Rejection) *Error {
	if r.Message == "" {
		r.Message = "This change cannot be made"
	}
	switch r.Kind {
	case workflows.RejectForbidden:
		return forbidden(r.Message)
	case workflows.RejectNotFound:
		return &Error{Kind: KindNotFound, Code: "not_found", Message: r.Message}
	case workflows.RejectNotReady:
		return notReady(r.Message)
	case workflows.RejectConflict:
		return conflict(r.Message)
	case workflows.RejectInvalid:
		fields := r.Fields
		if len(fields) == 0 {
			fields = map[string]string{}
		}
		return &Error{Kind: KindInvalid, Code: "validation_failed", Message: r.Message, Fields: fields}
	default: // RejectInvalidState
		return invalidState(r.Message)
	}
}
