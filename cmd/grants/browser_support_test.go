package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// A group asks for one-to-one support with a space at risk: the public
// page shows every question before sign-in; sign-in leads to the form;
// a forgotten answer comes back with the GOV.UK error pattern, what was
// typed kept; sent, the request is confirmed and listed.
func TestBrowserSupportRequest(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	const (
		email   = "ama.support-journey@example.org"
		orgName = "Walworth Community Association"
	)
	ama := s.env.User(t, email)
	s.env.Organisation(t, ama, orgName)

	b := newBrowserPage(t, webRoot(s))
	b.visit("/")
	b.clickLink("Ask for support with a space")
	b.expectHeading("Get support to protect a community space")
	b.expectText("What is the space used for?", "Who is the landlord?", "What is putting the space at risk?", "How urgent is it?",
		"May we share your case with our partners?")
	b.clickButton("Sign in or create an account to ask for support")
	b.expectPath("/sign-in")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", apptest.Password)
	b.clickButton("Sign in")
	b.expectPath("/support/new")

	req := askForSupport(b, supportAnswers{Organisation: orgName, Space: "Walworth Hall", Risk: "Lease ending",
		Urgency: "High: the space could be lost within weeks"})
	b.expectText("Lease ending", "Waiting for triage", "Lunch club for older people", "£12,000")
	b.clickLink("Support for a space")
	b.expectHeading("Support for your spaces")
	b.expectText("Walworth Hall", "Waiting for triage")

	// Accepted (the caseworkers' pages are another change), the group
	// follows its case, also from its organisation's page.
	cw := s.env.User(t, "cw.support-journey@example.org", app.RoleCaseworker)
	_, err := s.env.App.TriageSupportRequest(context.Background(), cw, strings.TrimPrefix(req, "/support-requests/"),
		apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	b.visit("/support-requests")
	b.expectText("Accepted")
	b.clickLink("Follow your case for Walworth Hall")
	b.expectHeading("Your case: Walworth Hall")
	b.expectText("Test cw.support-journey@example.org", "Your caseworker will agree the next steps with you.")
	addGroupNote(b, "We meet the council's property team on Friday.")
	b.expectText("Your note has been added. Your caseworker can see it.", "We meet the council's property team on Friday.")
	b.clickLink("Your organisations")
	b.clickLink(orgName)
	b.expectText("Support cases", "Requests for support")
	b.clickLink("Walworth Hall: support case")
	b.expectHeading("Your case: Walworth Hall")
}

// supportAnswers are the answers of a support request that a journey
// chooses; askForSupport fills in the rest with realistic answers.
type supportAnswers struct {
	Organisation string // its name, as the form lists it
	Space        string
	Risk         string // the label of casework.RiskKinds, such as "Lease ending"
	Urgency      string // the label of casework.Urgencies
}

// askForSupport fills in the whole support request form (b is on
// /support/new, signed in as a member of a.Organisation), first sending it
// without the consent to check the error pattern, and sends it; it
// returns the request's page path, where b is left on the confirmation.
func askForSupport(b *browserPage, a supportAnswers) string {
	b.t.Helper()
	b.expectHeading("Ask for support with a space")
	b.choose("Which organisation is asking for support?", a.Organisation)
	b.fillByLabel("Name of the space", a.Space)
	b.choose("What kind of space is it?", "Community centre")
	b.fillByLabel("Address line 1", "1 Walworth Road")
	b.fillByLabel("Town or city", "London")
	b.fillByLabel("Postcode", "SE17 1RW")
	b.selectOption("London borough", "Southwark")
	b.fillByLabel("What is the space used for?", "Lunch club for older people\nYouth theatre")
	b.fillByLabel("Who uses it? (optional)", "Older people and young people from the estate")
	b.fillByLabel("About how many people use the space in a typical week?", "120")
	b.choose("How does your group hold the space?", "Lease")
	b.choose("Who is the landlord?", "Council")
	ends := time.Now().AddDate(0, 4, 0)
	b.fillIn("When does the lease or licence end? (optional)", "Day", strconv.Itoa(ends.Day()))
	b.fillIn("When does the lease or licence end? (optional)", "Month", strconv.Itoa(int(ends.Month())))
	b.fillIn("When does the lease or licence end? (optional)", "Year", strconv.Itoa(ends.Year()))
	b.fillByLabel("Annual rent (optional)", "12,000")
	b.fillByLabel("Has the rent or its terms changed recently? (optional)", "The council wants to double the rent")
	b.choose("What is putting the space at risk?", a.Risk)
	b.fillIn("Is there a key date? (optional)", "Day", strconv.Itoa(ends.Day()))
	b.fillIn("Is there a key date? (optional)", "Month", strconv.Itoa(int(ends.Month())))
	b.fillIn("Is there a key date? (optional)", "Year", strconv.Itoa(ends.Year()))
	b.choose("What happens on the key date? (optional)", "Lease end")
	b.fillByLabel("Describe what is putting the space at risk", "The council will not renew the lease unless we pay a market rent.")
	b.choose("How urgent is it?", a.Urgency)
	b.check("Our group is led by and for a community facing the greatest inequalities")
	b.clickButton("Send your request")
	b.expectInvalid("Say whether we may share your case with partners")
	if got := b.fieldValue("Name of the space"); got != a.Space {
		b.fatalf("the space's name came back as %q, want %q", got, a.Space)
	}
	b.choose("May we share your case with our partners?", "Yes")
	b.clickButton("Send your request")
	b.expectText("Request sent", "We have your request for support with "+a.Space)
	path := b.path()
	if !strings.HasPrefix(path, "/support-requests/spr_") {
		b.fatalf("sent to %s, want a support request's page", path)
	}
	p, _, _ := strings.Cut(path, "?")
	return p
}

// addGroupNote adds a note on the group's case page b is on.
func addGroupNote(b *browserPage, note string) {
	b.t.Helper()
	untilReady(b, "the note", func() {
		b.fillByLabel("Add a note", note)
		b.clickButton("Add note")
	})
}
