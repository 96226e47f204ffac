package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// granteeQuestion is one question of a report form as the page asks it.
type granteeQuestion struct {
	Q        form.Question
	Name     string // the field's name and id: answers.<key>
	Label    string
	Hint     string
	Kind     string // text, money, number, date, radios, checkboxes, file, nofile
	Items    []choice
	Inline   bool
	MaxWords int
}

// granteeAnswerRow is one answer of a sent report, formatted.
type granteeAnswerRow struct {
	Title   string
	Lines   []string
	DocID   string
	DocName string
}

type granteeReportData struct {
	Report    app.Report
	Name      string // "Interim report"
	GrantID   string
	RoundName string
	OrgName   string
	Member    bool // the visitor is a member of the grantee organisation
	CanSubmit bool
	CanUpload bool
	Questions []granteeQuestion
	Answers   []granteeAnswerRow
	Spend     string // the spend sent, formatted; "" if none
	Feedback  []string
	questions []form.Question
	answers   map[string]json.RawMessage // the stored answers, by question key
}

// granteeLoadReport reads a report with its grant and the round's report
// form; another organisation's is not found.
func (ui *UI) granteeLoadReport(c *gin.Context) (granteeReportData, error) {
	ctx := c.Request.Context()
	a := actor(c)
	rep, err := ui.app.GetReport(ctx, a, c.Param("id"))
	if err != nil {
		return granteeReportData{}, err
	}
	g, err := ui.app.GetGrant(ctx, a, rep.GrantID)
	if err != nil {
		return granteeReportData{}, err
	}
	r, err := ui.app.GetRound(ctx, g.RoundID)
	if err != nil {
		return granteeReportData{}, err
	}
	d := granteeReportData{Report: rep, Name: granteeReportName(rep.Kind), GrantID: g.ID, RoundName: r.Name,
		questions: r.ReportFormOrDefault().Questions()}
	org, ok, err := ui.granteeOrg(ctx, a, g.OrganisationID)
	if err != nil {
		return d, err
	}
	if ok {
		d.OrgName, d.Member = org.Name, org.Role != ""
	}
	if rep.ReviewComment != nil {
		d.Feedback = granteeParagraphs(*rep.ReviewComment)
	}
	if d.Member {
		d.CanUpload = rep.Status != workflows.ReportAccepted
		d.CanSubmit = workflows.CanSubmitReport(rep.Status) == nil
	}
	for _, q := range d.questions {
		d.Questions = append(d.Questions, granteeAsk(q, rep.Documents))
	}
	answers, err := rep.AnswerMap()
	if err != nil {
		return granteeReportData{}, err
	}
	d.answers = answers
	if len(answers) > 0 || rep.SpendPence != nil {
		for _, q := range d.questions {
			d.Answers = append(d.Answers, granteeShowAnswer(q, answers[q.Key], rep.Documents))
		}
		if rep.SpendPence != nil {
			d.Spend = money.Pounds(*rep.SpendPence)
		}
	}
	return d, nil
}

// granteeAsk says how the page asks a question.
func granteeAsk(q form.Question, docs []app.Document) granteeQuestion {
	gq := granteeQuestion{Q: q, Name: "answers." + q.Key, Label: q.Title, Hint: q.Hint}
	if !q.Required {
		gq.Label += " (optional)"
	}
	hint := func(extra string) {
		if gq.Hint != "" {
			gq.Hint += ". "
		}
		gq.Hint += extra
	}
	switch q.Type {
	case form.TypeText:
		gq.Kind = "text"
		if q.MaxWords != nil {
			gq.MaxWords = *q.MaxWords
		}
	case form.TypeMoney:
		gq.Kind = "money"
		hint("In pounds, for example 1,250.50")
	case form.TypeNumber:
		gq.Kind = "number"
		hint("A whole number, for example 12")
	case form.TypeDate:
		gq.Kind = "date"
		hint("For example, " + dateExample)
	case form.TypeChoice:
		gq.Kind = "radios"
		if q.Multiple {
			gq.Kind = "checkboxes"
			hint("Select all that apply")
		}
		for _, o := range q.Options {
			gq.Items = append(gq.Items, choice{Value: o.Value, Text: o.Label})
		}
	case form.TypeYesNo:
		gq.Kind, gq.Inline = "radios", true
		gq.Items = []choice{{Value: "yes", Text: "Yes"}, {Value: "no", Text: "No"}}
	case form.TypeFile:
		gq.Kind = "nofile"
		if len(docs) > 0 {
			gq.Kind = "radios"
			hint("Choose one of the files you uploaded as evidence")
			for _, d := range docs {
				gq.Items = append(gq.Items, choice{Value: d.ID, Text: d.Filename})
			}
		}
	}
	return gq
}

