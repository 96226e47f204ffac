package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
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
