package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/round"
)

// Cases as caseworkers work them: the list, and a case's page with its
// plan, contacts, notes, key dates and documents, each with its form, and
// the forms that reassign, invite the group to apply and close it. Every
// form posts to a command of its own and comes back to the case's page;
// the page's one Form holds every field, each named after its form
// (action-title, contact-summary, …), so a refused form shows its errors
// and keeps what was typed.

type cwCasesData struct {
	cwText
	Items  []app.Case
	Mine   bool
	Status string
	Next   string
}

// caseworkCases lists cases, newest first: everyone's or the caller's,
// open or closed.
func (ui *UI) caseworkCases(c *gin.Context) {
	f := app.CaseFilter{Status: c.Query("status"), Mine: c.Query("mine"), Page: app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"}}
	p, err := ui.app.ListCases(c.Request.Context(), actor(c), f)
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := cwCasesData{Items: p.Items, Mine: f.Mine == "true", Status: f.Status}
	if p.NextCursor != nil {
		q := url.Values{"cursor": {*p.NextCursor}}
		if f.Status != "" {
			q.Set("status", f.Status)
		}
		if f.Mine != "" {
			q.Set("mine", f.Mine)
		}
		d.Next = "/casework/cases?" + q.Encode()
	}
	ui.render(c, http.StatusOK, "casework-cases", page{Title: "Cases", Data: d})
}

type cwCaseData struct {
	cwText
	Case         app.Case
	Open         bool
	Caseworkers  []choice // reassign to
	Owners       []choice // an action's owner: a caseworker or no one
	Rounds       []choice // open rounds to invite the group to
	ContactKinds []choice
	KeyDateKinds []choice
	Outcomes     []choice
	Invited      string // the draft application an invitation started
}

// Size writes a document's size.
func (cwCaseData) Size(n int64) string { return applicantSize(n) }

// DocType names a document's type.
func (cwCaseData) DocType(mime string) string { return applicantDocType(mime) }

// cwDone are the banners after each command.
var cwDone = map[string]string{
	"opened":     "The case has been opened. The group has been told.",
	"action":     "The action has been added to the plan.",
	"done":       "The action has been marked done.",
	"reopened":   "The action has been opened again.",
	"contact":    "The contact has been logged.",
	"note":       "The note has been added.",
	"key-date":   "The key date has been added.",
	"document":   "The document has been uploaded.",
	"reassigned": "The case has been given to another caseworker. They have been told.",
	"invited":    "A draft application has been started for the group. They have been told.",
	"closed":     "The case has been closed.",
}

// caseworkCasePage renders a case for a caseworker with f (nil: empty
// forms).
func (ui *UI) caseworkCasePage(c *gin.Context, status int, f *Form) {
	ctx := c.Request.Context()
	a := actor(c)
	cs, err := ui.app.GetCase(ctx, a, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := cwCaseData{Case: cs, Open: cs.Status == casework.CaseOpen, ContactKinds: cwChoices(casework.ContactKinds),
		KeyDateKinds: cwChoices(casework.KeyDateKinds), Outcomes: cwChoices(casework.Outcomes)}
	if d.Open {
		cws, err := ui.app.ListCaseworkers(ctx, a)
		if err != nil {
			ui.fail(c, err)
			return
		}
		d.Caseworkers = cwCaseworkerChoices(cws)
		d.Owners = append([]choice{{Value: "", Text: "No one yet"}}, d.Caseworkers...)
		rounds, err := ui.app.ListRounds(ctx, app.RoundFilter{Status: round.StatusOpen, Page: app.PageQuery{Limit: "200"}, Viewer: a})
		if err != nil {
			ui.fail(c, err)
			return
		}
		for _, r := range rounds.Items {
			d.Rounds = append(d.Rounds, choice{Value: r.ID, Text: r.Name})
		}
	}
	flash := ""
	if status == http.StatusOK {
		flash = cwDone[c.Query("done")]
		if c.Query("done") == "invited" {
			d.Invited = c.Query("application")
		}
	}
	if f == nil {
		f = newForm().Set("reassign-caseworker", cs.CaseworkerID)
	}
	ui.render(c, status, "casework-case", page{Title: cs.Space.Name, Form: f, Data: d, Flash: flash, Back: "/casework/cases"})
}

func (ui *UI) caseworkCase(c *gin.Context) { ui.caseworkCasePage(c, http.StatusOK, nil) }

// cwCommand ends a case's command: to the case's page with its banner
// (anchor: the section it changed), or the page again with the refusal.
// Problems found on the form itself are on f already; the use case was
// then given input it refuses, so nothing changed.
func (ui *UI) cwCommand(c *gin.Context, f *Form, err error, done, anchor string, rename map[string]string, order ...string) {
	if err == nil {
		redirect(c, "/casework/cases/"+url.PathEscape(c.Param("id"))+"?done="+done+anchor)
		return
	}
	if !f.FromApp(err, rename, order...) {
		ui.fail(c, err)
		return
	}
	ui.caseworkCasePage(c, refusal(c, err), f)
}

// cwDate reads a GOV.UK date input as YYYY-MM-DD: "" with a message on f
// when it is empty or not a date (the use case then refuses "").
func cwDate(f *Form, name, missing string) string {
	s, given, msg := formDate(f, name)
	switch {
	case !given:
		f.Fail(name, missing)
	case msg != "":
		f.Fail(name, msg)
	}
	return s
}

// caseworkAddAction adds a step to the plan.
func (ui *UI) caseworkAddAction(c *gin.Context) {
	f := postedForm(c)
	in := app.CaseActionInput{Title: f.Raw("action-title"), DueOn: cwDate(f, "action-due", "Enter the date it is due")}
	if owner := f.Get("action-owner"); owner != "" {
		in.OwnerID = &owner
	}
	_, err := ui.app.AddCaseAction(c.Request.Context(), actor(c), c.Param("id"), jsonBody(in))
	ui.cwCommand(c, f, err, "action", "#plan", map[string]string{"title": "action-title", "owner_id": "action-owner", "due_on": "action-due"},
		"action-title", "action-owner", "action-due")
}

// caseworkActionStatus marks a step done or open again.
func (ui *UI) caseworkActionStatus(c *gin.Context) {
	f := postedForm(c)
	status := f.Get("status")
	_, err := ui.app.SetCaseActionStatus(c.Request.Context(), actor(c), c.Param("id"), c.Param("action"),
		jsonBody(app.CaseActionStatusInput{Status: status}))
	done := "done"
	if status == casework.ActionOpen {
		done = "reopened"
	}
	ui.cwCommand(c, f, err, done, "#plan", map[string]string{"status": ""})
}

// caseworkAddContact logs a contact: its date and time are read in
// London and sent as RFC 3339.
func (ui *UI) caseworkAddContact(c *gin.Context) {
	f := postedForm(c)
	in := app.CaseContactInput{Kind: f.Get("contact-kind"), Summary: f.Raw("contact-summary")}
	local := map[string]string{}
	w := mgrWhen{Day: f.Get("contact-at-day"), Month: f.Get("contact-at-month"), Year: f.Get("contact-at-year"), Time: f.Get("contact-at-time")}
	if w.Day == "" && w.Month == "" && w.Year == "" {
		local["contact-at"] = "Enter the date of the contact"
	} else if at := mgrParseWhen(w, "contact-at", "the date of the contact", time.Time{}, local); !at.IsZero() {
		in.At = at.Format(time.RFC3339)
	}
	// The use case's "at" is the date's problem, or the time's when only
	// the time is wrong.
	rename := map[string]string{"kind": "contact-kind", "minutes": "contact-minutes", "summary": "contact-summary", "at": "contact-at"}
	for _, k := range []string{"contact-at", "contact-at-time"} {
		if msg, ok := local[k]; ok {
			f.Fail(k, msg)
			rename["at"] = k
		}
	}
	if s := f.Get("contact-minutes"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			in.Minutes = &n
		} else {
			f.Fail("contact-minutes", "Enter the time spent as a whole number of minutes, like 30")
		}
	}
	_, err := ui.app.AddCaseContact(c.Request.Context(), actor(c), c.Param("id"), jsonBody(in))
	ui.cwCommand(c, f, err, "contact", "#contacts", rename, "contact-at", "contact-at-time", "contact-kind", "contact-minutes", "contact-summary")
}

// caseworkAddNote adds a note, shared with the group when ticked.
func (ui *UI) caseworkAddNote(c *gin.Context) {
	f := postedForm(c)
	shared := f.Checked("note-shared", "yes")
	_, err := ui.app.AddCaseNote(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.CaseNoteInput{Body: f.Raw("note-body"), Shared: &shared}))
	ui.cwCommand(c, f, err, "note", "#notes", map[string]string{"body": "note-body", "shared": "note-shared"}, "note-body", "note-shared")
}

