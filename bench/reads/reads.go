package reads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicgrants/grants/round"
)

// Config sizes and places one run of the scenario.
type Config struct {
	// DatabaseURL is the PostgreSQL the API serves from: the seed writes
	// there, and the export child reads there.
	DatabaseURL string
	// BaseURL is the API's base, e.g. http://127.0.0.1:8080/api/v1.
	BaseURL string
	// Applications is the size of the assessed round, and the number of
	// awarded grants the export writes (default 100,000).
	Applications int
	// Samples is how many times each timed request is made (default 30).
	Samples int
	// Grants is the grants executable for the export; "" runs this
	// process's executable when it is grants, else builds ./cmd/grants.
	Grants string
	// Progress receives a line per phase (nil: discarded).
	Progress io.Writer
}

// Result is what one run measured, and what it read back (the counts a
// test checks).
type Result struct {
	Applications         int
	Queue, Ranking, List Latency
	Export               time.Duration
	ExportRSS            int64 // bytes
	// Walked to the end, page by page: the assessor's queue, the ranking
	// and the round's applications; and the grants the export wrote.
	QueueItems, RankingItems, ListItems, ExportGrants int
}

// Targets of issue 19, reported, never asserted.
const (
	TargetP95       = 20 * time.Millisecond
	TargetExport    = 5 * time.Second
	TargetExportRSS = 100 << 20
)

// Missed names the targets the run missed: queue, ranking, list,
// export, export-rss.
func (r Result) Missed() []string {
	var out []string
	for _, x := range []struct {
		name string
		p95  time.Duration
	}{{"queue", r.Queue.P95}, {"ranking", r.Ranking.P95}, {"list", r.List.P95}} {
		if x.p95 >= TargetP95 {
			out = append(out, x.name)
		}
	}
	if r.Export >= TargetExport {
		out = append(out, "export")
	}
	if r.ExportRSS >= TargetExportRSS {
		out = append(out, "export-rss")
	}
	return out
}

// Summary is the scenario's one line, key=value in ms, s and MB:
// reads: applications=100000 queue-p95=3.1ms ranking-p95=8.4ms
// list-p95=4ms export=2.2s export-rss=48MB targets=met.
func (r Result) Summary() string {
	targets := "met"
	if m := r.Missed(); len(m) > 0 {
		targets = "missed:" + strings.Join(m, ",")
	}
	return fmt.Sprintf("reads: applications=%d queue-p95=%s ranking-p95=%s list-p95=%s export=%.1fs export-rss=%dMB targets=%s",
		r.Applications, ms(r.Queue.P95), ms(r.Ranking.P95), ms(r.List.P95), r.Export.Seconds(), r.ExportRSS>>20, targets)
}

// Report is the run in full: each read's percentiles against its target,
// then the summary line.
func (r Result) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reads at %d applications (targets: p95 < %s, export < %s and < %dMB)\n",
		r.Applications, ms(TargetP95), TargetExport, TargetExportRSS>>20)
	fmt.Fprintf(&b, "  assessor queue   %s (%d in the queue)\n", r.Queue, r.QueueItems)
	fmt.Fprintf(&b, "  ranking          %s (%d ranked)\n", r.Ranking, r.RankingItems)
	fmt.Fprintf(&b, "  applications     %s (%d in the round)\n", r.List, r.ListItems)
	fmt.Fprintf(&b, "  360Giving export %.2fs, peak RSS %dMB, %d grants\n", r.Export.Seconds(), r.ExportRSS>>20, r.ExportGrants)
	b.WriteString(r.Summary())
	return b.String()
}

