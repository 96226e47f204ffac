package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// financeRun is a payment run as the pages show it.
type financeRun struct {
	app.PaymentRun
	Mine bool // created by the signed-in user
}

type financeRunsData struct {
	Runs []financeRun
	Next string
	// Waiting are the approved bank-transfer payments not yet in a run,
	// which a new run would gather (the first page of them).
	Waiting      []financePayment
	WaitingPence int64
}

// financeRuns lists the payment runs, newest first, with the approved
// bank-transfer payments a new run would gather.
func (ui *UI) financeRuns(c *gin.Context) {
	ui.financeShowRuns(c, http.StatusOK, nil)
}

func (ui *UI) financeShowRuns(c *gin.Context, status int, f *Form) {
	ctx := c.Request.Context()
	me := actor(c)
	runs, err := ui.app.ListPaymentRuns(ctx, me, app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"})
	if err != nil {
		ui.fail(c, err)
		return
	}
	approved, err := ui.app.ListPayments(ctx, me, app.PaymentFilter{Status: workflows.PaymentApproved, Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := financeRunsData{}
	for _, r := range runs.Items {
		d.Runs = append(d.Runs, financeRun{PaymentRun: r, Mine: r.CreatedBy == me.ID})
	}
	if runs.NextCursor != nil {
		d.Next = "/payment-runs?cursor=" + url.QueryEscape(*runs.NextCursor)
	}
	for _, p := range approved.Items {
		if p.Provider != nil && *p.Provider == workflows.ProviderManual && p.PaymentRunID == nil {
			d.Waiting = append(d.Waiting, financePayment{p})
			d.WaitingPence += p.AmountPence
		}
	}
	ui.render(c, status, "finance-runs", page{Title: "Payment runs", Form: f, Data: d})
}

// financeCreateRun gathers every approved bank-transfer payment not yet in
// a run into a new run.
func (ui *UI) financeCreateRun(c *gin.Context) {
	f := postedForm(c)
	r, err := ui.app.CreatePaymentRun(c.Request.Context(), actor(c), noParams)
	if err == nil {
		redirect(c, "/payment-runs/"+url.PathEscape(r.ID)+"?created=1")
		return
	}
	if status, ok := financeRefusal(c, f, err); ok {
		ui.financeShowRuns(c, status, f)
		return
	}
	ui.fail(c, err)
}

type financeRunData struct {
	Run      financeRun
	Payments []financePayment
}

// ConfirmText is the label of the confirmation that the bank has sent
// the run's payments.
func (d financeRunData) ConfirmText() string {
	if d.Run.Count == 1 {
		return "The bank has sent the payment, " + money.Pounds(d.Run.TotalPence)
	}
	return fmt.Sprintf("The bank has sent all %d payments, %s in total", d.Run.Count, money.Pounds(d.Run.TotalPence))
}

// financeRun shows one run: its payments, the BACS file and, while it is
// open, the form to mark it paid.
func (ui *UI) financeRun(c *gin.Context) {
	flash := ""
	switch {
	case c.Query("created") == "1":
		flash = "Payment run created: download its BACS file and send it to the bank"
	case c.Query("paid") == "1":
		flash = "Payment run marked as paid"
	}
	ui.financeShowRun(c, http.StatusOK, nil, flash)
}

func (ui *UI) financeShowRun(c *gin.Context, status int, f *Form, flash string) {
	me := actor(c)
	r, err := ui.app.GetPaymentRun(c.Request.Context(), me, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := financeRunData{Run: financeRun{PaymentRun: r, Mine: r.CreatedBy == me.ID}}
	for _, p := range r.Payments {
		d.Payments = append(d.Payments, financePayment{p})
	}
	ui.render(c, status, "finance-run", page{Title: "Payment run " + r.ID, Form: f, Data: d, Flash: flash, Back: "/payment-runs"})
}

// financeRunFile sends the run's BACS file as a CSV attachment; it holds
// bank details, so no cache may keep it. A payee without bank details
// re-renders the run with the problem.
func (ui *UI) financeRunFile(c *gin.Context) {
	file, err := ui.app.PaymentRunFile(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		f := newForm()
		if status, ok := financeRefusal(c, f, err); ok {
			ui.financeShowRun(c, status, f, "")
			return
		}
		ui.fail(c, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file.Filename}))
	c.Header("Content-Length", strconv.Itoa(len(file.Content)))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", file.Content)
}

// financeMarkRunPaid marks every payment of the run paid, once finance
// confirms the bank has sent them.
func (ui *UI) financeMarkRunPaid(c *gin.Context) {
	f := postedForm(c)
	if !f.Checked("confirm", "yes") {
		f.Fail("confirm", "Confirm that the bank has sent every payment in this run")
		ui.financeShowRun(c, http.StatusUnprocessableEntity, f, "")
		return
	}
	id := c.Param("id")
	if _, err := ui.app.MarkPaymentRunPaid(c.Request.Context(), actor(c), id, noParams); err != nil {
		if status, ok := financeRefusal(c, f, err); ok {
			ui.financeShowRun(c, status, f, "")
			return
		}
		ui.fail(c, err)
		return
	}
	redirect(c, "/payment-runs/"+url.PathEscape(id)+"?paid=1")
}
