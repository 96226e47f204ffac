package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/form"
)

// applicantCase is an application with its round, as every application page
// needs them.
type applicantCase struct {
	App   app.Application
	Round app.Round
	Base  string // the application's path, /applications/<id>
}

// Draft reports whether the application can still be edited.
func (x applicantCase) Draft() bool { return x.App.Status == app.StatusDraft }

// Withdrawable reports whether the application's state allows withdrawal.
func (x applicantCase) Withdrawable() bool {
	switch x.App.Status {
	case app.StatusDraft, app.StatusSubmitted, app.StatusInAssessment, app.StatusWaitlisted:
		return true
	}
	return false
}

// applicantLoad reads the application of the path's :id (another
// organisation's one is not found) and its round.
func (ui *UI) applicantLoad(c *gin.Context) (applicantCase, bool) {
	ctx := c.Request.Context()
	a, err := ui.app.GetApplication(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return applicantCase{}, false
	}
	r, err := ui.app.GetRound(ctx, a.RoundID)
	if err != nil {
		ui.fail(c, err)
		return applicantCase{}, false
	}
	return applicantCase{App: a, Round: r, Base: "/applications/" + a.ID}, true
}

// applicantSection is one question page: the round's eligibility questions
// (Key "") or a section of its form.
type applicantSection struct {
	Key         string
	Title       string
	Description string
	Path        string
	Questions   []form.Question
}

func applicantSections(x applicantCase) []applicantSection {
	var out []applicantSection
	if qs := x.Round.Eligibility.Questions; len(qs) > 0 {
		out = append(out, applicantSection{Title: "Eligibility", Path: x.Base + "/eligibility", Questions: qs,
			Description: "These questions check that your organisation can apply to this round."})
	}
	for _, s := range x.Round.Form.Sections {
		out = append(out, applicantSection{Key: s.Key, Title: s.Title, Description: s.Description,
			Path: x.Base + "/sections/" + s.Key, Questions: s.Questions})
	}
	return out
}

// Task statuses on the task list.
const (
	taskCompleted   = "completed"
	taskInProgress  = "in_progress"
	taskNotStarted  = "not_started"
	taskOptional    = "optional"
	taskCannotStart = "cannot_start"
)

// applicantTask is one line of the application's task list.
type applicantTask struct {
	Title  string
	Hint   string
	Href   string
	Status string
}

func applicantSectionStatus(qs []form.Question, answers map[string]json.RawMessage) string {
	required, requiredDone, answered := 0, 0, 0
	for _, q := range qs {
		done := applicantAnswered(q, answers)
		if done {
			answered++
		}
		if q.Required {
			required++
			if done {
				requiredDone++
			}
		}
	}
	switch {
	case requiredDone == required && (answered > 0 || required > 0):
		return taskCompleted
	case answered > 0:
		return taskInProgress
	case required == 0:
		return taskOptional
	}
	return taskNotStarted
}

// applicantShowPartners reports whether the application has a partners
// task: the round asks for partners, or some were added.
func applicantShowPartners(x applicantCase) bool {
	return x.Round.MinPartners > 0 || len(x.App.Partners) > 0
}

func applicantAmountStatus(x applicantCase) string {
	a := x.App
	switch {
	case a.Tier != nil && a.RequestedPence != nil:
		if t, ok := x.Round.Tier(*a.Tier); ok && *a.RequestedPence >= t.MinPence && *a.RequestedPence <= t.MaxPence {
			return taskCompleted
		}
		return taskInProgress
	case a.Tier != nil || a.RequestedPence != nil:
		return taskInProgress
	}
	return taskNotStarted
}

// applicantTasks lists the tasks of a draft in order, ending with check
// answers, which can start once every other task is done.
func applicantTasks(x applicantCase) []applicantTask {
	var tasks []applicantTask
	for _, s := range applicantSections(x) {
		tasks = append(tasks, applicantTask{Title: s.Title, Href: s.Path, Status: applicantSectionStatus(s.Questions, x.App.Answers)})
	}
	if applicantShowPartners(x) {
		t := applicantTask{Title: "Partner organisations", Href: x.Base + "/partners"}
		n := len(x.App.Partners)
		switch {
		case x.Round.MinPartners > 0:
			t.Hint = "Add at least " + strconv.Itoa(x.Round.MinPartners) + " partner organisation"
			if x.Round.MinPartners > 1 {
				t.Hint += "s"
			}
			t.Status = map[bool]string{true: taskCompleted, false: taskNotStarted}[n >= x.Round.MinPartners]
			if n > 0 && n < x.Round.MinPartners {
				t.Status = taskInProgress
			}
		case n > 0:
			t.Status = taskCompleted
		default:
			t.Status = taskOptional
		}
		tasks = append(tasks, t)
	}
	tasks = append(tasks, applicantTask{Title: "Grant size and amount", Href: x.Base + "/amount", Status: applicantAmountStatus(x)})
	docs := applicantTask{Title: "Supporting documents", Href: x.Base + "/documents", Status: taskOptional}
	if n := len(x.App.Documents); n > 0 {
		docs.Status = taskCompleted
		docs.Hint = strconv.Itoa(n) + " uploaded"
	}
	tasks = append(tasks, docs)
	check := applicantTask{Title: "Check your answers and submit", Href: x.Base + "/check", Status: taskNotStarted}
	for _, t := range tasks {
		if t.Status != taskCompleted && t.Status != taskOptional {
			check.Status = taskCannotStart
		}
	}
	return append(tasks, check)
}

