package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/payments/bank"
	"github.com/civicgrants/grants/platform/config"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/platform/pgcluster"
	"github.com/civicgrants/grants/platform/stripemock"
	"github.com/civicgrants/grants/platform/temporaldev"
	"github.com/civicgrants/grants/seed"
)

// dev runs the whole system in one process for a laptop: a private
// PostgreSQL cluster, the Temporal dev server, stripe-mock and Mailpit (the
// mail catcher) as child processes, then migrations, the demo data, the
// HTTP server and the worker. SIGINT or SIGTERM stops everything it
// started. Its start-up banner goes to standard error.
func dev(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	return runDev(ctx, cfg, log, os.Stderr, args)
}

// runDev is dev with the banner written to out.
func runDev(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "HTTP listen address (GRANTS_ADDR)")
	dataDir := fs.String("data-dir", cfg.DataDir, "where the dev stack keeps its data (GRANTS_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	// What defaults to the address or the data dir follows the flags.
	if os.Getenv("GRANTS_DOCUMENTS_DIR") == "" && os.Getenv("GRANTS_DOCUMENTS_URL") == "" {
		cfg.DocumentsDir = filepath.Join(abs, "documents")
	}
	if os.Getenv("GRANTS_PUBLIC_URL") == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}

	svc, err := startDevServices(ctx, &cfg, abs, log)
	defer svc.stop(log)
	if err != nil {
		return err
	}
	pg, ts, mp := svc.pg, svc.ts, svc.mp
	mailNote := "every e-mail the system sends"
	if svc.smtpGiven {
		mailNote = "catches nothing: e-mail goes to GRANTS_SMTP_URL"
	}

	a, store, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	password, err := devPassword(cfg, abs, log)
	if err != nil {
		return err
	}
	seeded, err := seed.Apply(ctx, a, password, time.Now())
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	m, mh := newMetrics(store, log)
	tc, err := dialTemporal(ctx, cfg, log, false, mh)
	if err != nil {
		return err
	}
	defer tc.Close()
	h, err := httpHandler(a, tc, log, cfg.TrustedProxies, metricsOption{metrics: m, token: cfg.MetricsToken})
	if err != nil {
		return err
	}

	fmt.Fprintf(out, `
grants dev is running
  web:       http://%s/
  API:       http://%s/api/v1   (OpenAPI: /api/v1/openapi.json)
  mail:      %s   (%s; SMTP at %s)
  data:      %s   (PostgreSQL cluster: %s)
  database:  DATABASE_URL=%s
  temporal:  %s
  stripe:    stripe-mock at %s (payments by Stripe go there)
  webhooks:  POST /api/v1/webhooks/stripe, secret %s (GRANTS_STRIPE_WEBHOOK_SECRET);
             sign and send a test event with: bin/grants stripe-event account.updated organisation=<org id>
  demo data: %s; users manager@, chair@, assessor1-3@, finance1-2@, applicant@example.org
  password:  %s
Press Ctrl-C to stop.

`, cfg.Addr, cfg.Addr, mp.URL(), mailNote, mp.SMTPAddr(), abs, pg.Dir(), cfg.DatabaseURL, ts.Address(), cfg.StripeAPIBase, cfg.StripeWebhookSecret,
		map[bool]string{true: "loaded now", false: "kept from an earlier run"}[seeded], password)

	mailer, err := newMailer(cfg, log)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runHTTP(gctx, cfg.Addr, h, cfg.HTTP, cfg.ShutdownTimeout, log) })
	g.Go(func() error {
		return runWorker(gctx, store, tc, newStripe(cfg, log), mailer, registerChecker(cfg, store), cfg.TokenIdle, log)
	})
	g.Go(func() error { return svc.wait(gctx) })
	err = g.Wait()
	log.Info("grants dev stopping")
	return err
}

// devPassword is the demo users' password. The first start takes
// GRANTS_DEV_PASSWORD, or generates one, and keeps it in the data dir; later
// starts use the kept one, since the users were seeded with it.
func devPassword(cfg config.Config, dataDir string, log *slog.Logger) (string, error) {
	path := filepath.Join(dataDir, "dev-password")
	pw, err := keptInDataDir(path, func() string {
		if cfg.DevPassword != "" {
			return cfg.DevPassword
		}
		return rand.Text()
	})
	if err != nil {
		return "", fmt.Errorf("dev password: %w", err)
	}
	if cfg.DevPassword != "" && cfg.DevPassword != pw {
		log.Warn("GRANTS_DEV_PASSWORD differs from the password the demo users were created with; the demo users keep theirs",
			"file", path)
	}
	return pw, nil
}

// keptInDataDir returns the value kept in the file at path, or, when there
// is none yet, the one first returns, which it keeps there (mode 0600) for
// the next start.
func keptInDataDir(path string, first func() string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if kept := strings.TrimSpace(string(b)); kept != "" {
		return kept, nil
	}
	v := first()
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", err
	}
	return v, nil
}

