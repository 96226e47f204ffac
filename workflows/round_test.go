package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// The round's workflow records its opening, closing and the decision
// window passing each at its time, promotes waitlisted applications when
// budget is released, and ends once nothing is outstanding. Promotion's
// activity (an Update to another workflow) is stubbed here; the dev-server
// integration test runs it for real.
func TestRoundWorkflowFollowsTheTimeline(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	def := apptest.ExampleRound(t)
	now := time.Now().UTC().Truncate(time.Second)
	def.OpensAt, def.ClosesAt = now.Add(time.Hour), now.Add(25*time.Hour)
	r := env.Round(t, def)
	decisionDeadline := def.ClosesAt.Add(window).Add(336 * time.Hour)

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.SetTestTimeout(time.Minute)
	workflows.Register(wenv)
	(&activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}).Register(wenv)
	start := wenv.Now()
	wenv.OnActivity(workflows.ActivityPromoteWaitlisted, mock.Anything, mock.Anything).
		Return(workflows.PromoteResult{Promoted: true, ApplicationID: "app_x", AwardPence: 1}, nil).Once()
	wenv.OnActivity(workflows.ActivityPromoteWaitlisted, mock.Anything, mock.Anything).
		Return(workflows.PromoteResult{}, nil).Once()

	actions := func() []string {
		rows, err := env.Store.AuditListByChain(context.Background(), "round:"+r.ID)
		require.NoError(t, err)
		var out []string
		for _, e := range rows {
			out = append(out, e.Action)
		}
		return out
	}
	at := func(when time.Time, fn func()) { wenv.RegisterDelayedCallback(fn, when.Sub(start)) }
	at(def.OpensAt.Add(-time.Minute), func() { require.Equal(t, []string{"round.created"}, actions()) })
	at(def.OpensAt.Add(time.Minute), func() { require.Equal(t, []string{"round.created", "round.opened"}, actions()) })
	at(def.OpensAt.Add(2*time.Hour), func() { wenv.SignalWorkflow(workflows.SignalBudgetReleased, workflows.LapseResult{ReleasedPence: 1}) })
	at(def.ClosesAt.Add(time.Minute), func() {
		require.Equal(t, []string{"round.created", "round.opened", "round.closed"}, actions())
	})
	at(decisionDeadline.Add(-time.Minute), func() { require.Len(t, actions(), 3) })

	wenv.ExecuteWorkflow(workflows.RoundWorkflowName, workflows.RoundInput{RoundID: r.ID})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())
	var res workflows.RoundResult
	require.NoError(t, wenv.GetWorkflowResult(&res))
	require.Equal(t, 1, res.Promotions)
	require.Equal(t, []string{"round.created", "round.opened", "round.closed", "round.decision_window_passed"}, actions())
	require.False(t, wenv.Now().Before(decisionDeadline), "ends only after the decision window")
	wenv.AssertExpectations(t)
}

// While a case of the round is still being assessed the round goes on past
// its decision window (the chair may decide late, and a late offer may
// lapse and need a promotion); it ends once nothing is outstanding.
func TestRoundWorkflowOutlivesLateDecisions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t))
	appID := env.Submitted(t, r, "late@example.org", true)
	chair := env.User(t, "chair@example.org", app.RoleChair)
	acts := &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}
	_, err := acts.CheckEligibility(context.Background(), workflows.CheckEligibilityInput{ApplicationID: appID})
	require.NoError(t, err)

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.SetTestTimeout(time.Minute)
	workflows.Register(wenv)
	acts.Register(wenv)
	decisionDeadline := r.ClosesAt.Add(window).Add(336 * time.Hour)
	decidedAt := decisionDeadline.Add(30 * 24 * time.Hour)
	wenv.RegisterDelayedCallback(func() {
		_, err := acts.Decide(context.Background(), workflows.DecideInput{ApplicationID: appID, ActorID: chair.ID,
			Outcome: workflows.OutcomeReject, Reason: "Late", At: wenv.Now()})
		require.NoError(t, err)
	}, decidedAt.Sub(wenv.Now()))

	wenv.ExecuteWorkflow(workflows.RoundWorkflowName, workflows.RoundInput{RoundID: r.ID})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())
	require.True(t, wenv.Now().After(decidedAt), "ended only after the late decision (at %s)", wenv.Now())
}
