package main

import (
	"testing"

	"github.com/civicgrants/grants/app"
)

// A team on the web, every link read from the e-mail the worker delivered
// (the shared Mailpit): an organisation's admin invites a colleague from
// the Team page; the colleague follows the link, creates an account and
// lands on the team signed in; the only admin cannot step down until they
// have made the colleague an admin, and then leaves. A staff admin invites
// an assessor, who sets a password from the link.
func TestBrowserTeams(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	const (
		adminEmail = "ama.team-journey@example.org"
		niaEmail   = "nia.team-journey@example.org"
		password   = "a long enough password"
		orgName    = "Bermondsey Community Kitchen"
	)
	admin := s.env.User(t, adminEmail)
	org := s.env.Organisation(t, admin, orgName)

	b := newBrowserPage(t, webRoot(s))
	signIn(b, adminEmail)
	b.visit("/organisations/" + org.ID)
	b.clickLink("Manage the team of " + orgName)
	b.expectHeading("Team")
	b.fillByLabel("Email address", niaEmail)
	b.choose("Role", "Member") // chosen already
	b.clickButton("Send invitation")
	b.expectText("We have emailed an invitation to " + niaEmail + ".")

	// The colleague has no account: the link's page makes one.
	n := newBrowserPage(t, webRoot(s))
	link := s.emailedLink(t, niaEmail, "You have been invited to join "+orgName+" on Grants", "/invitations/accept?token=")
	n.visit(link)
	n.expectHeading("Accept your invitation")
	n.fillByLabel("Your full name", "Nia Obi")
	n.fillByLabel("Create a password", password)
	n.fillByLabel("Enter the password again", password)
	n.clickButton("Create account and accept")
	n.expectPath("/organisations/" + org.ID + "/team")
	n.expectText("You have joined the team.", "Nia Obi (you)")
	n.visit(link)
	n.clickButton("Accept invitation")
	n.expectStatus(422)
	n.expectHeading("This link cannot be used")

	// The only admin cannot step down; hands the role on, then leaves.
	b.visit("/organisations/" + org.ID + "/team")
	b.clickButton("Make member: Test " + adminEmail)
	b.expectStatus(409)
	b.expectErrorSummary("The only admin of this organisation cannot become a member. Make someone else an admin first")
	b.clickButton("Make admin: Nia Obi")
	b.expectText("The role has been changed.")
	b.clickButton("Leave the team")
	b.expectPath("/organisations")
	b.expectText("You have left the organisation's team.")
	b.visit("/organisations/" + org.ID)
	b.expectStatus(404)

	// A staff admin invites an assessor.
	s.env.User(t, "root.team-journey@example.org", app.RoleAdmin)
	a := newBrowserPage(t, webRoot(s))
	signIn(a, "root.team-journey@example.org")
	a.visit("/admin/staff/invite")
	a.expectHeading("Invite a member of staff")
	a.fillByLabel("Full name", "Ada Lovelace")
	a.fillByLabel("Email address", "ada.team-journey@example.org")
	a.check("Assessor")
	a.clickButton("Send invitation")
	staff := newBrowserPage(t, webRoot(s))
	staff.visit(s.emailedLink(t, "ada.team-journey@example.org", "You have been invited to join the staff of Grants", "/invitations/accept?token="))
	staff.fillByLabel("Create a password", password)
	staff.fillByLabel("Enter the password again", password)
	staff.clickButton("Create account and accept")
	staff.expectPath("/dashboard")
	staff.visit("/assessments")
	staff.expectHeading("Your assessments")
}