// Dev defaults of the payment settings: a test key stripe-mock accepts
// (config.DevStripeSecretKey); the
// webhook secret has a fixed dev value (printed) unless one is given; the
// encryption key of bank details is generated once and kept in the data
// dir (the stored details need the same key at every start).
const (
	devStripeKey     = config.DevStripeSecretKey
	devWebhookSecret = "whsec_grants_dev"
)

func devPaymentDefaults(cfg *config.Config, dataDir string) error {
	if cfg.StripeSecretKey == "" {
		cfg.StripeSecretKey = devStripeKey
	}
	if cfg.StripeWebhookSecret == "" {
		cfg.StripeWebhookSecret = devWebhookSecret
	}
	if cfg.EncryptionKey != "" {
		return nil
	}
	key, err := keptInDataDir(filepath.Join(dataDir, "encryption-key"), bank.GenerateKey)
	if err != nil {
		return fmt.Errorf("encryption key: %w", err)
	}
	cfg.EncryptionKey = key
	return nil
}

// devServices are the child processes of `grants dev` and `grants bench`:
// a private PostgreSQL cluster, the Temporal dev server, stripe-mock and
// Mailpit.
type devServices struct {
	pg        *pgcluster.Cluster
	ts        *temporaldev.Server
	sm        *stripemock.Server
	mp        *mailpit.Server
	smtpGiven bool // GRANTS_SMTP_URL named a server: Mailpit catches nothing
	children  []interface{ Stop(context.Context) error }
}

// startDevServices starts the services in dataDir and points cfg at them:
// the database (migrated), Temporal, Stripe (with the dev payment
// defaults) and, unless GRANTS_SMTP_URL names a server, Mailpit. What was
// started is stopped by stop, also after an error.
func startDevServices(ctx context.Context, cfg *config.Config, dataDir string, log *slog.Logger) (*devServices, error) {
	s := &devServices{}
	pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "postgres"), Logger: log.With("component", "postgres")})
	if err != nil {
		return s, err
	}
	s.pg = pg
	s.children = append(s.children, pg)
	if err := pg.EnsureDatabase(ctx, "grants"); err != nil {
		return s, err
	}
	cfg.DatabaseURL = pg.URL("grants")
	log.Info("grants dev database", "DATABASE_URL", cfg.DatabaseURL)

	ts, err := temporaldev.Start(ctx, temporaldev.Options{Binary: cfg.TemporalBin, DBFile: filepath.Join(dataDir, "temporal.db"),
		Namespace: cfg.TemporalNamespace, Logger: log.With("component", "temporal-dev")})
	if err != nil {
		return s, err
	}
	s.ts = ts
	s.children = append(s.children, ts)
	cfg.TemporalAddress = ts.Address()

	sm, err := stripemock.Start(ctx, stripemock.Options{Binary: cfg.StripeMockBin, Logger: log.With("component", "stripe-mock")})
	if err != nil {
		return s, err
	}
	s.sm = sm
	s.children = append(s.children, sm)
	cfg.StripeAPIBase = sm.URL() // payments by Stripe go to the mock
	if err := devPaymentDefaults(cfg, dataDir); err != nil {
		return s, err
	}

	// Every e-mail goes to the catcher unless GRANTS_SMTP_URL names a
	// server; its database is in the data dir, so mail survives a restart.
	mp, err := mailpit.Start(ctx, mailpit.Options{Binary: cfg.MailpitBin, DataFile: filepath.Join(dataDir, "mailpit.db"),
		Logger: log.With("component", "mailpit")})
	if err != nil {
		return s, err
	}
	s.mp = mp
	s.children = append(s.children, mp)
	if cfg.SMTPURL == "" {
		cfg.SMTPURL = mp.SMTPURL()
	} else {
		s.smtpGiven = true
	}
	if err := db.MigrateURL(ctx, cfg.DatabaseURL); err != nil {
		return s, err
	}
	return s, nil
}

// stop stops the children together, with a context of their own, so
// Ctrl-C (which cancels the run's context) still lets them shut down
// cleanly within the 10 s budget.
func (s *devServices) stop(log *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.Background(), 7*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range s.children {
		wg.Go(func() {
			if err := c.Stop(sctx); err != nil {
				log.Warn("stop child process", "err", err)
			}
		})
	}
	wg.Wait()
}

// wait returns nil when ctx ends, or an error when a child exits first.
func (s *devServices) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-s.pg.Done():
		return fmt.Errorf("postgres exited: %w", s.pg.Err())
	case <-s.ts.Done():
		return fmt.Errorf("temporal dev server exited: %w", s.ts.Err())
	case <-s.sm.Done():
		return fmt.Errorf("stripe-mock exited: %w", s.sm.Err())
	case <-s.mp.Done():
		return fmt.Errorf("mailpit exited: %w", s.mp.Err())
	}
}
