package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// A partnership of two organisations on the web, from invitation to a
// grant paid to each (issue 17): the lead names a partner with a share
// and invites it from the partners page; the partner's admin follows the
// e-mailed link (from Mailpit) and confirms for its organisation; the
// lead submits; an assessor scores and the chair, who sees the split,
// approves a smaller award; the lead accepts; each organisation saves its
// bank details, and each one's part of the first tranche falls due as its
// own payment, which finance approves twice each.
func TestBrowserPartnership(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	ctx := context.Background()
	const (
		leadEmail    = "lead.partnership@example.org"
		partnerEmail = "pat.partnership@example.org"
		leadName     = "Bermondsey Lunch Club"
		partnerName  = "Peckham Partners"
	)
	assessor := s.env.User(t, "assessor.partnership@example.org", app.RoleAssessor)
	chair := s.env.User(t, "chair.partnership@example.org", app.RoleChair)
	finance1 := s.env.User(t, "finance1.partnership@example.org", app.RoleFinance)
	finance2 := s.env.User(t, "finance2.partnership@example.org", app.RoleFinance)
	lead := s.env.User(t, leadEmail)
	pat := s.env.User(t, partnerEmail)

	def := apptest.ManualRound(t)
	def.Name = "Roots Incubator partnerships round"
	def.AssessorsPerApplication, def.AssessorIDs = 1, []string{assessor.ID}
	def.PartnerConsent, def.PartnerPayments = round.PartnerConsentRequired, round.PartnerPaymentsEach
	r := s.env.Round(t, def)
	group := func(admin app.Actor, name string) app.Organisation {
		income := int64(50_000)
		o, err := s.env.App.CreateOrganisation(ctx, admin, organisation.Input{Name: name, LegalForm: organisation.LegalFormCommunityGroup,
			Borough: "Southwark", Address: organisation.Address{Line1: "2 Example Street", Town: "London", Postcode: "SE1 7PB"}, AnnualIncomePence: &income})
		require.NoError(t, err)
		return o
	}
	leadOrg := group(lead, leadName)
	patOrg := group(pat, partnerName)
	a, err := s.env.App.CreateApplication(ctx, lead, r.ID, leadOrg.ID)
	require.NoError(t, err)
	patch := apptest.CompleteAnswers(a.Version)
	patch["partners"] = []map[string]any{{"name": partnerName}}
	_, err = s.env.App.SaveApplication(ctx, lead, a.ID, apptest.Body(t, patch))
	require.NoError(t, err)

	// The lead gives the partner a share and invites it.
	b := newBrowserPage(t, webRoot(s))
	signIn(b, leadEmail)
	b.visit("/applications/" + a.ID + "/partners")
	b.expectHeading("Partner organisations")
	b.expectText("Not yet asked to confirm")
	b.fillByLabel("Contact email address (optional)", partnerEmail)
	b.fillByLabel("The partner’s share of the amount requested (optional)", "1000")
	b.fillByLabel("What the share pays for (optional)", "Running the Peckham sessions")
	b.clickButton("Save and invite partner 1 to confirm")
	b.expectText("We have emailed "+partnerName+" a link to confirm the partnership", "Invited: waiting for them to confirm")
	b.visit("/applications/" + a.ID + "/check")
	b.clickButton("Accept and submit")
	b.expectStatus(422)
	b.expectText(partnerName + " has not yet confirmed the partnership")

	// The partner's admin confirms from the e-mailed link.
	p := newBrowserPage(t, webRoot(s))
	signIn(p, partnerEmail)
	p.visit(s.emailedLink(t, partnerEmail, leadName+" has named you as a partner in an application to Grants", "/partner-invitations/accept?token="))
	p.expectHeading("Confirm a partnership with " + leadName)
	p.expectText("Your share £1,000", "Running the Peckham sessions")
	p.choose("Which organisation are you answering for?", partnerName) // the only one: chosen already
	p.choose("Do you confirm the partnership and its share as shown?", "Yes, confirm the partnership")
	p.clickButton("Send your answer")
	p.expectText("Partnership confirmed", "We have told "+leadName)

	// The lead submits, the split shown on check your answers.
	b.visit("/applications/" + a.ID + "/check")
	b.expectText("Share: £1,000 for Running the Peckham sessions", "Confirmed", "£1,500 (the rest is shared with your partners)")
	b.clickButton("Accept and submit")
	b.expectPath("/applications/" + a.ID + "/confirmation")

	// Scored through the use cases; the chair sees the split and approves.
	asm := waitAssigned(t, s, a.ID, 1)
	scoreAssessment(t, s.env, assessor, asm[0].ID, map[string]any{
		"need": map[string]any{"score": 4, "justification": "Clear need"}, "led_by": map[string]any{"score": 4, "justification": "Led by members"},
		"delivery": map[string]any{"score": 4, "justification": "Realistic"}})
	switchUser(b, chair.Email)
	b.visit("/cases/" + a.ID)
	b.expectText(partnerName+": Confirmed; share £1,000 for Running the Peckham sessions", "The lead keeps £1,500")
	b.clickButton("Make a decision")
	b.choose("What is your decision?", "Approve and offer a grant")
	b.fillByLabel("Amount to award", "2000")
	b.clickButton("Record decision")
	b.expectText("Your decision has been recorded.")

	// The lead accepts; each organisation saves its bank details.
	switchUser(b, leadEmail)
	grantID := grantOf(t, s, lead, a.ID)
	b.visit("/grants/" + grantID)
	b.expectText("Paid to", partnerName, "Lead organisation")
	b.clickButton("Accept your offer")
	b.fillByLabel("Their role in the organisation", "Chair of trustees")
	b.check("I accept the terms and conditions of this grant on behalf of " + leadName)
	b.clickButton("Accept the offer")
	b.expectText("You have accepted the grant")
	b.clickButton("Add bank details")
	b.fillByLabel("Name on the account", leadName)
	b.fillByLabel("Sort code", "30-94-30")
	b.fillByLabel("Account number", "12345678")
	b.clickButton("Save bank details")
	b.expectText("Bank details saved")

	p.visit("/applications")
	p.clickLink(def.Name)
	p.expectPath("/grants/" + grantID)
	p.expectText(partnerName, "£400")
	p.expectNoText("£600")
	p.clickButton("Add bank details")
	p.fillByLabel("Name on the account", partnerName)
	p.fillByLabel("Sort code", "20-00-00")
	p.fillByLabel("Account number", "87654321")
	p.clickButton("Save bank details")
	p.expectText("Bank details saved")
	p.visit("/grants/" + grantID)
	p.reloadUntil("the partner's part to fall due", "Awaiting approval")

	// Finance approves each payee's payment twice.
	g, err := s.env.App.GetGrant(ctx, lead, grantID)
	require.NoError(t, err)
	var due []string
	for _, pay := range g.Payments {
		if pay.Tranche == 1 {
			due = append(due, pay.ID)
		}
	}
	require.Len(t, due, 2, "a payment to each partner")
	f := newBrowserPage(t, webRoot(s))
	signIn(f, finance1.Email)
	for _, id := range due {
		f.visit("/payments/" + id)
		f.reloadUntil("the tranche to fall due", "Awaiting approval")
		approvePayment(f, "Matches the partnership agreement")
		f.expectText("You approved this payment")
	}
	switchUser(f, finance2.Email)
	for _, id := range due {
		f.visit("/payments/" + id)
		approvePayment(f, "")
		f.expectText("Approved", "2 of 2 approvals")
	}
	g, err = s.env.App.GetGrant(ctx, lead, grantID)
	require.NoError(t, err)
	paidTo := map[string]int64{}
	for _, pay := range g.Payments {
		if pay.Tranche == 1 {
			require.Equal(t, workflows.PaymentApproved, pay.Status)
			to := ""
			if pay.PartnerOrganisationID != nil {
				to = *pay.PartnerOrganisationID
			}
			paidTo[to] += pay.AmountPence
		}
	}
	require.Equal(t, map[string]int64{patOrg.ID: 40000, "": 60000}, paidTo, "£1,000 split 40:60 like the request")

	// One BACS run pays both, each to its own account.
	f.clickLink("Payment runs")
	f.expectHeading("Payment runs")
	f.clickButton("Create payment run")
	f.expectText("Payment run created", "Total £1,000")
	f.check("The bank has sent all 2 payments, £1,000 in total")
	f.clickButton("Mark as paid")
	f.expectText("Payment run marked as paid")
	g, err = s.env.App.GetGrant(ctx, lead, grantID)
	require.NoError(t, err)
	for _, pay := range g.Payments {
		if pay.Tranche == 1 {
			require.Equal(t, workflows.PaymentPaid, pay.Status, "paid to %v", pay.PartnerOrganisationID)
		}
	}
	p.visit("/grants/" + grantID)
	p.expectText("Paid", "£400")
}
