package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// financePayment is a payment as the finance pages show it.
type financePayment struct {
	app.Payment
}

// Required is how many different finance users must approve a payment.
func (financePayment) Required() int { return workflows.RequiredApprovals }

// Remaining is how many more approvals the payment needs.
func (p financePayment) Remaining() int { return max(0, workflows.RequiredApprovals-len(p.Approvals)) }

// ApprovalSummary is "1 of 2 approvals: Finance One".
func (p financePayment) ApprovalSummary() string {
	s := fmt.Sprintf("%d of %d approvals", len(p.Approvals), workflows.RequiredApprovals)
	if len(p.Approvals) == 0 {
		return s
	}
	names := make([]string, len(p.Approvals))
	for i, a := range p.Approvals {
		names[i] = a.Name
	}
	return s + ": " + strings.Join(names, ", ")
}

// ProviderName names how the payment is sent.
func (p financePayment) ProviderName() string { return financeProviderName(p.Provider) }

// ConditionText says when the tranche falls due.
func (p financePayment) ConditionText() string { return financeCondition(p.Condition) }

// Settled reports whether no finance command applies any more.
func (p financePayment) Settled() bool { return workflows.PaymentSettled(p.Status) }

func financeProviderName(provider *string) string {
	if provider == nil {
		return "Not chosen yet"
	}
	switch *provider {
	case workflows.ProviderManual:
		return "Bank transfer (BACS payment run)"
	case workflows.ProviderStripe:
		return "Stripe"
	}
	return *provider
}

func financeCondition(cond string) string {
	if cond == workflows.ConditionOnAcceptance {
		return "When the grant is accepted"
	}
	if kind, ok := strings.CutPrefix(cond, workflows.ConditionAfterReportPrefix); ok {
		return "When the " + kind + " report is accepted"
	}
	return humanise(cond)
}

// financeTab is one status filter of the payments list.
type financeTab struct {
	Key, Text, Href string
	Current         bool
}

// paymentTabs are the filters of the payments list; "" is the default
// (awaiting approval) and "all" lists every payment.
var paymentTabs = []struct{ key, text string }{
	{workflows.PaymentAwaitingApproval, "Awaiting approval"},
	{workflows.PaymentHeld, "Held"},
	{workflows.PaymentFailed, "Failed"},
	{workflows.PaymentApproved, "Approved"},
	{workflows.PaymentSending, "Sending"},
	{workflows.PaymentPaid, "Paid"},
	{workflows.PaymentCancelled, "Cancelled"},
	{workflows.PaymentScheduled, "Scheduled"},
	{"all", "All"},
}

type financePaymentsData struct {
	Tabs     []financeTab
	Current  financeTab
	Payments []financePayment
	Next     string // the next page's address, if any
	GrantID  string
}

// financePayments is the finance queue: payments by status, awaiting
// approval first.
func (ui *UI) financePayments(c *gin.Context) {
	status := c.DefaultQuery("status", workflows.PaymentAwaitingApproval)
	grantID := c.Query("grant_id")
	known := slices.ContainsFunc(paymentTabs, func(t struct{ key, text string }) bool { return t.key == status })
	if !known {
		ui.NotFound(c)
		return
	}
	filter := status
	if status == "all" {
		filter = ""
	}
	res, err := ui.app.ListPayments(c.Request.Context(), actor(c), app.PaymentFilter{Status: filter, GrantID: grantID,
		Page: app.PageQuery{Cursor: c.Query("cursor"), Limit: "100"}})
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := financePaymentsData{GrantID: grantID}
	for _, t := range paymentTabs {
		q := url.Values{"status": {t.key}}
		if grantID != "" {
			q.Set("grant_id", grantID)
		}
		tab := financeTab{Key: t.key, Text: t.text, Href: "/payments?" + q.Encode(), Current: t.key == status}
		if tab.Current {
			d.Current = tab
		}
		d.Tabs = append(d.Tabs, tab)
	}
	for _, p := range res.Items {
		d.Payments = append(d.Payments, financePayment{p})
	}
	if res.NextCursor != nil {
		q := url.Values{"status": {status}, "cursor": {*res.NextCursor}}
		if grantID != "" {
			q.Set("grant_id", grantID)
		}
		d.Next = "/payments?" + q.Encode()
	}
	ui.render(c, http.StatusOK, "finance-payments", page{Title: "Payments: " + strings.ToLower(d.Current.Text), Data: d})
}

