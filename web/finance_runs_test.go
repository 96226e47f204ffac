package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Payment runs: the list with what a new run would gather, creating one,
// its page and BACS file, and the refusals (none waiting, a payee with no
// bank details, marking paid unconfirmed, forged forms, other roles).
func TestFinancePaymentRunPages(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	b.bankDetails(t, g)
	pay := g.Payments[0]
	b.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	b.env.Approve(t, pay, b.finance1, "")
	b.env.Approve(t, pay, b.finance2, "")
	b.env.SetPayment(t, pay, workflows.PaymentApproved, workflows.ProviderManual)

	anon := b.visitor(t)
	r := anon.get("/payment-runs")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fpayment-runs", r.Location)
	for _, email := range []string{"manager@example.org", "grantee@example.org"} {
		v := b.signedIn(t, email)
		require.Equal(t, http.StatusForbidden, v.get("/payment-runs").Code, email)
		require.Equal(t, http.StatusForbidden, v.post("/payment-runs", nil).Code, email)
	}

	fin := b.signedIn(t, "finance1@example.org")
	r = fin.get("/payment-runs")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "1 approved payment is waiting, £1,250 in total")
	require.Contains(t, r.Body, `href="/payments/`+pay+`"`)
	require.Contains(t, r.Body, "There are no payment runs yet")

	// A forged form creates nothing.
	before := b.snapshot(t)
	r = fin.post("/payment-runs", url.Values{"csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, before, b.snapshot(t))

	r = fin.post("/payment-runs", nil)
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.True(t, strings.HasPrefix(r.Location, "/payment-runs/"), r.Location)
	require.True(t, strings.HasSuffix(r.Location, "?created=1"), r.Location)
	runPath := strings.TrimSuffix(r.Location, "?created=1")
	runID := strings.TrimPrefix(runPath, "/payment-runs/")
	r = fin.get(r.Location)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Payment run created")
	require.Contains(t, r.Body, "Org of grantee@example.org")
	require.Contains(t, r.Body, "£1,250")
	require.Contains(t, r.Body, `href="`+runPath+`/file.csv"`)
	require.Contains(t, r.Body, `action="`+runPath+`/mark-paid"`)
	require.Equal(t, 1, strings.Count(r.Body, "<h1"))

	// The list shows it; nothing is left waiting, so another is refused.
	r = fin.get("/payment-runs")
	require.Contains(t, r.Body, `href="`+runPath+`"`)
	require.Contains(t, r.Body, "No approved bank-transfer payments are waiting")
	before = b.snapshot(t)
	r = fin.post("/payment-runs", nil)
	require.Equal(t, http.StatusConflict, r.Code)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, "No approved payments are waiting for a payment run")
	require.Equal(t, before, b.snapshot(t))

	// The BACS file: the header and the payee's row.
	file := fin.get(runPath + "/file.csv")
	require.Equal(t, http.StatusOK, file.Code)
	require.Equal(t, `attachment; filename=payment-run-`+runID+`.csv`, file.Header.Get("Content-Disposition"))
	require.Contains(t, file.Header.Get("Content-Type"), "text/csv")
	require.Equal(t, "no-store", file.Header.Get("Cache-Control"))
	lines := strings.Split(strings.TrimSpace(file.Body), "\n")
	require.Len(t, lines, 2, file.Body)
	require.Equal(t, "sort_code,account_number,account_name,amount,reference", strings.TrimSpace(lines[0]))
	require.True(t, strings.HasPrefix(lines[1], "200000,55779911,"), lines[1])
	require.Contains(t, lines[1], ",1250.00,")

	// Marking paid needs a confirmation.
	before = b.snapshot(t)
	r = fin.post(runPath+"/mark-paid", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `<a href="#confirm">Confirm that the bank has sent every payment in this run</a>`)
	require.Equal(t, before, b.snapshot(t))
	r = fin.post(runPath+"/mark-paid", url.Values{"confirm": {"yes"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, before, b.snapshot(t))

	// A payee with no bank details: the file is refused, naming it.
	nobank := b.env.ActiveGrant(t, b.manual, "nobank@example.org", 100_000)
	b.env.SetPayment(t, nobank.Payments[0], workflows.PaymentApproved, workflows.ProviderManual)
	r = fin.post("/payment-runs", nil)
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	second := strings.TrimSuffix(r.Location, "?created=1")
	r = fin.get(second + "/file.csv")
	require.Equal(t, http.StatusConflict, r.Code)
	require.Contains(t, r.Body, "No bank details are saved for Org of nobank@example.org")

	// Runs that do not exist.
	require.Equal(t, http.StatusNotFound, fin.get("/payment-runs/"+id.New(id.PaymentRun)).Code)
	require.Equal(t, http.StatusNotFound, fin.get("/payment-runs/nope/file.csv").Code)
	require.Equal(t, http.StatusNotFound, fin.post("/payment-runs/"+id.New(id.PaymentRun)+"/mark-paid", url.Values{"confirm": {"yes"}}).Code)
}
