//go:build faults

package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/platform/temporaldev"
)

// ownTemporal starts a Temporal dev server of the test's own, keeping its
// state in a file so that it can be stopped and started again (restart)
// on the same port with its workflows.
func ownTemporal(t *testing.T) (srv *temporaldev.Server, restart func(stop bool)) {
	t.Helper()
	opts := temporaldev.Options{DBFile: filepath.Join(t.TempDir(), "temporal.db")}
	return restartable(t, func(ctx context.Context) (*temporaldev.Server, error) { return temporaldev.Start(ctx, opts) },
		func(first *temporaldev.Server) { opts.Port = first.Port() })
}

// Temporal stopped during a burst of submissions: every submission is
// accepted (they queue in the outbox), and once Temporal is back every one
// has its workflow started and reaches in_assessment, none twice.
func TestFaultTemporalStoppedDuringSubmissions(t *testing.T) {
	t.Parallel()
	const n = 45
	srv, restart := ownTemporal(t)
	tc, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	smtpURL, mp := mailpittest.Shared(t)
	s := newStackOn(t, stackParts{env: apptest.New(t), tc: tc, smtpURL: smtpURL, mp: mp})
	r := s.env.Round(t, apptest.ExampleRound(t))
	ds := drafts(t, s, r, "temporal", n)

	tl := &tally{scenario: "temporal-stopped", faults: 1}
	accepted := submitAll(t, tl, ds[:n/3])
	restart(true) // Temporal down: the rest are submitted meanwhile
	accepted = append(accepted, submitAll(t, tl, ds[n/3:2*n/3])...)
	// Down for as long as it takes the outbox to find it down.
	retried := func() int {
		var n int
		require.NoError(t, s.env.Store.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM outbox WHERE kind = 'start:application' AND (attempts > 1 OR last_error IS NOT NULL)`).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool { return retried() > 0 }, settleTimeout, 100*time.Millisecond, "the dispatcher never found Temporal down")
	restart(false)
	accepted = append(accepted, submitAll(t, tl, ds[2*n/3:])...)
	require.Len(t, accepted, n, "every submission is accepted, Temporal or not")

	waitInAssessment(t, s, accepted)
	tl.lost, tl.duplicated = submissionCounts(t, s, accepted, "in_assessment")
	tl.report(t, fmt.Sprintf("start-retries=%d", retried()))
}
