package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/opendata/schema"
)

func TestParseExportArgs(t *testing.T) {
	t.Parallel()
	for _, bad := range [][]string{nil, {"iati"}, {"360giving", "extra"}, {"360giving", "--since", "last week"}, {"360giving", "--bogus"}} {
		_, err := parseExportArgs(bad, &bytes.Buffer{})
		require.Error(t, err, "%q", bad)
	}
	o, err := parseExportArgs([]string{"360giving", "--csv", "--since", "2027-04-01", "--out", "x.csv", "--programme", "spaces-at-risk"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.True(t, o.csv)
	require.Equal(t, "2027-04-01", o.since.Format("2006-01-02"))
	require.Equal(t, "x.csv", o.out)
	require.Equal(t, "spaces-at-risk", o.programme)
}

func TestExport360GivingCommand(t *testing.T) {
	t.Parallel()
	e, ctx := apptest.New(t), context.Background()
	_, err := e.Store.Pool.Exec(ctx, `UPDATE programmes SET funder_name = 'Mayor of London', giving_prefix = '360G-cityhall' WHERE code = 'roots-incubator'`)
	require.NoError(t, err)
	r := e.Round(t, apptest.ExampleRound(t))
	g1 := e.ActiveGrant(t, r, "one@example.org", 200_000)
	g2 := e.ActiveGrant(t, r, "two@example.org", 300_000)

	out := filepath.Join(t.TempDir(), "grants.json")
	var stdout, stderr bytes.Buffer
	require.NoError(t, export360Giving(ctx, e.App, exportOptions{out: out}, &stdout, &stderr, false))
	require.Empty(t, stdout.String())
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, schema.Validate(raw))
	require.Contains(t, string(raw), "360G-cityhall-"+g1.ID)
	require.Contains(t, string(raw), "360G-cityhall-"+g2.ID)
	require.Equal(t, "grants:  50% (1/2 grants)\ngrants: 100% (2/2 grants)\nwrote 2 grants\n", stderr.String())

	// A grant missing data is written and listed; a terminal gets a bar.
	_, err = e.Store.Pool.Exec(ctx, `DELETE FROM reports WHERE grant_id = $1`, g2.ID)
	require.NoError(t, err)
	stdout.Reset()
	stderr.Reset()
	require.NoError(t, export360Giving(ctx, e.App, exportOptions{csv: true}, &stdout, &stderr, true))
	require.True(t, strings.HasPrefix(stdout.String(), "\uFEFFIdentifier,"))
	require.Len(t, strings.Split(strings.TrimSpace(stdout.String()), "\n"), 3)
	require.Contains(t, stderr.String(), "\r[###############---------------]  50%  1/2 grants")
	require.Contains(t, stderr.String(), "finding: 360G-cityhall-"+g2.ID+" planned_dates: no planned dates with a duration\n")

	// Programmes without a prefix are named, not silently skipped.
	_, err = e.Store.Pool.Exec(ctx, `UPDATE programmes SET giving_prefix = '' WHERE code = 'roots-incubator'`)
	require.NoError(t, err)
	stderr.Reset()
	require.NoError(t, export360Giving(ctx, e.App, exportOptions{out: out}, &stdout, &stderr, false))
	require.Contains(t, stderr.String(), "wrote 0 grants\nleft out: programme roots-incubator has no 360Giving prefix (set giving_prefix)\n")
}
