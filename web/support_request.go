package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/money"
)

// Asking for support with a space (Community Spaces at Risk, issue 16):
// the public page shows every question before sign-up; signed in, the
// same questions are the live form (app.CreateSupportRequest decides
// what is acceptable); the group then follows its requests.

// supportQuestion is one question of the support request, as the public
// page lists it and the form asks it. Name is the form field (and the use
// case's path, but for the rent, which is in pounds here).
type supportQuestion struct {
	Name         string
	Kind         string // input, textarea, radios, select, date, checkbox or organisation
	Label        string
	Hint         string
	Items        []choice
	Width        string
	Prefix       string
	Numeric      bool
	Autocomplete string
}

// supportSection is a group of questions under one heading.
type supportSection struct {
	Title     string
	Questions []supportQuestion
}

// supportChoices are a casework list as radio options.
func supportChoices(cs []casework.Choice) []choice {
	out := make([]choice, len(cs))
	for i, c := range cs {
		out[i] = choice{Value: c.Value, Text: c.Label}
	}
	return out
}

// supportYesNo are the options of a yes or no question.
var supportYesNo = []choice{{Value: "yes", Text: "Yes"}, {Value: "no", Text: "No"}}

// supportQuestions is every question of a support request, in page order.
func supportQuestions() []supportSection {
	return []supportSection{
		{Title: "Your organisation", Questions: []supportQuestion{
			{Name: "organisation_id", Kind: "organisation", Label: "Which organisation is asking for support?",
				Hint: "A charity, community group or other organisation you have added to this service"},
		}},
		{Title: "The space", Questions: []supportQuestion{
			{Name: "space.name", Kind: "input", Label: "Name of the space", Hint: "For example, Walworth Community Hall"},
			{Name: "space.kind", Kind: "radios", Label: "What kind of space is it?", Items: supportChoices(casework.SpaceKinds)},
			{Name: "space.address.line1", Kind: "input", Label: "Address line 1", Autocomplete: "address-line1"},
			{Name: "space.address.line2", Kind: "input", Label: "Address line 2 (optional)", Autocomplete: "address-line2"},
			{Name: "space.address.town", Kind: "input", Label: "Town or city", Autocomplete: "address-level2", Width: "govuk-!-width-two-thirds"},
			{Name: "space.address.postcode", Kind: "input", Label: "Postcode", Autocomplete: "postal-code", Width: "govuk-input--width-10"},
			{Name: "space.borough", Kind: "select", Label: "London borough", Hint: "The borough the space is in", Items: applicantBoroughs()},
			{Name: "space.uses", Kind: "textarea", Label: "What is the space used for?",
				Hint: "One use on each line, for example: lunch club for older people"},
			{Name: "space.used_by", Kind: "textarea", Label: "Who uses it? (optional)", Hint: "The people and groups who use the space"},
			{Name: "space.weekly_users", Kind: "input", Label: "About how many people use the space in a typical week?",
				Width: "govuk-input--width-5", Numeric: true},
		}},
		{Title: "How you hold the space", Questions: []supportQuestion{
			{Name: "space.tenure", Kind: "radios", Label: "How does your group hold the space?", Items: supportChoices(casework.Tenures)},
			{Name: "space.landlord_type", Kind: "radios", Label: "Who is the landlord?", Hint: "Not needed if your group owns the space",
				Items: supportChoices(casework.LandlordTypes)},
			{Name: "space.tenure_ends_on", Kind: "date", Label: "When does the lease or licence end? (optional)", Hint: "For example, " + dateExample},
			{Name: "space.annual_rent", Kind: "input", Label: "Annual rent (optional)", Hint: "In pounds, for example 12000",
				Prefix: "£", Width: "govuk-input--width-10"},
			{Name: "space.rent_changes", Kind: "textarea", Label: "Has the rent or its terms changed recently? (optional)",
				Hint: "For example, a rent review or a new service charge"},
		}},
		{Title: "The risk", Questions: []supportQuestion{
			{Name: "risk.kind", Kind: "radios", Label: "What is putting the space at risk?", Items: supportChoices(casework.RiskKinds)},
			{Name: "risk.key_date", Kind: "date", Label: "Is there a key date? (optional)",
				Hint: "A hearing, a notice or the end of the lease, for example " + dateExample},
			{Name: "risk.key_date_kind", Kind: "radios", Label: "What happens on the key date? (optional)", Items: supportChoices(casework.KeyDateKinds)},
			{Name: "risk.description", Kind: "textarea", Label: "Describe what is putting the space at risk"},
			{Name: "urgency", Kind: "radios", Label: "How urgent is it?", Items: supportChoices(casework.Urgencies)},
		}},
		{Title: "About your group", Questions: []supportQuestion{
			{Name: "led_by_community", Kind: "checkbox", Label: "Who leads your group? (optional)",
				Hint:  "We prioritise groups led by and for communities facing the greatest inequalities",
				Items: []choice{{Value: "yes", Text: "Our group is led by and for a community facing the greatest inequalities"}}},
			{Name: "consent_to_share", Kind: "radios", Label: "May we share your case with our partners?",
				Hint:  "Partners such as advice agencies and the borough may be able to help. Assessors of your grant applications will see a summary of your case only if you say yes",
				Items: supportYesNo},
		}},
	}
}

