package main

import (
	"context"
	"log/slog"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/platform/config"
)

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := cfg.RefuseDevelopment(devStripeKey, devWebhookSecret); err != nil {
		return err
	}
	if err := cfg.RequirePayments(); err != nil {
		return err
	}
	if _, err := requireAuditKey(cfg); err != nil {
		return err
	}
	a, store, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	m, mh := newMetrics(store, log)
	tc, err := dialTemporal(ctx, cfg, log, true, mh)
	if err != nil {
		return err
	}
	defer tc.Close()
	h, err := httpHandler(a, tc, log, cfg.TrustedProxies, metricsOption{metrics: m, token: cfg.MetricsToken})
	if err != nil {
		return err
	}
	return runHTTP(ctx, cfg.Addr, h, cfg.HTTP, cfg.ShutdownTimeout, log)
}

func work(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := cfg.RefuseDevelopment(devStripeKey, devWebhookSecret); err != nil {
		return err
	}
	if err := cfg.RequirePayments(); err != nil {
		return err
	}
	if _, err := requireAuditKey(cfg); err != nil {
		return err
	}
	if err := cfg.RequireMail(); err != nil {
		return err
	}
	mailer, err := newMailer(cfg, log)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	m, mh := newMetrics(store, log)
	tc, err := dialTemporal(ctx, cfg, log, false, mh)
	if err != nil {
		return err
	}
	defer tc.Close()
	if cfg.WorkerMetricsAddr != "" {
		mctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := serveMetrics(mctx, cfg.WorkerMetricsAddr, cfg.MetricsToken, m, cfg.HTTP, cfg.ShutdownTimeout, log); err != nil {
				log.Error("worker metrics", "err", err)
			}
		}()
		defer func() { stop(); <-done }()
	}
	return runWorker(ctx, store, tc, newStripe(cfg, log), mailer, registerChecker(cfg, store), cfg.TokenIdle, log)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	if err := db.MigrateURL(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	log.Info("database migrated")
	return nil
}