// applicantNext is the page after the task at href: the next task, or
// check answers.
func applicantNext(x applicantCase, href string) string {
	tasks := applicantTasks(x)
	i := slices.IndexFunc(tasks, func(t applicantTask) bool { return t.Href == href })
	if i >= 0 && i+1 < len(tasks) {
		return tasks[i+1].Href
	}
	return x.Base + "/check"
}

type applicantApplicationData struct {
	Case         applicantCase
	Organisation string
	Tasks        []applicantTask
	Done, Total  int
	Summary      []applicantSummaryCard
	CanWithdraw  bool
	CanDelete    bool // a draft, and the visitor a member of the lead
}

// applicantApplication is the application's home: the task list of a
// draft, or what was submitted and where it stands.
func (ui *UI) applicantApplication(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	d := applicantApplicationData{Case: x}
	member := false
	switch o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), x.App.OrganisationID); {
	case err == nil:
		d.Organisation, member = o.Name, o.Role != ""
	case !isNotFound(err): // not found: staff reading the case, not members
		ui.fail(c, err)
		return
	}
	p := page{Title: "Your application: " + x.Round.Name, Back: "/applications"}
	switch {
	case c.Query("saved") == "1":
		p.Flash = "Your answers have been saved. You can come back and finish your application at any time before the round closes."
	case c.Query("withdrawn") == "1":
		p.Flash = "Your application has been withdrawn."
	}
	if x.Draft() {
		d.Tasks = applicantTasks(x)
		for _, t := range d.Tasks[:len(d.Tasks)-1] {
			d.Total++
			if t.Status == taskCompleted || t.Status == taskOptional {
				d.Done++
			}
		}
	} else {
		d.Summary = applicantSummary(x, false)
	}
	d.CanWithdraw = x.Withdrawable() && member
	d.CanDelete = x.Draft() && member
	p.Data = d
	ui.render(c, http.StatusOK, "applicant-application", p)
}

// applicantIsMember reports whether the visitor is a member of the
// organisation, and so may act on its applications.
func (ui *UI) applicantIsMember(c *gin.Context, orgID string) bool {
	o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), orgID)
	return err == nil && o.Role != ""
}

type applicantSectionData struct {
	Case      applicantCase
	Section   applicantSection
	Questions []applicantQuestion
	HasFile   bool // a file question: the page offers "Save and upload a file"
}

// applicantSectionOf finds the section of the path: the eligibility
// questions or the form section named by :section.
func applicantSectionOf(c *gin.Context, x applicantCase) (applicantSection, bool) {
	key := c.Param("section") // "" on /applications/:id/eligibility
	for _, s := range applicantSections(x) {
		if s.Key == key {
			return s, true
		}
	}
	return applicantSection{}, false
}

func (ui *UI) applicantRenderSection(c *gin.Context, status int, x applicantCase, s applicantSection, f *Form) {
	d := applicantSectionData{Case: x, Section: s, Questions: make([]applicantQuestion, len(s.Questions))}
	for i, q := range s.Questions {
		d.Questions[i] = applicantQuestionField(q, x.App.Documents, x.Base+"/documents?return="+urlQueryEscape(s.Path))
		d.HasFile = d.HasFile || q.Type == form.TypeFile
	}
	ui.render(c, status, "applicant-section", page{Title: s.Title, Form: f, Back: x.Base, Data: d})
}

// applicantSectionPage is a question page with every question of a section.
func (ui *UI) applicantSectionPage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	s, ok := applicantSectionOf(c, x)
	if !ok {
		ui.NotFound(c)
		return
	}
	if !x.Draft() {
		redirect(c, x.Base)
		return
	}
	f := newForm()
	prefillAnswers(f, s.Questions, x.App.Answers)
	f.Set("version", strconv.Itoa(int(x.App.Version)))
	ui.applicantRenderSection(c, http.StatusOK, x, s, f)
}