// granteeShowAnswer formats a sent answer: text as paragraphs, a file as
// a link to it, anything else as answerLines shows it.
func granteeShowAnswer(q form.Question, raw json.RawMessage, docs []app.Document) granteeAnswerRow {
	row := granteeAnswerRow{Title: q.Title}
	var s string
	switch {
	case form.IsNull(raw):
	case q.Type == form.TypeText && json.Unmarshal(raw, &s) == nil:
		row.Lines = granteeParagraphs(s)
	case q.Type == form.TypeFile && json.Unmarshal(raw, &s) == nil:
		row.DocID, row.DocName = s, s
		for _, d := range docs {
			if d.ID == s {
				row.DocName = d.Filename
			}
		}
		return row
	default:
		row.Lines = answerLines(q, raw, docs)
	}
	if len(row.Lines) == 0 {
		row.Lines = []string{"Not answered"}
	}
	return row
}

// granteePrefill puts a report's saved answers and spend into the form,
// for sending it again after changes were asked for.
func granteePrefill(f *Form, d granteeReportData) {
	prefillAnswers(f, d.questions, d.answers)
	if d.Report.SpendPence != nil {
		f.Set("spend", money.Input(*d.Report.SpendPence))
	}
}

// granteeReport shows a report: what is asked, when, its status and the
// reviewer's feedback; the grantee uploads evidence and sends it here.
func (ui *UI) granteeReport(c *gin.Context) {
	d, err := ui.granteeLoadReport(c)
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := newForm()
	granteePrefill(f, d)
	p := page{Title: d.Name + " – " + d.RoundName, Form: f, Data: d, Back: "/grants/" + url.PathEscape(d.GrantID)}
	if c.Query("submitted") == "1" && d.Report.Status == workflows.ReportSubmitted {
		p.Flash = "Your " + strings.ToLower(d.Name) + " has been sent"
	}
	if id := c.Query("uploaded"); id != "" {
		for _, doc := range d.Report.Documents {
			if doc.ID == id {
				p.Flash = doc.Filename + " has been uploaded"
			}
		}
	}
	ui.render(c, http.StatusOK, "grantee-report", p)
}

