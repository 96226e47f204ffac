package dispatch_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	wf "go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/casework/casetest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Submissions reach the real Temporal dev server through the outbox and
// the worker moves them on: the whole first loop with real parts.
func TestSubmissionsStartTheirWorkflows(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t))
	eligible := env.Submitted(t, r, "yes@example.org", true)
	ineligible := env.Submitted(t, r, "no@example.org", false)

	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: env.Store, Log: log, Temporal: tc}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	ctx := context.Background()
	require.Equal(t, 3, starts(t, env), "two cases and the round")
	queued, last := queuedRows(t, env)
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	// The starts and the e-mails queued beside them, and perhaps e-mails
	// the running cases queued meanwhile.
	require.GreaterOrEqual(t, n, queued)
	requireDispatched(t, env, last)

	// The ineligible case ends; the eligible one goes on to assessment.
	var res workflows.ApplicationResult
	require.NoError(t, tc.GetWorkflow(ctx, workflows.ApplicationWorkflowID(ineligible), "").Get(ctx, &res))
	require.Equal(t, "ineligible", res.Status)
	for id, want := range map[string]string{eligible: "in_assessment", ineligible: "ineligible"} {
		require.Eventually(t, func() bool {
			row, err := env.Store.ApplicationGet(ctx, id)
			require.NoError(t, err)
			return row.Status == want
		}, 10*time.Second, 50*time.Millisecond, want)
	}
	runs := map[string]string{}
	for _, id := range []string{workflows.ApplicationWorkflowID(eligible), workflows.RoundWorkflowID(r.ID)} {
		desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		runs[id] = desc.WorkflowExecutionInfo.Execution.RunId
	}

	// A second start of the same cases (a dispatcher that crashed after
	// starting but before marking the rows) is harmless.
	_, err = env.Store.Pool.Exec(ctx, `UPDATE outbox SET dispatched_at = NULL`)
	require.NoError(t, err)
	queued, last = queuedRows(t, env)
	n, err = d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, queued)
	requireDispatched(t, env, last)
	for id, run := range runs {
		desc, err := tc.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		require.Equal(t, run, desc.WorkflowExecutionInfo.Execution.RunId, "the first run of %s stands; none was added", id)
	}
}

// With Temporal unreachable nothing is lost: the row stays queued with its
// error and a later attempt, and goes out once Temporal answers.
func TestTemporalDownKeepsSubmissionsQueued(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	r := env.Round(t, apptest.ExampleRound(t))
	env.Submitted(t, r, "queued@example.org", true)

	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	require.NoError(t, err)
	t.Cleanup(down.Close)
	log := slog.New(slog.DiscardHandler)
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: down, Log: log, TaskQueue: wftest.TaskQueue(t)}
	ctx := context.Background()
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	var attempts int
	var lastError *string
	require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT attempts, last_error FROM outbox ORDER BY id LIMIT 1`).Scan(&attempts, &lastError))
	require.Equal(t, 1, attempts)
	require.NotNil(t, lastError)

	// Temporal is back; the row's back-off has passed.
	_, err = env.Store.Pool.Exec(ctx, `UPDATE outbox SET available_at = now()`)
	require.NoError(t, err)
	up := &dispatch.Dispatcher{Store: env.Store, Temporal: wftest.Client(t), Log: log, TaskQueue: d.TaskQueue}
	require.Equal(t, 2, starts(t, env), "the case and the round")
	queued, last := queuedRows(t, env)
	deadline := time.Now().Add(10 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		n, err = up.DispatchOnce(ctx)
		require.NoError(t, err)
	}
	require.GreaterOrEqual(t, n, queued, "the starts and the e-mails queued beside them")
	requireDispatched(t, env, last)
}

// queuedRows counts the outbox rows not yet dispatched, and returns the
// last row's id.
func queuedRows(t *testing.T, env *apptest.Env) (n int, last int64) {
	t.Helper()
	require.NoError(t, env.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE dispatched_at IS NULL), coalesce(max(id), 0)
		FROM outbox`).Scan(&n, &last))
	return n, last
}

