package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

type granteePaymentRow struct {
	P      app.GrantPayment
	When   string // when the tranche is paid, in words
	PaidTo string // the partner paid this part ("" for the lead's)
}

type granteeReportRow struct {
	R      app.GrantReport
	Name   string
	Action string // the link's text; "" for no link
}

// granteeGrantData is what the grant and offer pages show.
type granteeGrantData struct {
	Grant      app.Grant
	RoundName  string
	OrgName    string
	IsAdmin    bool   // the visitor is an admin of the grantee organisation
	Provider   string // stripe or manual
	PayeeSelf  bool   // the grantee is paid itself (not through a host)
	PayeeName  string // "" when the visitor may not read the payee
	PayeeAdmin bool   // the visitor is an admin of the payee
	BankHref   string // the payee's bank details page
	Conditions []string
	Payments   []granteePaymentRow
	Split      bool // some payments pay partners' shares
	Reports    []granteeReportRow
	Payout     string // done or refresh: back from Stripe
	Accepted   bool   // the offer has been accepted (the grant began)
	// ReportsDue lists, on an offer, when each report falls due after
	// acceptance.
	ReportsDue []string
}

// granteeOrg reads an organisation the visitor may not be able to read:
// ok is false then.
func (ui *UI) granteeOrg(ctx context.Context, a app.Actor, orgID string) (app.Organisation, bool, error) {
	o, err := ui.app.GetOrganisation(ctx, a, orgID)
	if err != nil {
		if granteeIsHidden(err) {
			return app.Organisation{}, false, nil
		}
		return o, false, err
	}
	return o, true, nil
}

// granteeLoadGrant reads a grant and everything its pages show; the
// visitor's scope is the app's (not_found for another organisation's).
func (ui *UI) granteeLoadGrant(c *gin.Context, grantID string) (granteeGrantData, error) {
	ctx := c.Request.Context()
	a := actor(c)
	g, err := ui.app.GetGrant(ctx, a, grantID)
	if err != nil {
		return granteeGrantData{}, err
	}
	r, err := ui.app.GetRound(ctx, g.RoundID)
	if err != nil {
		return granteeGrantData{}, err
	}
	d := granteeGrantData{Grant: g, RoundName: r.Name, Provider: r.PaymentProvider, Conditions: granteeParagraphs(g.Conditions),
		Accepted: g.AcceptedAt != nil, PayeeSelf: g.PayeeOrganisationID == g.OrganisationID}
	if d.Provider == "" {
		d.Provider = round.ProviderStripe
	}
	org, ok, err := ui.granteeOrg(ctx, a, g.OrganisationID)
	if err != nil {
		return d, err
	}
	if ok {
		d.OrgName, d.IsAdmin = org.Name, org.Role == app.MemberAdmin
	}
	payee, ok := org, ok
	if !d.PayeeSelf && g.PayeeOrganisationID != "" {
		if payee, ok, err = ui.granteeOrg(ctx, a, g.PayeeOrganisationID); err != nil {
			return d, err
		}
	}
	if ok {
		d.PayeeName, d.PayeeAdmin = payee.Name, payee.Role == app.MemberAdmin
		d.BankHref = "/organisations/" + url.PathEscape(payee.ID) + "/bank-account?grant=" + url.QueryEscape(g.ID)
	}
	partners := map[string]string{} // partner organisations by id, as the lead named them
	if application, err := ui.app.GetApplication(ctx, a, g.ApplicationID); err == nil {
		for _, p := range application.Partners {
			if p.OrganisationID != "" {
				partners[p.OrganisationID] = p.Name
			}
		}
	}
	for _, p := range g.Payments {
		row := granteePaymentRow{P: p, When: granteeCondition(p.Condition)}
		if p.PartnerOrganisationID != nil {
			d.Split = true
			row.PaidTo = partners[*p.PartnerOrganisationID]
			if row.PaidTo == "" {
				row.PaidTo = d.PayeeName // a partner reads its own payments only
			}
		}
		d.Payments = append(d.Payments, row)
	}
	for _, rp := range g.Reports {
		row := granteeReportRow{R: rp, Name: granteeReportName(rp.Kind)}
		if d.Accepted {
			switch rp.Status {
			case workflows.ReportChangesRequested:
				row.Action = "Update and send again"
			case workflows.ReportUpcoming, workflows.ReportDue, workflows.ReportOverdue:
				row.Action = "Send"
			default:
				row.Action = "View"
			}
		}
		d.Reports = append(d.Reports, row)
	}
	if !d.Accepted {
		for _, rd := range r.Timeline.Reports {
			d.ReportsDue = append(d.ReportsDue, granteeReportName(rd.Kind)+": due "+granteeAfter(rd.DueAfter.Duration)+" after you accept")
		}
	}
	return d, nil
}

// granteeAfter says a duration in days (or, for short test rounds, as Go
// writes it).
func granteeAfter(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if d >= 24*time.Hour {
		return "1 day"
	}
	return round.Duration{Duration: d}.String()
}

