package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/mailq"
)

// teamBundle is an organisation with its admin, a member and a stranger.
type teamBundle struct {
	env                    *apptest.Env
	ctx                    context.Context
	admin, member, strange app.Actor
	org                    app.Organisation
}

func setupTeam(t *testing.T) *teamBundle {
	t.Helper()
	env := apptest.New(t)
	b := &teamBundle{env: env, ctx: context.Background()}
	b.admin = env.User(t, "admin@example.org")
	b.org = env.Organisation(t, b.admin, "Bermondsey Community Kitchen")
	b.member = env.User(t, "member@example.org")
	b.join(t, b.member, app.MemberMember)
	b.strange = env.User(t, "stranger@example.org")
	return b
}

// join brings a into the team by an invitation accepted as a.
func (b *teamBundle) join(t *testing.T, a app.Actor, role string) {
	t.Helper()
	_, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, a.Email, role))
	require.NoError(t, err)
	res, err := b.env.App.AcceptInvitation(b.ctx, a, app.AcceptInvitationInput{Token: b.env.InvitationToken(t, a.Email)})
	require.NoError(t, err)
	require.Equal(t, role, *res.Role)
}

func (b *teamBundle) roles(t *testing.T) map[string]string {
	t.Helper()
	rows, err := b.env.Store.OrganisationMemberListNamed(b.ctx, b.org.ID)
	require.NoError(t, err)
	out := map[string]string{}
	for _, m := range rows {
		out[m.Email] = m.Role
	}
	return out
}

func errKind(t *testing.T, err error, kind app.Kind) {
	t.Helper()
	e, ok := app.AsError(err)
	require.True(t, ok, "want an app error, got %v", err)
	require.Equal(t, kind, e.Kind, "%v", err)
}

func auditActions(t *testing.T, env *apptest.Env, chain string) []string {
	t.Helper()
	rows, err := env.Store.Pool.Query(context.Background(), `SELECT action FROM audit_events WHERE chain = $1 ORDER BY seq`, chain)
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	return out
}

// An invitation to a new address is e-mailed with a link; accepting it
// with a name and password creates a confirmed account on the team, once.
func TestInviteNewAddress(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	inv, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, " new@example.org ", app.MemberAdmin))
	require.NoError(t, err)
	require.Equal(t, "new@example.org", inv.Email)
	require.Equal(t, app.MemberAdmin, inv.Role)
	require.Equal(t, app.InvitationPending, inv.Status)
	require.WithinDuration(t, inv.CreatedAt.Add(app.InvitationTTL), inv.ExpiresAt, 0)
	require.Equal(t, []string{mailq.EmailInvitation}, queued(t, b.env, "new@example.org"))
	list, err := b.env.App.ListInvitations(b.ctx, b.admin, b.org.ID)
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	require.Equal(t, inv.ID, list.Items[0].ID)

	tok := b.env.InvitationToken(t, "new@example.org")
	before := b.env.Snapshot(t, "users", "organisation_members", "invitations")
	for name, in := range map[string]app.AcceptInvitationInput{
		"no name":        {Token: tok, Password: apptest.Password},
		"short password": {Token: tok, Name: "Nia Obi", Password: "short"},
	} {
		_, err := b.env.App.AcceptInvitation(b.ctx, app.Actor{}, in)
		errKind(t, err, app.KindInvalid)
		require.Equal(t, before, b.env.Snapshot(t, "users", "organisation_members", "invitations"), name)
	}
	res, err := b.env.App.AcceptInvitation(b.ctx, app.Actor{}, app.AcceptInvitationInput{Token: tok, Name: "Nia Obi", Password: apptest.Password})
	require.NoError(t, err)
	require.Equal(t, b.org.ID, *res.OrganisationID)
	require.Equal(t, app.MemberAdmin, *res.Role)
	require.True(t, res.Created)
	tk, err := b.env.App.Login(b.ctx, "new@example.org", apptest.Password)
	require.NoError(t, err)
	nia, err := b.env.App.Authenticate(b.ctx, tk.Token)
	require.NoError(t, err)
	require.True(t, nia.EmailVerified, "the link proved the address")
	require.Equal(t, "Nia Obi", nia.Name)
	require.Equal(t, app.MemberAdmin, b.roles(t)["new@example.org"])
	list, err = b.env.App.ListInvitations(b.ctx, b.admin, b.org.ID)
	require.NoError(t, err)
	require.Empty(t, list.Items, "an accepted invitation is no longer open")

	_, err = b.env.App.AcceptInvitation(b.ctx, nia, app.AcceptInvitationInput{Token: tok})
	fieldErr(t, err, "token")
	require.Contains(t, auditActions(t, b.env, "organisation:"+b.org.ID), "organisation.member_joined")
}

