package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/money"
)

// applicantSummaryRow is one row of a check-your-answers summary list. ID
// is the use case's field path, so the error summary of a failed
// submission links to the row (and its Change link).
type applicantSummaryRow struct {
	ID     string
	Key    string
	Lines  []string
	Href   string // a download link for the value, if any
	Change string
	Empty  string // shown when there are no lines
}

// applicantSummaryCard is one task's answers under a heading.
type applicantSummaryCard struct {
	Title string
	Rows  []applicantSummaryRow
}

// applicantSummary lists everything the application says, task by task;
// with editable, each row links to the page that changes it.
func applicantSummary(x applicantCase, editable bool) []applicantSummaryCard {
	change := func(href string) string {
		if editable {
			return href
		}
		return ""
	}
	var cards []applicantSummaryCard
	for _, s := range applicantSections(x) {
		card := applicantSummaryCard{Title: s.Title}
		for _, q := range s.Questions {
			card.Rows = append(card.Rows, applicantSummaryRow{ID: "answers." + q.Key, Key: q.Title,
				Lines: answerLines(q, x.App.Answers[q.Key], x.App.Documents), Change: change(s.Path),
				Empty: map[bool]string{true: "Not answered", false: "Not answered (optional)"}[q.Required]})
		}
		cards = append(cards, card)
	}
	if applicantShowPartners(x) {
		card := applicantSummaryCard{Title: "Partner organisations"}
		for i, p := range x.App.Partners {
			lines := []string{p.Name}
			if p.CharityNumber != "" {
				lines = append(lines, "Charity number "+p.CharityNumber)
			}
			if p.CompanyNumber != "" {
				lines = append(lines, "Company number "+p.CompanyNumber)
			}
			if p.ContactEmail != "" {
				lines = append(lines, p.ContactEmail)
			}
			if p.SharePence != nil {
				share := "Share: " + money.Pounds(*p.SharePence)
				if p.SharePurpose != "" {
					share += " for " + p.SharePurpose
				}
				lines = append(lines, share)
			}
			lines = append(lines, applicantPartnerStatus(p.Status))
			row := applicantSummaryRow{Key: "Partner " + strconv.Itoa(i+1), Lines: lines, Change: change(x.Base + "/partners")}
			if i == 0 {
				row.ID = "partners"
			}
			card.Rows = append(card.Rows, row)
		}
		if len(x.App.Partners) == 0 {
			card.Rows = append(card.Rows, applicantSummaryRow{ID: "partners", Key: "Partners", Empty: "None added",
				Change: change(x.Base + "/partners")})
		}
		cards = append(cards, card)
	}
	amount := applicantSummaryCard{Title: "Grant size and amount"}
	tier := applicantSummaryRow{ID: "tier", Key: "Grant size", Empty: "Not chosen", Change: change(x.Base + "/amount")}
	if x.App.Tier != nil {
		if t, ok := x.Round.Tier(*x.App.Tier); ok {
			tier.Lines = []string{applicantTierText(t.Title, t.MinPence, t.MaxPence)}
		}
	}
	requested := applicantSummaryRow{ID: "requested_pence", Key: "Amount requested", Empty: "Not given", Change: change(x.Base + "/amount")}
	if x.App.RequestedPence != nil {
		requested.Lines = []string{money.Pounds(*x.App.RequestedPence)}
	}
	amount.Rows = []applicantSummaryRow{tier, requested}
	if x.App.Shared() && x.App.RequestedPence != nil {
		amount.Rows = append(amount.Rows, applicantSummaryRow{Key: "Your organisation’s share",
			Lines: []string{money.Pounds(x.App.LeadSharePence()) + " (the rest is shared with your partners)"}, Change: change(x.Base + "/partners")})
	}
	cards = append(cards, amount)
	docs := applicantSummaryCard{Title: "Supporting documents"}
	for i, d := range x.App.Documents {
		row := applicantSummaryRow{Key: "File " + strconv.Itoa(i+1), Lines: []string{d.Filename, applicantDocType(d.ContentType) + ", " + applicantSize(d.SizeBytes)},
			Href: "/documents/" + d.ID, Change: change(x.Base + "/documents")}
		if i == 0 {
			row.ID = "documents"
		}
		docs.Rows = append(docs.Rows, row)
	}
	if len(x.App.Documents) == 0 {
		docs.Rows = append(docs.Rows, applicantSummaryRow{ID: "documents", Key: "Files", Empty: "None uploaded", Change: change(x.Base + "/documents")})
	}
	return append(cards, docs)
}