// caseworkAddKeyDate adds a key date.
func (ui *UI) caseworkAddKeyDate(c *gin.Context) {
	f := postedForm(c)
	in := app.CaseKeyDateInput{Kind: f.Get("keydate-kind"), On: cwDate(f, "keydate-on", "Enter the date"), Description: f.Raw("keydate-description")}
	_, err := ui.app.AddCaseKeyDate(c.Request.Context(), actor(c), c.Param("id"), jsonBody(in))
	ui.cwCommand(c, f, err, "key-date", "#key-dates", map[string]string{"kind": "keydate-kind", "on": "keydate-on", "description": "keydate-description"},
		"keydate-kind", "keydate-on", "keydate-description")
}

// caseworkUpload stores the multipart field "doc-file" (read by the CSRF
// check, within the upload limit) as a document of the case.
func (ui *UI) caseworkUpload(c *gin.Context) {
	f := postedForm(c)
	open, done := uploadedFile(c, "doc-file")
	defer done()
	_, err := ui.app.AddCaseDocument(c.Request.Context(), actor(c), c.Param("id"), f.Checked("doc-shared", "yes"), open)
	if uploadRefused(f, err, "doc-file") {
		ui.caseworkCasePage(c, refusal(c, err), f)
		return
	}
	ui.cwCommand(c, f, err, "document", "#documents", map[string]string{"file": "doc-file"}, "doc-file")
}

