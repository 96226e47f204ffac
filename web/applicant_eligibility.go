package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
)

// applicantEligibilityData is the eligibility checker: the round's
// eligibility questions, and the facts about the organisation or the
// application that its rules need (and only those).
type applicantEligibilityData struct {
	Round        app.Round
	Questions    []applicantQuestion
	AskLegalForm bool
	AskIncome    bool
	AskBorough   bool
	AskPartners  bool
	AskRequested bool
	LegalForms   []choice
	Boroughs     []choice
}

type applicantEligibilityResult struct {
	Round  app.Round
	Result eligibility.Result
	Open   bool
}

func applicantEligibilityForm(r app.Round) applicantEligibilityData {
	d := applicantEligibilityData{Round: r, LegalForms: applicantLegalForms, Boroughs: applicantBoroughs()}
	for _, q := range r.Eligibility.Questions {
		d.Questions = append(d.Questions, applicantQuestionField(q, nil, ""))
	}
	for _, rule := range r.Eligibility.Rules {
		switch rule.Field {
		case eligibility.PrefixOrganisation + "legal_form":
			d.AskLegalForm = true
		case eligibility.PrefixOrganisation + "annual_income_pence":
			d.AskIncome = true
		case eligibility.PrefixOrganisation + "borough":
			d.AskBorough = true
		case eligibility.FieldPartnerCount:
			d.AskPartners = true
		case eligibility.FieldRequestedPence:
			d.AskRequested = true
		}
	}
	return d
}

func (ui *UI) applicantRenderEligibility(c *gin.Context, status int, r app.Round, f *Form) {
	ui.render(c, status, "applicant-eligibility", page{Title: "Check whether you can apply", Form: f, Back: "/rounds/" + r.ID,
		Data: applicantEligibilityForm(r)})
}

// applicantEligibilityPage is the eligibility checker's one page of
// questions; anyone may use it.
func (ui *UI) applicantEligibilityPage(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.applicantRenderEligibility(c, http.StatusOK, r, nil)
}

// applicantCheckEligibility evaluates the round's rules against the
// answers and shows whether the visitor can apply, and why not. It saves
// nothing.
func (ui *UI) applicantCheckEligibility(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := applicantEligibilityForm(r)
	f := postedForm(c)
	in := app.EligibilityInput{RoundID: r.ID, Answers: givenAnswers(readAnswers(f, r.Eligibility.Questions, true))}
	org := &app.EligibilityOrganisation{}
	if d.AskLegalForm {
		if v := f.Get("organisation.legal_form"); v != "" {
			org.LegalForm = &v
		} else {
			f.Fail("organisation.legal_form", "Select what kind of organisation you are")
		}
	}
	if d.AskBorough {
		if v := f.Get("organisation.borough"); v != "" {
			org.Borough = &v
		} else {
			f.Fail("organisation.borough", "Select the London borough your organisation is based in")
		}
	}
	if d.AskIncome {
		switch p, err := money.ParsePounds(f.Get("organisation.annual_income")); {
		case f.Get("organisation.annual_income") == "":
			f.Fail("organisation.annual_income", "Enter your organisation’s annual income")
		case err != nil:
			f.Fail("organisation.annual_income", "Enter the annual income in pounds, like 84000")
		default:
			org.AnnualIncomePence = &p
		}
	}
	if d.AskPartners {
		n, err := strconv.ParseInt(strings.TrimSpace(f.Get("partner_count")), 10, 64)
		switch {
		case f.Get("partner_count") == "":
			f.Fail("partner_count", "Enter how many partner organisations you will apply with")
		case err != nil || n < 0:
			f.Fail("partner_count", "Enter a whole number, like 1")
		default:
			in.PartnerCount = &n
		}
	}
	if d.AskRequested {
		switch p, err := money.ParsePounds(f.Get("requested")); {
		case f.Get("requested") == "":
			f.Fail("requested", "Enter how much you would ask for")
		case err != nil:
			f.Fail("requested", "Enter an amount in pounds, like 2500")
		default:
			in.RequestedPence = &p
		}
	}
	if d.AskLegalForm || d.AskBorough || d.AskIncome {
		in.Organisation = org
	}
	var order []string
	for _, q := range d.Questions {
		order = append(order, q.Name)
	}
	order = append(order, "organisation.legal_form", "organisation.borough", "organisation.annual_income", "partner_count", "requested")
	if f.Invalid() {
		ui.applicantRenderEligibility(c, http.StatusUnprocessableEntity, r, f)
		return
	}
	res, err := ui.app.CheckEligibility(c.Request.Context(), in)
	if err != nil {
		if !f.FromApp(err, map[string]string{"organisation.annual_income_pence": "organisation.annual_income", "requested_pence": "requested"}, order...) {
			ui.fail(c, err)
			return
		}
		ui.applicantRenderEligibility(c, refusal(c, err), r, f)
		return
	}
	title := "You can apply"
	switch {
	case !res.Eligible:
		title = "You cannot apply"
	case len(res.Unknown) > 0:
		title = "You may be able to apply"
	}
	ui.render(c, http.StatusOK, "applicant-eligibility-result", page{Title: title, Back: "/rounds/" + r.ID + "/eligibility",
		Data: applicantEligibilityResult{Round: r, Result: res, Open: r.Status == round.StatusOpen}})
}

