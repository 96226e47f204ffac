package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

func requireKind(t *testing.T, err error, kind app.Kind) {
	t.Helper()
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, kind, e.Kind, "%v", err)
}

// staffActions are the staff chain's actions but the fixtures' creation,
// oldest first.
func staffActions(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	rows, err := env.Store.Pool.Query(context.Background(), `SELECT action FROM audit_events
		WHERE chain = 'staff' AND action <> 'staff.created' ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		out = append(out, a)
	}
	return out
}

// Admins list staff by role and by whether active; nobody else lists them.
func TestListStaff(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org", app.RoleAdmin)
	env.User(t, "assessor@example.org", app.RoleAssessor)
	env.User(t, "applicant@example.org")

	all, err := env.App.ListStaff(ctx, admin, app.StaffFilter{})
	require.NoError(t, err)
	emails := []string{}
	for _, m := range all.Items {
		emails = append(emails, m.Email)
		require.True(t, m.Active)
	}
	require.ElementsMatch(t, []string{"admin@example.org", "assessor@example.org", "manager@example.org"}, emails, "applicants are not staff")

	assessors, err := env.App.ListStaff(ctx, admin, app.StaffFilter{Role: app.RoleAssessor})
	require.NoError(t, err)
	require.Len(t, assessors.Items, 1)
	require.Equal(t, []string{"assessor"}, assessors.Items[0].Roles)

	inactive, err := env.App.ListStaff(ctx, admin, app.StaffFilter{Active: "false"})
	require.NoError(t, err)
	require.Empty(t, inactive.Items)

	_, err = env.App.ListStaff(ctx, admin, app.StaffFilter{Role: "owner", Active: "maybe"})
	fieldErr(t, err, "role")
	fieldErr(t, err, "active")
	_, err = env.App.ListStaff(ctx, env.Manager, app.StaffFilter{})
	requireKind(t, err, app.KindForbidden)

	var created int
	require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE chain = 'staff' AND action = 'staff.created'`).Scan(&created))
	require.Equal(t, 3, created, "staff made outside the service (CLI, seed) are on the staff chain; applicants are not")
}

// An admin changes another's roles (audited on the staff chain); nobody
// changes their own; unknown roles and empty changes are 422; only admins
// may.
func TestChangeStaffRoles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org", app.RoleAdmin)
	who := env.User(t, "assessor@example.org", app.RoleAssessor)

	m, err := env.App.ChangeStaff(ctx, admin, who.ID, apptest.Body(t, map[string]any{"roles": []string{"finance", "assessor", "finance"}}))
	require.NoError(t, err)
	require.Equal(t, []string{"assessor", "finance"}, m.Roles, "in the list's order, once each")
	require.True(t, m.Active)
	require.Equal(t, []string{"staff.roles_changed"}, staffActions(t, env))

	_, err = env.App.ChangeStaff(ctx, admin, admin.ID, apptest.Body(t, map[string]any{"roles": []string{"manager", "admin"}}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.ChangeStaff(ctx, env.Manager, who.ID, apptest.Body(t, map[string]any{"roles": []string{"manager"}}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.ChangeStaff(ctx, admin, who.ID, apptest.Body(t, map[string]any{"roles": []string{"owner"}}))
	fieldErr(t, err, "roles")
	_, err = env.App.ChangeStaff(ctx, admin, who.ID, apptest.Body(t, map[string]any{}))
	fieldErr(t, err, "roles")
	_, err = env.App.ChangeStaff(ctx, admin, "usr_01h0000000000000000000000", apptest.Body(t, map[string]any{"roles": []string{}}))
	requireKind(t, err, app.KindNotFound)

	got, err := env.App.GetStaffMember(ctx, admin, who.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"assessor", "finance"}, got.Roles, "refused changes changed nothing")
	require.Equal(t, []string{"staff.roles_changed"}, staffActions(t, env))
}

// Deactivation ends every session and token at once and refuses sign-in
// (saying why, to the holder of the password); reactivation lets them back.
func TestDeactivateStaff(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org", app.RoleAdmin)
	who := env.User(t, "finance@example.org", app.RoleFinance)
	tok, err := env.App.Login(ctx, who.Email, apptest.Password)
	require.NoError(t, err)
	session, err := env.App.SignIn(ctx, who.Email, apptest.Password)
	require.NoError(t, err)

	off := false
	m, err := env.App.ChangeStaff(ctx, admin, who.ID, apptest.Body(t, app.StaffChange{Active: &off}))
	require.NoError(t, err)
	require.False(t, m.Active)
	require.Equal(t, []string{"finance"}, m.Roles, "roles are kept")
	_, err = env.App.Authenticate(ctx, tok.Token)
	requireKind(t, err, app.KindUnauthenticated)
	_, err = env.App.ResumeSession(ctx, session.Token)
	require.Error(t, err, "the web session ended too")
	_, err = env.App.Login(ctx, who.Email, apptest.Password)
	require.ErrorIs(t, err, app.ErrDeactivated)
	_, err = env.App.Login(ctx, who.Email, "not the password at all")
	requireKind(t, err, app.KindUnauthenticated) // nothing said without the password
	_, err = env.App.RequestPasswordReset(ctx, who.Email)
	require.NoError(t, err, "answered as for anyone")
	require.Empty(t, queued(t, env, who.Email), "but no link is sent to a deactivated account")

	inactive, err := env.App.ListStaff(ctx, admin, app.StaffFilter{Active: "false"})
	require.NoError(t, err)
	require.Len(t, inactive.Items, 1)

	on := true
	_, err = env.App.ChangeStaff(ctx, admin, who.ID, apptest.Body(t, app.StaffChange{Active: &on}))
	require.NoError(t, err)
	_, err = env.App.Login(ctx, who.Email, apptest.Password)
	require.NoError(t, err)
	require.Equal(t, []string{"staff.deactivated", "staff.reactivated"}, staffActions(t, env))
}

// The service never loses its last active admin: an admin whose own
// rights were taken while a request was in flight cannot then demote or
// deactivate the one admin left.
func TestNeverTheLastAdmin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	a := env.User(t, "admin-a@example.org", app.RoleAdmin)
	b := env.User(t, "admin-b@example.org", app.RoleAdmin, app.RoleManager)

	_, err := env.App.ChangeStaff(ctx, a, b.ID, apptest.Body(t, map[string]any{"roles": []string{"manager"}}))
	require.NoError(t, err, "two admins: one may demote the other")
	staleB := b // b as authenticated before the change
	_, err = env.App.ChangeStaff(ctx, staleB, a.ID, apptest.Body(t, map[string]any{"roles": []string{}}))
	requireKind(t, err, app.KindConflict)
	off := false
	_, err = env.App.ChangeStaff(ctx, staleB, a.ID, apptest.Body(t, app.StaffChange{Active: &off}))
	requireKind(t, err, app.KindConflict)
	got, err := env.App.GetStaffMember(ctx, a, a.ID)
	require.NoError(t, err)
	require.True(t, got.Active)
	require.Equal(t, []string{"admin"}, got.Roles)
}
