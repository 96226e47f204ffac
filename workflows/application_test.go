package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The workflow runs in the SDK's test environment (time skipping) against
// the real activities on a real database.
func TestApplicationWorkflowChecksEligibility(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		londonWork bool
		status     string
		reasons    []string
	}{
		{"eligible", true, "in_assessment", []string{}},
		{"ineligible", false, "ineligible", []string{"The work must be mainly in London"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := apptest.New(t)
			r := env.Round(t, apptest.ExampleRound(t))
			appID := env.Submitted(t, r, "applicant@example.org", tc.londonWork)
			applicant, err := env.Store.UserGetByEmail(context.Background(), "applicant@example.org")
			require.NoError(t, err)

			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
			wenv := suite.NewTestWorkflowEnvironment()
			workflows.Register(wenv)
			(&activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}).Register(wenv)
			ctx := context.Background()
			check := func() {
				row, err := env.Store.ApplicationGet(ctx, appID)
				require.NoError(t, err)
				require.Equal(t, tc.status, row.Status)
				require.JSONEq(t, `{"eligible":`+map[bool]string{true: "true", false: "false"}[tc.londonWork]+
					`,"reasons":`+jsonList(tc.reasons)+`,"unknown":[]}`, string(row.Eligibility))
				events, err := env.Store.AuditListByChain(ctx, "application:"+appID)
				require.NoError(t, err)
				require.GreaterOrEqual(t, len(events), 4)
				require.Equal(t, "application.eligibility_checked", events[3].Action, "created, saved, submitted, eligibility checked")
			}
			// An eligible case waits for assessment: look, then withdraw it to end the run.
			wenv.RegisterDelayedCallback(func() {
				check()
				wenv.UpdateWorkflowNoRejection(workflows.UpdateWithdraw, "w", t, workflows.WithdrawUpdate{Caller: workflows.Caller{ID: applicant.ID}})
			}, time.Minute)
			wenv.ExecuteWorkflow(workflows.ApplicationWorkflowName, workflows.ApplicationInput{ApplicationID: appID})
			require.True(t, wenv.IsWorkflowCompleted())
			require.NoError(t, wenv.GetWorkflowError())
			var res workflows.ApplicationResult
			require.NoError(t, wenv.GetWorkflowResult(&res))
			if tc.londonWork {
				require.Equal(t, workflows.StatusWithdrawn, res.Status)
			} else {
				require.Equal(t, tc.status, res.Status)
				check()
			}
			_, err = audit.Verify(ctx, env.Store.Queries, "application:"+appID)
			require.NoError(t, err)
		})
	}
}

func jsonList(ss []string) string {
	out := "["
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += `"` + s + `"`
	}
	return out + "]"
}

// Run again after it applied (a retried activity whose first completion
// was lost), the eligibility step reports the same result and writes
// nothing more.
func TestCheckEligibilityIsIdempotent(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t))
	appID := env.Submitted(t, r, "twice@example.org", true)
	acts := &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	first, err := acts.CheckEligibility(ctx, workflows.CheckEligibilityInput{ApplicationID: appID})
	require.NoError(t, err)
	events, err := env.Store.AuditListByChain(ctx, "application:"+appID)
	require.NoError(t, err)
	second, err := acts.CheckEligibility(ctx, workflows.CheckEligibilityInput{ApplicationID: appID})
	require.NoError(t, err)
	require.Equal(t, first, second)
	again, err := env.Store.AuditListByChain(ctx, "application:"+appID)
	require.NoError(t, err)
	require.Len(t, again, len(events))

	_, err = acts.CheckEligibility(ctx, workflows.CheckEligibilityInput{ApplicationID: "app_missing"})
	require.Error(t, err, "a missing application is a permanent failure")
}
