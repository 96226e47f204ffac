package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/payments/bank"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// workflowsOn runs the workflows and activities (Stripe: f.stripe, if any) on a task
// queue of the test's own against the real Temporal dev server and sends
// the bundle's Updates there; dispatchOnce drains the outbox.
func (f *financeBundle) workflowsOn(t *testing.T) (tc client.Client, queue string, dispatchOnce func()) {
	t.Helper()
	tc = wftest.Client(t)
	queue = wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: f.env.Store, Log: log, Temporal: tc, Stripe: f.stripe}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	f.env.App.UseCases(app.TemporalCases(tc, 20*time.Second))
	d := &dispatch.Dispatcher{Store: f.env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	return tc, queue, func() {
		_, err := d.DispatchOnce(context.Background())
		require.NoError(t, err)
	}
}

// A manual-provider tranche through the real workflows: bank details make
// the payee ready (outbox signal), the first tranche falls due, two
// finance users approve it (the same one twice is refused by the
// validator), a payment run gathers it, its file names the real account,
// and marking the run paid pays it through the payment's workflow.
func TestManualTrancheThroughTheWorkflows(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	tc, queue, dispatchOnce := f.workflowsOn(t)
	ctx := context.Background()
	g := f.activeGrant(t, f.manual, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	logTaskFailures(t, tc, workflows.GrantWorkflowID(g.ID))
	logTaskFailures(t, tc, workflows.PaymentWorkflowID(pay))
	_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(g.ID), TaskQueue: queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: g.ID, ApplicationID: g.AppID})
	require.NoError(t, err)

	payment := func() map[string]any { return f.do(t, "GET", "/payments/"+pay, f.fin1Tok, nil).json(t) }
	// Not payout-ready yet: once the grant has read itself, the tranche
	// still waits.
	awaitSettled(t, tc, workflows.GrantWorkflowID(g.ID))
	require.Equal(t, "scheduled", payment()["status"])
	approve := "/payments/" + pay + "/approve"
	res := f.do(t, "POST", approve, f.fin1Tok, nil)
	require.Equal(t, http.StatusConflict, res.Status, "no payment workflow yet: %s", res.Body)

	res = f.do(t, "PUT", "/organisations/"+g.OrgID+"/bank-account", g.Token,
		map[string]any{"sort_code": "20-00-00", "account_number": "55779911", "account_name": "Bermondsey Kitchen"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	dispatchOnce()
	require.Eventually(t, func() bool { return payment()["status"] == workflows.PaymentAwaitingApproval }, 20*time.Second, 100*time.Millisecond)

	// The payment's workflow may still be starting: not_ready, retried
	// as a client would.
	require.Eventually(t, func() bool {
		res = f.do(t, "POST", approve, f.fin1Tok, map[string]any{"note": "Matches the agreement"})
		if res.Status == http.StatusConflict {
			code, _ := res.errorCode(t)
			require.Equal(t, "not_ready", code, string(res.Body))
			require.Equal(t, "1", res.Header.Get("Retry-After"))
			return false
		}
		return true
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Len(t, res.json(t)["approvals"], 1)
	payee := res.json(t)["payee"].(map[string]any)
	require.Equal(t, g.OrgID, payee["organisation_id"])
	require.Equal(t, "****9911", payee["account_number"], "the approver sees where the money goes")

	// An approval approves a payment to these details: while it stands,
	// the payee cannot change them (nor its legal form), and nothing
	// changes.
	bankPath := "/organisations/" + g.OrgID + "/bank-account"
	other := map[string]any{"sort_code": "40-11-22", "account_number": "99990000", "account_name": "Someone Else"}
	before := f.financeSnapshot(t)
	res = f.do(t, "PUT", bankPath, g.Token, other)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	require.Contains(t, string(res.Body), "tranche 1")
	res = f.do(t, "PATCH", "/organisations/"+g.OrgID, g.Token, map[string]any{"legal_form": "cio"})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	require.Equal(t, before, f.financeSnapshot(t))
	require.Equal(t, "****9911", f.do(t, "GET", bankPath, g.Token, nil).json(t)["account_number"])

	res = f.do(t, "POST", approve, f.fin1Tok, nil)
	require.Equal(t, http.StatusConflict, res.Status, "the same person twice: %s", res.Body)
	res = f.do(t, "POST", approve, f.managerToken, nil)
	require.Equal(t, http.StatusForbidden, res.Status, string(res.Body))
	res = f.do(t, "POST", approve, f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, workflows.PaymentApproved, res.json(t)["status"])

	res = f.do(t, "POST", "/payment-runs", f.fin1Tok, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	runID := res.json(t)["id"].(string)
	res = f.do(t, "PUT", bankPath, g.Token, other)
	require.Equal(t, http.StatusConflict, res.Status, "in a payment run: %s", res.Body)

	// Details changed behind the application's back (as the database's
	// owner could): the file refuses to pay what no approver saw, and
	// decrypts nothing.
	downloads := func() int {
		return f.count(t, `SELECT count(*) FROM audit_events WHERE chain = $1 AND action = 'payment_run.file_downloaded'`, "payment_run:"+runID)
	}
	stored, err := f.env.Store.BankAccountGet(ctx, g.OrgID)
	require.NoError(t, err)
	cipher, err := bank.NewCipher(apptest.EncryptionKey)
	require.NoError(t, err)
	forged, fields := bank.Parse("401122", "99990000", "Someone Else")
	require.Empty(t, fields)
	sealed, err := cipher.Seal(forged, g.OrgID)
	require.NoError(t, err)
	f.exec(t, `UPDATE bank_accounts SET details_enc = $2 WHERE organisation_id = $1`, g.OrgID, sealed)
	res = f.do(t, "GET", "/payment-runs/"+runID+"/file.csv", f.fin2Tok, nil)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	require.Contains(t, string(res.Body), "changed after this payment was approved")
	require.NotContains(t, string(res.Body), "99990000")
	require.Zero(t, downloads())
	f.exec(t, `UPDATE bank_accounts SET details_enc = $2 WHERE organisation_id = $1`, g.OrgID, stored.DetailsEnc)

	res = f.do(t, "GET", "/payment-runs/"+runID+"/file.csv", f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Contains(t, string(res.Body), "55779911")
	require.Contains(t, string(res.Body), "1250.00")
	require.Equal(t, 1, downloads(), "decrypting bank details is audited")

	res = f.do(t, "POST", "/payment-runs/"+runID+"/mark-paid", f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	run := res.json(t)
	require.Equal(t, "paid", run["status"])
	p := run["payments"].([]any)[0].(map[string]any)
	require.Equal(t, workflows.PaymentPaid, p["status"])
	require.Equal(t, runID, p["provider_reference"])
	require.EqualValues(t, 125_000, f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)["paid_pence"])

	// A settled payment is refused before Temporal is asked.
	res = f.do(t, "POST", "/payments/"+pay+"/cancel", f.fin1Tok, map[string]any{"reason": "Too late"})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	require.True(t, strings.Contains(string(res.Body), "invalid_state"), string(res.Body))
}

// Reports and variations through the real grant workflow: a submission,
// changes requested, a resubmission, acceptance; a variation recorded and
// one naming a report the grant does not have refused by the validator.
func TestReportsAndVariationsThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	tc, queue, _ := f.workflowsOn(t)
	ctx := context.Background()
	g := f.activeGrant(t, f.manual, "grantee@example.org", 250_000)
	logTaskFailures(t, tc, workflows.GrantWorkflowID(g.ID))
	_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(g.ID), TaskQueue: queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: g.ID, ApplicationID: g.AppID})
	require.NoError(t, err)
	interim := g.Reports[0]

	// retrying sends a command again while the workflow is still starting.
	retrying := func(method, path, token string, body any) response {
		var res response
		require.Eventually(t, func() bool {
			res = f.do(t, method, path, token, body)
			if res.Status != http.StatusConflict {
				return true
			}
			code, _ := res.errorCode(t)
			return code != "not_ready"
		}, 20*time.Second, 100*time.Millisecond)
		return res
	}
	submit := map[string]any{"answers": map[string]any{"progress": "Six clubs so far."}, "spend_pence": 30_000}
	res := retrying("POST", "/reports/"+interim+"/submit", g.Token, submit)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, workflows.ReportSubmitted, res.json(t)["status"])
	require.EqualValues(t, 30_000, res.json(t)["spend_pence"])

	res = f.do(t, "POST", "/reports/"+interim+"/review", f.managerToken, map[string]any{"outcome": "request_changes", "comment": "Add the attendance figures"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, workflows.ReportChangesRequested, res.json(t)["status"])
	require.Equal(t, "Add the attendance figures", res.json(t)["review_comment"])

	submit["answers"] = map[string]any{"progress": "Six clubs so far, 84 attendances."}
	res = f.do(t, "POST", "/reports/"+interim+"/submit", g.Token, submit)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = f.do(t, "POST", "/reports/"+interim+"/review", f.managerToken, map[string]any{"outcome": "accept"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, workflows.ReportAccepted, res.json(t)["status"])

	path := "/grants/" + g.ID + "/variations"
	res = f.do(t, "POST", path, f.managerToken, map[string]any{"reason": "Move the second tranche",
		"schedule": []any{map[string]any{"percent": 100, "condition": "after_report:midterm"}}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields := res.errorCode(t)
	require.Contains(t, fields, "schedule[0].condition")
	res = f.do(t, "POST", path, f.managerToken, map[string]any{"award_pence": 300_000, "reason": "Extra sessions agreed"})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	v := res.json(t)
	require.EqualValues(t, 250_000, v["old_award_pence"])
	require.EqualValues(t, 300_000, v["new_award_pence"])
	require.Equal(t, []any{v}, f.do(t, "GET", path, g.Token, nil).json(t)["items"])
	require.EqualValues(t, 300_000, f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)["award_pence"])
}