// supportFieldOrder is the form's fields in page order, for the error
// summary.
func supportFieldOrder() []string {
	var out []string
	for _, s := range supportQuestions() {
		for _, q := range s.Questions {
			out = append(out, q.Name)
		}
	}
	return out
}

// supportRename maps the use case's paths to the form's fields where they
// differ: the rent is in pounds here, and each use is a line of one box.
func supportRename(err error) map[string]string {
	rename := map[string]string{"space.annual_rent_pence": "space.annual_rent", "programme": ""}
	if e, ok := app.AsError(err); ok {
		for k := range e.Fields {
			if strings.HasPrefix(k, "space.uses[") {
				rename[k] = "space.uses"
			}
		}
	}
	return rename
}

type supportStartData struct {
	Sections []supportSection
	SignIn   string // sign in, then the form
	SignedIn bool
}

// supportStart is the public page about one-to-one support for a space,
// with every question of the request.
func (ui *UI) supportStart(c *gin.Context) {
	ui.render(c, http.StatusOK, "support-start", page{Title: "Get support to protect a community space", Data: supportStartData{
		Sections: supportQuestions(), SignIn: "/sign-in?next=" + url.QueryEscape(supportNewPath), SignedIn: visitorActor(c).ID != ""}})
}

const supportNewPath = "/support/new"

type supportFormData struct {
	Sections      []supportSection
	Organisations []choice
	AddOrg        string // add an organisation, then back here
}

func (ui *UI) supportRenderForm(c *gin.Context, status int, f *Form) {
	orgs, err := ui.app.ListOrganisations(c.Request.Context(), actor(c), app.PageQuery{Limit: "200"})
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := supportFormData{Sections: supportQuestions(), AddOrg: "/organisations/new?next=" + url.QueryEscape(supportNewPath)}
	for _, o := range orgs.Items {
		d.Organisations = append(d.Organisations, choice{Value: o.ID, Text: o.Name})
	}
	if f == nil {
		f = newForm()
		if len(d.Organisations) == 1 {
			f.Set("organisation_id", d.Organisations[0].Value)
		}
	}
	ui.render(c, status, "support-form", page{Title: "Ask for support with a space", Form: f, Back: "/support", Data: d})
}

// supportNewPage is the request form.
func (ui *UI) supportNewPage(c *gin.Context) { ui.supportRenderForm(c, http.StatusOK, nil) }

// supportInput reads the form into the use case's request, recording on
// f what is not a number, an amount or a date.
func supportInput(f *Form) casework.Request {
	var uses []string
	for _, line := range strings.Split(f.Raw("space.uses"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			uses = append(uses, s)
		}
	}
	in := casework.Request{OrganisationID: f.Get("organisation_id"), Urgency: f.Get("urgency"),
		LedByCommunity: f.Checked("led_by_community", "yes"),
		Space: casework.Space{Name: f.Get("space.name"), Kind: f.Get("space.kind"), Borough: f.Get("space.borough"), Uses: uses,
			UsedBy: strings.TrimSpace(f.Raw("space.used_by")), Tenure: f.Get("space.tenure"),
			RentChanges: strings.TrimSpace(f.Raw("space.rent_changes"))},
		Risk: casework.Risk{Kind: f.Get("risk.kind"), Description: f.Raw("risk.description")}}
	in.Space.Address.Line1, in.Space.Address.Line2 = f.Get("space.address.line1"), f.Get("space.address.line2")
	in.Space.Address.Town, in.Space.Address.Postcode = f.Get("space.address.town"), f.Get("space.address.postcode")
	if s := f.Get("space.landlord_type"); s != "" {
		in.Space.LandlordType = &s
	}
	if s := f.Get("risk.key_date_kind"); s != "" {
		in.Risk.KeyDateKind = &s
	}
	if s := f.Get("space.weekly_users"); s != "" {
		if n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err == nil {
			in.Space.WeeklyUsers = &n
		} else {
			f.Fail("space.weekly_users", "Enter a whole number of people, like 120")
		}
	}
	if s := f.Get("space.annual_rent"); s != "" {
		if p, err := money.ParsePounds(s); err == nil {
			in.Space.AnnualRentPence = &p
		} else {
			f.Fail("space.annual_rent", "Enter the annual rent in pounds, like 12000 or 12000.50")
		}
	}
	in.Space.TenureEndsOn = supportDate(f, "space.tenure_ends_on")
	in.Risk.KeyDate = supportDate(f, "risk.key_date")
	switch f.Get("consent_to_share") {
	case "yes":
		in.ConsentToShare = new(bool)
		*in.ConsentToShare = true
	case "no":
		in.ConsentToShare = new(bool)
	}
	return in
}

