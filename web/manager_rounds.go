package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
)

// mgrRoundsData is the rounds list.
type mgrRoundsData struct {
	Rounds     []app.Round
	Programmes map[string]string // code → name
	Next       string            // the next page's URL, if any
	// OpenData links each programme with a 360Giving prefix to its public
	// open data.
	OpenData []openDataLink
}

// openDataLink is a programme's public 360Giving address.
type openDataLink struct{ Name, URL string }

// managerRounds lists every round with its status, dates and budget.
func (ui *UI) managerRounds(c *gin.Context) {
	ctx := c.Request.Context()
	page1, err := ui.app.ListRounds(ctx, app.RoundFilter{Page: app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"}})
	if err != nil {
		ui.failList(c, err)
		return
	}
	progs, err := ui.app.ListProgrammes(ctx)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := mgrRoundsData{Rounds: page1.Items, Programmes: map[string]string{}}
	for _, p := range progs {
		d.Programmes[p.Code] = p.Name
		if p.GivingPrefix != "" {
			d.OpenData = append(d.OpenData, openDataLink{Name: p.Name, URL: "/api/v1/open-data/" + p.Code + "/360giving.json"})
		}
	}
	if page1.NextCursor != nil {
		d.Next = "/manage/rounds?cursor=" + urlQueryEscape(*page1.NextCursor)
	}
	ui.render(c, http.StatusOK, "manager-rounds", page{Title: "Rounds", Data: d})
}

// mgrRoundPage is the round form's page.
type mgrRoundPage struct {
	Action  string // where the form posts
	Round   *app.Round
	Opened  bool // the round has opened: only some changes are allowed
	Model   mgrRoundModel
	Rows    map[string][]int
	Choices mgrChoices
	// Per-row choices: each form question's sections and each
	// instalment's conditions (the rows' own value always among them).
	QuestionSections [][]choice
	Conditions       [][]choice
}

type mgrChoices struct {
	Programmes, Types, Ops, Providers []choice
	PartnerConsent, PartnerPayments   []choice
}

var mgrTypeNames = map[string]string{form.TypeText: "Text", form.TypeMoney: "Money (pounds and pence)", form.TypeNumber: "Number",
	form.TypeDate: "Date", form.TypeChoice: "Choice from a list", form.TypeYesNo: "Yes or no", form.TypeFile: "File upload"}

var mgrOpNames = map[string]string{eligibility.OpEq: "is", eligibility.OpNe: "is not", eligibility.OpIn: "is one of",
	eligibility.OpNotIn: "is none of", eligibility.OpLt: "is less than", eligibility.OpLte: "is at most",
	eligibility.OpGt: "is more than", eligibility.OpGte: "is at least", eligibility.OpPresent: "is given"}

func (ui *UI) mgrRoundPage(c *gin.Context, action string, r *app.Round, m mgrRoundModel) (mgrRoundPage, error) {
	progs, err := ui.app.ListProgrammes(c.Request.Context())
	if err != nil {
		return mgrRoundPage{}, err
	}
	p := mgrRoundPage{Action: action, Round: r, Model: m, Rows: map[string][]int{}}
	if r != nil {
		p.Opened = r.Status != round.StatusUpcoming
	}
	for _, g := range []struct {
		name string
		n    int
	}{{mgrTiers, len(m.Tiers)}, {mgrCriteria, len(m.Criteria)}, {mgrSections, len(m.Sections)}, {mgrQuestions, len(m.Questions)},
		{mgrEligQuestions, len(m.EligQuestions)}, {mgrRules, len(m.Rules)}, {mgrReports, len(m.Reports)}, {mgrSchedule, len(m.Schedule)}} {
		p.Rows[g.name] = make([]int, g.n)
		for i := range g.n {
			p.Rows[g.name][i] = i
		}
	}
	p.Choices.Programmes = []choice{{Value: "", Text: "Choose a programme"}}
	for _, pr := range progs {
		p.Choices.Programmes = append(p.Choices.Programmes, choice{Value: pr.Code, Text: pr.Name})
	}
	for _, t := range form.Types {
		p.Choices.Types = append(p.Choices.Types, choice{Value: t, Text: mgrTypeNames[t]})
	}
	for _, op := range eligibility.Ops {
		p.Choices.Ops = append(p.Choices.Ops, choice{Value: op, Text: mgrOpNames[op]})
	}
	p.Choices.Providers = []choice{{Value: round.ProviderStripe, Text: "Stripe", Hint: "Paid by bank transfer to the grantee's Stripe account"},
		{Value: round.ProviderManual, Text: "Manual", Hint: "Finance pays by payment runs from the grantee's bank details"}}
	p.Choices.PartnerConsent = []choice{{Value: round.PartnerConsentOptional, Text: "No", Hint: "A named partner never stops an application being submitted"},
		{Value: round.PartnerConsentRequired, Text: "Yes", Hint: "Every partner confirms the partnership from an emailed link first"}}
	p.Choices.PartnerPayments = []choice{{Value: round.PartnerPaymentsLead, Text: "The lead organisation", Hint: "The lead pays its partners"},
		{Value: round.PartnerPaymentsEach, Text: "Each partner its share", Hint: "Every tranche is split by the partners' shares; each partner is paid as its own payee"}}

	withValue := func(items []choice, v string) []choice {
		for _, it := range items {
			if it.Value == v {
				return items
			}
		}
		return append(items, choice{Value: v, Text: v})
	}
	var sections []choice
	for _, s := range m.Sections {
		if s.Key != "" {
			sections = append(sections, choice{Value: s.Key, Text: mgrSectionText(s)})
		}
	}
	for _, q := range m.Questions {
		items := append([]choice{{Value: "", Text: "Choose a section"}}, sections...)
		p.QuestionSections = append(p.QuestionSections, withValue(items, q.Section))
	}
	conds := []choice{{Value: "", Text: "Choose when"}, {Value: round.ConditionOnAcceptance, Text: "When the offer is accepted"}}
	for _, r := range m.Reports {
		if r.Kind != "" {
			conds = append(conds, choice{Value: round.ConditionAfterReportPrefix + r.Kind, Text: "After the " + r.Kind + " report is accepted"})
		}
	}
	for _, in := range m.Schedule {
		p.Conditions = append(p.Conditions, withValue(append([]choice(nil), conds...), in.Condition))
	}
	return p, nil
}

func mgrSectionText(s mgrSection) string {
	if s.Title == "" {
		return s.Key
	}
	return s.Title + " (" + s.Key + ")"
}

// renderRound shows the round form with f's values and errors.
func (ui *UI) renderRound(c *gin.Context, status int, title, action string, r *app.Round, m mgrRoundModel, f *Form) {
	p, err := ui.mgrRoundPage(c, action, r, m)
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, status, "manager-round", page{Title: title, Form: f, Data: p, Back: "/manage/rounds"})
}

// managerNewRoundPage is the form for a new round, started with the usual
// timeline and one blank row of each list.
func (ui *UI) managerNewRoundPage(c *gin.Context) {
	progs, err := ui.app.ListProgrammes(c.Request.Context())
	if err != nil {
		ui.fail(c, err)
		return
	}
	prog := ""
	if len(progs) == 1 {
		prog = progs[0].Code
	}
	m := mgrStarter(prog)
	f := newForm()
	f.Values = m.values()
	ui.renderRound(c, http.StatusOK, "Create a round", "/manage/rounds/new", nil, m, f)
}

// mgrAddAction is the group whose "Add another" button was pressed, if
// any.
func mgrAddAction(f *Form) (string, bool) {
	g, ok := strings.CutPrefix(f.Get("action"), "add:")
	if !ok {
		return "", false
	}
	for _, x := range mgrGroups {
		if x == g {
			return g, true
		}
	}
	return "", false
}

// managerCreateRound adds a row and shows the form again, or creates the
// round.
func (ui *UI) managerCreateRound(c *gin.Context) {
	const title, action = "Create a round", "/manage/rounds/new"
	posted := postedForm(c)
	m := mgrParseModel(posted.Values)
	f := newForm()
	if g, ok := mgrAddAction(posted); ok {
		m.add(g)
		f.Values = m.values()
		ui.renderRound(c, http.StatusOK, title, action, nil, m, f)
		return
	}
	f.Values = m.values()
	def, local, questionOf := m.definition(nil)
	if len(local) > 0 {
		mgrFail(f, m, local, def, questionOf, nil)
		ui.renderRound(c, http.StatusUnprocessableEntity, title, action, nil, m, f)
		return
	}
	r, err := ui.app.CreateRound(c.Request.Context(), actor(c), def)
	if err != nil {
		if mgrFail(f, m, nil, def, questionOf, err) {
			ui.renderRound(c, refusal(c, err), title, action, nil, m, f)
			return
		}
		ui.fail(c, err)
		return
	}
	redirect(c, "/manage/rounds/"+r.ID+"/edit?saved=created")
}

// managerEditRoundPage is the form for an existing round.
func (ui *UI) managerEditRoundPage(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	m := mgrModelOf(r.Definition)
	f := newForm()
	f.Values = m.values()
	p, err := ui.mgrRoundPage(c, "/manage/rounds/"+r.ID+"/edit", &r, m)
	if err != nil {
		ui.fail(c, err)
		return
	}
	pg := page{Title: "Edit " + r.Name, Form: f, Data: p, Back: "/manage/rounds"}
	switch c.Query("saved") {
	case "created":
		pg.Flash = "Round created"
	case "1":
		pg.Flash = "Round saved"
	}
	ui.render(c, http.StatusOK, "manager-round", pg)
}

// mgrEditable are the definition's keys the form edits; the rest (the
// assessor pool and the report form) are left as they are.
var mgrEditable = []string{"programme", "name", "opens_at", "closes_at", "budget_pence", "min_partners", "tiers", "eligibility",
	"form", "criteria", "assessors_per_application", "moderation_threshold", "timeline", "payment_schedule",
	"payment_provider", "offer_conditions"}

// managerUpdateRound adds a row and shows the form again, or saves the
// round through the use case's merge edit.
func (ui *UI) managerUpdateRound(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := ui.app.GetRound(ctx, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	title, action := "Edit "+r.Name, "/manage/rounds/"+r.ID+"/edit"
	posted := postedForm(c)
	m := mgrParseModel(posted.Values)
	f := newForm()
	if g, ok := mgrAddAction(posted); ok {
		m.add(g)
		f.Values = m.values()
		ui.renderRound(c, http.StatusOK, title, action, &r, m, f)
		return
	}
	f.Values = m.values()
	def, local, questionOf := m.definition(&r.Definition)
	if len(local) > 0 {
		mgrFail(f, m, local, def, questionOf, nil)
		ui.renderRound(c, http.StatusUnprocessableEntity, title, action, &r, m, f)
		return
	}
	patch, err := mgrPatch(def)
	if err != nil {
		ui.fail(c, err)
		return
	}
	if _, err := ui.app.UpdateRound(ctx, actor(c), r.ID, jsonBody(patch)); err != nil {
		if mgrFail(f, m, nil, def, questionOf, err) {
			ui.renderRound(c, refusal(c, err), title, action, &r, m, f)
			return
		}
		ui.fail(c, err)
		return
	}
	redirect(c, action+"?saved=1")
}

// mgrPatch is the merge edit of the keys the form edits; a key the
// definition leaves out (an empty optional one) is sent as null so that
// clearing it clears it.
func mgrPatch(def round.Definition) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("encode round: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("decode round: %w", err)
	}
	patch := map[string]json.RawMessage{}
	for _, k := range mgrEditable {
		if v, ok := all[k]; ok {
			patch[k] = v
		} else {
			patch[k] = json.RawMessage("null")
		}
	}
	return patch, nil
}

// mgrFail records on f the problems with the round: the form's own
// (local, by input name) with the definition's validation, or the use
// case's error err. It reports whether there was anything to show.
func mgrFail(f *Form, m mgrRoundModel, local map[string]string, def round.Definition, questionOf map[string]string, err error) bool {
	fields := map[string]string{}
	kind := app.KindInvalid
	message := "Check the highlighted fields"
	if err != nil {
		e, ok := app.AsError(err)
		if !ok {
			return false
		}
		kind, message = e.Kind, e.Message
		for k, v := range e.Fields {
			fields[k] = v
		}
	} else {
		more := def.Validate()
		rename := m.rename(more, questionOf)
		for k, v := range more {
			if _, clash := local[rename[k]]; !clash {
				fields[k] = v
			}
		}
		for k, v := range local {
			fields[k] = v
		}
	}
	rename := m.rename(fields, questionOf)
	for k, v := range fields { // "Tier 2: Enter a key", so rows with the same message differ
		v = mgrPoundsText(v)
		if label := mgrRowLabel(rename[k]); label != "" {
			v = label + ": " + v
		}
		fields[k] = v
	}
	if kind == app.KindConflict && len(fields) > 0 {
		f.Fail("", message)
	}
	return f.FromApp(&app.Error{Kind: kind, Code: "round", Message: message, Fields: fields}, rename, m.names()...)
}

var (
	mgrPenceRE      = regexp.MustCompile(`\b([0-9]+) pence\b`)
	mgrWholePenceRE = regexp.MustCompile(`a whole number of pence of ([0-9]+) or more`)
)

// mgrPoundsText writes the amounts in pence of the use case's messages
// as the form takes them, in pounds: "more than 0 pence" → "more than
// £0".
func mgrPoundsText(msg string) string {
	msg = mgrWholePenceRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.ParseInt(mgrWholePenceRE.FindStringSubmatch(m)[1], 10, 64)
		return "an amount of " + money.Pounds(n) + " or more"
	})
	return mgrPenceRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.ParseInt(mgrPenceRE.FindStringSubmatch(m)[1], 10, 64)
		return money.Pounds(n)
	})
}