type applicantApplyData struct {
	Round    app.Round
	Open     bool
	Orgs     []choice
	Existing []applicantExisting
	NewOrg   string
}

// applicantExisting is an application the visitor's organisations already
// have in the round.
type applicantExisting struct {
	ID, Organisation, Status string
}

func (ui *UI) applicantRenderApply(c *gin.Context, status int, r app.Round, f *Form) {
	ctx := c.Request.Context()
	orgs, err := ui.app.ListOrganisations(ctx, actor(c), app.PageQuery{Limit: "200"})
	if err != nil {
		ui.fail(c, err)
		return
	}
	apps, err := ui.app.ListApplications(ctx, actor(c), app.ApplicationFilter{RoundID: r.ID, Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := applicantApplyData{Round: r, Open: r.Status == round.StatusOpen, NewOrg: "/organisations/new?next=" + urlQueryEscape("/rounds/"+r.ID+"/apply")}
	names := map[string]string{}
	for _, o := range orgs.Items {
		names[o.ID] = o.Name
	}
	taken := map[string]bool{}
	for _, a := range apps.Items {
		if _, mine := names[a.OrganisationID]; !mine {
			continue
		}
		taken[a.OrganisationID] = true
		d.Existing = append(d.Existing, applicantExisting{ID: a.ID, Organisation: names[a.OrganisationID], Status: a.Status})
	}
	for _, o := range orgs.Items {
		if !taken[o.ID] {
			d.Orgs = append(d.Orgs, choice{Value: o.ID, Text: o.Name, Hint: applicantLegalFormName(o.LegalForm) + ", " + o.Borough})
		}
	}
	if f == nil {
		f = newForm()
		if len(d.Orgs) == 1 {
			f.Set("organisation_id", d.Orgs[0].Value)
		}
	}
	ui.render(c, status, "applicant-apply", page{Title: "Which organisation is applying?", Form: f, Back: "/rounds/" + r.ID, Data: d})
}

// applicantApplyPage asks which of the visitor's organisations applies,
// offering to add one first.
func (ui *UI) applicantApplyPage(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.applicantRenderApply(c, http.StatusOK, r, nil)
}

// applicantApply starts a draft for the chosen organisation.
func (ui *UI) applicantApply(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	orgID := f.Get("organisation_id")
	if orgID == "" {
		f.Fail("organisation_id", "Select the organisation that is applying")
		ui.applicantRenderApply(c, http.StatusUnprocessableEntity, r, f)
		return
	}
	a, err := ui.app.CreateApplication(c.Request.Context(), actor(c), r.ID, orgID)
	if err != nil {
		if !f.FromApp(err, map[string]string{"round_id": ""}, "organisation_id") {
			ui.fail(c, err)
			return
		}
		ui.applicantRenderApply(c, refusal(c, err), r, f)
		return
	}
	redirect(c, "/applications/"+a.ID)
}
