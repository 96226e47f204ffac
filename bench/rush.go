package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/civicgrants/grants/app"
)

// rushTimeline is the rush round's timeline: long windows, since only the
// start of each case is measured.
var rushTimeline = map[string]any{"assessment_window": "336h", "decision_window": "336h", "offer_expiry": "672h",
	"reminder_lead": "48h", "report_grace": "168h", "reports": []any{map[string]any{"kind": "final", "due_after": "8760h"}}}

// drainLimit is how long the rush waits for the outbox to bring every
// accepted case to in_assessment before counting the rest lost.
const drainLimit = 5 * time.Minute

// RushResult is the deadline rush at one concurrency.
type RushResult struct {
	Clients       int
	Accepted      int           // 2xx submissions
	Refused       int           // other answers or errors
	Rate          float64       // accepted submissions per second of the burst
	P50, P95, P99 time.Duration // latency of a submission as its client saw it
	PgbenchTPS    float64       // pgbench, same-shape transaction, same concurrency
	PgbenchP99    time.Duration
	Drain         float64 // cases per second brought to in_assessment, from the first submission
	BareStart     float64 // bare workflows per second started and through their first activity
	Lost          int     // accepted submissions not in_assessment at the end
	PeakRSSMB     float64
	InProcess     bool
}

// Summary is the line a script reads.
func (r RushResult) Summary() string {
	return fmt.Sprintf("rush: clients=%d %.0f submissions/s p50=%s p95=%s p99=%s pgbench=%.0ftps pgbench-p99=%s ratio=%.2f p99-ratio=%.2f drain=%.1f/s bare-start=%.1f/s drain-ratio=%.2f lost=%d refused=%d peak-rss=%.0fMB",
		r.Clients, r.Rate, ms(r.P50), ms(r.P95), ms(r.P99), r.PgbenchTPS, ms(r.PgbenchP99), ratio(r.Rate, r.PgbenchTPS),
		ratio(float64(r.P99), float64(r.PgbenchP99)), r.Drain, r.BareStart, ratio(r.Drain, r.BareStart), r.Lost, r.Refused, r.PeakRSSMB)
}

// Print writes the figures, the summary line and the targets.
func (r RushResult) Print(w io.Writer) {
	fmt.Fprintf(w, "deadline rush, %d clients: %d accepted, %d refused; %.0f submissions/s; latency p50 %s p95 %s p99 %s\n",
		r.Clients, r.Accepted, r.Refused, r.Rate, ms(r.P50), ms(r.P95), ms(r.P99))
	fmt.Fprintf(w, "  pgbench (same-shape transaction, %d clients): %.0f tps, p99 %s\n", r.Clients, r.PgbenchTPS, ms(r.PgbenchP99))
	fmt.Fprintf(w, "  outbox drain to in_assessment: %.1f cases/s; bare workflow start (one no-op activity): %.1f/s\n", r.Drain, r.BareStart)
	fmt.Fprintf(w, "  peak RSS %.0f MB: %s\n", r.PeakRSSMB, rssNote(r.InProcess))
	fmt.Fprintln(w, r.Summary())
	target(w, fmt.Sprintf("rush ≥ 0.7× pgbench tps at %d clients", r.Clients), ratio(r.Rate, r.PgbenchTPS) >= 0.7)
	target(w, fmt.Sprintf("rush p99 ≤ 2× pgbench p99 at %d clients", r.Clients), r.P99 <= 2*r.PgbenchP99)
	target(w, "drain ≥ 0.8× bare start rate", ratio(r.Drain, r.BareStart) >= 0.8)
	target(w, "no accepted submission lost", r.Lost == 0)
}

