package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workday"
)

// Spaces at Risk casework from the caseworker's side, with axe on every
// page: a caseworker triages a group's request into a case (a mistake
// first), logs a contact, adds an action and a shared note, closes the
// case with its outcome, and the figures count it. The helpers below are
// steps a journey can chain after the group's side asks for support.
func TestBrowserCaseworkCaseworker(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	group := s.env.User(t, "group.browser@example.org")
	org := s.env.Organisation(t, group, "Dalston Together")
	s.env.SupportRequest(t, group, org.ID)
	caseworker := s.env.User(t, "caseworker.browser@example.org", app.RoleCaseworker)

	b := newBrowserPage(t, webRoot(s))
	signIn(b, caseworker.Email)
	b.expectText("1 request for support is waiting for triage.")
	triageAccept(b, "Dalston Community Centre", caseworker)
	b.expectText("The case has been opened. The group has been told.", "Not yet")

	logCaseContact(b, "Meeting", 90, "Met the committee at the centre")
	b.expectText("The contact has been logged.", "Met the committee at the centre", "1 hour 30 minutes")
	b.expectNoText("Not yet")
	addCaseAction(b, "Ask the council for a lease renewal", caseworker, workday.DateOf(time.Now()).AddDays(10))
	b.expectText("The action has been added to the plan.", "Ask the council for a lease renewal")
	addCaseNote(b, "The council will meet us next week", true)
	b.expectText("The note has been added.", "Shared with the group", "The council will meet us next week")

	b.clickButton("Close case")
	b.expectInvalid("Outcome must be one of secured, lease_renewed, rent_reduced, relocated, lost, referred", "Say what changed for the space")
	closeCase(b, "Lease renewed", "A new ten-year lease at the old rent")
	b.expectText("The case has been closed.", "Lease renewed", "A new ten-year lease at the old rent")
	b.expectNoText("Add action", "Log contact", "Close case")

	b.clickLink("Casework figures")
	b.expectHeading("Casework figures")
	b.expectText("Closed cases 1", "Spaces saved 1", "1 hour 30 minutes", "Lease renewed 1", "Contacted on time 1")
}

// caseworkCommand fills a case's form with fill and presses button; a case
// whose workflow is still starting refuses with "try again in a moment",
// and then it tries again, as a person would.
func caseworkCommand(b *browserPage, button string, fill func()) {
	b.t.Helper()
	untilReady(b, button, func() {
		fill()
		b.clickButton(button)
	})
}

// triageAccept goes from the intake queue to the request for space and
// accepts it for caseworker, landing on the case.
func triageAccept(b *browserPage, space string, caseworker app.Actor) {
	b.t.Helper()
	b.clickLink("Intake queue")
	b.expectHeading("Intake queue")
	b.clickLink(space)
	b.expectHeading("Support for " + space)
	b.clickButton("Save triage")
	b.expectInvalid("Outcome must be one of accept, refer, decline")
	b.choose("What will you do?", "Accept: open a case")
	b.selectOption("Caseworker", caseworkerOption(caseworker))
	b.clickButton("Save triage")
	b.expectHeading(space)
}

// caseworkerOption is how the casework pages offer a caseworker.
func caseworkerOption(a app.Actor) string { return a.Name + " (" + a.Email + ")" }

// logCaseContact logs a contact of kind (its label) that ended a few
// minutes ago, on the case's page.
func logCaseContact(b *browserPage, kind string, minutes int, summary string) {
	b.t.Helper()
	at := time.Now().In(londonTime(b)).Add(-5 * time.Minute)
	caseworkCommand(b, "Log contact", func() {
		b.fillIn("Date of the contact", "Day", strconv.Itoa(at.Day()))
		b.fillIn("Date of the contact", "Month", strconv.Itoa(int(at.Month())))
		b.fillIn("Date of the contact", "Year", strconv.Itoa(at.Year()))
		b.fillByLabel("Time", at.Format("15:04"))
		b.choose("Kind of contact", kind)
		b.fillByLabel("Time spent, in minutes", strconv.Itoa(minutes))
		b.fillByLabel("Summary", summary)
	})
}

func londonTime(b *browserPage) *time.Location {
	b.t.Helper()
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.t.Fatal(err)
	}
	return l
}

// addCaseAction adds an action owned by owner to the plan.
func addCaseAction(b *browserPage, title string, owner app.Actor, due workday.Date) {
	b.t.Helper()
	caseworkCommand(b, "Add action", func() {
		b.fillByLabel("What is to be done", title)
		b.selectOption("Owner", caseworkerOption(owner))
		b.fillIn("Due date", "Day", strconv.Itoa(due.Day))
		b.fillIn("Due date", "Month", strconv.Itoa(int(due.Month)))
		b.fillIn("Due date", "Year", strconv.Itoa(due.Year))
	})
}

// addCaseNote adds a note, shared with the group or private to staff.
func addCaseNote(b *browserPage, body string, shared bool) {
	b.t.Helper()
	caseworkCommand(b, "Add note", func() {
		b.fillByLabel("Add a note", body)
		if shared {
			b.check("Share this note with the group")
		} else {
			b.uncheck("Share this note with the group")
		}
	})
}

// closeCase closes the case with outcome (its label) and what changed.
func closeCase(b *browserPage, outcome, summary string) {
	b.t.Helper()
	caseworkCommand(b, "Close case", func() {
		b.choose("Outcome", outcome)
		b.fillByLabel("What changed for the space", summary)
	})
}

// A programme manager reads the casework figures from the menu (axe on a
// page of charts and tables); the caseworker's lists filter; a case's
// form refused shows the GOV.UK error summary.
func TestBrowserCaseworkFiguresAndLists(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	group := s.env.User(t, "group.lists@example.org")
	org := s.env.Organisation(t, group, "Dalston Together")
	caseworker := s.env.User(t, "caseworker.lists@example.org", app.RoleCaseworker)
	r := s.env.SupportRequest(t, group, org.ID)
	_, err := s.env.App.TriageSupportRequest(t.Context(), caseworker, r.ID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	s.env.SupportRequest(t, group, org.ID)

	b := newBrowserPage(t, webRoot(s), withoutJavaScript())
	signIn(b, s.env.Manager.Email)
	b.clickLink("Casework figures")
	b.expectHeading("Casework figures")
	b.expectText("Open cases 1", "Lease ending 1", "Hackney 1", "Not contacted, still within the promise 1", "Waiting for triage 1")

	switchUser(b, caseworker.Email)
	b.clickLink("Intake queue")
	b.selectOption("Requests", "Accepted")
	b.clickButton("Show requests")
	b.expectText("Dalston Community Centre", "Accepted")
	b.clickLink("Cases")
	b.selectOption("Caseworker", "Your cases")
	b.selectOption("Status", "Open")
	b.clickButton("Filter")
	b.clickLink("Dalston Community Centre")
	b.expectHeading("Dalston Community Centre")
	due := workday.DateOf(time.Now()).AddDays(7)
	b.fillIn("Due date", "Day", strconv.Itoa(due.Day))
	b.fillIn("Due date", "Month", strconv.Itoa(int(due.Month)))
	b.fillIn("Due date", "Year", strconv.Itoa(due.Year))
	b.clickButton("Add action")
	b.expectInvalid("Say what is to be done")
	b.fillByLabel("Add a note", "")
	b.clickButton("Add note")
	b.expectInvalid("Write the note")
}
