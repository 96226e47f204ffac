package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// Managers create and edit programmes; the code is checked, unique and
// fixed; bad fields are named; nobody else may; every change is audited.
func TestProgrammes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	good := map[string]any{"code": "youth-spaces", "name": " Youth Spaces Fund ", "description": "For youth clubs.",
		"funder_name": "Mayor of London", "giving_prefix": "360G-cityhall"}

	p, err := env.App.CreateProgramme(ctx, env.Manager, apptest.Body(t, good))
	require.NoError(t, err)
	require.Equal(t, "youth-spaces", p.Code)
	require.Equal(t, "Youth Spaces Fund", p.Name, "trimmed")
	require.Equal(t, "360G-cityhall", p.GivingPrefix)
	_, err = env.App.CreateProgramme(ctx, env.Manager, apptest.Body(t, good))
	requireKind(t, err, app.KindConflict)
	e, _ := app.AsError(err)
	require.Contains(t, e.Fields, "code")

	for field, in := range map[string]map[string]any{
		"code":          {"code": "Youth Spaces", "name": "x", "funder_name": "y"},
		"name":          {"code": "a-b", "name": "  ", "funder_name": "y"},
		"funder_name":   {"code": "a-b", "name": "x"},
		"giving_prefix": {"code": "a-b", "name": "x", "funder_name": "y", "giving_prefix": "cityhall"},
	} {
		_, err := env.App.CreateProgramme(ctx, env.Manager, apptest.Body(t, in))
		fieldErr(t, err, field)
	}
	_, err = env.App.CreateProgramme(ctx, env.Manager, apptest.Body(t, map[string]any{"code": "x", "colour": "red"}))
	requireKind(t, err, app.KindMalformed)
	chair := env.User(t, "chair@example.org", app.RoleChair)
	_, err = env.App.CreateProgramme(ctx, chair, apptest.Body(t, good))
	requireKind(t, err, app.KindForbidden)

	// Editing: any field but the code; an empty prefix is allowed.
	p, err = env.App.UpdateProgramme(ctx, env.Manager, "youth-spaces", apptest.Body(t, map[string]any{"name": "Youth Spaces", "giving_prefix": ""}))
	require.NoError(t, err)
	require.Equal(t, "Youth Spaces", p.Name)
	require.Equal(t, "For youth clubs.", p.Description, "unchanged fields stay")
	require.Empty(t, p.GivingPrefix)
	_, err = env.App.UpdateProgramme(ctx, env.Manager, "youth-spaces", apptest.Body(t, map[string]any{"code": "other"}))
	fieldErr(t, err, "code")
	_, err = env.App.UpdateProgramme(ctx, env.Manager, "no-such", apptest.Body(t, map[string]any{"name": "x"}))
	requireKind(t, err, app.KindNotFound)
	_, err = env.App.UpdateProgramme(ctx, chair, "youth-spaces", apptest.Body(t, map[string]any{"name": "x"}))
	requireKind(t, err, app.KindForbidden)

	got, err := env.App.GetProgramme(ctx, "youth-spaces")
	require.NoError(t, err)
	require.Equal(t, p, got)
	list, err := env.App.ListProgrammes(ctx)
	require.NoError(t, err)
	require.Len(t, list, 3)

	var n int
	require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE chain = 'programme:youth-spaces'`).Scan(&n))
	require.Equal(t, 2, n, "created, updated; refusals audit nothing")
}
