package reads_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/api"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/bench/reads"
	"github.com/civicgrants/grants/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// summaryLine is the shape of Summary's line a script reads.
var summaryLine = regexp.MustCompile(`^reads: applications=(\d+) queue-p95=[0-9.]+ms ranking-p95=[0-9.]+ms ` +
	`list-p95=[0-9.]+ms export=[0-9.]+s export-rss=\d+MB targets=(met|missed:[a-z,-]+)$`)

// The scenario at a small size against the API in-process: it reads back
// everything it seeded — the whole ranking, the whole round's list, the
// assessor's queue — and the export writes every grant. Only counts and
// the summary's shape are checked, never timings.
func TestRunSmall(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	api.Register(r.Group("/api/v1"), env.App, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	const n, samples = 300, 2
	var progress strings.Builder
	res, err := reads.Run(context.Background(), reads.Config{DatabaseURL: env.Store.Pool.Config().ConnString(),
		BaseURL: srv.URL + "/api/v1", Applications: n, Samples: samples, Progress: &progress})
	require.NoError(t, err, progress.String())

	// The queue of the pool's first assessor: assessment k of application
	// i goes to assessor (i + 7k) mod 20; a third assessment for one
	// application in four.
	queue := 0
	for i := 1; i <= n; i++ {
		for k := range 3 {
			if (k < 2 || i%4 == 0) && (i+7*k)%20 == 0 {
				queue++
			}
		}
	}
	require.Equal(t, n, res.Applications)
	require.Equal(t, queue, res.QueueItems)
	require.Equal(t, n, res.RankingItems, "every seeded application is ranked")
	require.Equal(t, n, res.ListItems)
	require.Equal(t, n, res.ExportGrants)
	require.Positive(t, res.ExportRSS)
	require.Positive(t, res.Export)
	require.Equal(t, samples*3, res.Queue.N, "three first pages; the queue is one page of 200, so no deep ones")
	require.Equal(t, samples*(1+5), res.Ranking.N)
	require.Equal(t, samples*(4+5), res.List.N)
	require.LessOrEqual(t, res.Ranking.P50, res.Ranking.P95)
	require.LessOrEqual(t, res.Ranking.P95, res.Ranking.P99)
	m := summaryLine.FindStringSubmatch(res.Summary())
	require.NotNil(t, m, res.Summary())
	require.Equal(t, "300", m[1])
	require.Contains(t, res.Report(), res.Summary())
	require.Contains(t, progress.String(), "reads: seeded")

	// Each run is tagged: a second one on the same database adds its own.
	again, err := reads.Run(context.Background(), reads.Config{DatabaseURL: env.Store.Pool.Config().ConnString(),
		BaseURL: srv.URL + "/api/v1", Applications: 20, Samples: 1})
	require.NoError(t, err)
	require.Equal(t, 20, again.RankingItems)
	require.Equal(t, 20, again.ExportGrants)
}
