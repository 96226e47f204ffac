package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// financeReportRow is a report in the managers' list, with its grantee.
type financeReportRow struct {
	app.Report
	Grantee     string
	DaysOverdue int
}

type financeReportsData struct {
	Overdue   []financeReportRow
	Submitted []financeReportRow
}

// financeGrantees looks up each grant's grantee name once per request.
type financeGrantees struct {
	ui    *UI
	c     *gin.Context
	names map[string]string
}

func (g *financeGrantees) name(grantID string) (string, error) {
	if n, ok := g.names[grantID]; ok {
		return n, nil
	}
	ctx, me := g.c.Request.Context(), actor(g.c)
	gr, err := g.ui.app.GetGrant(ctx, me, grantID)
	if err != nil {
		return "", err
	}
	o, err := g.ui.app.GetOrganisation(ctx, me, gr.OrganisationID)
	if err != nil {
		return "", err
	}
	g.names[grantID] = o.Name
	return o.Name, nil
}

// financeReports is the managers' reports queue: overdue reports first,
// then submitted reports awaiting review.
func (ui *UI) financeReports(c *gin.Context) {
	ctx := c.Request.Context()
	grantees := &financeGrantees{ui: ui, c: c, names: map[string]string{}}
	now := ui.now()
	var d financeReportsData
	for _, status := range []string{workflows.ReportOverdue, workflows.ReportSubmitted} {
		res, err := ui.app.ListReports(ctx, actor(c), app.ReportFilter{Status: status, Page: app.PageQuery{Limit: "200"}})
		if err != nil {
			ui.fail(c, err)
			return
		}
		for _, r := range res.Items {
			name, err := grantees.name(r.GrantID)
			if err != nil {
				ui.fail(c, err)
				return
			}
			row := financeReportRow{Report: r, Grantee: name}
			// Overdue by now; a submitted report, by when it came in.
			at := now
			if r.SubmittedAt != nil {
				at = *r.SubmittedAt
			}
			if r.DueAt != nil && at.After(*r.DueAt) {
				row.DaysOverdue = int(at.Sub(*r.DueAt) / (24 * time.Hour))
			}
			if status == workflows.ReportOverdue {
				d.Overdue = append(d.Overdue, row)
			} else {
				d.Submitted = append(d.Submitted, row)
			}
		}
	}
	ui.render(c, http.StatusOK, "finance-reports", page{Title: "Reports", Data: d})
}

// financeAnswer is one answer of a report, ready to show.
type financeAnswer struct {
	Title string
	Text  string
	Doc   *app.Document
}

type financeReportData struct {
	Report  app.Report
	Grantee string
	Grant   app.Grant
	Round   string
	Answers []financeAnswer
	// Extra are evidence documents no answer names.
	Extra []app.Document
}

// financeReport shows a grantee's report with, once submitted, the review
// form.
func (ui *UI) financeReport(c *gin.Context) {
	flash := ""
	switch c.Query("reviewed") {
	case workflows.ReviewAccept:
		flash = "Report accepted"
	case workflows.ReviewRequestChanges:
		flash = "Changes requested: the grantee has been told what to change"
	}
	ui.financeShowReport(c, http.StatusOK, nil, flash)
}

func (ui *UI) financeShowReport(c *gin.Context, status int, f *Form, flash string) {
	ctx, me := c.Request.Context(), actor(c)
	r, err := ui.app.GetReport(ctx, me, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	g, err := ui.app.GetGrant(ctx, me, r.GrantID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	o, err := ui.app.GetOrganisation(ctx, me, g.OrganisationID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	rd, err := ui.app.GetRound(ctx, g.RoundID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := financeReportData{Report: r, Grantee: o.Name, Grant: g, Round: rd.Name}
	d.Answers, d.Extra, err = financeAnswers(rd.ReportFormOrDefault().Questions(), r)
	if err != nil {
		ui.fail(c, err)
		return
	}
	title := humanise(r.Kind) + " report from " + o.Name
	ui.render(c, status, "finance-report", page{Title: title, Form: f, Data: d, Flash: flash, Back: "/manage/reports"})
}

// financeAnswers pairs the report form's questions with the report's
// answers, naming file answers' documents; documents no answer names are
// returned apart. Stored answers it cannot decode are an error.
func financeAnswers(qs []form.Question, r app.Report) ([]financeAnswer, []app.Document, error) {
	answers, err := r.AnswerMap()
	if err != nil {
		return nil, nil, err
	}
	docs := map[string]app.Document{}
	for _, d := range r.Documents {
		docs[d.ID] = d
	}
	named := map[string]bool{}
	out := make([]financeAnswer, 0, len(qs))
	for _, q := range qs {
		a := financeAnswer{Title: q.Title}
		raw, ok := answers[q.Key]
		if !ok || form.IsNull(raw) {
			a.Text = "Not answered"
			out = append(out, a)
			continue
		}
		switch q.Type {
		case "file":
			var docID string
			if err := json.Unmarshal(raw, &docID); err != nil {
				return nil, nil, fmt.Errorf("decode file answer %q of report %s: %w", q.Key, r.ID, err)
			}
			if d, ok := docs[docID]; ok {
				a.Doc = &d
				named[docID] = true
			} else {
				a.Text = "A file that is no longer attached"
			}
		default:
			a.Text = financeAnswerText(q, raw)
		}
		out = append(out, a)
	}
	var extra []app.Document
	for _, d := range r.Documents {
		if !named[d.ID] {
			extra = append(extra, d)
		}
	}
	return out, extra, nil
}

// financeAnswerText shows one non-file answer as text.
func financeAnswerText(q form.Question, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	label := func(s string) string {
		for _, o := range q.Options {
			if o.Value == s {
				return o.Label
			}
		}
		return s
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case float64:
		if q.Type == "money" {
			var pence int64
			if json.Unmarshal(raw, &pence) == nil {
				return money.Pounds(pence)
			}
		}
		return strings.TrimSpace(string(raw))
	case string:
		return label(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				parts = append(parts, label(s))
			}
		}
		return strings.Join(parts, ", ")
	}
	return string(raw)
}

// financeReviewReport records a manager's review of a submitted report:
// accept, or request changes with feedback.
func (ui *UI) financeReviewReport(c *gin.Context) {
	f := postedForm(c)
	outcome, comment := f.Get("outcome"), f.Raw("comment")
	switch outcome {
	case workflows.ReviewAccept:
	case workflows.ReviewRequestChanges:
		if strings.TrimSpace(comment) == "" {
			f.Fail("comment", "Enter what the grantee needs to change")
		}
	default:
		f.Fail("outcome", "Select whether to accept the report or ask for changes")
	}
	if f.Invalid() {
		ui.financeShowReport(c, http.StatusUnprocessableEntity, f, "")
		return
	}
	id := c.Param("id")
	_, err := ui.app.ReviewReport(c.Request.Context(), actor(c), id, jsonBody(app.ReviewInput{Outcome: outcome, Comment: comment}))
	if err == nil {
		redirect(c, "/manage/reports/"+url.PathEscape(id)+"?reviewed="+outcome)
		return
	}
	if status, ok := financeRefusal(c, f, err, "outcome", "comment"); ok {
		ui.financeShowReport(c, status, f, "")
		return
	}
	ui.fail(c, err)
}

// financeDays is "1 day" or "3 days" ("Less than 1 day" for none).
func financeDays(n int) string {
	if n < 1 {
		return "Less than 1 day"
	}
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// OverdueText is how long the report is overdue.
func (r financeReportRow) OverdueText() string { return financeDays(r.DaysOverdue) }