// supportDate reads an optional GOV.UK date input as YYYY-MM-DD.
func supportDate(f *Form, name string) *string {
	s, given, msg := formDate(f, name)
	if msg != "" {
		f.Fail(name, msg)
	}
	if !given || msg != "" {
		return nil
	}
	return &s
}

// supportCreate sends the request; the use case checks it whole.
func (ui *UI) supportCreate(c *gin.Context) {
	f := postedForm(c)
	in := supportInput(f)
	if f.Invalid() {
		ui.supportRenderForm(c, http.StatusUnprocessableEntity, f)
		return
	}
	r, err := ui.app.CreateSupportRequest(c.Request.Context(), actor(c), jsonBody(in))
	if err != nil {
		if !f.FromApp(err, supportRename(err), supportFieldOrder()...) {
			ui.fail(c, err)
			return
		}
		ui.supportRenderForm(c, refusal(c, err), f)
		return
	}
	redirect(c, supportRequestPath(r.ID)+"?sent=1")
}

func supportRequestPath(id string) string { return "/support-requests/" + url.PathEscape(id) }

// supportRow is one request as the group reads it, labels looked up.
type supportRow struct {
	R         app.SupportRequest
	Kind      string
	Risk      string
	Status    string
	Urgency   string
	Tenure    string
	Landlord  string
	KeyDate   string
	Outcome   string
	CaseHref  string
	TriagedBy string
}

func supportRowOf(r app.SupportRequest) supportRow {
	row := supportRow{R: r, Kind: casework.Label(casework.SpaceKinds, r.Space.Kind), Risk: casework.Label(casework.RiskKinds, r.Risk.Kind),
		Status: casework.Label(casework.RequestStatuses, r.Status), Urgency: casework.Label(casework.Urgencies, r.Urgency),
		Tenure: casework.Label(casework.Tenures, r.Space.Tenure)}
	if r.Space.LandlordType != nil {
		row.Landlord = casework.Label(casework.LandlordTypes, *r.Space.LandlordType)
	}
	if r.Risk.KeyDate != nil {
		row.KeyDate = supportDay(*r.Risk.KeyDate)
		if r.Risk.KeyDateKind != nil {
			row.KeyDate += " (" + strings.ToLower(casework.Label(casework.KeyDateKinds, *r.Risk.KeyDateKind)) + ")"
		}
	}
	if r.Triage != nil {
		row.Outcome = casework.Label(casework.TriageOutcomes, r.Triage.Outcome)
	}
	if r.CaseID != nil {
		row.CaseHref = supportCasePath(*r.CaseID)
	}
	return row
}

// supportFuncs are the template functions of the support pages: the
// labels of casework's lists, and dates.
func supportFuncs() template.FuncMap {
	return template.FuncMap{
		"supportRequestStatus": func(v string) string { return strings.ToLower(casework.Label(casework.RequestStatuses, v)) },
		"supportRisk":          func(v string) string { return casework.Label(casework.RiskKinds, v) },
		"supportOutcome":       func(v string) string { return casework.Label(casework.Outcomes, v) },
		"supportDay":           supportDay,
	}
}

// supportDay is a YYYY-MM-DD date as people read it ("31 March 2027").
func supportDay(s string) string {
	if d, ok := casework.ParseDate(s); ok {
		return casework.DateTime(d).Format("2 January 2006")
	}
	return s
}

type supportListData struct {
	Requests []supportRow
}

// supportRequests lists the requests of the visitor's organisations
// (caseworkers have their intake queue).
func (ui *UI) supportRequests(c *gin.Context) {
	if actor(c).Has(app.RoleCaseworker) {
		redirect(c, "/casework")
		return
	}
	list, err := ui.app.ListSupportRequests(c.Request.Context(), actor(c), app.SupportRequestFilter{Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := supportListData{}
	for _, r := range list.Items {
		d.Requests = append(d.Requests, supportRowOf(r))
	}
	ui.render(c, http.StatusOK, "support-requests", page{Title: "Support for your spaces", Data: d})
}

type supportRequestData struct {
	Row  supportRow
	Sent bool // just sent: the confirmation panel
}

// supportRequest shows a request as it was sent, and what became of it
// (caseworkers triage it from their own page).
func (ui *UI) supportRequest(c *gin.Context) {
	if actor(c).Has(app.RoleCaseworker) {
		redirect(c, "/casework/requests/"+url.PathEscape(c.Param("id")))
		return
	}
	r, err := ui.app.GetSupportRequest(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "support-request", page{Title: "Support for " + r.Space.Name, Back: "/support-requests",
		Data: supportRequestData{Row: supportRowOf(r), Sent: c.Query("sent") == "1"}})
}
