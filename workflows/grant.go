package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workday"
)

// Grant statuses (grants.status): the review writes offered, active and
// lapsed; GrantWorkflow runs while a grant is active.
const (
	GrantStatusOffered    = "offered"
	GrantStatusActive     = "active"
	GrantStatusLapsed     = "lapsed"
	GrantStatusDeclined   = "declined"
	GrantStatusCompleted  = "completed"
	GrantStatusSuspended  = "suspended"
	GrantStatusTerminated = "terminated"
)

// GrantWorkflow follows an accepted grant until it closes. It is started
// by its application's case on acceptance and outlives it.
//
// Each turn of its loop reads the grant afresh (LoadGrant) and takes the
// first step the grant needs, in this order: act on a signalled event
// (a reversal, a failed payout); move a report along its clock (reminded
// within the reminder lead, overdue at its due time, escalated to managers
// once the grace period has passed too); hold the payments not yet
// approved while a report is escalated, or release the hold once none is;
// make a tranche due when its condition holds (payout-ready, and for
// after_report:<kind> that report accepted); start the payment's
// DisbursementWorkflow; close the grant out once every tranche is settled
// and every report accepted. With nothing to do it sleeps until the next
// report deadline, a signal, or an Update. Every change is an activity;
// Updates (payout account, report submission and review, variations,
// reissue) run theirs under the grant's mutex and wake the loop.
func GrantWorkflow(ctx workflow.Context, in GrantInput) (GrantResult, error) {
	ctx = activityOptions(ctx)
	g := &grantCase{in: in, mu: workflow.NewMutex(ctx), wake: workflow.NewBufferedChannel(ctx, 1),
		events: workflow.GetSignalChannel(ctx, SignalGrantEvent), started: slices.Clone(in.Started)}
	if err := g.registerUpdates(ctx); err != nil {
		return GrantResult{}, err
	}
	g.shiftReminders = workflow.GetVersion(ctx, reportReminderVersion, workflow.DefaultVersion, 1) >= 1
	for {
		if err := g.mu.Lock(ctx); err != nil {
			return GrantResult{}, err
		}
		done, acted, err := g.turn(ctx)
		g.mu.Unlock()
		if err != nil {
			return GrantResult{}, err
		}
		if done {
			return g.finish(ctx)
		}
		if acted {
			continue
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && len(g.pending) == 0 {
			if err := awaitHandlers(ctx); err != nil {
				return GrantResult{}, err
			}
			g.drainEvents()
			if len(g.pending) == 0 {
				return GrantResult{}, workflow.NewContinueAsNewError(ctx, GrantWorkflowName,
					GrantInput{GrantID: in.GrantID, ApplicationID: in.ApplicationID, Started: g.started})
			}
			continue
		}
		g.wait(ctx)
	}
}

// grantCase is a grant's workflow state between turns.
type grantCase struct {
	in      GrantInput
	mu      workflow.Mutex
	snap    GrantSnapshot
	loaded  bool
	started []string
	pending []GrantEvent
	wake    workflow.Channel
	events  workflow.ReceiveChannel
	next    time.Time // the next report deadline, zero if none
	// shiftReminders moves report reminders off weekends and bank
	// holidays (reportReminderVersion).
	shiftReminders bool
}

// turn reads the grant and takes at most one step; done once the grant
// has left active.
func (g *grantCase) turn(ctx workflow.Context) (done, acted bool, err error) {
	if err := workflow.ExecuteActivity(ctx, ActivityLoadGrant, g.in.GrantID).Get(ctx, &g.snap); err != nil {
		return false, false, err
	}
	g.loaded = true
	if g.snap.Status != GrantStatusActive {
		return true, false, nil
	}
	now := workflow.Now(ctx)
	if len(g.pending) > 0 {
		ev := g.pending[0]
		g.pending = g.pending[1:]
		return false, true, g.run(ctx, ActivityGrantEvent, GrantEventInput{GrantID: g.in.GrantID, Event: ev, At: now})
	}
	step := planGrant(g.snap, now, g.started, g.shiftReminders)
	g.next = step.next
	switch step.kind {
	case stepReport:
		return false, true, g.run(ctx, ActivityReportClock, ReportClockInput{GrantID: g.in.GrantID, ReportID: step.id, Step: step.report, At: now})
	case stepHold:
		return false, true, g.run(ctx, ActivityHoldPayments, GrantStep{GrantID: g.in.GrantID, At: now})
	case stepUnhold:
		return false, true, g.run(ctx, ActivityUnholdPayments, GrantStep{GrantID: g.in.GrantID, At: now})
	case stepRelease:
		// The payment's workflow starts in the same turn, so finance
		// rarely finds a due payment whose workflow is not there yet
		// (they would get 409 not_ready with Retry-After).
		if err := g.run(ctx, ActivityReleasePayment, GrantStep{GrantID: g.in.GrantID, PaymentID: step.id, At: now}); err != nil {
			return false, false, err
		}
		return false, true, g.startPayment(ctx, step.id)
	case stepStart:
		return false, true, g.startPayment(ctx, step.id)
	case stepComplete:
		var res GrantStepResult
		if err := workflow.ExecuteActivity(ctx, ActivityCompleteGrant, GrantStep{GrantID: g.in.GrantID, At: now}).Get(ctx, &res); err != nil {
			return false, false, err
		}
		if !res.Changed {
			// PostgreSQL disagrees with the snapshot: wait for a message
			// rather than asking again at once.
			return false, false, nil
		}
		g.snap.Status = GrantStatusCompleted
		return true, true, nil
	}
	return false, false, nil
}

// run runs a step's activity.
func (g *grantCase) run(ctx workflow.Context, activity string, in any) error {
	return workflow.ExecuteActivity(ctx, activity, in).Get(ctx, nil)
}

// startPayment starts a due payment's workflow, which outlives this run
// (continue-as-new) and signals back when it settles.
func (g *grantCase) startPayment(ctx workflow.Context, paymentID string) error {
	in := DisbursementInput{PaymentID: paymentID, GrantID: g.in.GrantID}
	if err := startChild(ctx, PaymentWorkflowID(paymentID), DisbursementWorkflowName, in); err != nil {
		return err
	}
	g.started = append(g.started, paymentID)
	return nil
}

// wait sleeps until the next report deadline, a signal or an Update.
func (g *grantCase) wait(ctx workflow.Context) {
	wctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	sel := workflow.NewSelector(ctx)
	if !g.next.IsZero() {
		d := g.next.Sub(workflow.Now(ctx))
		if d < time.Second {
			d = time.Second
		}
		sel.AddFuture(workflow.NewTimer(wctx, d), func(workflow.Future) {})
	}
	sel.AddReceive(g.events, func(c workflow.ReceiveChannel, _ bool) {
		var ev GrantEvent
		c.Receive(ctx, &ev)
		g.queue(ev)
	})
	sel.AddReceive(g.wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	sel.Select(ctx)
	g.drainEvents()
}

// drainEvents takes every signal already delivered.
func (g *grantCase) drainEvents() {
	for {
		var ev GrantEvent
		if !g.events.ReceiveAsync(&ev) {
			return
		}
		g.queue(ev)
	}
}

// queue keeps an event that needs an activity; the others only wake the
// loop, which reads the grant afresh.
func (g *grantCase) queue(ev GrantEvent) {
	switch ev.Kind {
	case GrantEventTransferReversed, GrantEventPayoutFailed:
		g.pending = append(g.pending, ev)
	}
}

// finish waits for running Update handlers, then ends.
func (g *grantCase) finish(ctx workflow.Context) (GrantResult, error) {
	if err := awaitHandlers(ctx); err != nil {
		return GrantResult{}, err
	}
	return GrantResult{Status: g.snap.Status}, nil
}

// Kinds of grant step.
const (
	stepNone = iota
	stepReport
	stepHold
	stepUnhold
	stepRelease
	stepStart
	stepComplete
)

// grantStep is the next thing a grant needs.
type grantStep struct {
	kind   int
	id     string    // report or payment
	report string    // ReportStep*
	next   time.Time // with stepNone: when to look again (zero: only on a message)
}

// planGrant decides the grant's next step from its snapshot; pure, so the
// workflow stays deterministic and the rules are tested on their own. A
// report is reminded ReminderLead before it is due, moved with
// shiftReminders to the working day before when that falls on a weekend
// or a bank holiday (the due time itself never moves).
func planGrant(s GrantSnapshot, now time.Time, started []string, shiftReminders bool) grantStep {
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	holding := false
	accepted := map[string]bool{}
	for _, r := range s.Reports {
		if r.Status == ReportAccepted {
			accepted[r.Kind] = true
		}
		if r.DueAt.IsZero() {
			continue
		}
		remind, grace := r.DueAt.Add(-s.ReminderLead), r.DueAt.Add(s.ReportGrace)
		if shiftReminders {
			remind = workday.ShiftBack(remind)
		}
		switch r.Status {
		case ReportUpcoming:
			if !now.Before(r.DueAt) {
				return grantStep{kind: stepReport, id: r.ID, report: ReportStepOverdue}
			}
			if !now.Before(remind) {
				return grantStep{kind: stepReport, id: r.ID, report: ReportStepDue}
			}
			later(remind)
		case ReportDue:
			if !now.Before(r.DueAt) {
				return grantStep{kind: stepReport, id: r.ID, report: ReportStepOverdue}
			}
			later(r.DueAt)
		case ReportOverdue:
			if r.Escalated {
				holding = true
				continue
			}
			if !now.Before(grace) {
				return grantStep{kind: stepReport, id: r.ID, report: ReportStepEscalate}
			}
			later(grace)
		}
	}
	for _, p := range s.Payments {
		switch {
		case holding && (p.Status == PaymentScheduled || p.Status == PaymentAwaitingApproval):
			return grantStep{kind: stepHold}
		case !holding && p.Status == PaymentHeld:
			return grantStep{kind: stepUnhold}
		}
	}
	settled := true
	for _, p := range s.Payments {
		switch p.Status {
		case PaymentScheduled:
			settled = false
			if p.Ready(s) && conditionHolds(p.Condition, accepted) {
				return grantStep{kind: stepRelease, id: p.ID}
			}
		case PaymentAwaitingApproval, PaymentApproved, PaymentSending, PaymentFailed:
			settled = false
			if !slices.Contains(started, p.ID) {
				return grantStep{kind: stepStart, id: p.ID}
			}
		case PaymentHeld:
			settled = false
		}
	}
	if settled && len(accepted) == len(s.Reports) && paidAny(s.Payments) {
		return grantStep{kind: stepComplete}
	}
	return grantStep{kind: stepNone, next: next}
}

// conditionHolds reports whether a tranche's condition is met (payout
// readiness is checked by the caller).
func conditionHolds(condition string, accepted map[string]bool) bool {
	if condition == ConditionOnAcceptance {
		return true
	}
	kind, ok := strings.CutPrefix(condition, ConditionAfterReportPrefix)
	return ok && accepted[kind]
}

// paidAny reports whether any money reached the grantee: a grant whose
// every tranche was cancelled is not completed, it waits for a manager.
func paidAny(ps []PaymentSnap) bool {
	for _, p := range ps {
		if p.Status == PaymentPaid || p.Status == PaymentReversed {
			return true
		}
	}
	return false
}

// Payment conditions of a schedule (as a round spells them).
const (
	ConditionOnAcceptance      = round.ConditionOnAcceptance
	ConditionAfterReportPrefix = round.ConditionAfterReportPrefix
)