// An address with an account accepts signed in as that account; anyone
// else is refused and the link stays usable.
func TestAcceptAsExistingAccount(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	sam := b.env.User(t, "sam@example.org")
	_, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, "SAM@example.org", app.MemberMember))
	require.NoError(t, err)
	tok := b.env.InvitationToken(t, "sam@example.org")
	before := b.env.Snapshot(t, "users", "organisation_members", "invitations")
	for name, who := range map[string]app.Actor{"not signed in": {}, "another account": b.strange} {
		_, err := b.env.App.AcceptInvitation(b.ctx, who, app.AcceptInvitationInput{Token: tok, Name: "X", Password: apptest.Password})
		errKind(t, err, app.KindForbidden)
		require.Equal(t, before, b.env.Snapshot(t, "users", "organisation_members", "invitations"), name)
	}
	res, err := b.env.App.AcceptInvitation(b.ctx, sam, app.AcceptInvitationInput{Token: tok})
	require.NoError(t, err)
	require.False(t, res.Created)
	require.Equal(t, app.MemberMember, b.roles(t)["sam@example.org"])
	_, err = b.env.App.GetOrganisation(b.ctx, sam, b.org.ID)
	require.NoError(t, err)
}

// Inviting an address again replaces its open invitation (the old link
// stops working); a member is not invited; only admins invite; bad input
// changes nothing.
func TestInvitationRules(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	_, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, "kim@example.org", app.MemberMember))
	require.NoError(t, err)
	old := b.env.InvitationToken(t, "kim@example.org")
	second, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, "Kim@Example.org", app.MemberAdmin))
	require.NoError(t, err)
	list, err := b.env.App.ListInvitations(b.ctx, b.admin, b.org.ID)
	require.NoError(t, err)
	require.Len(t, list.Items, 1, "replaced, not added")
	require.Equal(t, second.ID, list.Items[0].ID)
	_, err = b.env.App.AcceptInvitation(b.ctx, app.Actor{}, app.AcceptInvitationInput{Token: old, Name: "Kim", Password: apptest.Password})
	fieldErr(t, err, "token")

	before := b.env.Snapshot(t, "invitations", "emails", "organisation_members")
	cases := []struct {
		name  string
		actor app.Actor
		in    app.Body
		kind  app.Kind
	}{
		{"a member already", b.admin, inviteBody(t, "MEMBER@example.org", app.MemberAdmin), app.KindConflict},
		{"an admin already (oneself)", b.admin, inviteBody(t, "admin@example.org", app.MemberMember), app.KindConflict},
		{"a member inviting", b.member, inviteBody(t, "x@example.org", app.MemberMember), app.KindForbidden},
		{"a stranger inviting", b.strange, inviteBody(t, "x@example.org", app.MemberMember), app.KindNotFound},
		{"bad email", b.admin, inviteBody(t, "not an address", app.MemberMember), app.KindInvalid},
		{"bad role", b.admin, inviteBody(t, "x@example.org", "owner"), app.KindInvalid},
	}
	for _, c := range cases {
		_, err := b.env.App.InviteMember(b.ctx, c.actor, b.org.ID, c.in)
		errKind(t, err, c.kind)
		require.Equal(t, before, b.env.Snapshot(t, "invitations", "emails", "organisation_members"), c.name)
	}
	_, err = b.env.App.ListInvitations(b.ctx, b.member, b.org.ID)
	errKind(t, err, app.KindForbidden)
}

