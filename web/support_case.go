package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
)

// The group's page of its Spaces at Risk case: what the use case shows a
// member (status, caseworker, next steps, key dates, shared notes and
// documents, the outcome), with forms to add a note and a document, both
// always shared with the caseworker. Caseworkers work on cases from their
// own pages (/casework/cases/{id}).

func supportCasePath(id string) string { return "/support/cases/" + url.PathEscape(id) }

// caseworkCasePath is a case's page for caseworkers.
func caseworkCasePath(id string) string { return "/casework/cases/" + url.PathEscape(id) }

// supportCaseworker sends a caseworker to their own page of the case and
// reports whether it did.
func supportCaseworker(c *gin.Context) bool {
	if actor(c).Has(app.RoleCaseworker) {
		redirect(c, caseworkCasePath(c.Param("id")))
		return true
	}
	return false
}

type supportActionRow struct {
	app.CaseAction
	Due  string
	Done bool
}

type supportKeyDateRow struct {
	On, Kind, Description string
}

type supportCaseData struct {
	Case     app.Case
	Status   string
	Kind     string
	Risk     string
	KeyDate  string
	Contact  string // the first contact, or when it is due
	Outcome  string
	Actions  []supportActionRow
	KeyDates []supportKeyDateRow
	Open     bool
	Base     string
}

func supportCaseDataOf(k app.Case) supportCaseData {
	d := supportCaseData{Case: k, Status: humanise(k.Status), Kind: casework.Label(casework.SpaceKinds, k.Space.Kind),
		Risk: casework.Label(casework.RiskKinds, k.Risk.Kind), Open: k.Status == casework.CaseOpen, Base: supportCasePath(k.ID)}
	if k.Risk.KeyDate != nil {
		d.KeyDate = supportDay(*k.Risk.KeyDate)
	}
	if k.FirstContactAt != nil {
		d.Contact = "Made on " + k.FirstContactAt.In(london).Format("2 January 2006")
	} else {
		d.Contact = "By " + supportDay(k.FirstContactDueOn)
	}
	if k.Outcome != nil {
		d.Outcome = casework.Label(casework.Outcomes, *k.Outcome)
	}
	for _, a := range k.Actions {
		d.Actions = append(d.Actions, supportActionRow{CaseAction: a, Due: supportDay(a.DueOn), Done: a.Status == casework.ActionDone})
	}
	for _, x := range k.KeyDates {
		d.KeyDates = append(d.KeyDates, supportKeyDateRow{On: supportDay(x.On), Kind: casework.Label(casework.KeyDateKinds, x.Kind),
			Description: x.Description})
	}
	return d
}

// supportCase is the group's page of its case.
func (ui *UI) supportCase(c *gin.Context) {
	if supportCaseworker(c) {
		return
	}
	p := page{}
	switch {
	case c.Query("noted") == "1":
		p.Flash = "Your note has been added. Your caseworker can see it."
	case c.Query("uploaded") == "1":
		p.Flash = "Your document has been added. Your caseworker can see it."
	}
	ui.renderSupportCase(c, http.StatusOK, p)
}

// renderSupportCase renders the case page with p's form and flash, or the
// error page when the case cannot be read.
func (ui *UI) renderSupportCase(c *gin.Context, status int, p page) {
	k, err := ui.app.GetCase(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	p.Title, p.Back, p.Data = "Your case: "+k.Space.Name, "/support-requests", supportCaseDataOf(k)
	ui.render(c, status, "support-case", p)
}

// supportAddNote adds the group's note (always shared).
func (ui *UI) supportAddNote(c *gin.Context) {
	if supportCaseworker(c) {
		return
	}
	f := postedForm(c)
	_, err := ui.app.AddCaseNote(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.CaseNoteInput{Body: f.Raw("body")}))
	if err != nil {
		if !f.FromApp(err, nil, "body") {
			ui.fail(c, err)
			return
		}
		ui.renderSupportCase(c, refusal(c, err), page{Form: f})
		return
	}
	redirect(c, supportCasePath(c.Param("id"))+"?noted=1")
}

// supportUpload adds the group's document (multipart field "file", read
// within the upload limit by the CSRF check); the use case decides its
// type from its content and refuses what is too large.
func (ui *UI) supportUpload(c *gin.Context) {
	if supportCaseworker(c) {
		return
	}
	f := newForm()
	open, done := uploadedFile(c, "file")
	defer done()
	_, err := ui.app.AddCaseDocument(c.Request.Context(), actor(c), c.Param("id"), true, open)
	if err == nil {
		redirect(c, supportCasePath(c.Param("id"))+"?uploaded=1")
		return
	}
	if !uploadRefused(f, err, "file") && !f.FromApp(err, nil, "file") {
		ui.fail(c, err)
		return
	}
	ui.renderSupportCase(c, refusal(c, err), page{Form: f})
}

// supportDownload sends a document of the case as an attachment, never
// rendered inline.
func (ui *UI) supportDownload(c *gin.Context) {
	d, file, err := ui.app.OpenCaseDocument(c.Request.Context(), actor(c), c.Param("id"), c.Param("doc"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.sendDocument(c, d.Download(), file)
}
