package main

import (
	"testing"

	"github.com/civicgrants/grants/app"
)

// Running the service from the web, with axe on every page: an admin
// changes a member of staff's roles, deactivates and reactivates them; a
// manager creates a programme (a mistake first) and edits it.
func TestBrowserAdminAndProgrammes(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	admin := s.env.User(t, "admin.browser@example.org", app.RoleAdmin)
	who := s.env.User(t, "assessor.browser@example.org", app.RoleAssessor)

	b := newBrowserPage(t, webRoot(s), withoutJavaScript())
	signIn(b, admin.Email)
	b.clickLink("Staff")
	b.expectHeading("Staff")
	b.selectOption("Role", "Assessor")
	b.clickButton("Filter")
	b.expectText(who.Email)
	b.clickLink(who.Name)
	b.expectHeading(who.Name)
	b.check("Finance")
	b.clickButton("Save roles")
	b.expectText("Their roles have been changed.", "Assessor, Finance")
	b.clickButton("Deactivate account")
	b.expectText("The account has been deactivated and signed out everywhere.", "Deactivated: cannot sign in")
	b.clickButton("Reactivate account")
	b.expectText("The account has been reactivated.")

	switchUser(b, s.env.Manager.Email)
	b.clickLink("Programmes")
	b.expectHeading("Programmes")
	b.clickLink("Create a programme")
	b.expectHeading("Create a programme")
	b.fillByLabel("Code", "Youth Spaces")
	b.fillByLabel("Name", "Youth Spaces Fund")
	b.clickButton("Create programme")
	b.expectErrorSummary("Enter a code of lower-case letters, digits and hyphens (up to 40 characters), like community-spaces",
		"Enter the funder's name (up to 200 characters)")
	b.fillByLabel("Code", "youth-spaces")
	b.fillByLabel("Funder's name", "Mayor of London")
	b.fillByLabel("360Giving prefix (optional)", "360G-cityhall")
	b.clickButton("Create programme")
	b.expectText("The programme has been created.", "Youth Spaces Fund", "360G-cityhall")
	b.clickLink("Edit Youth Spaces Fund")
	b.expectHeading("Edit Youth Spaces Fund")
	b.fillByLabel("Name", "Youth Spaces")
	b.clickButton("Save programme")
	b.expectText("The programme has been saved.", "Youth Spaces")
}
