package web_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// finBundle is a site with a manual-provider round and its staff: two
// finance users and the manager.
type finBundle struct {
	*site
	manual   app.Round
	finance1 app.Actor
	finance2 app.Actor
}

func finSetup(t *testing.T) *finBundle {
	t.Helper()
	s := newSite(t)
	return &finBundle{site: s, manual: s.env.Round(t, apptest.ManualRound(t)),
		finance1: s.env.User(t, "finance1@example.org", app.RoleFinance),
		finance2: s.env.User(t, "finance2@example.org", app.RoleFinance)}
}

// finWorkflows is site.withWorker that also hands back the Temporal
// client and task queue, so a test can start a grant's workflow (nothing
// in the outbox starts one: acceptance does, and the fixtures seed
// accepted grants).
func (b *finBundle) finWorkflows(t *testing.T) (tc client.Client, queue string, dispatchOnce func()) {
	t.Helper()
	tc = wftest.Client(t)
	queue = wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: b.env.Store, Log: log, Temporal: tc}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	b.env.App.UseCases(app.TemporalCases(tc, 20*time.Second))
	d := &dispatch.Dispatcher{Store: b.env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	return tc, queue, func() {
		_, err := d.DispatchOnce(context.Background())
		require.NoError(t, err)
	}
}

// startGrant starts the workflow of a seeded grant.
func finStartGrant(t *testing.T, tc client.Client, queue string, g apptest.Grant) {
	t.Helper()
	_, err := tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(g.ID), TaskQueue: queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: g.ID, ApplicationID: g.AppID})
	require.NoError(t, err)
}

// bankDetails saves the grantee's bank details as its admin.
func (b *finBundle) bankDetails(t *testing.T, g apptest.Grant) {
	t.Helper()
	_, err := b.env.App.SetBankAccount(context.Background(), g.Admin, g.OrgID,
		apptest.Body(t, map[string]any{"sort_code": "20-00-00", "account_number": "55779911", "account_name": "Bermondsey Kitchen"}))
	require.NoError(t, err)
}

func (b *finBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.env.Store.Pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// payment reads a payment through the use cases.
func (b *finBundle) payment(t *testing.T, id string) app.Payment {
	t.Helper()
	p, err := b.env.App.GetPayment(context.Background(), b.finance1, id)
	require.NoError(t, err)
	return p
}

// snapshot is every row a refused finance or review request could touch.
func (b *finBundle) snapshot(t *testing.T) map[string]string {
	t.Helper()
	return b.env.Snapshot(t, "grants", "payments", "payment_approvals", "payment_attempts", "payment_runs", "reports",
		"documents", "bank_accounts", "outbox", "audit_events")
}

// pdf is the smallest file the document store takes as a PDF.
func finPDF() (string, io.Reader, error) {
	return "evidence.pdf", strings.NewReader("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), nil
}
