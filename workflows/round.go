package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// roundEvent is one moment in a round's life the workflow records.
type roundEvent struct {
	name string
	at   func(RoundInfo) time.Time
}

var roundEvents = []roundEvent{
	{RoundOpened, func(r RoundInfo) time.Time { return r.OpensAt }},
	{RoundClosed, func(r RoundInfo) time.Time { return r.ClosesAt }},
	{RoundDecisionWindowPassed, func(r RoundInfo) time.Time { return r.DecisionDeadline }},
}

// RoundWorkflow follows a round: it tells managers when the round opens
// and closes and notes the decision window passing (a flag, nothing
// automatic). Submissions are guarded by the round's timestamps when they
// commit, not by this workflow. When an offer lapses its case signals
// SignalBudgetReleased and the round offers the budget to the best-scored
// waitlisted applications that fit, one Update each. The round's timeline
// is re-read at every wake-up, so an extended timeline is honoured. Once
// the decision window has passed and nothing in the round can still take
// or release budget (no open offer, nothing waitlisted or in assessment),
// it ends.
//
// While the round is open, the owners of its drafts are reminded a week
// and again 48 hours before it closes (each moved off weekends and bank
// holidays to the working day before; see draftReminderPlan), recomputed
// from the closing time read at every wake-up.
func RoundWorkflow(ctx workflow.Context, in RoundInput) (RoundResult, error) {
	ctx = activityOptions(ctx)
	released := workflow.GetSignalChannel(ctx, SignalBudgetReleased)
	var (
		res     RoundResult
		done    = map[string]bool{}
		pending = in.Pending
		drafts  = draftRemindersFrom(ctx, draftReminderVersion)
	)
	for wake := 0; ; wake++ {
		if drafts == nil {
			// A run started before the reminders existed: its replayed
			// wake-ups find no marker; its first live one records one
			// under that wake-up's own change ID and turns them on.
			drafts = draftRemindersFrom(ctx, fmt.Sprintf("%s-wake-%d", draftReminderVersion, wake))
		}
		var info RoundInfo
		if err := workflow.ExecuteActivity(ctx, ActivityLoadRound, in).Get(ctx, &info); err != nil {
			return res, err
		}
		now := workflow.Now(ctx)
		for _, e := range roundEvents {
			if done[e.name] || now.Before(e.at(info)) {
				continue
			}
			if err := workflow.ExecuteActivity(ctx, ActivityRoundEvent, RoundEventInput{RoundID: in.RoundID, Event: e.name, At: now}).Get(ctx, nil); err != nil {
				return res, err
			}
			done[e.name] = true
		}
		var remindAt time.Time
		if drafts != nil {
			var err error
			if remindAt, err = drafts.remindDrafts(ctx, in.RoundID, info, now); err != nil {
				return res, err
			}
		}
		for released.ReceiveAsync(nil) {
			pending = true
		}
		if pending {
			n, err := promote(ctx, in)
			if err != nil {
				return res, err
			}
			res.Promotions += n
			pending = false
		}

		next, ok := time.Time{}, false
		for _, e := range roundEvents {
			if !done[e.name] {
				next, ok = e.at(info), true
				break
			}
		}
		if ok && !remindAt.IsZero() && remindAt.Before(next) {
			next = remindAt
		}
		if !ok {
			var out Outstanding
			if err := workflow.ExecuteActivity(ctx, ActivityRoundOutstanding, in).Get(ctx, &out); err != nil {
				return res, err
			}
			if out.Done() && released.Len() == 0 {
				return res, nil
			}
			// Offers are open, or cases may still become offers (the chair
			// may decide after the window): look again when one could lapse.
			next = now.Add(max(info.OfferExpiry, time.Minute))
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// Every event activity records once, so a fresh run may repeat
			// them; a released-budget signal not yet acted on goes along.
			for released.ReceiveAsync(nil) {
				pending = true
			}
			return res, workflow.NewContinueAsNewError(ctx, RoundWorkflowName, RoundInput{RoundID: in.RoundID, Pending: pending})
		}

		tctx, cancel := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(workflow.NewTimer(tctx, next.Sub(now)), func(workflow.Future) {})
		sel.AddReceive(released, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			pending = true
		})
		sel.Select(ctx)
		cancel()
	}
}

// promote offers released budget to waitlisted applications, best first,
// until none fits.
func promote(ctx workflow.Context, in RoundInput) (int, error) {
	// The promotion activity waits for the case's Update to finish.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 2 * time.Minute})
	n := 0
	for {
		var p PromoteResult
		if err := workflow.ExecuteActivity(actx, ActivityPromoteWaitlisted, in).Get(ctx, &p); err != nil {
			return n, err
		}
		if !p.Promoted {
			return n, nil
		}
		n++
	}
}
