package dispatch_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// An organisation created with a key configured has its check queued;
// the dispatcher starts RegisterCheckWorkflow on the real Temporal,
// whose activity asks the register (with the key) and records the
// result, which the organisation then shows.
func TestCreationCheckRunsThroughTheOutbox(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	ch := registerstest.NewCompaniesHouse()
	t.Cleanup(ch.Close)
	ch.Set("07654321", registerstest.Answer{JSON: registerstest.Company("07654321", "ROOTS CIC", "active", true)})
	checker := &registers.Checker{CharityCommission: &registers.CharityCommission{},
		CompaniesHouse: &registers.CompaniesHouse{BaseURL: ch.URL, Key: "ch-key"}, Cache: orgcheck.Cache{Q: env.Store.Queries}}
	env.App.UseRegisters(checker)
	admin := env.User(t, "admin@example.org")
	income := int64(1_000_000)
	org, err := env.App.CreateOrganisation(ctx, admin, organisation.Input{Name: "Roots CIC", LegalForm: organisation.LegalFormCIC,
		CompanyNumber: "07654321", Borough: "Lambeth", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE11 5AA"}})
	require.NoError(t, err)
	require.Equal(t, registers.StatusNotRun, org.Checks[0].Status)
	require.Empty(t, ch.Requests(), "creation never waits on the register")

	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: env.Store, Log: log, Registers: checker}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	require.Eventually(t, func() bool {
		got, err := env.App.GetOrganisation(ctx, admin, org.ID)
		require.NoError(t, err)
		return got.Checks[0].Status == registers.StatusPassed
	}, 20*time.Second, 50*time.Millisecond)
	got, err := env.App.GetOrganisation(ctx, admin, org.ID)
	require.NoError(t, err)
	require.Equal(t, "ROOTS CIC", got.Checks[0].Details.RegisteredName)
	require.True(t, got.Checks[0].Details.Overdue())
	require.Len(t, ch.Requests(), 1)
	require.Equal(t, "ch-key", ch.Requests()[0].BasicUser)
}