// applicantSaveSection saves a section's answers: "Save and continue"
// needs every required answer; "Save and come back later" keeps what is
// there. Either way every answer given is checked, and nothing is saved
// while any is wrong.
func (ui *UI) applicantSaveSection(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	s, ok := applicantSectionOf(c, x)
	if !ok {
		ui.NotFound(c)
		return
	}
	f := postedForm(c)
	action := f.Get("action")
	later := action == "later" || action == "upload"
	answers := readAnswers(f, s.Questions, !later)
	order := make([]string, len(s.Questions))
	for i, q := range s.Questions {
		order[i] = "answers." + q.Key
	}
	if f.Invalid() {
		ui.applicantRenderSection(c, http.StatusUnprocessableEntity, x, s, f)
		return
	}
	saved, err := ui.app.SaveApplication(c.Request.Context(), actor(c), x.App.ID,
		jsonBody(map[string]any{"version": applicantVersion(f), "answers": answers}))
	if err != nil {
		if status, shown := ui.applicantSaveFailed(c, f, x, err, nil, order...); shown {
			ui.applicantRenderSection(c, status, x, s, f)
		}
		return
	}
	x.App = saved
	switch action {
	case "upload":
		redirect(c, x.Base+"/documents?return="+urlQueryEscape(s.Path))
	case "later":
		redirect(c, x.Base+"?saved=1")
	default:
		redirect(c, applicantNext(x, s.Path))
	}
}

// applicantVersion is the version the form was read at; an unreadable one
// is sent as 0, which the use case refuses as a conflict.
func applicantVersion(f *Form) int64 {
	v, err := strconv.ParseInt(f.Get("version"), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// applicantSaveFailed puts a failed save on the form and returns the status
// to re-render it with; shown is false when the error is not for the form
// (ui.fail has answered). A version conflict keeps what was typed and
// moves the form to the current version, so saving again replaces the
// other change knowingly.
func (ui *UI) applicantSaveFailed(c *gin.Context, f *Form, x applicantCase, err error, rename map[string]string, order ...string) (int, bool) {
	e, ok := app.AsError(err)
	if ok && e.Code == "version_conflict" {
		f.Fail("", applicantConflictMessage(ui.savesSince(c, x, applicantVersion(f)), x, actor(c).ID)+
			" Your answers on this page have not been saved: check them against the current answers and save again.")
		if cur, err := ui.app.GetApplication(c.Request.Context(), actor(c), x.App.ID); err == nil {
			f.Set("version", strconv.Itoa(int(cur.Version)))
		}
		return refusal(c, err), true
	}
	if !f.FromApp(err, rename, order...) {
		ui.fail(c, err)
		return 0, false
	}
	return refusal(c, err), true
}

// savesSince lists who saved the application after the version a stale
// form was read at; nil (the message then names nobody) if it cannot be
// read.
func (ui *UI) savesSince(c *gin.Context, x applicantCase, version int64) []app.ApplicationSave {
	saves, err := ui.app.SavesSince(c.Request.Context(), actor(c), x.App.ID, version)
	if err != nil {
		ui.log.WarnContext(c.Request.Context(), "saves since a stale version", "application", x.App.ID, "err", err)
		return nil
	}
	return saves
}

// applicantConflictMessage says who saved the newer versions of a draft,
// when, and which answers they changed.
func applicantConflictMessage(saves []app.ApplicationSave, x applicantCase, me string) string {
	if len(saves) == 0 {
		return "Someone else saved changes to this application while you were editing it."
	}
	titles := map[string]string{"tier": "Grant size", "requested_pence": "Amount requested", "partners": "Partners"}
	for _, q := range x.Round.ApplicationQuestions() {
		titles["answers."+q.Key] = q.Title
	}
	var parts []string
	for _, s := range saves {
		who := s.ByName + " saved a newer version on "
		switch {
		case s.ByID == me:
			who = "you saved a newer version (in another window or tab) on "
		case s.ByName == "":
			who = "someone else saved a newer version on "
		}
		var changed []string
		for _, p := range s.Changed {
			if t, ok := titles[p]; ok {
				p = t
			}
			if !slices.Contains(changed, "‘"+p+"’") {
				changed = append(changed, "‘"+p+"’")
			}
		}
		part := who + dateTime(s.At)
		if len(changed) > 0 {
			part += ", changing " + strings.Join(changed, ", ")
		}
		parts = append(parts, part)
	}
	return "While you were editing: " + strings.Join(parts, "; ") + "."
}
