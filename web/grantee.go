package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// granteeMaxPages bounds how many pages of a list one page view reads
// (200 items each).
const granteeMaxPages = 10

// granteeStep is what happens next with an application, in plain English,
// with the link that takes the applicant there (if any).
type granteeStep struct {
	Text     string
	Href     string
	Link     string // the link's text
	LinkHint string // visually hidden context for the link
}

type granteeAppItem struct {
	App       app.Application
	RoundName string
	OrgName   string
	Next      granteeStep
}

type granteeGrantItem struct {
	Grant       app.Grant
	RoundName   string
	OrgName     string
	NextPayment *app.GrantPayment
	NextReport  *app.GrantReport
	ReportName  string // of NextReport
}

type granteeListData struct {
	Apps     []granteeAppItem
	Grants   []granteeGrantItem
	MultiOrg bool
	HasOrgs  bool
}

// granteeOrgs returns the visitor's organisations by id.
func (ui *UI) granteeOrgs(ctx context.Context, a app.Actor) (map[string]app.Organisation, error) {
	out := map[string]app.Organisation{}
	pq := app.PageQuery{Limit: "200"}
	for range granteeMaxPages {
		p, err := ui.app.ListOrganisations(ctx, a, pq)
		if err != nil {
			return nil, err
		}
		for _, o := range p.Items {
			out[o.ID] = o
		}
		if p.NextCursor == nil {
			break
		}
		pq.Cursor = *p.NextCursor
	}
	return out, nil
}

// granteeRounds reads rounds once each.
type granteeRounds struct {
	ui    *UI
	ctx   context.Context
	cache map[string]app.Round
}

func (r *granteeRounds) get(id string) (app.Round, error) {
	if rd, ok := r.cache[id]; ok {
		return rd, nil
	}
	rd, err := r.ui.app.GetRound(r.ctx, id)
	if err != nil {
		return rd, err
	}
	r.cache[id] = rd
	return rd, nil
}

// granteeApplications is "Your applications and grants": every application
// and grant of the visitor's organisations with what happens next.
func (ui *UI) granteeApplications(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	orgs, err := ui.granteeOrgs(ctx, a)
	if err != nil {
		ui.fail(c, err)
		return
	}
	rounds := &granteeRounds{ui: ui, ctx: ctx, cache: map[string]app.Round{}}
	data := granteeListData{MultiOrg: len(orgs) > 1, HasOrgs: len(orgs) > 0}

	var grants []app.Grant
	gq := app.GrantFilter{Page: app.PageQuery{Limit: "200"}}
	for range granteeMaxPages {
		p, err := ui.app.ListGrants(ctx, a, gq)
		if err != nil {
			ui.fail(c, err)
			return
		}
		for _, g := range p.Items {
			_, mine := orgs[g.OrganisationID]
			if _, share := orgs[g.PayeeOrganisationID]; mine || share { // staff see every grant: keep the visitor's own (and partners' shares)
				grants = append(grants, g)
			}
		}
		if p.NextCursor == nil {
			break
		}
		gq.Page.Cursor = *p.NextCursor
	}
	byID := map[string]*app.Grant{}
	for i := range grants {
		byID[grants[i].ID] = &grants[i]
	}

	var apps []app.Application
	aq := app.ApplicationFilter{Page: app.PageQuery{Limit: "200"}}
	for range granteeMaxPages {
		p, err := ui.app.ListApplications(ctx, a, aq)
		if err != nil {
			ui.fail(c, err)
			return
		}
		for _, x := range p.Items {
			if _, mine := orgs[x.OrganisationID]; mine {
				apps = append(apps, x)
			}
		}
		if p.NextCursor == nil {
			break
		}
		aq.Page.Cursor = *p.NextCursor
	}
	// Most recently changed first.
	slices.SortStableFunc(apps, func(x, y app.Application) int { return y.UpdatedAt.Compare(x.UpdatedAt) })

	now := ui.now()
	for _, x := range apps {
		r, err := rounds.get(x.RoundID)
		if err != nil {
			ui.fail(c, err)
			return
		}
		var g *app.Grant
		if x.GrantID != nil {
			g = byID[*x.GrantID]
		}
		data.Apps = append(data.Apps, granteeAppItem{App: x, RoundName: r.Name, OrgName: orgs[x.OrganisationID].Name,
			Next: granteeNextStep(x, r, g, now)})
	}
	for _, g := range grants {
		r, err := rounds.get(g.RoundID)
		if err != nil {
			ui.fail(c, err)
			return
		}
		org, ok := orgs[g.OrganisationID]
		if !ok { // a partner's share of another organisation's grant
			org = orgs[g.PayeeOrganisationID]
		}
		item := granteeGrantItem{Grant: g, RoundName: r.Name, OrgName: org.Name,
			NextPayment: granteeNextPayment(g), NextReport: granteeNextReport(g)}
		if item.NextReport != nil {
			item.ReportName = granteeReportName(item.NextReport.Kind)
		}
		data.Grants = append(data.Grants, item)
	}
	p := page{Title: "Your applications and grants", Data: data}
	if c.Query("deleted") == "1" {
		p.Flash = "Your draft has been deleted."
	}
	ui.render(c, http.StatusOK, "grantee-applications", p)
}