// granteeSubmitReport sends the report through the grant's workflow,
// uploading first a file of evidence chosen on the form. Answers it cannot
// read (amounts, dates) and missing ones re-render the form with what was
// typed, and nothing is sent.
func (ui *UI) granteeSubmitReport(c *gin.Context) {
	f := postedForm(c)
	d, err := ui.granteeLoadReport(c)
	if err != nil {
		ui.fail(c, err)
		return
	}
	if !d.Member {
		ui.forbidden(c)
		return
	}
	// A file chosen and not uploaded with its own button goes up first:
	// evidence is kept whatever becomes of the answers.
	var uploaded *app.Document
	if fh, ferr := c.FormFile("file"); !errors.Is(ferr, http.ErrMissingFile) && !errors.Is(ferr, http.ErrNotMultipart) {
		doc, ok := ui.granteeStoreEvidence(c, d, f, fh, ferr)
		if !ok {
			return
		}
		uploaded = &doc
	}
	answers := givenAnswers(readAnswers(f, d.questions, true))
	order := make([]string, 0, len(d.questions)+1)
	for _, q := range d.questions {
		order = append(order, "answers."+q.Key)
	}
	order = append(order, "spend")
	var spend int64
	if s := f.Get("spend"); s == "" {
		f.Fail("spend", "Enter how much of the grant you have spent so far, in pounds")
	} else if p, err := money.ParsePounds(s); err != nil {
		f.Fail("spend", amountMessage(err))
	} else {
		spend = p
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		raw, err := json.Marshal(answers)
		if err != nil {
			ui.fail(c, err)
			return
		}
		_, err = ui.app.SubmitReport(c.Request.Context(), actor(c), d.Report.ID, jsonBody(app.ReportSubmissionInput{
			Answers: raw, SpendPence: &spend}))
		if err == nil {
			redirect(c, "/reports/"+url.PathEscape(d.Report.ID)+"?submitted=1")
			return
		}
		if !f.FromApp(err, map[string]string{"spend_pence": "spend"}, order...) {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	if uploaded != nil {
		ui.granteeRenderUploaded(c, status, f, *uploaded)
		return
	}
	ui.granteeRenderReport(c, status, d, f, "")
}

// granteeUploadEvidence stores a file of evidence for the report (the
// multipart field "file"). Posted from the report's own form (with_answers),
// the page comes back with what was typed there; otherwise it redirects.
func (ui *UI) granteeUploadEvidence(c *gin.Context) {
	d, err := ui.granteeLoadReport(c)
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	withAnswers := f.Get("with_answers") == "1"
	if !withAnswers {
		f = newForm()
		granteePrefill(f, d)
	}
	fh, ferr := c.FormFile("file")
	if ferr != nil && (errors.Is(ferr, http.ErrMissingFile) || errors.Is(ferr, http.ErrNotMultipart)) {
		if !d.Member {
			ui.forbidden(c)
			return
		}
		f.Fail("file", "Select a file to upload")
		ui.granteeRenderReport(c, http.StatusUnprocessableEntity, d, f, "")
		return
	}
	doc, ok := ui.granteeStoreEvidence(c, d, f, fh, ferr)
	switch {
	case !ok:
		return
	case withAnswers:
		ui.granteeRenderUploaded(c, http.StatusOK, f, doc)
	default:
		redirect(c, "/reports/"+url.PathEscape(d.Report.ID)+"?uploaded="+url.QueryEscape(doc.ID)+"#evidence")
	}
}

// granteeStoreEvidence uploads fh (ferr: the error reading it) as
// evidence of the report. When it cannot, it has answered: the report's
// page with the refusal on f's "file" field, or the error page.
func (ui *UI) granteeStoreEvidence(c *gin.Context, d granteeReportData, f *Form, fh *multipart.FileHeader, ferr error) (app.Document, bool) {
	if ferr != nil {
		f.Fail("file", "The file could not be read. Try again")
		ui.granteeRenderReport(c, http.StatusUnprocessableEntity, d, f, "")
		return app.Document{}, false
	}
	var opened multipart.File
	doc, err := ui.app.UploadReportDocument(c.Request.Context(), actor(c), d.Report.ID, func() (string, io.Reader, error) {
		var err error
		opened, err = fh.Open()
		return fh.Filename, opened, err
	})
	if opened != nil {
		_ = opened.Close()
	}
	if err == nil {
		return doc, true
	}
	e, ok := app.AsError(err)
	switch {
	case ok && len(e.Fields) == 0 && slices.Contains([]app.Kind{app.KindInvalid, app.KindConflict, app.KindTooLarge,
		app.KindUnsupported, app.KindMalformed}, e.Kind):
		f.Fail("file", e.Message)
	case f.FromApp(err, nil, "file"):
	default:
		ui.fail(c, err)
		return app.Document{}, false
	}
	ui.granteeRenderReport(c, refusal(c, err), d, f, "")
	return app.Document{}, false
}

// granteeRenderUploaded renders the report's page, read again so that it
// lists doc, saying doc has been uploaded.
func (ui *UI) granteeRenderUploaded(c *gin.Context, status int, f *Form, doc app.Document) {
	d, err := ui.granteeLoadReport(c)
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.granteeRenderReport(c, status, d, f, doc.Filename+" has been uploaded")
}

func (ui *UI) granteeRenderReport(c *gin.Context, status int, d granteeReportData, f *Form, flash string) {
	ui.render(c, status, "grantee-report", page{Title: d.Name + " – " + d.RoundName, Form: f, Data: d, Flash: flash,
		Back: "/grants/" + url.PathEscape(d.GrantID)})
}