// requireDispatched fails unless every outbox row up to last is dispatched.
func requireDispatched(t *testing.T, env *apptest.Env, last int64) {
	t.Helper()
	var pending int
	require.NoError(t, env.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM outbox WHERE dispatched_at IS NULL AND id <= $1`, last).Scan(&pending))
	require.Zero(t, pending)
}

// starts counts the queued outbox rows that start a workflow of a case or
// a round (not an e-mail's delivery).
func starts(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	require.NoError(t, env.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM outbox
		WHERE dispatched_at IS NULL AND kind <> 'deliver:email'`).Scan(&n))
	return n
}

// grantProbe stands in for GrantWorkflow: it returns the first grant event
// it is signalled.
func grantProbe(ctx wf.Context) (workflows.GrantEvent, error) {
	var ev workflows.GrantEvent
	wf.GetSignalChannel(ctx, workflows.SignalGrantEvent).Receive(ctx, &ev)
	return ev, nil
}

// Grant signals queued in the outbox reach the grant's workflow; one for
// a grant whose workflow is not running is dropped (logged), not retried
// for ever.
func TestGrantSignals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	w := worker.New(tc, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(grantProbe, wf.RegisterOptions{Name: "GrantProbe"})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	ctx := context.Background()
	running, ended := id.New(id.Grant), id.New(id.Grant)
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(running), TaskQueue: queue}, "GrantProbe")
	require.NoError(t, err)

	event := workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: "pay_1", Reason: "Stripe reversed transfer tr_1", EventID: "evt_1"}
	for _, gid := range []string{running, ended} {
		payload, err := json.Marshal(workflows.GrantSignal{GrantID: gid, Event: event})
		require.NoError(t, err)
		_, err = env.Store.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxSignalGrant, Payload: payload})
		require.NoError(t, err)
	}
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: slog.New(slog.DiscardHandler), TaskQueue: queue}
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	pending, err := env.Store.OutboxPendingCount(ctx)
	require.NoError(t, err)
	require.Zero(t, pending, "the signal to a workflow that is not running counts as done")

	var got workflows.GrantEvent
	require.NoError(t, run.Get(ctx, &got))
	require.Equal(t, event, got)
}

