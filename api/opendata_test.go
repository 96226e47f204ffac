package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/opendata/schema"
)

// The 360Giving exports over HTTP: the managers' JSON and CSV, bad
// parameters refused, and the public per-programme address.
func TestOpenDataRoutes(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	ctx := context.Background()
	_, err := f.env.Store.Pool.Exec(ctx, `UPDATE programmes SET funder_name = 'Mayor of London', giving_prefix = '360G-cityhall'`)
	require.NoError(t, err)
	g := f.env.ActiveGrant(t, f.round, "lead@example.org", 300_000)

	res := f.do(t, "GET", "/exports/360giving.json", f.managerToken, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
	require.NoError(t, schema.Validate(res.Body), string(res.Body))
	require.Contains(t, string(res.Body), `"id":"360G-cityhall-`+g.ID+`"`)

	for _, path := range []string{"/exports/360giving.csv", "/exports/360giving.json?format=csv"} {
		res = f.do(t, "GET", path, f.managerToken, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
		require.True(t, bytes.HasPrefix(res.Body, []byte("\uFEFFIdentifier,Title,Description,Currency,")), path)
	}
	for path, field := range map[string]string{
		"/exports/360giving.json?since=yesterday": "since",
		"/exports/360giving.json?format=xml":      "format",
		"/exports/360giving.csv?since=2027-13-01": "since",
		"/exports/applications.csv":               "round_id",
	} {
		res = f.do(t, "GET", path, f.managerToken, nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, path)
		var body struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal(res.Body, &body))
		require.Equal(t, "validation_failed", body.Error.Code, path)
		require.Contains(t, body.Error.Fields, field, path)
	}
	res = f.do(t, "GET", "/exports/360giving.json?since=2000-01-01", f.managerToken, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Contains(t, string(res.Body), g.ID)

	// The public address: no token needed; the open round is not yet published.
	res = f.do(t, "GET", "/open-data/roots-incubator/360giving.json", "", nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.NotContains(t, string(res.Body), g.ID)
	_, err = f.env.Store.Pool.Exec(ctx, `UPDATE rounds SET closes_at = now() - interval '1 minute'`)
	require.NoError(t, err)
	_, err = f.env.Store.Pool.Exec(ctx, `UPDATE applications SET status = 'rejected' WHERE status IN ('submitted', 'in_assessment')`)
	require.NoError(t, err)
	res = f.do(t, "GET", "/open-data/roots-incubator/360giving.json", "", nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.NoError(t, schema.Validate(res.Body), string(res.Body))
	require.Contains(t, string(res.Body), `"id":"360G-cityhall-`+g.ID+`"`)
	require.Equal(t, "public, max-age=900", res.Header.Get("Cache-Control"), "published data may be cached")
	res = f.do(t, "GET", "/open-data/nope/360giving.json", "", nil)
	require.Equal(t, http.StatusNotFound, res.Status)
	require.Empty(t, res.Header.Get("Cache-Control"), "a refusal is not marked cacheable")

	res = f.do(t, "GET", "/exports/grants.csv", f.managerToken, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Contains(t, res.Header.Get("Content-Disposition"), "filename=grants.csv")
	require.True(t, bytes.HasPrefix(res.Body, []byte("\uFEFFgrant_id,")))
	res = f.do(t, "GET", "/exports/applications.csv?round_id="+f.round.ID, f.managerToken, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.True(t, bytes.HasPrefix(res.Body, []byte("\uFEFFapplication_id,")))
	require.Contains(t, string(res.Body), g.AppID)
}
