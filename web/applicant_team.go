package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/mailq"
)

// An organisation's team page: every member sees who is on it; its admins
// invite people, cancel invitations, change roles and remove people; a
// member may leave. Each form is one use case; the page shows a refusal
// (the last admin, a member already) on its own error summary.

// teamRoles are the team roles as radio options.
var teamRoles = []choice{
	{Value: app.MemberMember, Text: "Member", Hint: "Sees and works on the organisation's applications and grants"},
	{Value: app.MemberAdmin, Text: "Admin", Hint: "Also manages the team, the organisation's details and its bank account, and accepts offers"},
}

type teamMemberRow struct {
	app.Member
	Me bool
}

type teamData struct {
	Org         app.Organisation
	Admin       bool
	Members     []teamMemberRow
	Invitations []app.Invitation
	Roles       []choice
}

// teamPath is an organisation's team page.
func teamPath(orgID string) string { return "/organisations/" + url.PathEscape(orgID) + "/team" }

// applicantTeam shows the team page.
func (ui *UI) applicantTeam(c *gin.Context) {
	p := page{}
	switch {
	case c.Query("invited") != "":
		p.Flash = "We have emailed an invitation to " + c.Query("invited") + ". The link lasts 14 days."
	case c.Query("cancelled") == "1":
		p.Flash = "The invitation has been cancelled. Its link no longer works."
	case c.Query("changed") == "1":
		p.Flash = "The role has been changed."
	case c.Query("removed") == "1":
		p.Flash = "They have been removed from the team."
	case c.Query("joined") == "1":
		p.Flash = "You have joined the team."
	}
	ui.renderTeam(c, http.StatusOK, p)
}

