package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/bench"
)

// grants bench's rush and lifecycle run once at a tiny size against the
// test stack (the API, the dispatcher and a worker on the real Temporal
// dev server, Stripe through stripe-mock): no accepted submission is
// lost, every lifecycle case completes, pgbench and the bare workflows
// run, and the summary lines carry their fields. No timing is asserted.
func TestBenchScenariosAtTinySize(t *testing.T) {
	t.Parallel()
	s := newMoneyStack(t)
	target := bench.Target{BaseURL: s.base, DatabaseURL: s.env.Store.Pool.Config().ConnString(), Store: s.env.Store,
		Fixtures: s.env.App, Temporal: s.tc, WebhookSecret: apptest.WebhookSecret}
	var out bytes.Buffer
	cfg := bench.Config{Clients: []int{3}, Applications: 2, Duration: time.Second, Out: &out, Progress: io.Discard}

	rush, err := bench.Rush(t.Context(), target, cfg)
	require.NoError(t, err)
	require.Len(t, rush, 1)
	require.Equal(t, 3, rush[0].Accepted, out.String())
	require.Zero(t, rush[0].Lost)
	require.Positive(t, rush[0].PgbenchTPS)
	require.Positive(t, rush[0].BareStart)

	lc, err := bench.Lifecycle(t.Context(), target, cfg)
	require.NoError(t, err)
	require.Positive(t, lc.Shape.Activities, "counted from the real workflows")
	require.Positive(t, lc.Bare)

	lines := map[string]map[string]string{}
	for line := range strings.Lines(out.String()) {
		if name, fields, ok := bench.ParseSummary(strings.TrimSpace(line)); ok && (name == "rush" || name == "lifecycle") {
			lines[name] = fields
		}
	}
	require.Contains(t, lines, "rush", out.String())
	require.Contains(t, lines, "lifecycle", out.String())
	for _, k := range []string{"clients", "p50", "p95", "p99", "pgbench", "pgbench-p99", "ratio", "p99-ratio", "drain", "bare-start", "drain-ratio", "lost", "peak-rss"} {
		require.Contains(t, lines["rush"], k)
	}
	require.Equal(t, "3", lines["rush"]["clients"])
	require.Equal(t, "0", lines["rush"]["lost"])
	require.True(t, strings.HasSuffix(lines["rush"]["p99"], "ms"), lines["rush"]["p99"])
	require.True(t, strings.HasSuffix(lines["rush"]["pgbench"], "tps"))
	require.True(t, strings.HasSuffix(lines["rush"]["drain"], "/s"))
	require.True(t, strings.HasSuffix(lines["rush"]["peak-rss"], "MB"))
	require.Equal(t, "2", lines["lifecycle"]["applications"])
	for _, k := range []string{"total", "bare"} {
		require.True(t, strings.HasSuffix(lines["lifecycle"][k], "s"), k)
	}
	require.Contains(t, lines["lifecycle"], "per-task-cost-ratio")

	var left int
	require.NoError(t, s.env.Store.Pool.QueryRow(t.Context(),
		`SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'bench_pgbench'`).Scan(&left))
	require.Zero(t, left, "pgbench's copies are dropped")
}