// granteeNextStep says, in plain English, what happens next with an
// application in each of its states (DESIGN §4b).
func granteeNextStep(x app.Application, r app.Round, g *app.Grant, now time.Time) granteeStep {
	appHref := "/applications/" + url.PathEscape(x.ID)
	view := granteeStep{Href: appHref, Link: "View your application", LinkHint: " to " + r.Name}
	switch x.Status {
	case app.StatusDraft:
		switch {
		case now.Before(r.OpensAt):
			return granteeStep{Text: "This round opens on " + granteeDate(r.OpensAt) + ". You can prepare your application until then.",
				Href: appHref, Link: "Continue your application", LinkHint: " to " + r.Name}
		case now.Before(r.ClosesAt):
			return granteeStep{Text: "Finish your application and submit it before the round closes on " + granteeDate(r.ClosesAt) + ".",
				Href: appHref, Link: "Continue your application", LinkHint: " to " + r.Name}
		}
		view.Text = "This round closed on " + granteeDate(r.ClosesAt) + " before you submitted this draft, so it can no longer be submitted."
		return view
	case app.StatusSubmitted:
		view.Text = "We are checking that your application meets the rules of the round. This usually takes a few minutes."
		return view
	case app.StatusIneligible:
		view.Text = "Your application does not meet the rules of the round, so it will not be assessed."
		if x.Eligibility != nil && len(x.Eligibility.Reasons) > 0 {
			view.Text += " " + granteeSentences(x.Eligibility.Reasons)
		}
		return view
	case app.StatusInAssessment:
		expected := r.ClosesAt.Add(r.Timeline.AssessmentWindow.Duration + r.Timeline.DecisionWindow.Duration)
		if expected.After(now) {
			view.Text = "Assessors are scoring your application. We expect the panel to decide by " + granteeDay(expected) + ". We will tell you the outcome."
		} else {
			view.Text = "Assessors have scored your application and the panel will decide soon. We will tell you the outcome."
		}
		return view
	case app.StatusWaitlisted:
		view.Text = "Your application is on the waiting list. If money becomes available in this round, we will offer you a grant and tell you."
		return view
	case app.StatusRejected:
		view.Text = "Your application was not successful."
		if x.Decision != nil && strings.TrimSpace(x.Decision.Reason) != "" {
			view.Text += " The panel’s reason: " + strings.TrimSpace(x.Decision.Reason)
		}
		return view
	case app.StatusWithdrawn:
		view.Text = "You withdrew this application. Nothing more will happen with it."
		return view
	case app.StatusApproved:
		if x.GrantID == nil {
			view.Text = "Your application was approved."
			return view
		}
		grantHref := "/grants/" + url.PathEscape(*x.GrantID)
		step := granteeStep{Href: grantHref, Link: "View your grant", LinkHint: " from " + r.Name}
		if g == nil {
			step.Text = "Your application was approved and you have been offered a grant."
			return step
		}
		switch g.Status {
		case app.GrantOffered:
			step.Text = "You have been offered a grant of " + money.Pounds(g.AwardPence) + ". An admin of your organisation must accept the offer by " +
				granteeDate(g.OfferExpiresAt) + "."
			step.Href, step.Link = grantHref+"/accept", "Accept your offer"
		case app.GrantActive:
			step.Text = "You accepted the grant. Set up how you will be paid, and send your reports when they are due."
		case app.GrantLapsed:
			step.Text = "The offer was not accepted by " + granteeDate(g.OfferExpiresAt) + ", so it has lapsed."
		case app.GrantDeclined:
			step.Text = "Your organisation declined the offer."
		case app.GrantCompleted:
			step.Text = "Your grant is complete. Thank you for your reports."
		case app.GrantSuspended:
			step.Text = "Your grant is suspended: payments are paused. The programme team will contact you."
		case app.GrantTerminated:
			step.Text = "Your grant has been ended. The programme team will have written to you."
		default:
			step.Text = "Your application was approved."
		}
		return step
	}
	view.Text = "Your application is " + strings.ToLower(humanise(x.Status)) + "."
	return view
}

// granteeNextPayment is the first tranche not yet settled.
func granteeNextPayment(g app.Grant) *app.GrantPayment {
	for i := range g.Payments {
		switch g.Payments[i].Status {
		case workflows.PaymentPaid, workflows.PaymentCancelled, workflows.PaymentReversed:
			continue
		}
		return &g.Payments[i]
	}
	return nil
}

// granteeNextReport is the report the grantee owes soonest.
func granteeNextReport(g app.Grant) *app.GrantReport {
	var best *app.GrantReport
	for i := range g.Reports {
		r := &g.Reports[i]
		switch r.Status {
		case workflows.ReportSubmitted, workflows.ReportAccepted:
			continue
		}
		if best == nil || (r.DueAt != nil && (best.DueAt == nil || r.DueAt.Before(*best.DueAt))) {
			best = r
		}
	}
	return best
}

// granteeSentences joins reasons as sentences.
func granteeSentences(rs []string) string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !strings.HasSuffix(r, ".") {
			r += "."
		}
		out = append(out, r)
	}
	return strings.Join(out, " ")
}

func granteeDate(t time.Time) string { return t.In(london).Format("2 January 2006 at 3:04pm") }

func granteeDay(t time.Time) string { return t.In(london).Format("2 January 2006") }

// granteeCondition says when a tranche is paid.
func granteeCondition(cond string) string {
	if kind, ok := strings.CutPrefix(cond, "after_report:"); ok {
		return "After your " + strings.ReplaceAll(kind, "_", " ") + " report is accepted"
	}
	if cond == "on_acceptance" {
		return "When you have accepted the offer and can be paid"
	}
	return humanise(cond)
}

// granteeReportName is "Interim report" for kind interim.
func granteeReportName(kind string) string { return humanise(kind) + " report" }

// granteeParagraphs splits text into paragraphs at blank lines and line
// breaks.
func granteeParagraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// granteeIsHidden reports whether err is the app's not_found or
// forbidden (something the visitor may not read).
func granteeIsHidden(err error) bool {
	e, ok := app.AsError(err)
	return ok && (e.Kind == app.KindNotFound || e.Kind == app.KindForbidden)
}
