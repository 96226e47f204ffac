package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Sending retries transient provider errors with back-off for about a
// day before the payment is recorded as failed for finance to retry or
// cancel. The heartbeat timeout lets a send on a worker that died be
// resumed on another within seconds.
const (
	sendHeartbeatTimeout = 10 * time.Second
	sendMaxAttempts      = 30
)

// DisbursementWorkflow pays one tranche (`payment:<id>`). It waits for two
// approvals by two different finance users, neither the person who
// issued the payment nor a member of the grantee (Update validators, then
// the activity against PostgreSQL). Approved, a Stripe payment is sent:
// the attempt and its idempotency key are recorded before the provider is
// called, and a resumed attempt is looked up at the provider before
// anything is created again, so a worker killed mid-payment pays once.
// Transient errors retry with back-off; a permanent refusal, or retries
// outlasted, makes it failed with the reason, for finance to retry (a new
// attempt, approvals kept) or cancel. A manual payment waits, approved,
// until finance marks its payment run paid. A rejection cancels it. When
// it ends (paid or cancelled) it tells the grant's workflow.
func DisbursementWorkflow(ctx workflow.Context, in DisbursementInput) (DisbursementResult, error) {
	ctx = activityOptions(ctx)
	d := &disbursement{in: in, mu: workflow.NewMutex(ctx)}
	// Handlers first: a command arriving while the payment is being read
	// is refused as not_ready rather than as an unknown Update.
	if err := d.registerUpdates(ctx); err != nil {
		return DisbursementResult{}, err
	}
	if err := workflow.ExecuteActivity(ctx, ActivityLoadPayment, in.PaymentID).Get(ctx, &d.snap); err != nil {
		return DisbursementResult{}, err
	}
	d.loaded = true
	for {
		switch d.snap.Status {
		case PaymentPaid, PaymentCancelled, PaymentReversed:
			return d.finish(ctx)
		case PaymentSending:
			if err := d.send(ctx); err != nil {
				return DisbursementResult{}, err
			}
			continue
		case PaymentApproved:
			if d.snap.Provider == ProviderStripe {
				if err := d.send(ctx); err != nil {
					return DisbursementResult{}, err
				}
				continue
			}
		}
		status := d.snap.Status
		if err := workflow.Await(ctx, func() bool { return d.snap.Status != status }); err != nil {
			return DisbursementResult{}, err
		}
	}
}

// disbursement is a payment's workflow state.
type disbursement struct {
	in        DisbursementInput
	mu        workflow.Mutex
	snap      PaymentSnapshot
	loaded    bool
	reference string
}

// send runs the provider call under the mutex (so no Update interleaves)
// and records the outcome; transient errors that outlast the retries
// become a failure.
func (d *disbursement) send(ctx workflow.Context) error {
	if err := d.mu.Lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	sctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    sendHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Hour,
			MaximumAttempts:    sendMaxAttempts,
		},
	})
	send := SendInput{PaymentID: d.in.PaymentID, At: workflow.Now(ctx)}
	if workflow.GetVersion(ctx, registerChecksVersion, workflow.DefaultVersion, 1) == 1 {
		send.Hold = d.checkPayee(ctx, false)
	}
	var res SendResult
	err := workflow.ExecuteActivity(sctx, ActivitySendPayment, send).Get(ctx, &res)
	if _, rejected := AsRejection(err); err != nil && !rejected {
		reason := fmt.Sprintf("The payment provider could not be reached after %d attempts: %v", sendMaxAttempts, err)
		in := FailInput{PaymentID: d.in.PaymentID, Reason: reason, At: workflow.Now(ctx)}
		if ferr := workflow.ExecuteActivity(ctx, ActivityFailPayment, in).Get(ctx, nil); ferr != nil {
			return ferr
		}
		res = SendResult{Status: PaymentFailed, Reason: reason}
	} else if err != nil {
		return err
	}
	d.snap.Status, d.reference = res.Status, res.Reference
	return nil
}

// checkPayee checks the payee against the registers before a send
// (ActivityCheckPayee) and returns why the payment is held, or "". A
// check that cannot be made at all (the activity failing for good) does
// not hold: like not_run and error, it is recorded and shown, never
// treated as passed.
func (d *disbursement) checkPayee(ctx workflow.Context, notifyHold bool) string {
	var res CheckPayeeResult
	in := CheckPayeeInput{PaymentID: d.in.PaymentID, At: workflow.Now(ctx), NotifyHold: notifyHold}
	if err := workflow.ExecuteActivity(registerCheckOptions(ctx), ActivityCheckPayee, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("payee register check not made", "payment_id", d.in.PaymentID, "error", err)
		return ""
	}
	return res.Hold
}