// Run seeds a round of cfg.Applications applications (and a past round of
// as many grants) into a database the API at cfg.BaseURL serves, measures
// the reads and the export, and returns the figures. Every run adds its
// own users, programme and rounds, tagged, so runs can share a database.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.DatabaseURL == "" || cfg.BaseURL == "" {
		return Result{}, errors.New("reads: DatabaseURL and BaseURL are required")
	}
	if cfg.Applications <= 0 {
		cfg.Applications = 100_000
	}
	if cfg.Samples <= 0 {
		cfg.Samples = 30
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	res := Result{Applications: cfg.Applications}

	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return res, fmt.Errorf("reads: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	f := newFixture()
	if err := seedUsers(ctx, conn, f); err != nil {
		return res, err
	}
	hc := &http.Client{Timeout: time.Minute}
	manager, err := signIn(ctx, hc, cfg.BaseURL, f.email("manager", 1), f.password)
	if err != nil {
		return res, err
	}
	d, err := makeRounds(ctx, manager, &f)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "reads: seeding %d applications with their assessments and %d grants\n", cfg.Applications, cfg.Applications)
	start := time.Now()
	if err := seedRounds(ctx, conn, f, d, cfg.Applications, progress); err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "reads: seeded everything in %.1fs\n", time.Since(start).Seconds())
	chair, err := signIn(ctx, hc, cfg.BaseURL, f.email("chair", 2), f.password)
	if err != nil {
		return res, err
	}
	assessor, err := signIn(ctx, hc, cfg.BaseURL, f.email("assessor", 3), f.password)
	if err != nil {
		return res, err
	}

	fmt.Fprintln(progress, "reads: the assessor's queue")
	if res.Queue, res.QueueItems, err = measure(ctx, assessor, cfg.Samples, "/assessments?limit=200",
		"/assessments?limit=50", "/assessments?status=assigned&limit=50", "/assessments?status=scored&limit=50"); err != nil {
		return res, err
	}
	fmt.Fprintln(progress, "reads: the ranking")
	if res.Ranking, res.RankingItems, err = measure(ctx, chair, cfg.Samples, "/rounds/"+f.round+"/ranking?limit=200",
		"/rounds/"+f.round+"/ranking?limit=50"); err != nil {
		return res, err
	}
	fmt.Fprintln(progress, "reads: the applications list")
	rq := url.QueryEscape(f.round)
	if res.List, res.ListItems, err = measure(ctx, manager, cfg.Samples, "/applications?limit=200&round_id="+rq,
		"/applications?limit=50&round_id="+rq, "/applications?limit=50&status=in_assessment&round_id="+rq,
		"/applications?limit=50&status=waitlisted&round_id="+rq, "/applications?limit=50&status=approved"); err != nil {
		return res, err
	}

	fmt.Fprintln(progress, "reads: the 360Giving export")
	dir, err := os.MkdirTemp("", "grants-bench-reads-")
	if err != nil {
		return res, fmt.Errorf("reads: %w", err)
	}
	defer os.RemoveAll(dir)
	bin, err := grantsBinary(ctx, cfg.Grants, dir)
	if err != nil {
		return res, err
	}
	ex, err := runExport(ctx, bin, cfg.DatabaseURL, f.programme, dir)
	if err != nil {
		return res, err
	}
	res.Export, res.ExportRSS, res.ExportGrants = ex.Wall, ex.PeakRSS, ex.Grants
	return res, nil
}

// makeRounds creates the run's programme (with a 360Giving prefix) and its
// two rounds through the API, as a manager would, and returns the
// definition the seed answers.
func makeRounds(ctx context.Context, manager *client, f *fixture) (round.Definition, error) {
	f.programme = "bench-" + f.tag
	if _, err := manager.do(ctx, http.MethodPost, "/programmes", map[string]string{"code": f.programme,
		"name": "Bench programme " + f.tag, "description": "Seeded by grants bench", "funder_name": "Bench Funder",
		"giving_prefix": "360G-bench" + f.tag}, nil); err != nil {
		return round.Definition{}, err
	}
	var d round.Definition
	for _, r := range []struct {
		name string
		id   *string
	}{{"Bench round " + f.tag, &f.round}, {"Bench past round " + f.tag, &f.past}} {
		def, err := benchRound(f.programme, r.name)
		if err != nil {
			return round.Definition{}, err
		}
		var made struct {
			ID string `json:"id"`
		}
		if _, err := manager.do(ctx, http.MethodPost, "/rounds", def, &made); err != nil {
			return round.Definition{}, err
		}
		*r.id, d = made.ID, def
	}
	return d, nil
}

// measure walks the list at walk to its end (counting its items and
// keeping cursors along the way), then times each of first, and the
// first of them from cursors spread through the list (deep pages),
// samples times over.
func measure(ctx context.Context, c *client, samples int, walk string, first ...string) (Latency, int, error) {
	var cursors []string
	count := 0
	path := walk
	for {
		var pg page
		if _, err := c.do(ctx, http.MethodGet, path, nil, &pg); err != nil {
			return Latency{}, 0, err
		}
		count += len(pg.Items)
		if pg.NextCursor == nil {
			break
		}
		cursors = append(cursors, *pg.NextCursor)
		path = walk + "&cursor=" + url.QueryEscape(*pg.NextCursor)
	}
	paths := append([]string(nil), first...)
	const deep = 5
	for i := 1; i <= deep && len(cursors) > 0; i++ {
		cur := cursors[(len(cursors)-1)*i/deep]
		paths = append(paths, first[0]+"&cursor="+url.QueryEscape(cur))
	}
	for _, p := range paths { // warm up: plans, caches, connections
		if _, err := c.do(ctx, http.MethodGet, p, nil, nil); err != nil {
			return Latency{}, 0, err
		}
	}
	var took []time.Duration
	for range samples {
		for _, p := range paths {
			d, err := c.do(ctx, http.MethodGet, p, nil, nil)
			if err != nil {
				return Latency{}, 0, err
			}
			took = append(took, d)
		}
	}
	return latencyOf(took), count, nil
}