func applicantTierText(title string, minP, maxP int64) string {
	r := money.Pounds(minP) + " to " + money.Pounds(maxP)
	if title == "" {
		return r
	}
	return title + " (" + r + ")"
}

type applicantCheckData struct {
	Case        applicantCase
	Summary     []applicantSummaryCard
	Eligibility *eligibility.Result
}

// applicantPreview evaluates the round's eligibility rules against what
// the application and its organisation say now, so the check page can
// warn before submission; nil when it cannot tell.
func (ui *UI) applicantPreview(c *gin.Context, x applicantCase) *eligibility.Result {
	if len(x.Round.Eligibility.Rules) == 0 {
		return nil
	}
	in := app.EligibilityInput{RoundID: x.Round.ID, Answers: x.App.Answers, RequestedPence: x.App.RequestedPence}
	n := int64(len(x.App.Partners))
	in.PartnerCount = &n
	if o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), x.App.OrganisationID); err == nil {
		in.Organisation = &app.EligibilityOrganisation{Name: &o.Name, LegalForm: &o.LegalForm, AnnualIncomePence: &o.AnnualIncomePence,
			Borough: &o.Borough, CharityNumber: o.CharityNumber, CompanyNumber: o.CompanyNumber}
	}
	res, err := ui.app.CheckEligibility(c.Request.Context(), in)
	if err != nil {
		return nil
	}
	return &res
}

func (ui *UI) applicantRenderCheck(c *gin.Context, status int, x applicantCase, f *Form) {
	ui.render(c, status, "applicant-check", page{Title: "Check your answers before submitting your application", Form: f, Back: x.Base,
		Data: applicantCheckData{Case: x, Summary: applicantSummary(x, true), Eligibility: ui.applicantPreview(c, x)}})
}

// applicantCheckPage is check your answers, with the submit button.
func (ui *UI) applicantCheckPage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	if !x.Draft() {
		redirect(c, x.Base)
		return
	}
	ui.applicantRenderCheck(c, http.StatusOK, x, nil)
}

// applicantSubmit submits the application. Missing or wrong answers, and a
// round that has closed, re-render check your answers with the problems.
func (ui *UI) applicantSubmit(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	_, err := ui.app.SubmitApplication(c.Request.Context(), actor(c), x.App.ID, noParams)
	if err == nil {
		redirect(c, x.Base+"/confirmation")
		return
	}
	rename := map[string]string{}
	if e, ok := app.AsError(err); ok {
		// Every partner's problem on the partners row, one after another.
		var partnerProblems []string
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			if strings.HasPrefix(k, "partners[") {
				partnerProblems = append(partnerProblems, strings.TrimSuffix(e.Fields[k], "."))
				delete(e.Fields, k)
			}
		}
		if len(partnerProblems) > 0 {
			if msg := e.Fields["partners"]; msg != "" {
				partnerProblems = append([]string{strings.TrimSuffix(msg, ".")}, partnerProblems...)
			}
			e.Fields["partners"] = strings.Join(partnerProblems, ". ")
		}
		if _, bad := e.Fields["requested_pence"]; bad {
			e.Fields["requested_pence"] = "Enter how much you are asking for"
			if x.App.Tier != nil && x.App.RequestedPence != nil {
				if t, ok := x.Round.Tier(*x.App.Tier); ok {
					e.Fields["requested_pence"] = "For this grant size, ask for between " + money.Pounds(t.MinPence) + " and " + money.Pounds(t.MaxPence)
				}
			}
		}
	}
	var order []string
	for _, s := range applicantSections(x) {
		for _, q := range s.Questions {
			order = append(order, "answers."+q.Key)
		}
	}
	order = append(order, "partners", "tier", "requested_pence", "documents")
	f := newForm()
	status, shown := ui.applicantSaveFailed(c, f, x, err, rename, order...)
	if !shown {
		return
	}
	if cur, err := ui.app.GetApplication(c.Request.Context(), actor(c), x.App.ID); err == nil {
		x.App = cur
	}
	if !x.Draft() {
		redirect(c, x.Base)
		return
	}
	ui.applicantRenderCheck(c, status, x, f)
}

// applicantConfirmation is the confirmation panel with the reference.
func (ui *UI) applicantConfirmation(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	if x.Draft() {
		redirect(c, x.Base)
		return
	}
	ui.render(c, http.StatusOK, "applicant-confirmation", page{Title: "Application submitted", Data: x})
}