// financePaymentData is the payment page: the payment (with what the
// signed-in user may do with it, app's to say), the grant it pays and who
// issued it. A cancellation of a payment awaiting approval is offered as
// a rejection.
type financePaymentData struct {
	P     financePayment
	Grant app.Grant
	// GranteeName is the lead's, for a payment of a partner's share.
	GranteeName string
	Issuer      string
	CanReject   bool
	CanCancel   bool
}

// financePayment shows one payment.
func (ui *UI) financePayment(c *gin.Context) {
	ui.financeShowPayment(c, http.StatusOK, nil, financePaymentFlash(c.Query("done")))
}

func financePaymentFlash(done string) string {
	switch done {
	case "approved":
		return "You approved this payment"
	case "rejected":
		return "You rejected this payment"
	case "retried":
		return "The payment is being sent again"
	case "cancelled":
		return "You cancelled this payment"
	}
	return ""
}

// financeShowPayment renders the payment page with status and form f (the
// visitor's input and errors after a refused command).
func (ui *UI) financeShowPayment(c *gin.Context, status int, f *Form, flash string) {
	ctx := c.Request.Context()
	me := actor(c)
	p, err := ui.app.GetPayment(ctx, me, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	g, err := ui.app.GetGrant(ctx, me, p.GrantID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := financePaymentData{P: financePayment{p}, Grant: g}
	if p.PartnerOrganisationID != nil {
		o, err := ui.app.GetOrganisation(ctx, me, g.OrganisationID)
		if err != nil {
			ui.fail(c, err)
			return
		}
		d.GranteeName = o.Name
	}
	switch {
	case p.RequestedBy == nil:
		d.Issuer = "The grant’s payment schedule (no person issued it)"
	case *p.RequestedBy == me.ID:
		d.Issuer = "You"
	default:
		d.Issuer = "Another member of staff (a variation or reissue)"
	}
	d.CanReject = p.CanCancel && p.Status == workflows.PaymentAwaitingApproval
	d.CanCancel = p.CanCancel && !d.CanReject
	title := fmt.Sprintf("Payment of %s to %s", money.Pounds(p.AmountPence), p.OrganisationName)
	ui.render(c, status, "finance-payment", page{Title: title, Form: f, Data: d, Flash: flash, Back: "/payments"})
}

// financeCommandDone is the flag each command leaves on the payment page.
var financeCommandDone = map[string]string{
	workflows.UpdateApprovePayment: "approved",
	workflows.UpdateRejectPayment:  "rejected",
	workflows.UpdateRetryPayment:   "retried",
	workflows.UpdateCancelPayment:  "cancelled",
}

// financePaymentCommand approves, rejects, retries or cancels a payment
// through its workflow. A refusal (the four-eyes rule, a wrong state, a
// missing reason) re-renders the payment with the problem and changes
// nothing.
func (ui *UI) financePaymentCommand(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		f := postedForm(c)
		var body app.Body
		switch update {
		case workflows.UpdateApprovePayment:
			body = jsonBody(app.ApproveInput{Note: f.Raw("note")})
		case workflows.UpdateRejectPayment, workflows.UpdateCancelPayment:
			if f.Get("reason") == "" {
				what := "rejecting"
				if update == workflows.UpdateCancelPayment {
					what = "cancelling"
				}
				f.Fail("reason", "Enter a reason for "+what+" this payment")
				ui.financeShowPayment(c, http.StatusUnprocessableEntity, f, "")
				return
			}
			body = jsonBody(app.ReasonInput{Reason: f.Raw("reason")})
		}
		id := c.Param("id")
		_, err := ui.app.PaymentCommand(c.Request.Context(), actor(c), id, update, body, noParams)
		if err == nil {
			redirect(c, "/payments/"+url.PathEscape(id)+"?done="+financeCommandDone[update])
			return
		}
		if status, ok := financeRefusal(c, f, err, "note", "reason"); ok {
			ui.financeShowPayment(c, status, f, "")
			return
		}
		ui.fail(c, err)
	}
}

// financeRefusal records on f a use-case error to show on the page —
// invalid input, a conflict, a refusal by a workflow's rules (a user who
// holds the page's role but whom the rule excludes, such as an approval by
// the payment's issuer) or the workflows not answering — and returns the
// status to render with (refusal's). A missing object is not one of them.
func financeRefusal(c *gin.Context, f *Form, err error, order ...string) (int, bool) {
	e, ok := app.AsError(err)
	if !ok {
		return 0, false
	}
	switch e.Kind {
	case app.KindForbidden:
		f.Fail("", e.Message)
	case app.KindUnavailable:
		f.Fail("", "The payment service did not answer in time. Nothing was changed: wait a moment and try again.")
	default:
		if !f.FromApp(err, nil, order...) {
			return 0, false
		}
	}
	return refusal(c, err), true
}