// A cancelled or lapsed invitation's link cannot be used; a malformed
// token is refused the same way.
func TestInvitationCancelledOrExpired(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	inv, err := b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, "cancel@example.org", app.MemberMember))
	require.NoError(t, err)
	errKind(t, b.env.App.CancelInvitation(b.ctx, b.member, b.org.ID, inv.ID), app.KindForbidden)
	require.NoError(t, b.env.App.CancelInvitation(b.ctx, b.admin, b.org.ID, inv.ID))
	errKind(t, b.env.App.CancelInvitation(b.ctx, b.admin, b.org.ID, inv.ID), app.KindNotFound)
	errKind(t, b.env.App.CancelInvitation(b.ctx, b.admin, b.org.ID, "inv_nope"), app.KindNotFound)
	_, err = b.env.App.AcceptInvitation(b.ctx, app.Actor{}, app.AcceptInvitationInput{Token: b.env.InvitationToken(t, "cancel@example.org"),
		Name: "C", Password: apptest.Password})
	fieldErr(t, err, "token")

	_, err = b.env.App.InviteMember(b.ctx, b.admin, b.org.ID, inviteBody(t, "late@example.org", app.MemberMember))
	require.NoError(t, err)
	_, err = b.env.Store.Pool.Exec(b.ctx, `UPDATE invitations SET created_at = now() - interval '15 days', expires_at = now() - interval '1 day'
		WHERE email = 'late@example.org'`)
	require.NoError(t, err)
	list, err := b.env.App.ListInvitations(b.ctx, b.admin, b.org.ID)
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	require.Equal(t, app.InvitationExpired, list.Items[0].Status)
	_, err = b.env.App.AcceptInvitation(b.ctx, app.Actor{}, app.AcceptInvitationInput{Token: b.env.InvitationToken(t, "late@example.org"),
		Name: "L", Password: apptest.Password})
	fieldErr(t, err, "token")
	_, err = b.env.App.AcceptInvitation(b.ctx, app.Actor{}, app.AcceptInvitationInput{Token: "short"})
	fieldErr(t, err, "token")
	_, ok, err := b.env.App.UserByEmail(b.ctx, "late@example.org")
	require.NoError(t, err)
	require.False(t, ok, "no account was made")
}