// granteeGrant shows a grant: award, conditions, payments, reports and
// how it is paid; back from Stripe (?payout=done) it says where the
// onboarding stands.
func (ui *UI) granteeGrant(c *gin.Context) {
	d, err := ui.granteeLoadGrant(c, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	p := page{Title: "Your grant from " + d.RoundName, Data: &d, Back: "/applications"}
	switch c.Query("payout") {
	case "done", "return":
		d.Payout = "done"
		if d.Grant.PayoutReady {
			p.Flash = "Payouts are set up. We can now pay your grant."
		}
	case "refresh":
		d.Payout = "refresh"
	}
	if c.Query("accepted") == "1" && d.Accepted {
		p.Flash = "You have accepted the grant"
	}
	if c.Query("declined") == "1" && d.Grant.Status == app.GrantDeclined {
		p.Flash = "You have declined the grant offer"
	}
	ui.render(c, http.StatusOK, "grantee-grant", p)
}

// granteePayoutAccount asks for the payee's Stripe account and an
// onboarding link, and shows a page with a link to Stripe: a form post
// may not redirect to another site (CSP form-action 'self').
func (ui *UI) granteePayoutAccount(c *gin.Context) {
	acct, err := ui.app.RequestPayoutAccount(c.Request.Context(), actor(c), c.Param("id"), noParams)
	if err != nil {
		f := newForm()
		if !f.FromApp(err, nil) {
			ui.fail(c, err)
			return
		}
		d, lerr := ui.granteeLoadGrant(c, c.Param("id"))
		if lerr != nil {
			ui.fail(c, lerr)
			return
		}
		ui.render(c, refusal(c, err), "grantee-grant", page{Title: "Your grant from " + d.RoundName, Form: f, Data: &d, Back: "/applications"})
		return
	}
	ui.render(c, http.StatusOK, "grantee-payout", page{Title: "Set up payouts with Stripe", Back: "/grants/" + url.PathEscape(c.Param("id")),
		Data: struct {
			URL     string
			GrantID string
		}{acct.OnboardingURL, c.Param("id")}})
}

// granteeOfferAdmin loads the grant for a form an admin of the grantee
// posts about its offer; anyone else is refused (written, ok false).
func (ui *UI) granteeOfferAdmin(c *gin.Context) (granteeGrantData, bool) {
	d, err := ui.granteeLoadGrant(c, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return d, false
	}
	if !d.IsAdmin {
		ui.forbidden(c)
		return d, false
	}
	return d, true
}

// granteeOfferPage is granteeOfferAdmin for a page about an open offer: a
// grant no longer on offer goes back to the grant's page.
func (ui *UI) granteeOfferPage(c *gin.Context) (granteeGrantData, bool) {
	d, err := ui.granteeLoadGrant(c, c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return d, false
	}
	if d.Grant.Status != app.GrantOffered {
		redirect(c, "/grants/"+url.PathEscape(d.Grant.ID))
		return d, false
	}
	if !d.IsAdmin {
		ui.forbidden(c)
		return d, false
	}
	return d, true
}

// granteeAcceptPage is the offer's confirmation page: its terms and the
// declaration an admin of the organisation makes.
func (ui *UI) granteeAcceptPage(c *gin.Context) {
	d, ok := ui.granteeOfferPage(c)
	if !ok {
		return
	}
	f := newForm().Set("signatory_name", actor(c).Name)
	ui.render(c, http.StatusOK, "grantee-accept", page{Title: "Accept your grant offer", Form: f, Data: &d,
		Back: "/grants/" + url.PathEscape(d.Grant.ID)})
}

// granteeAccept accepts the offer through the application's workflow;
// without the declaration ticked nothing is sent.
func (ui *UI) granteeAccept(c *gin.Context) {
	f := postedForm(c)
	d, ok := ui.granteeOfferAdmin(c)
	if !ok {
		return
	}
	if f.Get("signatory_name") == "" {
		f.Fail("signatory_name", "Enter the name of the person accepting")
	}
	if f.Get("signatory_role") == "" {
		f.Fail("signatory_role", "Enter their role in the organisation")
	}
	if !f.Checked("confirm", "yes") {
		f.Fail("confirm", "Confirm that you accept the terms of the grant")
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		_, err := ui.app.AcceptGrant(c.Request.Context(), actor(c), d.Grant.ID, jsonBody(app.AcceptInput{
			SignatoryName: f.Get("signatory_name"), SignatoryRole: f.Get("signatory_role")}))
		if err == nil {
			redirect(c, "/grants/"+url.PathEscape(d.Grant.ID)+"?accepted=1")
			return
		}
		if !f.FromApp(err, nil, "signatory_name", "signatory_role", "confirm") {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	ui.render(c, status, "grantee-accept", page{Title: "Accept your grant offer", Form: f, Data: &d,
		Back: "/grants/" + url.PathEscape(d.Grant.ID)})
}
