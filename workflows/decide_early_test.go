package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// A case found eligible is in assessment a moment before its settings are
// loaded and its assessors assigned: a decision or a score arriving then
// is refused as not_ready (the client retries), never judged against a
// request of 0 pence or a deadline not yet set. (Found by the concurrent
// approvals fault test: 422 "more than the 0 pence requested".)
func TestUpdatesBeforeTheCaseIsLoadedAreNotReady(t *testing.T) {
	t.Parallel()
	f := newCase(t, 2)
	acts := &activities.Activities{Store: f.env.Store, Log: slog.New(slog.DiscardHandler)}
	f.wenv.OnActivity(workflows.ActivityLoadCase, mock.Anything, mock.Anything).After(time.Hour).
		Return(func(ctx context.Context, in workflows.CaseRef) (workflows.CaseInfo, error) {
			return acts.LoadCase(ctx, in)
		})
	f.at(minute, func() {
		require.Equal(t, "in_assessment", f.application().Status, "eligible, still loading")
		f.sendNow("early-approve", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(f.chair),
			Outcome: workflows.OutcomeApprove, AwardPence: ptr(reqPence)})
		f.sendNow("early-reject", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(f.chair),
			Outcome: workflows.OutcomeReject})
	})
	f.send(2*time.Hour, "withdraw", workflows.UpdateWithdraw, func() any {
		return workflows.WithdrawUpdate{Caller: workflows.Caller{ID: f.applicant.ID}}
	})
	res := f.run()
	f.requireRejected("early-approve", workflows.RejectNotReady)
	f.requireRejected("early-reject", workflows.RejectNotReady)
	f.requireOK("withdraw")
	require.Equal(t, workflows.StatusWithdrawn, res.Status)
	require.Len(t, f.live(), 0, "withdrawn: no live assignment left")
}