// The team never has no admin: the only admin can neither be demoted nor
// removed nor leave; handing the role on is promote then demote. A member
// may leave; only admins remove others; a removed member loses access at
// once.
func TestTeamAdmins(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	before := b.env.Snapshot(t, "organisation_members")
	errKind(t, errOf(b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.admin.ID, apptest.Body(t, map[string]any{"role": app.MemberMember}))), app.KindConflict)
	errKind(t, b.env.App.RemoveMember(b.ctx, b.admin, b.org.ID, b.admin.ID), app.KindConflict)
	errKind(t, errOf(b.env.App.SetMemberRole(b.ctx, b.member, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": app.MemberAdmin}))), app.KindForbidden)
	errKind(t, errOf(b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": "owner"}))), app.KindInvalid)
	errKind(t, errOf(b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.strange.ID, apptest.Body(t, map[string]any{"role": app.MemberAdmin}))), app.KindNotFound)
	errKind(t, errOf(b.env.App.SetMemberRole(b.ctx, b.strange, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": app.MemberAdmin}))), app.KindNotFound)
	errKind(t, b.env.App.RemoveMember(b.ctx, b.member, b.org.ID, b.admin.ID), app.KindForbidden)
	require.Equal(t, before, b.env.Snapshot(t, "organisation_members"), "refusals change nothing")

	// Hand the admin role on: promote, then demote oneself.
	m, err := b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": app.MemberAdmin}))
	require.NoError(t, err)
	require.Equal(t, app.Member{UserID: b.member.ID, Name: b.member.Name, Email: b.member.Email, Role: app.MemberAdmin, JoinedAt: m.JoinedAt}, m)
	_, err = b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.admin.ID, apptest.Body(t, map[string]any{"role": app.MemberMember}))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"admin@example.org": app.MemberMember, "member@example.org": app.MemberAdmin}, b.roles(t))
	errKind(t, b.env.App.RemoveMember(b.ctx, b.member, b.org.ID, b.member.ID), app.KindConflict)

	// The former admin leaves; their access ends at once.
	require.NoError(t, b.env.App.RemoveMember(b.ctx, b.admin, b.org.ID, b.admin.ID))
	_, err = b.env.App.GetOrganisation(b.ctx, b.admin, b.org.ID)
	errKind(t, err, app.KindNotFound)
	_, err = b.env.App.ListMembers(b.ctx, b.admin, b.org.ID)
	errKind(t, err, app.KindNotFound)

	// An admin removes a member.
	third := b.env.User(t, "third@example.org")
	_, err = b.env.App.InviteMember(b.ctx, b.member, b.org.ID, inviteBody(t, third.Email, app.MemberMember))
	require.NoError(t, err)
	_, err = b.env.App.AcceptInvitation(b.ctx, third, app.AcceptInvitationInput{Token: b.env.InvitationToken(t, third.Email)})
	require.NoError(t, err)
	members, err := b.env.App.ListMembers(b.ctx, third, b.org.ID)
	require.NoError(t, err, "every member sees the team")
	require.Len(t, members.Items, 2)
	require.NoError(t, b.env.App.RemoveMember(b.ctx, b.member, b.org.ID, third.ID))
	_, err = b.env.App.GetOrganisation(b.ctx, third, b.org.ID)
	errKind(t, err, app.KindNotFound)
	require.Subset(t, auditActions(t, b.env, "organisation:"+b.org.ID),
		[]string{"organisation.member_role_changed", "organisation.member_removed", "organisation.member_invited"})
}

// Two admins demoting each other at once leave one admin: team changes
// are serialised.
func TestTeamAdminsConcurrent(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	_, err := b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": app.MemberAdmin}))
	require.NoError(t, err)
	errs := make(chan error, 2)
	go func() {
		_, err := b.env.App.SetMemberRole(b.ctx, b.admin, b.org.ID, b.member.ID, apptest.Body(t, map[string]any{"role": app.MemberMember}))
		errs <- err
	}()
	go func() { errs <- b.env.App.RemoveMember(b.ctx, b.member, b.org.ID, b.admin.ID) }()
	first, second := <-errs, <-errs
	require.True(t, (first == nil) != (second == nil), "exactly one succeeds: %v, %v", first, second)
	admins := 0
	for _, r := range b.roles(t) {
		if r == app.MemberAdmin {
			admins++
		}
	}
	require.Equal(t, 1, admins)
}

// Staff invitations: admins only, never to oneself, known roles; the
// invitee creates an account (or accepts signed in) and holds the roles;
// grants are audited on the staff chain.
func TestStaffInvitation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org", app.RoleAdmin)
	before := env.Snapshot(t, "invitations", "emails", "users")
	for name, c := range map[string]struct {
		actor app.Actor
		in    app.StaffInvitationInput
		kind  app.Kind
	}{
		"not an admin":   {env.Manager, app.StaffInvitationInput{Email: "a@example.org", Name: "A", Roles: []string{app.RoleAssessor}}, app.KindForbidden},
		"oneself":        {admin, app.StaffInvitationInput{Email: "ADMIN@example.org", Name: "A", Roles: []string{app.RoleManager}}, app.KindForbidden},
		"unknown role":   {admin, app.StaffInvitationInput{Email: "a@example.org", Name: "A", Roles: []string{"king"}}, app.KindInvalid},
		"no roles":       {admin, app.StaffInvitationInput{Email: "a@example.org", Name: "A"}, app.KindInvalid},
		"no name":        {admin, app.StaffInvitationInput{Email: "a@example.org", Roles: []string{app.RoleChair}}, app.KindInvalid},
		"holds them all": {admin, app.StaffInvitationInput{Email: "manager@example.org", Name: "M", Roles: []string{app.RoleManager}}, app.KindConflict},
	} {
		_, err := env.App.InviteStaff(ctx, c.actor, c.in)
		errKind(t, err, c.kind)
		require.Equal(t, before, env.Snapshot(t, "invitations", "emails", "users"), name)
	}

	inv, err := env.App.InviteStaff(ctx, admin, app.StaffInvitationInput{Email: "ada@example.org", Name: "Ada Lovelace",
		Roles: []string{app.RoleChair, app.RoleAssessor, app.RoleChair}})
	require.NoError(t, err)
	require.Equal(t, []string{app.RoleChair, app.RoleAssessor}, inv.Roles)
	require.Equal(t, app.InvitationPending, inv.Status)
	require.Equal(t, []string{mailq.EmailStaffInvitation}, queued(t, env, "ada@example.org"))
	res, err := env.App.AcceptInvitation(ctx, app.Actor{}, app.AcceptInvitationInput{Token: env.InvitationToken(t, "ada@example.org"),
		Password: apptest.Password})
	require.NoError(t, err, "the name comes from the invitation")
	require.ElementsMatch(t, []string{app.RoleChair, app.RoleAssessor}, res.Roles)
	require.Nil(t, res.OrganisationID)
	u, ok, err := env.App.UserByEmail(ctx, "ada@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Ada Lovelace", u.Name)
	require.True(t, u.EmailVerified)

	// An existing account gains roles, keeping those it had.
	_, err = env.App.InviteStaff(ctx, admin, app.StaffInvitationInput{Email: "manager@example.org", Name: "M", Roles: []string{app.RoleFinance}})
	require.NoError(t, err)
	res, err = env.App.AcceptInvitation(ctx, env.Manager, app.AcceptInvitationInput{Token: env.InvitationToken(t, "manager@example.org")})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{app.RoleManager, app.RoleFinance}, res.Roles)
	require.Equal(t, []string{"staff.created", "staff.created", // the fixtures' manager and admin
		"staff.invited", "staff.roles_granted", "staff.invited", "staff.roles_granted"}, auditActions(t, env, "staff"))
}

// inviteBody is the body of an invitation.
func inviteBody(t *testing.T, email, role string) app.Body {
	return apptest.Body(t, app.InvitationInput{Email: email, Role: role})
}

// errOf is a call's error alone.
func errOf[T any](_ T, err error) error { return err }

// SavesSince tells a co-editor whose save was refused who saved the newer
// versions, when and what they changed; only the team sees it.
func TestSavesSince(t *testing.T) {
	t.Parallel()
	b := setupTeam(t)
	r := b.env.Round(t, apptest.ExampleRound(t))
	a, err := b.env.App.CreateApplication(b.ctx, b.admin, r.ID, b.org.ID)
	require.NoError(t, err)
	saved, err := b.env.App.SaveApplication(b.ctx, b.member, a.ID, apptest.Body(t, map[string]any{"version": a.Version,
		"answers": map[string]any{"summary": "Cooking clubs"}, "requested_pence": 100000}))
	require.NoError(t, err)
	saves, err := b.env.App.SavesSince(b.ctx, b.admin, a.ID, int64(a.Version))
	require.NoError(t, err)
	require.Len(t, saves, 1)
	require.Equal(t, int64(saved.Version), saves[0].Version)
	require.Equal(t, b.member.ID, saves[0].ByID)
	require.Equal(t, b.member.Name, saves[0].ByName)
	require.Equal(t, []string{"requested_pence", "answers.summary"}, saves[0].Changed)
	none, err := b.env.App.SavesSince(b.ctx, b.admin, a.ID, int64(saved.Version))
	require.NoError(t, err)
	require.Empty(t, none)
	_, err = b.env.App.SavesSince(b.ctx, b.strange, a.ID, 0)
	errKind(t, err, app.KindNotFound)
}
