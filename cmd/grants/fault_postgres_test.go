//go:build faults

package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/platform/pgcluster"
	"github.com/civicgrants/grants/workflows/wftest"
)

// ownPostgres starts a PostgreSQL cluster of the test's own with a
// migrated database and returns its URL and a function that restarts it
// (a fast shutdown, then a start on the same port and data).
func ownPostgres(t *testing.T) (url string, restart func()) {
	t.Helper()
	opts := pgcluster.Options{Dir: t.TempDir(), Ephemeral: true}
	cluster, stopStart := restartable(t, func(ctx context.Context) (*pgcluster.Cluster, error) { return pgcluster.Start(ctx, opts) },
		func(first *pgcluster.Cluster) { opts.Port = first.Port() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, cluster.EnsureDatabase(ctx, "grants"))
	url = cluster.URL("grants")
	require.NoError(t, db.MigrateURL(ctx, url))
	return url, func() { stopStart(true); stopStart(false) }
}

// PostgreSQL restarted during a burst of submissions: while it is down
// the API answers 503 in the error shape (never 500) and clients retry;
// afterwards every accepted submission is there, once.
func TestFaultPostgresRestartedDuringSubmissions(t *testing.T) {
	t.Parallel()
	const n = 45
	url, restart := ownPostgres(t)
	pool, err := db.Open(context.Background(), url, 8)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	smtpURL, mp := mailpittest.Shared(t)
	s := newStackOn(t, stackParts{env: apptest.NewOnPool(t, pool), tc: wftest.Client(t), smtpURL: smtpURL, mp: mp})
	r := s.env.Round(t, apptest.ExampleRound(t))
	ds := drafts(t, s, r, "postgres", n)

	tl := &tally{scenario: "postgres-restarted", faults: 1}
	accepted := submitAll(t, tl, ds[:n/3])

	// The restart runs while the second third is submitted; a watcher
	// reads a page meanwhile to see how the API answers with the
	// database down.
	var (
		wg          sync.WaitGroup
		down        = make(chan struct{})
		unavailable atomic.Int64
		otherErrors []string
		mu          sync.Mutex
		middle      []string
	)
	wg.Go(func() {
		restart()
		close(down)
	})
	wg.Go(func() {
		for {
			select {
			case <-down:
				return
			default:
			}
			status, body, _ := apiCall(ds[0].c, "GET", "/applications/"+ds[0].appID, nil)
			tl.requests.Add(1)
			switch {
			case status == http.StatusOK || status == 0:
			case status == http.StatusServiceUnavailable && errorCode(body) == "unavailable":
				unavailable.Add(1)
			default:
				mu.Lock()
				otherErrors = append(otherErrors, fmt.Sprintf("%d %s", status, body))
				mu.Unlock()
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	wg.Go(func() {
		got := submitAll(t, tl, ds[n/3:2*n/3])
		mu.Lock()
		middle = got
		mu.Unlock()
	})
	wg.Wait()
	accepted = append(accepted, middle...)
	accepted = append(accepted, submitAll(t, tl, ds[2*n/3:])...)
	require.Empty(t, otherErrors, "with the database down the API answers 503 unavailable")
	require.Positive(t, unavailable.Load()+tl.refused.Load(), "the API was seen answering 503 while the database was down")
	require.Len(t, accepted, n)

	tl.lost, tl.duplicated = submissionCounts(t, s, accepted, "submitted")
	tl.report(t, fmt.Sprintf("refused-and-retried=%d", unavailable.Load()+tl.refused.Load()))
}