// A grant signal that cannot be sent (Temporal away) waits with its error
// and back-off, like a start.
func TestGrantSignalRetriedWhileTemporalIsDown(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	payload, err := json.Marshal(workflows.GrantSignal{GrantID: id.New(id.Grant), Event: workflows.GrantEvent{Kind: workflows.GrantEventPayoutReady}})
	require.NoError(t, err)
	_, err = env.Store.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxSignalGrant, Payload: payload})
	require.NoError(t, err)
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	require.NoError(t, err)
	t.Cleanup(down.Close)
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: down, Log: slog.New(slog.DiscardHandler)}
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	var attempts int
	var lastError *string
	var later bool
	require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT attempts, last_error, available_at > now() FROM outbox WHERE kind = 'signal:grant'`).
		Scan(&attempts, &lastError, &later))
	require.Equal(t, 1, attempts)
	require.NotNil(t, lastError)
	require.True(t, later, "backed off")
}

// caseUpdate sends an Update to a case's workflow and waits for it.
func caseUpdate(t *testing.T, tc client.Client, caseID, name string, arg any) error {
	t.Helper()
	h, err := tc.UpdateWorkflow(t.Context(), client.UpdateWorkflowOptions{WorkflowID: workflows.CaseWorkflowID(caseID),
		UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	var res workflows.CaseUpdateResult
	return h.Get(t.Context(), &res)
}

// An accepted request's case starts its workflow through the outbox; the
// workflow takes the clock's steps already due (first contact missed, a
// review), is worked by Updates and ends when closed. Starting it again
// (a dispatcher that crashed before marking the row) starts nothing.
// GRANTS_RECORD_HISTORY=1 records its history for the replay tests.
func TestCaseStartsItsWorkflow(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@group.example.org")
	caseworker := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	orgID := env.Organisation(t, admin, "Old Library Friends").ID
	now := time.Now()
	today := workday.DateOf(now)
	promised, review := today.AddDays(-2), today.AddDays(-1)
	caseID := casetest.Open(t, env.Store, casetest.Case{OrganisationID: orgID, RequestedBy: admin.ID, CaseworkerID: caseworker.ID,
		OpenedAt: now.Add(-10 * 24 * time.Hour), FirstContactDueOn: &promised, ReviewDueOn: &review})
	payload, err := json.Marshal(workflows.CaseInput{CaseID: caseID})
	require.NoError(t, err)
	_, err = env.Store.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxStartCase, Payload: payload})
	require.NoError(t, err)

	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: env.Store, Log: log}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)

	audit := func() []string {
		evs, err := env.Store.AuditListByChain(ctx, workflows.CaseChain(caseID))
		require.NoError(t, err)
		out := []string{}
		for _, e := range evs {
			out = append(out, e.Action)
		}
		return out
	}
	require.Eventually(t, func() bool { return len(audit()) == 2 }, 10*time.Second, 50*time.Millisecond, "the steps already due")
	require.Equal(t, []string{"case.first_contact_escalated", "case.review_due"}, audit())

	cw := workflows.Caller{ID: caseworker.ID, Roles: caseworker.Roles}
	for _, u := range []struct {
		name string
		arg  any
	}{
		{workflows.UpdateCaseAddContact, workflows.CaseContactUpdate{Caller: cw, ContactID: id.New("con"), ContactAt: time.Now(), Kind: "meeting",
			Minutes: 60, Summary: "Met the committee"}},
		{workflows.UpdateCaseAddAction, workflows.CaseActionUpdate{Caller: cw, ActionID: id.New("act"), Title: "Ask for the lease",
			DueOn: today.AddDays(10).String()}},
		{workflows.UpdateCaseAddKeyDate, workflows.CaseKeyDateUpdate{Caller: cw, KeyDateID: id.New("kdt"), Kind: "lease_end",
			On: today.AddDays(30).String(), Description: "The lease ends"}},
		{workflows.UpdateCaseAddNote, workflows.CaseNoteUpdate{Caller: workflows.Caller{ID: admin.ID}, NoteID: id.New("nte"), Body: "Thank you"}},
		{workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: cw, Outcome: "secured", Summary: "The council agreed a community lease."}},
	} {
		require.NoError(t, caseUpdate(t, tc, caseID, u.name, u.arg), u.name)
	}
	var res workflows.CaseResult
	require.NoError(t, tc.GetWorkflow(ctx, workflows.CaseWorkflowID(caseID), "").Get(ctx, &res))
	require.Equal(t, workflows.CaseResult{Status: casework.CaseClosed, Outcome: "secured"}, res)
	// The case's workflow has ended: a second close cannot reach it.
	require.Error(t, caseUpdate(t, tc, caseID, workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: cw, Outcome: "lost", Summary: "x"}))
	require.Equal(t, []string{"case.first_contact_escalated", "case.review_due", "case.contact_logged", "case.action_added",
		"case.key_date_added", "case.note_added", "case.closed"}, audit())

	desc, err := tc.DescribeWorkflowExecution(ctx, workflows.CaseWorkflowID(caseID), "")
	require.NoError(t, err)
	_, err = env.Store.Pool.Exec(ctx, `UPDATE outbox SET dispatched_at = NULL WHERE kind = $1`, workflows.OutboxStartCase)
	require.NoError(t, err)
	n, err = d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	again, err := tc.DescribeWorkflowExecution(ctx, workflows.CaseWorkflowID(caseID), "")
	require.NoError(t, err)
	require.Equal(t, desc.WorkflowExecutionInfo.Execution.RunId, again.WorkflowExecutionInfo.Execution.RunId, "a closed case is not started again")

	if wftest.Recording() {
		wftest.RecordHistory(t, tc, workflows.CaseWorkflowID(caseID), filepath.Join("..", "workflows", "testdata", "case_closed.json"), true)
	}
}
