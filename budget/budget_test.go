package budget_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// applications makes n draft applications to roundID, one per organisation.
func applications(t *testing.T, env *apptest.Env, roundID string, n int) []string {
	t.Helper()
	ctx := context.Background()
	who := env.User(t, "many@example.org")
	ids := make([]string, n)
	for i := range n {
		org := env.Organisation(t, who, fmt.Sprintf("Group %d", i))
		a, err := env.Store.ApplicationCreate(ctx, sqlc.ApplicationCreateParams{ID: id.New(id.Application), RoundID: roundID,
			OrganisationID: org.ID, CreatedBy: who.ID})
		require.NoError(t, err)
		ids[i] = a.ID
	}
	return ids
}

// Sixty concurrent commitments at a nearly spent round: exactly as many
// succeed as fit, and the round never goes over its budget.
func TestConcurrentCommitmentsNeverExceedTheBudget(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t)) // budget 50,000,000 pence
	ctx := context.Background()
	apps := applications(t, env, r.ID, 61)
	require.NoError(t, env.Store.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := budget.Commit(ctx, q, r.ID, apps[0], 49_000_000) // 1,000,000 left
		return err
	}))

	const award = 300_000 // three fit; a fourth would go over by 200,000
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		succeeded int
		over      int
	)
	for _, appID := range apps[1:] {
		wg.Go(func() {
			err := env.Store.InTx(ctx, func(q *sqlc.Queries) error {
				_, err := budget.Commit(ctx, q, r.ID, appID, award)
				// Hold the transaction open a moment, as an activity that
				// also writes the grant would: without the round lock,
				// concurrent commitments would all see the same total.
				time.Sleep(10 * time.Millisecond)
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			var obe *budget.OverBudgetError
			switch {
			case err == nil:
				succeeded++
			case errors.As(err, &obe):
				over++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	require.Equal(t, 3, succeeded)
	require.Equal(t, 57, over)
	var left int64
	require.NoError(t, env.Store.InTx(ctx, func(q *sqlc.Queries) error {
		var err error
		left, err = budget.Left(ctx, q, r.ID)
		return err
	}))
	require.Equal(t, int64(100_000), left)
}

func TestCommitIsIdempotentAndReleaseFrees(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t))
	ctx := context.Background()
	apps := applications(t, env, r.ID, 2)
	commit := func(appID string, pence int64) error {
		return env.Store.InTx(ctx, func(q *sqlc.Queries) error {
			_, err := budget.Commit(ctx, q, r.ID, appID, pence)
			return err
		})
	}
	require.NoError(t, commit(apps[0], 50_000_000))
	require.NoError(t, commit(apps[0], 50_000_000), "a retried commit of the same award")
	require.ErrorIs(t, commit(apps[0], 40_000_000), budget.ErrAlreadyCommitted)
	var obe *budget.OverBudgetError
	require.ErrorAs(t, commit(apps[1], 1), &obe)
	require.Equal(t, int64(0), obe.LeftPence)

	var released int64
	require.NoError(t, env.Store.InTx(ctx, func(q *sqlc.Queries) error {
		var err error
		released, err = budget.Release(ctx, q, apps[0])
		return err
	}))
	require.Equal(t, int64(50_000_000), released)
	require.NoError(t, commit(apps[1], 500_000), "released budget can be committed again")
	require.Error(t, commit(apps[1], 0))
}
