package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// text is a page's body with its HTML entities decoded, for matching
// sentences.
func text(p page) string { return html.UnescapeString(p.Body) }

// An admin invites a new address from the team page; the invitee opens
// the e-mailed link, creates an account and lands on the team signed in;
// the team lists both, each sees it, and the link works once.
func TestTeamInviteAndAcceptNewAccount(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.env.User(t, "admin@example.org")
	org := s.env.Organisation(t, admin, "Bermondsey Community Kitchen")
	av := s.signedIn(t, admin.Email)

	orgPage := av.get("/organisations/" + org.ID)
	require.Contains(t, orgPage.Body, `href="/organisations/`+org.ID+`/team"`, "the organisation links its team")
	p := av.get("/organisations/" + org.ID + "/team")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Send invitation")
	p = av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {"nia@example.org"}, "role": {app.MemberMember}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/organisations/"+org.ID+"/team?invited=nia%40example.org", p.Location)
	p = av.get(p.Location)
	require.Contains(t, text(p), "We have emailed an invitation to nia@example.org")
	require.Contains(t, p.Body, "Cancel<span class=\"govuk-visually-hidden\"> the invitation to nia@example.org")

	// A bad address and an address already a member are shown on the form.
	p = av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {"nope"}, "role": {app.MemberMember}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, `href="#email"`)
	p = av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {"admin@example.org"}, "role": {app.MemberMember}})
	require.Equal(t, http.StatusConflict, p.Code)
	require.Contains(t, p.Body, "admin@example.org is already a member of Bermondsey Community Kitchen")

	tok := s.env.InvitationToken(t, "nia@example.org")
	nv := s.visitor(t)
	p = nv.get("/invitations/accept?token=" + tok)
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `name="password_confirm"`)
	require.Contains(t, p.Body, `value="`+tok+`"`)
	p = nv.post("/invitations/accept", url.Values{"token": {tok}, "name": {"Nia Obi"}, "password": {"long enough pw"}, "password_confirm": {"different one"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "Enter the same password twice")
	p = nv.post("/invitations/accept", url.Values{"token": {tok}, "name": {"Nia Obi"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/organisations/"+org.ID+"/team?joined=1", p.Location)
	p = nv.get(p.Location)
	require.Equal(t, http.StatusOK, p.Code, "signed in as the new account")
	require.Contains(t, p.Body, "Nia Obi (you)")
	require.Contains(t, p.Body, "Leave the team")
	require.NotContains(t, p.Body, "Send invitation", "members do not invite")

	again := s.visitor(t)
	p = again.post("/invitations/accept", url.Values{"token": {tok}, "name": {"Nia Obi"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "This link cannot be used")
}

// An existing account accepts signed in as itself: another account is
// told so and nothing changes.
func TestTeamAcceptExistingAccount(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.env.User(t, "admin@example.org")
	org := s.env.Organisation(t, admin, "Bermondsey Community Kitchen")
	s.env.User(t, "sam@example.org")
	s.env.User(t, "other@example.org")
	av := s.signedIn(t, admin.Email)
	av.get("/organisations/" + org.ID + "/team")
	require.Equal(t, http.StatusSeeOther, av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {"sam@example.org"}, "role": {app.MemberAdmin}}).Code)
	tok := s.env.InvitationToken(t, "sam@example.org")

	ov := s.signedIn(t, "other@example.org")
	p := ov.get("/invitations/accept?token=" + tok)
	require.Contains(t, p.Body, "You are signed in as <strong>other@example.org</strong>")
	p = ov.post("/invitations/accept", url.Values{"token": {tok}})
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "sign in with that address to accept it")

	// Signed in, following a link to an address with no account: the
	// page says to sign out first, and nothing changes.
	require.Equal(t, http.StatusSeeOther, av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {"new@example.org"}, "role": {app.MemberMember}}).Code)
	p = ov.post("/invitations/accept", url.Values{"token": {s.env.InvitationToken(t, "new@example.org")}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "Sign out, then follow the link in the email again to create one.")
	_, ok, err := s.env.App.UserByEmail(t.Context(), "new@example.org")
	require.NoError(t, err)
	require.False(t, ok)

	sv := s.signedIn(t, "sam@example.org")
	sv.get("/invitations/accept?token=" + tok)
	p = sv.post("/invitations/accept", url.Values{"token": {tok}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	p = sv.get(p.Location)
	require.Contains(t, p.Body, "Send invitation", "an admin now")
}

// Roles and removal from the team page: the only admin cannot step down
// (the page says why); promoting then stepping down hands the role on; a
// removed member loses access at once.
func TestTeamRolesAndRemoval(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.env.User(t, "admin@example.org")
	org := s.env.Organisation(t, admin, "Bermondsey Community Kitchen")
	kim := s.env.User(t, "kim@example.org")
	av := s.signedIn(t, admin.Email)
	av.get("/organisations/" + org.ID + "/team")
	require.Equal(t, http.StatusSeeOther, av.post("/organisations/"+org.ID+"/team/invite", url.Values{"email": {kim.Email}, "role": {app.MemberMember}}).Code)
	kv := s.signedIn(t, kim.Email)
	kv.get("/invitations/accept?token=" + s.env.InvitationToken(t, kim.Email))
	require.Equal(t, http.StatusSeeOther, kv.post("/invitations/accept", url.Values{"token": {s.env.InvitationToken(t, kim.Email)}}).Code)

	base := "/organisations/" + org.ID + "/members/"
	p := av.post(base+admin.ID+"/role", url.Values{"role": {app.MemberMember}})
	require.Equal(t, http.StatusConflict, p.Code)
	require.Contains(t, p.Body, "The only admin of this organisation cannot become a member")
	p = kv.post(base+admin.ID+"/remove", url.Values{})
	require.Equal(t, http.StatusForbidden, p.Code, "a member removes nobody else")

	require.Equal(t, http.StatusSeeOther, av.post(base+kim.ID+"/role", url.Values{"role": {app.MemberAdmin}}).Code)
	p = av.post(base+admin.ID+"/role", url.Values{"role": {app.MemberMember}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	p = kv.post(base+admin.ID+"/remove", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/organisations/"+org.ID+"/team?removed=1", p.Location)
	require.Equal(t, http.StatusNotFound, av.get("/organisations/"+org.ID).Code, "access ends at once")
	require.Equal(t, http.StatusNotFound, av.get("/organisations/"+org.ID+"/team").Code)
	p = kv.get("/organisations/" + org.ID + "/team")
	require.False(t, strings.Contains(p.Body, admin.Email))
}

// Staff invitations from the admin's form: only admins; nobody invites
// themselves; the invitee sets a password from the link and holds the
// roles.
func TestStaffInviteForm(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "admin@example.org", app.RoleAdmin)
	require.Equal(t, http.StatusForbidden, s.signedIn(t, "manager@example.org").get("/admin/staff/invite").Code)
	av := s.signedIn(t, "admin@example.org")
	p := av.get("/admin/staff/invite")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `value="caseworker"`)
	p = av.post("/admin/staff/invite", url.Values{"email": {"admin@example.org"}, "name": {"Me"}, "roles": {app.RoleManager}})
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "Nobody grants roles to themselves")
	p = av.post("/admin/staff/invite", url.Values{"email": {"ada@example.org"}, "name": {"Ada Lovelace"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, `href="#roles"`)
	p = av.post("/admin/staff/invite", url.Values{"email": {"ada@example.org"}, "name": {"Ada Lovelace"}, "roles": {app.RoleAssessor, app.RoleChair}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/admin/staff?invited=ada%40example.org", p.Location)

	nv := s.visitor(t)
	tok := s.env.InvitationToken(t, "ada@example.org")
	nv.get("/invitations/accept?token=" + tok)
	p = nv.post("/invitations/accept", url.Values{"token": {tok}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/dashboard", p.Location)
	u, ok, err := s.env.App.UserByEmail(t.Context(), "ada@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	require.ElementsMatch(t, []string{app.RoleAssessor, app.RoleChair}, u.Roles)
	require.Equal(t, "Ada Lovelace", u.Name)
}

// Two members edit one draft: a save from a page read before the other's
// save is refused, and the page says who saved the newer version, when,
// and which answers they changed, keeping what was typed.
func TestCoEditingConflictSaysWhoSavedWhat(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := t.Context()
	ada, orgID, draft := b.draft(t, "ada@example.org")
	kim := b.env.User(t, "kim@example.org")
	_, err := b.env.App.InviteMember(ctx, ada, orgID, apptest.Body(t, app.InvitationInput{Email: kim.Email, Role: app.MemberMember}))
	require.NoError(t, err)
	_, err = b.env.App.AcceptInvitation(ctx, kim, app.AcceptInvitationInput{Token: b.env.InvitationToken(t, kim.Email)})
	require.NoError(t, err)

	v := b.signedIn(t, ada.Email)
	base := "/applications/" + draft.ID
	ver := applicantVersionOf(t, v.get(base+"/sections/project"))
	_, err = b.env.App.SaveApplication(ctx, kim, draft.ID, apptest.Body(t, map[string]any{"version": draft.Version,
		"answers": map[string]any{"summary": "Kim's words"}}))
	require.NoError(t, err)

	stale := v.post(base+"/sections/project", url.Values{"version": {ver}, "action": {"continue"}, "answers.summary": {"Ada's words"}})
	require.Equal(t, http.StatusConflict, stale.Code, stale.Body)
	body := text(stale)
	require.Contains(t, body, "While you were editing: Test kim@example.org saved a newer version on ")
	require.Contains(t, body, "changing ‘What will you do?’.")
	require.Contains(t, body, "Your answers on this page have not been saved")
	require.Contains(t, body, "Ada's words", "what was typed is kept")
	got, err := b.env.App.GetApplication(ctx, ada, draft.ID)
	require.NoError(t, err)
	require.JSONEq(t, `"Kim's words"`, string(got.Answers["summary"]), "nothing was overwritten")
}
