// Package bench is the load tool of `grants bench`: the deadline rush
// (submissions at once, then the outbox draining every case to
// in_assessment) and the lifecycle (applications from submission to paid
// and reported), each measured against the physical limits of the same
// machine in the same run (pgbench with a transaction of the same shape,
// bare Temporal workflows of the same shape). Each scenario prints its
// figures and ends with one summary line of key=value fields that a
// script can read, then the targets and whether each is met.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db"
)

// Target is the stack a scenario runs against.
type Target struct {
	// BaseURL is the API's base, …/api/v1.
	BaseURL string
	// DatabaseURL is the stack's PostgreSQL (pgbench runs against it).
	DatabaseURL string
	// Store is a connection of the bench's own to that database.
	Store *db.Store
	// Fixtures makes the users, organisations, rounds and drafts a
	// scenario prepares beforehand: the use cases on the same database
	// with the server's keys (its password hashes may be cheaper, since
	// the fixtures' sign-ins are not measured).
	Fixtures *app.App
	// Temporal is a client of the stack's Temporal server; the bare
	// workflows run there on a task queue of the bench's own.
	Temporal client.Client
	// WebhookSecret signs the Stripe events the lifecycle sends.
	WebhookSecret string
	// InProcess is true when this process serves the API and runs the
	// worker, so its peak RSS is the server's.
	InProcess bool
}

// Config sizes a run.
type Config struct {
	// Clients are the rush's concurrencies (default 50 and 200).
	Clients []int
	// Applications is the lifecycle's number of applications.
	Applications int
	// Duration is how long pgbench runs at each concurrency.
	Duration time.Duration
	// PprofDir, when set, receives a CPU and a heap profile per scenario.
	PprofDir string
	// Out receives the figures and the summary lines; Progress the
	// running commentary.
	Out, Progress io.Writer
}

// profile runs f, writing name's CPU and heap profiles to dir when set.
func profile(dir, name string, f func() error) error {
	if dir == "" {
		return f()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("pprof dir: %w", err)
	}
	cpu, err := os.Create(filepath.Join(dir, name+".cpu.pprof")) //nolint:gosec // G304: the operator names the directory (--pprof)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	defer cpu.Close()
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	ferr := f()
	pprof.StopCPUProfile()
	heap, err := os.Create(filepath.Join(dir, name+".heap.pprof")) //nolint:gosec // G304: the operator names the directory (--pprof)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	defer heap.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(heap); err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	return ferr
}

// Rush runs the deadline rush at each concurrency of cfg.Clients and
// returns one result per concurrency.
func Rush(ctx context.Context, t Target, cfg Config) ([]RushResult, error) {
	var out []RushResult
	for _, n := range cfg.Clients {
		var r RushResult
		err := profile(cfg.PprofDir, fmt.Sprintf("rush-%d", n), func() error {
			var err error
			r, err = runRush(ctx, t, n, cfg.Duration, cfg.Progress)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("rush at %d clients: %w", n, err)
		}
		r.Print(cfg.Out)
		out = append(out, r)
	}
	return out, nil
}

// Lifecycle runs the lifecycle scenario with cfg.Applications cases.
func Lifecycle(ctx context.Context, t Target, cfg Config) (LifecycleResult, error) {
	var r LifecycleResult
	err := profile(cfg.PprofDir, "lifecycle", func() error {
		var err error
		r, err = runLifecycle(ctx, t, cfg.Applications, cfg.Progress)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("lifecycle: %w", err)
	}
	r.Print(cfg.Out)
	return r, nil
}