// target reports one of the targets: reported, never asserted.
func target(w io.Writer, what string, met bool) {
	fmt.Fprintf(w, "  target: %-45s %s\n", what, map[bool]string{true: "met", false: "MISSED"}[met])
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// runRush prepares n complete drafts, has n clients submit them at once
// over HTTP, waits for the outbox to bring every accepted case to
// in_assessment, then runs pgbench and the bare workflow starts at the
// same concurrency, pgbench for pgbenchFor.
func runRush(ctx context.Context, t Target, n int, pgbenchFor time.Duration, progress io.Writer) (RushResult, error) {
	r := RushResult{Clients: n, InProcess: t.InProcess}
	hc := httpClient(n)
	f := newFixtures(t.Fixtures)
	fmt.Fprintf(progress, "rush %d: preparing %d drafts\n", n, n)
	manager, _, err := f.user(ctx, t.BaseURL, hc, "manager", app.RoleManager)
	if err != nil {
		return r, err
	}
	assessor, _, err := f.user(ctx, t.BaseURL, hc, "assessor", app.RoleAssessor)
	if err != nil {
		return r, err
	}
	rnd, err := f.round(ctx, manager, fmt.Sprintf("Rush %d", n), int64(n)*500000, []string{assessor.ID}, rushTimeline)
	if err != nil {
		return r, err
	}
	drafts, err := f.drafts(ctx, t.BaseURL, hc, rnd, n)
	if err != nil {
		return r, err
	}

	fmt.Fprintf(progress, "rush %d: %d clients submit at once\n", n, n)
	lat := make(Latencies, n)
	ok := make([]bool, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, d := range drafts {
		// Each client has read its draft (and so holds a connection), as a
		// person has the page open before pressing submit.
		if _, err := d.c.call(ctx, http.MethodGet, "/applications/"+d.id, nil, nil); err != nil {
			return r, err
		}
		wg.Go(func() {
			<-start
			t0 := time.Now()
			status, _ := d.c.call(ctx, http.MethodPost, "/applications/"+d.id+"/submit", nil, nil)
			lat[i] = time.Since(t0)
			ok[i] = status == http.StatusAccepted
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	burst := time.Since(t0)
	var accepted []string
	var okLat Latencies
	for i, d := range drafts {
		if ok[i] {
			accepted = append(accepted, d.id)
			okLat = append(okLat, lat[i])
		}
	}
	r.Accepted, r.Refused = len(accepted), n-len(accepted)
	r.Rate = float64(r.Accepted) / burst.Seconds()
	r.P50, r.P95, r.P99 = okLat.Percentile(50), okLat.Percentile(95), okLat.Percentile(99)

	fmt.Fprintf(progress, "rush %d: waiting for the outbox to drain\n", n)
	in, err := waitInAssessment(ctx, t, accepted)
	if err != nil {
		return r, err
	}
	if d := time.Since(t0); in > 0 {
		r.Drain = float64(in) / d.Seconds()
	}
	r.Lost = len(accepted) - in
	r.PeakRSSMB = PeakRSSMB()

	fmt.Fprintf(progress, "rush %d: pgbench\n", n)
	pg, err := runPgbench(ctx, t.Store, t.DatabaseURL, accepted, n, pgbenchFor)
	if err != nil {
		return r, err
	}
	r.PgbenchTPS, r.PgbenchP99 = pg.tps, pg.p99

	fmt.Fprintf(progress, "rush %d: bare workflow starts\n", n)
	r.BareStart, err = bareStartRate(ctx, t, n)
	if err != nil {
		return r, err
	}
	return r, nil
}

// waitInAssessment waits (at most drainLimit) until every one of ids is
// in_assessment, and returns how many are.
func waitInAssessment(ctx context.Context, t Target, ids []string) (int, error) {
	var in int
	err := waitFor(ctx, drainLimit, "drain", func() (bool, error) {
		if err := t.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM applications WHERE id = ANY($1) AND status = 'in_assessment'`,
			ids).Scan(&in); err != nil {
			return false, fmt.Errorf("count in_assessment: %w", err)
		}
		return in == len(ids), nil
	})
	if err != nil && ctx.Err() != nil {
		return in, err
	}
	return in, nil // what never arrived is counted lost
}
