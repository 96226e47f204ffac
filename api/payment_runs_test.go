package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workflows"
)

// Finance gathers approved manual payments into a run, downloads its BACS
// file (payees' real numbers, decrypted; the host for an unconstituted
// group) and marks it paid payment by payment through their workflows,
// finishing the rest after a partial failure.
func TestPaymentRuns(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	ctx := context.Background()
	a := f.activeGrant(t, f.manual, "host@example.org", 250_000)
	b := f.activeGrant(t, f.manual, "b@example.org", 300_000)
	income := int64(500_000)
	group, err := f.env.App.CreateOrganisation(ctx, b.Admin, organisation.Input{Name: "Peckham Seed Swap", LegalForm: organisation.LegalFormUnconstitutedGroup,
		Borough: "Southwark", AnnualIncomePence: &income, HostOrganisationID: a.OrgID,
		Address: organisation.Address{Line1: "2 Example Street", Town: "London", Postcode: "SE15 4QQ"}})
	require.NoError(t, err)
	hosted := f.env.ActiveGrantOf(t, f.manual, b.Admin, group.ID, 100_000)
	onStripe := f.activeGrant(t, f.round, "stripe@example.org", 200_000)
	require.Equal(t, false, f.do(t, "GET", "/grants/"+hosted.ID, b.Token, nil).json(t)["payout_ready"], "until the host consents")
	_, err = f.env.App.ConsentToHost(ctx, a.Admin, group.ID, func() error { return nil })
	require.NoError(t, err)
	// Bank details first: an approval approves a payment to them.
	for _, acct := range []struct {
		g      grantee
		number string
		sort   string
		name   string
	}{{a, "11112222", "112233", "Host Org"}, {b, "33334444", "445566", "B Org"}} {
		res := f.do(t, "PUT", "/organisations/"+acct.g.OrgID+"/bank-account", acct.g.Token,
			map[string]any{"sort_code": acct.sort, "account_number": acct.number, "account_name": acct.name})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	}
	for _, p := range []string{a.Payments[0], b.Payments[0], hosted.Payments[0]} {
		f.env.SetPayment(t, p, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
		f.env.Approve(t, p, f.finance1, "")
		f.env.Approve(t, p, f.finance2, "")
		f.env.SetPayment(t, p, workflows.PaymentApproved, workflows.ProviderManual)
	}
	f.env.SetPayment(t, onStripe.Payments[0], workflows.PaymentApproved, workflows.ProviderStripe)
	f.env.SetPayment(t, a.Payments[1], workflows.PaymentAwaitingApproval, workflows.ProviderManual)

	f.expectRefusals(t, rc, []rejection{
		{"create, manager", f.managerToken, "POST", "/payment-runs", nil, 403, "forbidden", ""},
		{"create, grantee", a.Token, "POST", "/payment-runs", nil, 403, "forbidden", ""},
		{"create, parameters", f.fin1Tok, "POST", "/payment-runs", map[string]any{"all": true}, 400, "malformed_request", ""},
		{"list, manager", f.managerToken, "GET", "/payment-runs", nil, 403, "forbidden", ""},
	})

	res := f.do(t, "POST", "/payment-runs", f.fin1Tok, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	run := res.json(t)
	runID := run["id"].(string)
	require.Equal(t, "open", run["status"])
	require.EqualValues(t, 3, run["count"])
	require.EqualValues(t, 125_000+150_000+50_000, run["total_pence"])
	require.Equal(t, f.finance1.ID, run["created_by"])
	var inRun []string
	for _, p := range run["payments"].([]any) {
		pm := p.(map[string]any)
		require.Equal(t, runID, pm["payment_run_id"])
		inRun = append(inRun, pm["id"].(string))
	}
	want := []string{a.Payments[0], b.Payments[0], hosted.Payments[0]}
	slices.Sort(want)
	require.Equal(t, want, inRun, "ordered by id")

	runPath := "/payment-runs/" + runID
	f.expectRefusals(t, rc, []rejection{
		{"nothing left to run", f.fin1Tok, "POST", "/payment-runs", nil, 409, "conflict", ""},
		{"file, manager", f.managerToken, "GET", runPath + "/file.csv", nil, 403, "forbidden", ""},
		{"file, junk id", f.fin1Tok, "GET", "/payment-runs/nope/file.csv", nil, 404, "not_found", ""},
		{"mark paid, manager", f.managerToken, "POST", runPath + "/mark-paid", nil, 403, "forbidden", ""},
		{"mark paid, parameters", f.fin1Tok, "POST", runPath + "/mark-paid", `{"x":1}`, 400, "malformed_request", ""},
		{"read, junk id", f.fin1Tok, "GET", "/payment-runs/run_nope", nil, 404, "not_found", ""},
	})

	res = f.do(t, "GET", runPath+"/file.csv", f.fin1Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv"), res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
	require.NotContains(t, string(res.Body), "****", "never the masks")
	records, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"sort_code", "account_number", "account_name", "amount", "reference"}, records[0])
	require.Len(t, records, 4)
	byNumber := map[string][]string{}
	refs := map[string]bool{}
	for _, r := range records[1:] {
		byNumber[r[1]] = append(byNumber[r[1]], r[3])
		require.LessOrEqual(t, len(r[4]), 18)
		require.NotEmpty(t, r[4])
		refs[r[4]] = true
		require.Equal(t, "", strings.Trim(r[0], "0123456789-"), "sort code %q", r[0])
	}
	require.Len(t, refs, 3, "a reference per payment")
	require.ElementsMatch(t, []string{"1250.00", "500.00"}, byNumber["11112222"], "the host is paid for the group it hosts")
	require.Equal(t, []string{"1500.00"}, byNumber["33334444"])

	// Mark paid: the second payment's workflow cannot be reached.
	cmd := workflows.PaymentCommand{Caller: workflows.Caller{ID: f.finance1.ID, Roles: f.finance1.Roles}, RunID: runID}
	failing := inRun[1]
	rc.answer(func(u sentUpdate) (any, error) {
		pid := strings.TrimPrefix(u.WorkflowID, "payment:")
		if pid == failing {
			return nil, errors.New("connection refused")
		}
		f.env.SetPayment(t, pid, workflows.PaymentPaid, workflows.ProviderManual) // as the activity would
		return workflows.PaymentState{Status: workflows.PaymentPaid}, nil
	})
	res = f.do(t, "POST", runPath+"/mark-paid", f.fin1Tok, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
	require.Equal(t, []sentUpdate{
		{WorkflowID: "payment:" + inRun[0], Name: workflows.UpdateMarkPaid, Arg: cmd},
		{WorkflowID: "payment:" + inRun[1], Name: workflows.UpdateMarkPaid, Arg: cmd},
	}, rc.take())
	require.Equal(t, "open", f.do(t, "GET", runPath, f.fin1Tok, nil).json(t)["status"])

	// Again: only the rest is sent, then the run is paid.
	failing = ""
	res = f.do(t, "POST", runPath+"/mark-paid", f.fin1Tok, map[string]any{})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, []sentUpdate{
		{WorkflowID: "payment:" + inRun[1], Name: workflows.UpdateMarkPaid, Arg: cmd},
		{WorkflowID: "payment:" + inRun[2], Name: workflows.UpdateMarkPaid, Arg: cmd},
	}, rc.take())
	paid := res.json(t)
	require.Equal(t, app.RunPaid, paid["status"])
	require.Equal(t, f.finance1.ID, paid["paid_by"])
	require.NotNil(t, paid["paid_at"])
	for _, p := range paid["payments"].([]any) {
		require.Equal(t, "paid", p.(map[string]any)["status"])
	}
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM audit_events WHERE chain = $1 AND action = 'payment_run.paid'`, "payment_run:"+runID))

	// And again: nothing more to send.
	res = f.do(t, "POST", runPath+"/mark-paid", f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Empty(t, rc.take())
	require.Equal(t, f.finance1.ID, res.json(t)["paid_by"])

	// Lists leave the payments out.
	list := f.do(t, "GET", "/payment-runs", f.fin2Tok, nil).json(t)
	require.Len(t, list["items"], 1)
	require.Nil(t, list["next_cursor"])
	item := list["items"].([]any)[0].(map[string]any)
	require.Equal(t, runID, item["id"])
	require.NotContains(t, item, "payments")

	// The grant shows what has been paid.
	grant := f.do(t, "GET", "/grants/"+a.ID, a.Token, nil).json(t)
	require.EqualValues(t, 125_000, grant["paid_pence"])
	require.Equal(t, true, grant["payout_ready"])
	require.Equal(t, a.OrgID, grant["payee_organisation_id"])
	hostedView := f.do(t, "GET", "/grants/"+hosted.ID, b.Token, nil).json(t)
	require.Equal(t, a.OrgID, hostedView["payee_organisation_id"], "the host is the payee")
	require.Equal(t, true, hostedView["payout_ready"], "the host consented and has bank details")
}