// renderTeam renders the team page with p's form and flash, or the error
// page when the organisation cannot be read.
func (ui *UI) renderTeam(c *gin.Context, status int, p page) {
	ctx := c.Request.Context()
	o, err := ui.app.GetOrganisation(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	members, err := ui.app.ListMembers(ctx, actor(c), o.ID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := teamData{Org: o, Admin: o.Role == app.MemberAdmin, Roles: teamRoles}
	for _, m := range members.Items {
		d.Members = append(d.Members, teamMemberRow{Member: m, Me: m.UserID == actor(c).ID})
	}
	if d.Admin {
		inv, err := ui.app.ListInvitations(ctx, actor(c), o.ID)
		if err != nil {
			ui.fail(c, err)
			return
		}
		d.Invitations = inv.Items
	}
	if p.Form == nil {
		p.Form = newForm().Set("role", app.MemberMember)
	}
	p.Title, p.Data, p.Back = o.Name+": team", d, "/organisations/"+o.ID
	ui.render(c, status, "applicant-team", p)
}

// teamRefused shows a use case's refusal on the team page's error summary
// (fields named as the form's), or the error page.
func (ui *UI) teamRefused(c *gin.Context, f *Form, err error) {
	if !f.FromApp(err, nil, "email", "role") {
		ui.fail(c, err)
		return
	}
	ui.renderTeam(c, refusal(c, err), page{Form: f})
}

// applicantInvite invites someone to the team.
func (ui *UI) applicantInvite(c *gin.Context) {
	f := postedForm(c)
	inv, err := ui.app.InviteMember(c.Request.Context(), actor(c), c.Param("id"),
		jsonBody(app.InvitationInput{Email: f.Get("email"), Role: f.Get("role")}))
	if err != nil {
		ui.teamRefused(c, f, err)
		return
	}
	redirect(c, teamPath(c.Param("id"))+"?invited="+url.QueryEscape(inv.Email))
}

// applicantCancelInvitation cancels an invitation.
func (ui *UI) applicantCancelInvitation(c *gin.Context) {
	if err := ui.app.CancelInvitation(c.Request.Context(), actor(c), c.Param("id"), c.Param("invitation")); err != nil {
		ui.teamRefused(c, newForm(), err)
		return
	}
	redirect(c, teamPath(c.Param("id"))+"?cancelled=1")
}

// applicantSetMemberRole changes a member's role.
func (ui *UI) applicantSetMemberRole(c *gin.Context) {
	f := postedForm(c)
	_, err := ui.app.SetMemberRole(c.Request.Context(), actor(c), c.Param("id"), c.Param("user"),
		jsonBody(app.MemberRoleInput{Role: f.Get("role")}))
	if err != nil {
		ui.teamRefused(c, newForm(), err) // the role form of one row: the summary says what is wrong
		return
	}
	redirect(c, teamPath(c.Param("id"))+"?changed=1")
}

// applicantRemoveMember removes a member, or lets one leave (then to
// their organisations: the team page is no longer theirs).
func (ui *UI) applicantRemoveMember(c *gin.Context) {
	if err := ui.app.RemoveMember(c.Request.Context(), actor(c), c.Param("id"), c.Param("user")); err != nil {
		ui.teamRefused(c, newForm(), err)
		return
	}
	if c.Param("user") == actor(c).ID {
		redirect(c, "/organisations?left=1")
		return
	}
	redirect(c, teamPath(c.Param("id"))+"?removed=1")
}

// Accepting an invitation (team or staff), from the e-mailed link. The
// link opens a page with a button (signed in) or a form to create an
// account (not signed in); only the POST spends the token.

type acceptData struct {
	Token    string
	SignedIn bool
	Email    string // the signed-in visitor's
	SignIn   string // sign in, then come back here
}

func (ui *UI) acceptData(c *gin.Context, token string) acceptData {
	a := visitorActor(c)
	back := mailq.PathAcceptInvitation + "?token=" + url.QueryEscape(token)
	return acceptData{Token: token, SignedIn: a.ID != "", Email: a.Email, SignIn: "/sign-in?next=" + url.QueryEscape(back)}
}

func (ui *UI) acceptInvitationPage(c *gin.Context) {
	f := newForm().Set("token", c.Query("token"))
	ui.render(c, http.StatusOK, "invitation-accept", page{Title: "Accept your invitation", Form: f, Data: ui.acceptData(c, c.Query("token"))})
}

func (ui *UI) acceptInvitation(c *gin.Context) {
	f := postedForm(c)
	d := ui.acceptData(c, f.Get("token"))
	if !d.SignedIn && f.Raw("password") != f.Raw("password_confirm") {
		f.Fail("password_confirm", "Enter the same password twice")
	}
	var err error
	if !f.Invalid() {
		var res app.InvitationAccepted
		res, err = ui.app.AcceptInvitation(c.Request.Context(), visitorActor(c),
			app.AcceptInvitationInput{Token: f.Get("token"), Name: f.Get("name"), Password: f.Raw("password")})
		if err == nil {
			if res.Created {
				tok, err := ui.app.SignIn(c.Request.Context(), res.Email, f.Raw("password"))
				if err != nil {
					ui.fail(c, err)
					return
				}
				ui.startSession(c, tok)
			}
			if res.OrganisationID != nil {
				redirect(c, teamPath(*res.OrganisationID)+"?joined=1")
				return
			}
			redirect(c, "/dashboard")
			return
		}
		if e, ok := app.AsError(err); ok && e.Fields["token"] != "" {
			ui.badLinkPage(c, err, navItem{Href: "/dashboard", Text: "Ask whoever invited you to send a new invitation"})
			return
		}
		e, _ := app.AsError(err)
		switch {
		case e != nil && e.Kind == app.KindForbidden:
			f.Fail("", e.Message) // signed in as another account, or not signed in
		case e != nil && d.SignedIn && e.Kind == app.KindInvalid:
			// The invited address has no account; this page has no form
			// to make one while someone is signed in.
			f.Fail("", "This invitation is for an email address that has no account yet. Sign out, then follow the link in the email again to create one.")
		case !f.FromApp(err, nil, "name", "password"):
			ui.fail(c, err)
			return
		}
	}
	f.Values.Del("password")
	f.Values.Del("password_confirm")
	status := http.StatusUnprocessableEntity
	if err != nil {
		status = refusal(c, err)
	}
	ui.render(c, status, "invitation-accept", page{Title: "Accept your invitation", Form: f, Data: d})
}

// Inviting staff (admins).

type staffInviteData struct {
	Roles []choice
}

func (ui *UI) staffInvitePage(c *gin.Context) {
	ui.render(c, http.StatusOK, "admin-staff-invite", page{Title: "Invite a member of staff", Back: "/admin/staff",
		Data: staffInviteData{Roles: roleChoices}})
}

func (ui *UI) staffInvite(c *gin.Context) {
	f := postedForm(c)
	inv, err := ui.app.InviteStaff(c.Request.Context(), actor(c), app.StaffInvitationInput{Email: f.Get("email"), Name: f.Get("name"),
		Roles: f.All("roles")})
	if e, ok := app.AsError(err); ok && e.Kind == app.KindForbidden && actor(c).Has(app.RoleAdmin) {
		f.Fail("email", e.Message) // nobody grants roles to themselves
	} else if err != nil && !f.FromApp(err, nil, "email", "name", "roles") {
		ui.fail(c, err)
		return
	}
	if err != nil {
		ui.render(c, refusal(c, err), "admin-staff-invite", page{Title: "Invite a member of staff", Back: "/admin/staff", Form: f,
			Data: staffInviteData{Roles: roleChoices}})
		return
	}
	redirect(c, "/admin/staff?invited="+url.QueryEscape(inv.Email))
}
