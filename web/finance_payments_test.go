package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// The payments list and a payment's page: the four-eyes rule made
// visible for each finance user, and who may see what.
func TestFinancePaymentPages(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	b.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	b.env.Approve(t, pay, b.finance1, "Matches the agreement")

	// No session: sign in first, then back here.
	anon := b.visitor(t)
	r := anon.get("/payments?status=failed")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next="+url.QueryEscape("/payments?status=failed"), r.Location)
	r = anon.get("/payments/" + pay)
	require.Equal(t, http.StatusSeeOther, r.Code)

	// Neither an applicant nor the grantee may see payments.
	grantee := b.signedIn(t, "grantee@example.org")
	require.Equal(t, http.StatusForbidden, grantee.get("/payments").Code)
	require.Equal(t, http.StatusForbidden, grantee.get("/payments/"+pay).Code)

	// The queue, awaiting approval by default.
	fin2 := b.signedIn(t, "finance2@example.org")
	r = fin2.get("/payments")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Org of grantee@example.org")
	require.Contains(t, r.Body, "£1,250")
	require.Contains(t, r.Body, "1 of 2 approvals: Test finance1@example.org")
	require.Contains(t, r.Body, `href="/payments/`+pay+`"`)
	require.Contains(t, r.Body, `aria-current="page">Awaiting approval`)
	require.Equal(t, 1, strings.Count(r.Body, "<h1"))
	r = fin2.get("/payments?status=failed")
	require.Equal(t, http.StatusOK, r.Code)
	require.NotContains(t, r.Body, `href="/payments/`+pay+`"`)
	require.Contains(t, r.Body, "There are no payments here")
	r = fin2.get("/payments?status=all&grant_id=" + g.ID)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `href="/payments/`+g.Payments[1]+`"`, "the scheduled second tranche")
	require.Equal(t, http.StatusNotFound, fin2.get("/payments?status=lost").Code)

	// The second finance user may give the second approval.
	r = fin2.get("/payments/" + pay)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "£1,250 to Org of grantee@example.org")
	require.Contains(t, r.Body, "1 of 2 approvals: Test finance1@example.org. 1 more approval from a different finance user is needed.")
	require.Contains(t, r.Body, "Matches the agreement")
	require.Contains(t, r.Body, "The grant’s payment schedule (no person issued it)")
	require.Contains(t, r.Body, `action="/payments/`+pay+`/approve"`)
	require.Contains(t, r.Body, "Yours will be approval 2 of 2.")
	require.Contains(t, r.Body, `action="/payments/`+pay+`/reject"`)
	require.NotContains(t, r.Body, `/retry"`)

	// The first one is told why not.
	fin1 := b.signedIn(t, "finance1@example.org")
	r = fin1.get("/payments/" + pay)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "You approved this payment; a different finance user must give the second approval.")
	require.NotContains(t, r.Body, `action="/payments/`+pay+`/approve"`)

	// A manager may read it but not act on it.
	mgr := b.signedIn(t, "manager@example.org")
	r = mgr.get("/payments/" + pay)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Only finance staff can approve payments.")
	require.NotContains(t, r.Body, `action="/payments/`)
	before := b.snapshot(t)
	require.Equal(t, http.StatusForbidden, mgr.post("/payments/"+pay+"/approve", url.Values{"note": {"Fine"}}).Code)
	require.Equal(t, http.StatusForbidden, grantee.post("/payments/"+pay+"/approve", nil).Code)
	require.Equal(t, before, b.snapshot(t))

	// Another payment, or none: 404.
	require.Equal(t, http.StatusNotFound, fin2.get("/payments/"+id.New(id.Payment)).Code)
	require.Equal(t, http.StatusNotFound, fin2.get("/payments/nope").Code)
	require.Equal(t, http.StatusNotFound, fin2.post("/payments/"+id.New(id.Payment)+"/approve", nil).Code)

	// The issuer of a payment, and a member of the grantee, may not
	// approve it.
	second := g.Payments[1]
	b.env.SetPayment(t, second, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	b.exec(t, `UPDATE payments SET requested_by = $2 WHERE id = $1`, second, b.finance2.ID)
	r = fin2.get("/payments/" + second)
	require.Contains(t, r.Body, "You cannot approve a payment you issued")
	require.NotContains(t, r.Body, `action="/payments/`+second+`/approve"`)
	r = fin1.get("/payments/" + second)
	require.Contains(t, r.Body, `action="/payments/`+second+`/approve"`)
	require.Contains(t, r.Body, "Another member of staff")

	member := b.env.User(t, "finance3@example.org", app.RoleFinance)
	org := b.env.Organisation(t, member, "Finance Three’s charity")
	own := b.env.ActiveGrantOf(t, b.manual, member, org.ID, 100_000)
	b.env.SetPayment(t, own.Payments[0], workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	r = b.signedIn(t, "finance3@example.org").get("/payments/" + own.Payments[0])
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "You are a member of the organisation that applied, so you cannot approve its payments.")
	require.NotContains(t, r.Body, `/approve"`)

	// Staff with another interest in the application (here, declared
	// affiliations naming the grantee) are told why and shown no form;
	// posting anyway is refused and changes nothing.
	b.env.User(t, "finance4@example.org", app.RoleFinance)
	b.exec(t, `UPDATE users SET affiliations = '[{"name": "Org of grantee@example.org"}]' WHERE email = 'finance4@example.org'`)
	fin4 := b.signedIn(t, "finance4@example.org")
	r = fin4.get("/payments/" + pay)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Your declared affiliations include an organisation that is a party to this application, so you cannot approve its payments.")
	require.NotContains(t, r.Body, `/approve"`)
	before = b.snapshot(t)
	r = fin4.post("/payments/"+pay+"/approve", url.Values{"note": {"Fine"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Contains(t, r.Body, "Your declared affiliations include an organisation that is a party to this application")
	require.Equal(t, before, b.snapshot(t))

	// A held payment says why.
	held := b.env.ActiveGrant(t, b.manual, "held@example.org", 100_000)
	b.env.SetPayment(t, held.Payments[0], workflows.PaymentHeld, workflows.ProviderManual)
	b.exec(t, `UPDATE payments SET held_reason = 'The interim report is overdue' WHERE id = $1`, held.Payments[0])
	r = fin2.get("/payments/" + held.Payments[0])
	require.Contains(t, r.Body, "Held: a report of this grant is overdue")
	require.Contains(t, r.Body, "The interim report is overdue")
	require.Contains(t, r.Body, `action="/payments/`+held.Payments[0]+`/cancel"`)
	require.NotContains(t, r.Body, `/approve"`)
}

// Payment commands that are refused change nothing: no reason, a reason
// too long, a wrong CSRF token, a payment whose workflow is not there.
func TestFinancePaymentCommandRefusals(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	b.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	fin := b.signedIn(t, "finance1@example.org")
	fin.get("/payments/" + pay)
	before := b.snapshot(t)

	// Reject without a reason: 422, the summary and the inline message.
	r := fin.post("/payments/"+pay+"/reject", url.Values{"reason": {"  "}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#reason">Enter a reason for rejecting this payment</a>`)
	require.Contains(t, r.Body, `id="reason-error"`)
	require.Contains(t, r.Body, "<title>Error: ")

	// Too long: the use case's rule, with what was typed kept.
	long := strings.Repeat("word ", 401)
	r = fin.post("/payments/"+pay+"/reject", url.Values{"reason": {long}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `href="#reason"`)
	require.Contains(t, r.Body, strings.TrimSpace(long))

	// A form from elsewhere.
	r = fin.post("/payments/"+pay+"/reject", url.Values{"reason": {"Duplicate"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Contains(t, r.Body, "nothing was changed")
	r = fin.post("/payments/"+pay+"/approve", url.Values{"csrf_token": {""}})
	require.Equal(t, http.StatusForbidden, r.Code)

	// No workflows answer here: the page says to try again, keeping
	// the note.
	r = fin.post("/payments/"+pay+"/approve", url.Values{"note": {"Checked the invoice"}})
	require.Equal(t, http.StatusServiceUnavailable, r.Code)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, "did not answer in time")
	require.Contains(t, r.Body, ">Checked the invoice</textarea>")
	require.Equal(t, before, b.snapshot(t))

	// A failed payment shows the provider's reason and a retry button.
	b.env.SetPayment(t, pay, workflows.PaymentFailed, workflows.ProviderManual)
	b.exec(t, `UPDATE payments SET failure_reason = 'The account was closed' WHERE id = $1`, pay)
	r = fin.get("/payments?status=failed")
	require.Contains(t, r.Body, `href="/payments/`+pay+`"`)
	require.Contains(t, r.Body, "The account was closed")
	r = fin.get("/payments/" + pay)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "This payment failed: The account was closed")
	require.Contains(t, r.Body, `action="/payments/`+pay+`/retry"`)
	require.Contains(t, r.Body, `action="/payments/`+pay+`/cancel"`)
	before = b.snapshot(t)
	r = fin.post("/payments/"+pay+"/cancel", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, "Enter a reason for cancelling this payment")
	require.Equal(t, before, b.snapshot(t))

	// A settled payment is refused before any workflow is asked.
	b.env.SetPayment(t, pay, workflows.PaymentPaid, workflows.ProviderManual)
	before = b.snapshot(t)
	r = fin.post("/payments/"+pay+"/retry", nil)
	require.Equal(t, http.StatusConflict, r.Code)
	require.Contains(t, r.Body, "it cannot be changed")
	require.Equal(t, before, b.snapshot(t))
}

// Two finance users approve a bank-transfer payment through the real
// workflows (the same one twice is refused), a payment run gathers it,
// its file downloads and marking the run paid pays it.
func TestFinanceApprovalAndRunThroughTheWorkflows(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	tc, queue, dispatchOnce := b.finWorkflows(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	issuer := b.env.User(t, "finance3@example.org", app.RoleFinance)
	b.exec(t, `UPDATE payments SET requested_by = $2 WHERE id = $1`, pay, issuer.ID)
	finStartGrant(t, tc, queue, g)
	b.bankDetails(t, g)
	dispatchOnce()
	require.Eventually(t, func() bool { return b.payment(t, pay).Status == workflows.PaymentAwaitingApproval },
		20*time.Second, 100*time.Millisecond)

	fin1 := b.signedIn(t, "finance1@example.org")
	fin2 := b.signedIn(t, "finance2@example.org")
	r := fin1.get("/payments/" + pay)
	require.Contains(t, r.Body, "Bermondsey Kitchen, sort code **-**-00, account ****9911", "the approver sees where the money goes")
	r = retryingPost(t, fin1, "/payments/"+pay+"/approve", url.Values{"note": {"Matches the agreement"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/payments/"+pay+"?done=approved", r.Location)
	r = fin1.get(r.Location)
	require.Contains(t, r.Body, "You approved this payment")
	require.Contains(t, r.Body, "1 of 2 approvals: Test finance1@example.org")
	require.Contains(t, r.Body, "You approved this payment; a different finance user must give the second approval.")

	// The same person again: the workflow refuses, the page says why.
	before := b.snapshot(t)
	r = fin1.post("/payments/"+pay+"/approve", url.Values{"note": {"Again"}})
	require.Equal(t, http.StatusConflict, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Equal(t, 2, strings.Count(r.Body, "You approved this payment; a different finance user must give the second approval"), "the refusal, and the page's reason")
	require.Contains(t, r.Body, "1 of 2 approvals")
	require.Equal(t, before, b.snapshot(t))

	// The issuer, posting from a page open since before: refused (403)
	// by the workflow's rule, nothing changed.
	fin3 := b.signedIn(t, "finance3@example.org")
	r = fin3.get("/payments/" + pay)
	require.Contains(t, r.Body, "You cannot approve a payment you issued")
	r = fin3.post("/payments/"+pay+"/approve", url.Values{"note": {"Mine"}})
	require.Equal(t, http.StatusForbidden, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, "You cannot approve a payment you issued: two other finance users must approve it")
	require.Equal(t, before, b.snapshot(t))

	fin2.get("/payments/" + pay)
	r = fin2.post("/payments/"+pay+"/approve", nil)
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	r = fin2.get(r.Location)
	require.Contains(t, r.Body, "2 of 2 approvals: Test finance1@example.org, Test finance2@example.org")
	require.Contains(t, r.Body, `govuk-tag--green">Approved`)
	require.Contains(t, r.Body, "This payment has its approvals.")

	// The run: created, downloaded, marked paid.
	r = fin1.get("/payment-runs")
	require.Contains(t, r.Body, "1 approved payment is waiting, £1,250 in total")
	r = fin1.post("/payment-runs", nil)
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.True(t, strings.HasPrefix(r.Location, "/payment-runs/"), r.Location)
	runPath := strings.TrimSuffix(r.Location, "?created=1")
	r = fin1.get(r.Location)
	require.Contains(t, r.Body, "Payment run created")
	require.Contains(t, r.Body, `href="/payments/`+pay+`"`)
	file := fin2.get(runPath + "/file.csv")
	require.Equal(t, http.StatusOK, file.Code)
	require.Contains(t, file.Body, "55779911")
	require.Contains(t, file.Body, "1250.00")
	fin2.get(runPath)
	r = fin2.post(runPath+"/mark-paid", url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	r = fin2.get(r.Location)
	require.Contains(t, r.Body, "Payment run marked as paid")
	require.Contains(t, r.Body, `govuk-tag--green">Paid`)
	require.NotContains(t, r.Body, "/mark-paid")
	require.Equal(t, workflows.PaymentPaid, b.payment(t, pay).Status)
	r = fin1.get("/payments/" + pay)
	require.Contains(t, r.Body, `govuk-tag--green">Paid`)
	require.Contains(t, r.Body, "This payment is paid; it cannot be changed.")
	g2, err := b.env.App.GetGrant(context.Background(), b.finance1, g.ID)
	require.NoError(t, err)
	require.EqualValues(t, 125_000, g2.PaidPence)
}
