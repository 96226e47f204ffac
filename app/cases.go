package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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

// updateCase sends an Update to the workflow of application appID (see
// updateWorkflow). No such workflow, or one that has completed, is 409
// not_ready (Retry-After 1) while PostgreSQL still says submitted (the
// outbox has not started it yet), else 409 invalid_state.
func (a *App) updateCase(ctx context.Context, appID, updateName string, arg any) error {
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.ApplicationWorkflowID(appID), what: "application", objectID: appID,
		notReady: "This application's case is still starting; try again in a moment",
		ended:    "This application is not in a state that allows this",
		live: func(ctx context.Context) (bool, error) {
			row, err := a.store.ApplicationGet(ctx, appID)
			return err == nil && row.Status == StatusSubmitted, err
		},
	}, updateName, arg, nil)
}

// updateGrant sends an Update to the workflow of a grant. No such
// workflow is 409 not_ready while PostgreSQL says the grant is active (its
// workflow is being started after the acceptance), else 409 invalid_state
// (the grant completed, or the offer was never accepted).
func (a *App) updateGrant(ctx context.Context, grantID, updateName string, arg, result any) error {
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.GrantWorkflowID(grantID), what: "grant", objectID: grantID,
		notReady: "This grant's workflow is still starting; try again in a moment",
		ended:    "This grant is no longer active, so it cannot be changed",
		live: func(ctx context.Context) (bool, error) {
			g, err := a.store.GrantGet(ctx, grantID)
			return err == nil && g.Status == GrantActive, err
		},
	}, updateName, arg, result)
}

// updatePayment sends an Update to the workflow of a payment. No such
// workflow is 409 not_ready while PostgreSQL says the payment is being
// approved or sent (its workflow is being started), else 409
// invalid_state (settled, or a tranche not yet due).
func (a *App) updatePayment(ctx context.Context, paymentID, updateName string, arg, result any) error {
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.PaymentWorkflowID(paymentID), what: "payment", objectID: paymentID,
		notReady: "This payment's workflow is still starting; try again in a moment",
		ended:    "This payment is not in a state that allows this: it is settled or not yet due",
		live: func(ctx context.Context) (bool, error) {
			p, err := a.store.PaymentDetailGet(ctx, paymentID)
			if err != nil {
				return false, err
			}
			switch p.Payment.Status {
			case workflows.PaymentAwaitingApproval, workflows.PaymentApproved, workflows.PaymentSending, workflows.PaymentFailed:
				return true, nil
			}
			return false, nil
		},
	}, updateName, arg, result)
}

// workflowTarget is the workflow an Update goes to and how to explain
// that it is not there.
type workflowTarget struct {
	id       string // workflow ID
	what     string // application, grant, payment: for logs
	objectID string
	notReady string // message of a workflow that is still starting
	ended    string // message of a workflow that has ended or never will start
	// live reads the object from PostgreSQL and reports whether its
	// workflow should be running (so one not found is still starting).
	// An object not found is not live.
	live func(ctx context.Context) (bool, error)
}

// updateWorkflow sends an Update and maps its failure onto an *Error.
// This is the one place Update errors are translated:
//   - a rejection (validator, handler or activity) keeps its kind: 403,
//     404, 409 (invalid_state, not_ready, conflict) or 422 with its fields;
//   - no such workflow, or it has completed: 409 not_ready while
//     PostgreSQL says it should be running (target.live), else 409
//     invalid_state; a workflow that has not finished its first task
//     (WorkflowNotReady): 409 not_ready;
//   - anything else (Temporal unreachable, no worker, timeout): 503
//     unavailable with Retry-After. A failure that is not a rejection but
//     came from workflow code is an internal error. That includes the
//     SDK's "unknown update": every workflow registers its Update
//     handlers before its first blocking call, and the SDK holds an
//     Update that arrives with the first task until then, so a workflow
//     that does not know an Update has a bug, not a start-up delay.
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
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// Read afresh, outside any transaction of the caller and even if
		// the caller has gone.
		live, lerr := target.live(context.WithoutCancel(ctx))
		if lerr != nil && !isNotFound(lerr) {
			return fmt.Errorf("recheck %s %s after %s: %w", target.what, target.objectID, updateName, lerr)
		}
		if live {
			return notReady(target.notReady)
		}
		return invalidState(target.ended)
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

// providerRetryAfter is the Retry-After, in seconds, of a provider that
// refused this service itself: people have to mend its configuration.
const providerRetryAfter = 3600

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
	case workflows.RejectUnavailable:
		return &Error{Kind: KindUnavailable, Code: "unavailable", Message: r.Message, RetryAfter: providerRetryAfter}
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
