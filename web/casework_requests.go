package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
)

// The intake queue: support requests waiting for triage, in the order of
// their priority, each with the reasons for it; a request's page with
// everything the group told us and the triage form.

type cwQueueData struct {
	cwText
	Items    []app.SupportRequest
	Status   string // the filter: "" is the queue (waiting for triage)
	Statuses []choice
	Next     string
	now      time.Time
}

// Age says how long a request has waited.
func (d cwQueueData) Age(t time.Time) string { return cwAge(t, d.now) }

// caseworkQueue lists the requests waiting for triage by priority, or
// those of another status.
func (ui *UI) caseworkQueue(c *gin.Context) {
	f := app.SupportRequestFilter{Status: c.Query("status"), Page: app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"}}
	p, err := ui.app.ListSupportRequests(c.Request.Context(), actor(c), f)
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := cwQueueData{Items: p.Items, Status: f.Status, Statuses: cwChoices(casework.RequestStatuses), now: ui.now()}
	if p.NextCursor != nil {
		q := url.Values{"cursor": {*p.NextCursor}}
		if f.Status != "" {
			q.Set("status", f.Status)
		}
		d.Next = "/casework?" + q.Encode()
	}
	pg := page{Title: "Intake queue", Data: d}
	switch c.Query("done") {
	case casework.TriageRefer:
		pg.Flash = "The request has been referred elsewhere. The group has been told."
	case casework.TriageDecline:
		pg.Flash = "The request has been declined. The group has been told."
	}
	ui.render(c, http.StatusOK, "casework-queue", pg)
}

type cwRequestData struct {
	cwText
	Request     app.SupportRequest
	Caseworkers []choice
	Outcomes    []choice
}

// caseworkRequestPage shows a request whole, with the triage form while it
// waits for triage.
func (ui *UI) caseworkRequestPage(c *gin.Context, status int, f *Form) {
	ctx := c.Request.Context()
	a := actor(c)
	r, err := ui.app.GetSupportRequest(ctx, a, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	cws, err := ui.app.ListCaseworkers(ctx, a)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := cwRequestData{Request: r, Caseworkers: cwCaseworkerChoices(cws), Outcomes: cwChoices(casework.TriageOutcomes)}
	if f == nil {
		f = newForm().Set("caseworker_id", a.ID)
	}
	ui.render(c, status, "casework-request", page{Title: "Support for " + r.Space.Name, Form: f, Data: d, Back: "/casework"})
}

func (ui *UI) caseworkRequest(c *gin.Context) { ui.caseworkRequestPage(c, http.StatusOK, nil) }

// cwCaseworkerChoices are the caseworkers as options.
func cwCaseworkerChoices(cws []app.Caseworker) []choice {
	out := make([]choice, len(cws))
	for i, cw := range cws {
		out[i] = choice{Value: cw.ID, Text: cw.Name + " (" + cw.Email + ")"}
	}
	return out
}

// caseworkTriage accepts, refers or declines a request. Where it was
// referred belongs to "refer" and the caseworker to "accept": each is
// sent only with its own outcome.
func (ui *UI) caseworkTriage(c *gin.Context) {
	f := postedForm(c)
	in := app.TriageInput{Outcome: f.Get("outcome"), Reason: f.Raw("reason")}
	switch in.Outcome {
	case casework.TriageRefer:
		to := f.Get("referred_to")
		in.ReferredTo = &to
	case casework.TriageAccept:
		if cw := f.Get("caseworker_id"); cw != "" {
			in.CaseworkerID = &cw
		}
	}
	res, err := ui.app.TriageSupportRequest(c.Request.Context(), actor(c), c.Param("id"), jsonBody(in))
	if err == nil {
		if res.CaseID != nil {
			redirect(c, "/casework/cases/"+url.PathEscape(*res.CaseID)+"?done=opened")
			return
		}
		redirect(c, "/casework?done="+url.QueryEscape(in.Outcome))
		return
	}
	if !f.FromApp(err, nil, "outcome", "reason", "referred_to", "caseworker_id") {
		ui.fail(c, err)
		return
	}
	ui.caseworkRequestPage(c, refusal(c, err), f)
}
