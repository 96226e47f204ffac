package activities_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// BenchmarkDecideApprove measures the approval transaction: lock the
// application and the round, check the budget left, commit, create the
// grant with its tranches and reports, record the decision, release
// unscored assessments, audit and notify.
func BenchmarkDecideApprove(b *testing.B) {
	env := apptest.New(b)
	r := env.Round(b, apptest.ExampleRound(b))
	applicant := env.User(b, "bench@example.org")
	chair := env.User(b, "chair@example.org", app.RoleChair)
	acts := &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	now := time.Now()
	ids := make([]string, b.N)
	for i := range b.N {
		ids[i] = env.SubmitAs(b, r, applicant, apptest.Lead{Name: fmt.Sprintf("Bench Org %d", i), RequestedPence: 100000})
		_, err := acts.CheckEligibility(ctx, workflows.CheckEligibilityInput{ApplicationID: ids[i]})
		require.NoError(b, err)
	}
	b.ResetTimer()
	for i := range b.N {
		_, err := acts.Decide(ctx, workflows.DecideInput{ApplicationID: ids[i], ActorID: chair.ID, Outcome: workflows.OutcomeApprove,
			AwardPence: 100000, At: now, OfferExpiresAt: now.Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
	}
}
