package main

import (
	"testing"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/workday"
)

// The whole Spaces at Risk journey in one browser, both sides, axe on
// every page: a group asks for support; a caseworker triages it into a
// case, logs the first contact, plans an action, keeps one note private
// and shares another, and invites the group to apply to the open Spaces at
// Risk round; the group sees its case (the shared note and the next step,
// never the private note) and finds the draft application pre-filled from
// the case; the caseworker closes the case with its outcome and the
// figures count it.
func TestBrowserSpacesAtRiskJourney(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	const orgName = "Walworth Community Association"
	ama := s.env.User(t, "ama.spaces@example.org")
	s.env.Organisation(t, ama, orgName)
	cw := s.env.User(t, "femi.spaces@example.org", app.RoleCaseworker)
	_, def := s.env.SpacesAtRiskRound(t)

	// The group asks.
	b := newBrowserPage(t, webRoot(s))
	signIn(b, ama.Email)
	b.visit("/support/new")
	askForSupport(b, supportAnswers{Organisation: orgName, Space: "Walworth Hall", Risk: "Lease ending",
		Urgency: "High: the space could be lost within weeks"})

	// The caseworker triages and works the case.
	switchUser(b, cw.Email)
	triageAccept(b, "Walworth Hall", cw)
	logCaseContact(b, "Call", 30, "First call with the chair")
	addCaseAction(b, "Ask the council's estates team for a renewal", cw, workday.DateOf(time.Now()).AddDays(7))
	addCaseNote(b, "Private: the council's valuation looks high", false)
	addCaseNote(b, "We have written to the council's estates team for you", true)
	b.selectOption("Round open for applications", def.Name)
	b.clickButton("Invite to apply")
	b.expectText("A draft application has been started for the group. They have been told.")
	casePage := b.path()

	// The group follows its case and finds the draft.
	switchUser(b, ama.Email)
	b.clickLink("Support for a space")
	b.clickLink("Follow your case for Walworth Hall")
	b.expectHeading("Your case: Walworth Hall")
	b.expectText("We have written to the council's estates team for you", "Ask the council's estates team for a renewal")
	b.expectNoText("Private: the council's valuation looks high", "First call with the chair")
	b.visit("/applications")
	b.expectText(def.Name)

	// The caseworker closes the case; the figures count it.
	switchUser(b, cw.Email)
	b.visit(casePage)
	closeCase(b, "Lease renewed", "A new ten-year lease at the old rent")
	b.expectText("The case has been closed.", "Lease renewed")
	b.clickLink("Casework figures")
	b.expectText("Closed cases 1", "Spaces saved 1", "Contacted on time 1")
}
