package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/errgroup"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/bench"
	"github.com/civicgrants/grants/bench/reads"
	"github.com/civicgrants/grants/platform/config"
)

// benchCmd is `grants bench`: the load scenarios against a stack it starts
// as `grants dev` does (in a temporary data dir, removed after), or
// against one given by address.
func benchCmd(ctx context.Context, cfg config.Config, args []string, out, progress io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	scenarios := fs.String("scenarios", "rush,lifecycle,reads", "scenarios to run, comma-separated: rush, lifecycle, reads")
	clients := fs.String("clients", "50,200", "the rush's concurrencies, comma-separated")
	applications := fs.Int("applications", 50, "applications of the lifecycle (the reads scenario's: --reads-applications)")
	duration := fs.Duration("duration", 5*time.Second, "how long pgbench runs at each concurrency")
	pprofDir := fs.String("pprof", "", "write CPU and heap profiles of each scenario to this directory")
	apiURL := fs.String("api", "", "API base URL (…/api/v1) of a running stack; with --database-url and --temporal-address, "+
		"and the server's GRANTS_ENCRYPTION_KEY (or GRANTS_AUDIT_KEY) and GRANTS_STRIPE_WEBHOOK_SECRET in the environment")
	dbURL := fs.String("database-url", "", "PostgreSQL of the running stack")
	temporalAddr := fs.String("temporal-address", "", "Temporal frontend HOST:PORT of the running stack")
	readsN := fs.Int("reads-applications", 100_000, "applications the reads scenario seeds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bc := bench.Config{Applications: *applications, Duration: *duration, PprofDir: *pprofDir, Out: out, Progress: progress}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("--clients: %q is not a positive whole number", s)
		}
		bc.Clients = append(bc.Clients, n)
	}
	want := strings.Split(*scenarios, ",")
	for _, s := range want {
		if !slices.Contains([]string{"rush", "lifecycle", "reads"}, s) {
			return fmt.Errorf("--scenarios: unknown scenario %q", s)
		}
	}
	// The stack's own log says only what goes wrong.
	quiet := slog.New(slog.NewJSONHandler(progress, &slog.HandlerOptions{Level: slog.LevelError}))
	run := func(ctx context.Context, t bench.Target) error {
		if slices.Contains(want, "rush") {
			if _, err := bench.Rush(ctx, t, bc); err != nil {
				return err
			}
		}
		if slices.Contains(want, "lifecycle") {
			if _, err := bench.Lifecycle(ctx, t, bc); err != nil {
				return err
			}
		}
		if slices.Contains(want, "reads") {
			r, err := reads.Run(ctx, reads.Config{DatabaseURL: t.DatabaseURL, BaseURL: t.BaseURL, Applications: *readsN, Progress: progress})
			if err != nil {
				return fmt.Errorf("reads: %w", err)
			}
			fmt.Fprintln(out, r.Report()) // ends with the summary line
		}
		return nil
	}
	if *apiURL != "" || *dbURL != "" || *temporalAddr != "" {
		if *apiURL == "" || *dbURL == "" || *temporalAddr == "" {
			return errors.New("a running stack needs all of --api, --database-url and --temporal-address")
		}
		cfg.DatabaseURL, cfg.TemporalAddress = *dbURL, *temporalAddr
		return benchAgainst(ctx, cfg, quiet, nil, strings.TrimRight(*apiURL, "/"), run)
	}
	return benchInProcess(ctx, cfg, quiet, run)
}

// benchInProcess starts the stack of `grants dev` in a temporary data dir,
// serves the API and runs the worker in this process, then runs the
// scenarios against it.
func benchInProcess(ctx context.Context, cfg config.Config, log *slog.Logger, run func(context.Context, bench.Target) error) error {
	dir, err := os.MkdirTemp("", "grants-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DocumentsDir = dir + "/documents"
	svc, err := startDevServices(ctx, &cfg, dir, log)
	defer svc.stop(log)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	cfg.PublicURL = "http://" + cfg.Addr
	a, store, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	tc, err := dialTemporal(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer tc.Close()
	h, err := httpHandler(a, tc, log, nil)
	if err != nil {
		return err
	}
	mailer, err := newMailer(cfg, log)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	sctx, stop := context.WithCancel(gctx)
	g.Go(func() error { return runHTTP(sctx, cfg.Addr, h, cfg.HTTP, cfg.ShutdownTimeout, log) })
	g.Go(func() error {
		return runWorker(sctx, store, tc, newStripe(cfg, log), mailer, registerChecker(cfg, store), cfg.TokenIdle, log)
	})
	g.Go(func() error { return svc.wait(sctx) })
	g.Go(func() error {
		defer stop()
		return benchAgainst(sctx, cfg, log, tc, "http://"+cfg.Addr+"/api/v1", run)
	})
	return g.Wait()
}

// benchAgainst runs the scenarios against the API at base, the database
// of cfg and Temporal through tc; with tc nil, it dials the Temporal of
// cfg (a stack given by address, not served by this process).
func benchAgainst(ctx context.Context, cfg config.Config, log *slog.Logger, tc client.Client, base string, run func(context.Context, bench.Target) error) error {
	// The fixtures' users sign in once, unmeasured: their hashes are cheap.
	fixtures, store, err := openApp(ctx, cfg, log, func(c *app.Config) { c.PasswordCost = bcrypt.MinCost })
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	inProcess := tc != nil
	if !inProcess {
		if tc, err = dialTemporal(ctx, cfg, log, false); err != nil {
			return err
		}
		defer tc.Close()
	}
	if err := bench.WaitReady(ctx, base); err != nil {
		return err
	}
	secret := cfg.StripeWebhookSecret
	if secret == "" {
		secret = devWebhookSecret
	}
	return run(ctx, bench.Target{BaseURL: base, DatabaseURL: cfg.DatabaseURL, Store: store, Fixtures: fixtures, Temporal: tc,
		WebhookSecret: secret, InProcess: inProcess})
}
