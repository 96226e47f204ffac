package api_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/payments"
)

// sentUpdate is one Update a use case sent.
type sentUpdate struct {
	WorkflowID string
	Name       string
	Arg        any
}

// recordingCases is app.Cases that records every Update and answers with
// reply (nil: success with no result). It stands in for the workflows,
// which these tests do not run; reply may change PostgreSQL as the
// workflow's activity would.
type recordingCases struct {
	mu    sync.Mutex
	sent  []sentUpdate
	reply func(u sentUpdate) (result any, err error)
}

func (r *recordingCases) Update(_ context.Context, workflowID, updateName string, arg any, result any) error {
	u := sentUpdate{WorkflowID: workflowID, Name: updateName, Arg: arg}
	r.mu.Lock()
	r.sent = append(r.sent, u)
	reply := r.reply
	r.mu.Unlock()
	if reply == nil {
		return nil
	}
	res, err := reply(u)
	if err != nil || res == nil || result == nil {
		return err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, result)
}

// answer sets the reply to every later Update.
func (r *recordingCases) answer(reply func(u sentUpdate) (any, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reply = reply
}

// take returns the Updates sent since the last take.
func (r *recordingCases) take() []sentUpdate {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

// recordUpdates makes the bundle's use cases send Updates to a recorder.
func (b *bundle) recordUpdates() *recordingCases {
	rc := &recordingCases{}
	b.env.App.UseCases(rc)
	return rc
}

// financeBundle is a bundle with a manual-provider round, a Stripe round
// (the bundle's own) and signed-in staff.
type financeBundle struct {
	*bundle
	manual       app.Round
	finance1     app.Actor
	finance2     app.Actor
	manager      app.Actor
	fin1Tok      string
	fin2Tok      string
	managerToken string
	stripe       payments.Stripe // for the activities of workflowsOn; nil: none
}

func setupFinance(t *testing.T) *financeBundle {
	t.Helper()
	b := setup(t)
	f := &financeBundle{bundle: b, manual: b.env.Round(t, apptest.ManualRound(t)), manager: b.env.Manager}
	f.finance1, f.fin1Tok = b.staff(t, "finance1@example.org", app.RoleFinance)
	f.finance2, f.fin2Tok = b.staff(t, "finance2@example.org", app.RoleFinance)
	f.managerToken = b.login(t, "manager@example.org")
	return f
}

// grantee is an active grant with its admin's token.
type grantee struct {
	apptest.Grant
	Token string
}

// activeGrant seeds an active grant on round r for a new organisation.
func (f *financeBundle) activeGrant(t *testing.T, r app.Round, email string, award int64) grantee {
	t.Helper()
	g := f.env.ActiveGrant(t, r, email, award)
	return grantee{Grant: g, Token: f.login(t, email)}
}

// outboxSignals returns the grant signals queued in the outbox, oldest
// first, as decoded JSON.
func (f *financeBundle) outboxSignals(t *testing.T) []map[string]any {
	t.Helper()
	rows, err := f.env.Store.Pool.Query(context.Background(), `SELECT payload FROM outbox WHERE kind = 'signal:grant' ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var raw []byte
		require.NoError(t, rows.Scan(&raw))
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	return out
}

// count returns the result of a count(*) query.
func (f *financeBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.env.Store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func (f *financeBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := f.env.Store.Pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// financeSnapshot is every row a refused disbursement or reporting
// request could touch.
func (f *financeBundle) financeSnapshot(t *testing.T) map[string]string {
	t.Helper()
	return f.env.Snapshot(t, "grants", "payments", "payment_approvals", "payment_runs", "reports", "documents",
		"bank_accounts", "webhook_events", "organisations", "variations", "outbox", "audit_events")
}

// expectRefusals checks each request is refused with its status, code
// and (if given) field, changes nothing and sends no Update.
func (f *financeBundle) expectRefusals(t *testing.T, rc *recordingCases, cases []rejection) {
	t.Helper()
	f.expectRefused(t, func(t *testing.T) any { return f.financeSnapshot(t) }, rc, cases)
}
