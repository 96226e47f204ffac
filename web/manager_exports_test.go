package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/opendata/schema"
)

// Managers download the exports from the rounds page; nobody else can.
func TestManagerExports(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	_, err := s.env.Store.Pool.Exec(context.Background(), `UPDATE programmes SET funder_name = 'Mayor of London', giving_prefix = '360G-cityhall', name = 'Roots Incubator' WHERE code = 'roots-incubator'`)
	require.NoError(t, err)
	r := s.env.Round(t, apptest.ExampleRound(t))
	g := s.env.ActiveGrant(t, r, "lead@example.org", 300_000)
	mgr := s.signedIn(t, "manager@example.org")

	p := mgr.get("/manage/rounds")
	require.Equal(t, http.StatusOK, p.Code)
	for _, href := range []string{"/manage/rounds/" + r.ID + "/applications.csv", "/manage/exports/grants.csv",
		"/manage/exports/360giving.json", "/manage/exports/360giving.csv", "/api/v1/open-data/roots-incubator/360giving.json"} {
		require.Contains(t, p.Body, `href="`+href+`"`)
	}

	for path, first := range map[string]string{
		"/manage/rounds/" + r.ID + "/applications.csv": "application_id",
		"/manage/exports/grants.csv":                   "grant_id",
		"/manage/exports/360giving.csv":                "Identifier",
	} {
		res := mgr.get(path)
		require.Equal(t, http.StatusOK, res.Code, path)
		require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
		body, ok := strings.CutPrefix(res.Body, "\uFEFF")
		require.True(t, ok, "%s starts with a byte-order mark", path)
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		require.NoError(t, err)
		require.Equal(t, first, rows[0][0])
		require.Len(t, rows, 2, path)
	}
	res := mgr.get("/manage/exports/360giving.json")
	require.Equal(t, http.StatusOK, res.Code)
	require.Equal(t, `attachment; filename=360giving.json`, res.Header.Get("Content-Disposition"))
	require.NoError(t, schema.Validate([]byte(res.Body)))
	require.Contains(t, res.Body, "360G-cityhall-"+g.ID)
	require.Equal(t, http.StatusNotFound, mgr.get("/manage/rounds/rnd_nope/applications.csv").Code)

	s.env.User(t, "chair@example.org", app.RoleChair)
	chair := s.signedIn(t, "chair@example.org")
	for _, path := range []string{"/manage/rounds/" + r.ID + "/applications.csv", "/manage/exports/grants.csv", "/manage/exports/360giving.json"} {
		require.Equal(t, http.StatusForbidden, chair.get(path).Code, path)
	}
}