// finish tells the grant's workflow the payment settled and ends.
func (d *disbursement) finish(ctx workflow.Context) (DisbursementResult, error) {
	if err := awaitHandlers(ctx); err != nil {
		return DisbursementResult{}, err
	}
	ev := GrantEvent{Kind: GrantEventPaymentSettled, PaymentID: d.in.PaymentID}
	if err := workflow.SignalExternalWorkflow(ctx, GrantWorkflowID(d.in.GrantID), "", SignalGrantEvent, ev).Get(ctx, nil); err != nil {
		// The grant's workflow reads its payments afresh at every turn; a
		// lost wake-up only delays it until its next message or timer.
		workflow.GetLogger(ctx).Warn("grant not told of a settled payment", "error", err)
	}
	return DisbursementResult{Status: d.snap.Status, Reference: d.reference}, nil
}

// registerUpdates registers the finance commands.
func (d *disbursement) registerUpdates(ctx workflow.Context) error {
	for _, name := range []string{UpdateApprovePayment, UpdateRejectPayment, UpdateRetryPayment, UpdateCancelPayment, UpdateMarkPaid} {
		validate := func(c PaymentCommand) error { return d.validate(name, c) }
		handle := func(ctx workflow.Context, c PaymentCommand) (PaymentState, error) { return d.handle(ctx, name, c) }
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handle, workflow.UpdateHandlerOptions{Validator: validate}); err != nil {
			return fmt.Errorf("register update %s: %w", name, err)
		}
	}
	return nil
}

// validate checks a command without I/O: the caller is finance and the
// payment is in a state the command applies to; an approval follows the
// two-approver rule (ApprovalRefusal) with the snapshot's facts.
func (d *disbursement) validate(update string, c PaymentCommand) error {
	if !c.Caller.Has(RoleFinance) {
		return Reject(RejectForbidden, "Only finance staff can do this", nil)
	}
	if !d.loaded {
		return Reject(RejectNotReady, "This payment's workflow is still starting; try again in a moment", nil)
	}
	s := d.snap
	switch update {
	case UpdateApprovePayment:
		f := ApprovalFacts{Status: s.Status, RequestedBy: s.RequestedBy, Approvals: s.Approvals}
		if slices.Contains(s.MemberIDs, c.Caller.ID) {
			f.Interest = "You are a member of the organisation being paid, or have another interest in its application"
		}
		if err := ApprovalRefusal(f, c.Caller); err != nil {
			return err
		}
	case UpdateRejectPayment, UpdateCancelPayment:
		if err := CanCancel(s.Status, s.Provider, s.RunID != ""); err != nil {
			return err
		}
	case UpdateRetryPayment:
		if err := CanRetry(s.Status); err != nil {
			return err
		}
	case UpdateMarkPaid:
		switch {
		case s.Provider != ProviderManual:
			return Reject(RejectInvalidState, "Only a bank-transfer payment is marked paid by hand", nil)
		case s.Status != PaymentApproved:
			return Reject(RejectInvalidState, "Only an approved payment can be marked paid (this one is "+s.Status+")", nil)
		case c.RunID == "":
			return Invalid(map[string]string{"run_id": "Name the payment run"})
		}
	}
	return Invalid(CheckPaymentCommand(update, c))
}

// paymentActivity is the activity of each finance command (a rejection is
// a cancellation with its own audit action).
var paymentActivity = map[string]string{
	UpdateApprovePayment: ActivityApprovePayment,
	UpdateRejectPayment:  ActivityCancelPayment,
	UpdateCancelPayment:  ActivityCancelPayment,
	UpdateRetryPayment:   ActivityRetryPayment,
	UpdateMarkPaid:       ActivityMarkPaid,
}

// handle runs a command's activity under the mutex once it validates
// again, and keeps the payment's new state.
func (d *disbursement) handle(ctx workflow.Context, update string, c PaymentCommand) (PaymentState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	if err := d.mu.Lock(ctx); err != nil {
		return PaymentState{}, err
	}
	defer d.mu.Unlock()
	if err := d.validate(update, c); err != nil {
		return PaymentState{}, err
	}
	// A bank-transfer payment is paid by finance outside the system once
	// approved: its payee is checked before the approval that would make
	// it payable, and a failed check refuses it (409, finance told).
	if update == UpdateApprovePayment && d.snap.Provider == ProviderManual && len(d.snap.Approvals)+1 >= RequiredApprovals &&
		workflow.GetVersion(ctx, registerChecksManualVersion, workflow.DefaultVersion, 1) == 1 {
		if hold := d.checkPayee(ctx, true); hold != "" {
			return PaymentState{}, Reject(RejectConflict, hold+": this payment cannot be approved until the register shows the payee in good standing, or it is cancelled", nil)
		}
	}
	in := PaymentCommandInput{PaymentID: d.in.PaymentID, Update: update, Command: c, At: workflow.Now(ctx)}
	var out PaymentState
	if err := workflow.ExecuteActivity(ctx, paymentActivity[update], in).Get(ctx, &out); err != nil {
		return PaymentState{}, err
	}
	if update == UpdateApprovePayment && !slices.Contains(d.snap.Approvals, c.Caller.ID) {
		d.snap.Approvals = append(d.snap.Approvals, c.Caller.ID)
	}
	if update == UpdateMarkPaid {
		d.reference = c.RunID
	}
	d.snap.Status = out.Status
	return out, nil
}
