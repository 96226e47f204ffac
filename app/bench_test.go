package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// BenchmarkSaveDraft measures one optimistic-concurrency save of a draft:
// lock, validate against the round's form, write, audit.
func BenchmarkSaveDraft(b *testing.B) {
	env := apptest.New(b)
	r := env.Round(b, apptest.ExampleRound(b))
	who := env.User(b, "bench@example.org")
	org := env.Organisation(b, who, "Bench Org")
	ctx := context.Background()
	a, err := env.App.CreateApplication(ctx, who, r.ID, org.ID)
	require.NoError(b, err)
	version := a.Version
	b.ResetTimer()
	for i := range b.N {
		patch := apptest.CompleteAnswers(version)
		patch["answers"].(map[string]any)["summary"] = fmt.Sprintf("Revision %d of our plan for weekly cooking clubs.", i)
		got, err := env.App.SaveApplication(ctx, who, a.ID, apptest.Body(b, patch))
		if err != nil {
			b.Fatal(err)
		}
		version = got.Version
	}
}

// BenchmarkSubmit measures the submission transaction: validate the whole
// application, mark it submitted, write the outbox row and the audit event.
func BenchmarkSubmit(b *testing.B) {
	env := apptest.New(b)
	r := env.Round(b, apptest.ExampleRound(b))
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		who := env.User(b, fmt.Sprintf("bench%d@example.org", i))
		org := env.Organisation(b, who, fmt.Sprintf("Bench Org %d", i))
		ctx := context.Background()
		a, err := env.App.CreateApplication(ctx, who, r.ID, org.ID)
		require.NoError(b, err)
		_, err = env.App.SaveApplication(ctx, who, a.ID, apptest.Body(b, apptest.CompleteAnswers(a.Version)))
		require.NoError(b, err)
		b.StartTimer()
		if _, err := env.App.SubmitApplication(ctx, who, a.ID, func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRanking measures the chair's ranking of a round of 100 assessed
// applications with two scored assessments each: two queries, totals,
// spread and the running budget.
func BenchmarkRanking(b *testing.B) {
	env := apptest.New(b)
	r := env.Round(b, apptest.ExampleRound(b))
	for i := range 4 {
		env.User(b, fmt.Sprintf("assessor%d@example.org", i), app.RoleAssessor)
	}
	chair := env.User(b, "chair@example.org", app.RoleChair)
	applicant := env.User(b, "bench@example.org")
	acts := &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	now := time.Now()
	for i := range 100 {
		appID := env.SubmitAs(b, r, applicant, apptest.Lead{Name: fmt.Sprintf("Bench Org %d", i), CharityNumber: fmt.Sprintf("%07d", 1100000+i)})
		_, err := acts.CheckEligibility(ctx, workflows.CheckEligibilityInput{ApplicationID: appID})
		require.NoError(b, err)
		res, err := acts.AssignAssessors(ctx, workflows.AssignInput{ApplicationID: appID, At: now})
		require.NoError(b, err)
		for j, asm := range res.Assignments {
			scores := map[string]workflows.CriterionScore{}
			for _, k := range []string{"need", "led_by", "delivery"} {
				scores[k] = workflows.CriterionScore{Score: (i + j) % 6, Justification: "Evidence"}
			}
			_, err := acts.RecordScores(ctx, workflows.ScoreInput{ApplicationID: appID, AssessmentID: asm.ID, AssessorID: asm.AssessorID, Scores: scores, At: now})
			require.NoError(b, err)
		}
	}
	b.ResetTimer()
	for range b.N {
		rk, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Limit: "200"})
		if err != nil {
			b.Fatal(err)
		}
		if len(rk.Items) != 100 {
			b.Fatalf("%d items", len(rk.Items))
		}
	}
}