// caseworkDownload sends a document of the case as an attachment.
func (ui *UI) caseworkDownload(c *gin.Context) {
	d, file, err := ui.app.OpenCaseDocument(c.Request.Context(), actor(c), c.Param("id"), c.Param("doc"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.sendDocument(c, d.Download(), file)
}

// caseworkReassign gives the case to another caseworker.
func (ui *UI) caseworkReassign(c *gin.Context) {
	f := postedForm(c)
	_, err := ui.app.ReassignCase(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.CaseReassignInput{CaseworkerID: f.Get("reassign-caseworker")}))
	ui.cwCommand(c, f, err, "reassigned", "", map[string]string{"caseworker_id": "reassign-caseworker"}, "reassign-caseworker")
}

// caseworkInvite starts a draft application of the group to an open
// round, pre-filled from the case.
func (ui *UI) caseworkInvite(c *gin.Context) {
	f := postedForm(c)
	res, err := ui.app.InviteToApply(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.InviteInput{RoundID: f.Get("invite-round")}))
	done := "invited"
	if err == nil {
		done += "&application=" + url.QueryEscape(res.ID)
	}
	ui.cwCommand(c, f, err, done, "#invite", map[string]string{"round_id": "invite-round"}, "invite-round")
}

// caseworkClose closes the case with its outcome and what changed.
func (ui *UI) caseworkClose(c *gin.Context) {
	f := postedForm(c)
	_, err := ui.app.CloseCase(c.Request.Context(), actor(c), c.Param("id"),
		jsonBody(app.CaseCloseInput{Outcome: f.Get("close-outcome"), Summary: f.Raw("close-summary")}))
	ui.cwCommand(c, f, err, "closed", "", map[string]string{"outcome": "close-outcome", "summary": "close-summary"}, "close-outcome", "close-summary")
}
