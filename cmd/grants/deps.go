package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/api"
	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mail"
	"github.com/civicgrants/grants/metrics"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/platform/config"
	"github.com/civicgrants/grants/platform/httpmw"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/web"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// openStore connects to PostgreSQL and refuses an unmigrated database. With
// an audit key (auditSigner) every transaction seals its audit events;
// without one, a transaction that appends to the audit log fails.
func openStore(ctx context.Context, cfg config.Config) (*db.Store, error) {
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	signer, err := auditSigner(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return nil, err
	}
	if err := db.CheckMigrated(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	store := db.NewStore(pool)
	if signer != nil {
		signer.Install(store)
	}
	return store, nil
}

// errNoAuditKey is an audit key needed and neither GRANTS_AUDIT_KEY nor
// GRANTS_ENCRYPTION_KEY set.
var errNoAuditKey = errors.New("GRANTS_AUDIT_KEY is not set, nor GRANTS_ENCRYPTION_KEY to derive it from: audit events are sealed with it (generate one with `openssl rand -base64 32`)")

// auditSigner is the audit log's signer: GRANTS_AUDIT_KEY, else a key
// derived from GRANTS_ENCRYPTION_KEY, else nil (no key).
func auditSigner(cfg config.Config) (*audit.Signer, error) {
	var key []byte
	switch {
	case cfg.AuditKey != "":
		k, err := audit.ParseKey(cfg.AuditKey)
		if err != nil {
			return nil, fmt.Errorf("GRANTS_AUDIT_KEY: %w", err)
		}
		key = k
	case cfg.EncryptionKey != "":
		k, err := base64.StdEncoding.DecodeString(cfg.EncryptionKey)
		if err != nil {
			return nil, fmt.Errorf("GRANTS_ENCRYPTION_KEY: %w", err)
		}
		key = audit.DeriveKey(k)
	default:
		return nil, nil
	}
	return audit.NewSigner(key)
}

// openApp builds the use-case layer on a migrated database; the caller
// closes the store's pool.
//
// Each option changes the use cases' configuration (grants bench's
// fixtures hash their passwords cheaply).
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...func(*app.Config)) (*app.App, *db.Store, error) {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	docs, err := openDocuments(ctx, cfg, log)
	if err != nil {
		store.Pool.Close()
		return nil, nil, err
	}
	signer, err := auditSigner(cfg)
	if err != nil {
		store.Pool.Close()
		return nil, nil, err
	}
	ac := app.Config{TokenTTL: cfg.TokenTTL, TokenIdle: cfg.TokenIdle, SessionIdle: cfg.SessionIdle, DefaultPaymentProvider: cfg.PaymentProvider,
		EncryptionKey: cfg.EncryptionKey, StripeWebhookSecret: cfg.StripeWebhookSecret, WebhookTolerance: cfg.WebhookTolerance,
		PublicURL: cfg.PublicURL, Audit: signer, CaseFirstContactDays: cfg.CaseFirstContactDays,
		Registers: registerChecker(cfg, store), OrgIDPrefix: cfg.OrgIDPrefix}
	for _, o := range opts {
		o(&ac)
	}
	return app.New(store, docs, ac, log), store, nil
}

// registerChecker is the Charity Commission and Companies House clients
// with the register cache; a register without a key makes every check of
// it not_run.
func registerChecker(cfg config.Config, store *db.Store) *registers.Checker {
	return &registers.Checker{
		CharityCommission: &registers.CharityCommission{BaseURL: cfg.CharityCommissionURL, Key: cfg.CharityCommissionKey},
		CompaniesHouse:    &registers.CompaniesHouse{BaseURL: cfg.CompaniesHouseURL, Key: cfg.CompaniesHouseKey},
		Cache:             orgcheck.Cache{Q: store.Queries},
	}
}

// openDocuments is the document store: the bucket of GRANTS_DOCUMENTS_URL,
// else the local directory. The bucket is checked at once: a missing one
// or refused credentials stop the start with the reason; a store that does
// not answer is only logged (uploads and downloads answer 503 until it
// does, and /readyz reports it).
func openDocuments(ctx context.Context, cfg config.Config, log *slog.Logger) (document.Blobs, error) {
	if cfg.DocumentsS3 == nil {
		return document.NewStore(cfg.DocumentsDir)
	}
	s, err := document.NewS3Store(*cfg.DocumentsS3)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch err := s.Check(cctx); {
	case errors.Is(err, document.ErrUnavailable):
		log.Warn("the document store does not answer: uploads and downloads fail until it does", "store", s.String(), "err", err)
	case err != nil:
		return nil, err
	default:
		log.Info("documents are kept in " + s.String())
	}
	return s, nil
}

// newMailer is what the activities send e-mail with: the mail server of
// GRANTS_SMTP_URL from GRANTS_MAIL_FROM, links to GRANTS_PUBLIC_URL with
// tokens keyed by GRANTS_ENCRYPTION_KEY. Without GRANTS_SMTP_URL (only
// `grants dev` and tests get that far; the worker refuses to start) mail
// waits in the outbox, retried, and a warning says why.
func newMailer(cfg config.Config, log *slog.Logger) (activities.Mailer, error) {
	m := activities.Mailer{PublicURL: cfg.PublicURL}
	if cfg.EncryptionKey != "" {
		k, err := linktoken.KeyFromEncryptionKey(cfg.EncryptionKey)
		if err != nil {
			return m, err
		}
		m.LinkKey = k
	}
	if cfg.SMTPURL == "" {
		log.Warn("GRANTS_SMTP_URL is not set: e-mail waits, retried, until a mail server is configured")
		return m, nil
	}
	settings, err := mail.ParseURL(cfg.SMTPURL)
	if err != nil {
		return m, err
	}
	s, err := mail.NewSender(settings, cfg.MailFrom, cfg.MailReplyTo)
	if err != nil {
		return m, err
	}
	m.Sender = s
	log.Info("e-mail goes through " + settings.String())
	return m, nil
}

// newStripe is the Stripe client of the activities, or nil when no key is
// configured (Stripe payments then fail with a clear reason; manual ones
// need no provider).
func newStripe(cfg config.Config, log *slog.Logger) payments.Stripe {
	if cfg.StripeSecretKey == "" {
		log.Warn("STRIPE_SECRET_KEY is not set: payments by Stripe cannot be sent")
		return nil
	}
	return payments.NewStripe(payments.StripeConfig{SecretKey: cfg.StripeSecretKey, APIBase: cfg.StripeAPIBase})
}

func temporalOptions(cfg config.Config, log *slog.Logger) (client.Options, error) {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    tlog.NewStructuredLogger(log.With("component", "temporal")),
	}
	if cfg.TemporalTLSCert != "" || cfg.TemporalTLSCA != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TemporalTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
			if err != nil {
				return opts, fmt.Errorf("temporal client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		if cfg.TemporalTLSCA != "" {
			pem, err := os.ReadFile(cfg.TemporalTLSCA)
			if err != nil {
				return opts, fmt.Errorf("temporal CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return opts, errors.New("temporal CA: no certificates found")
			}
			tc.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = tc
	}
	return opts, nil
}

// dialTemporal connects a Temporal client. A lazy client connects on first
// use, so the API starts and serves while Temporal is unreachable; the
// worker dials at once and fails fast.
//
// The SDK's metrics go to mh (none: not recorded).
func dialTemporal(ctx context.Context, cfg config.Config, log *slog.Logger, lazy bool, mh ...client.MetricsHandler) (client.Client, error) {
	opts, err := temporalOptions(cfg, log)
	if err != nil {
		return nil, err
	}
	if len(mh) > 0 {
		opts.MetricsHandler = mh[0]
	}
	var tc client.Client
	if lazy {
		tc, err = client.NewLazyClient(opts)
	} else {
		tc, err = client.DialContext(ctx, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("temporal client: %w", err)
	}
	return tc, nil
}

// httpHandler builds the whole HTTP surface: the API, the web UI, health,
// readiness and metrics, behind the common middleware. The use cases send
// Updates through tc. Clients are known by their peer address, or by
// X-Forwarded-For when the peer is one of trustedProxies.
//
// /metrics serves the registry of the metricsOption given (default: the
// HTTP metrics alone, for loopback readers only; see httpmw.MetricsAccess).
func httpHandler(a *app.App, tc client.Client, log *slog.Logger, trustedProxies []string, opts ...metricsOption) (http.Handler, error) {
	if tc != nil {
		a.UseTemporal(tc) // lifecycle changes go to the cases' workflows as Updates
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(trustedProxies); err != nil { // nil: trust none
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	mo := metricsOption{metrics: httpmw.NewMetrics()}
	if len(opts) > 0 {
		mo = opts[0]
	}
	metrics := mo.metrics
	// Recover is innermost, so the access log and the metrics see its 500.
	r.Use(httpmw.RequestID(), httpmw.Logger(log), metrics.Middleware(), httpmw.SecurityHeaders(),
		httpmw.HSTS(strings.HasPrefix(a.PublicURL(), "https://")), httpmw.Recover(log))
	// The use cases limit sign-in and registration attempts per client.
	r.Use(func(c *gin.Context) {
		c.Request = c.Request.WithContext(app.WithClient(c.Request.Context(), c.ClientIP()))
		c.Next()
	})

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		body := gin.H{"status": "ready", "postgres": "ok", "temporal": "ok", "documents": "ok"}
		status := http.StatusOK
		if err := a.Ready(ctx); err != nil {
			body["status"], body["postgres"] = "unavailable", "unreachable"
			status = http.StatusServiceUnavailable
		}
		// Temporal or the document store being down does not make the
		// API unready: submissions queue in the outbox, and only uploads
		// and downloads fail. They are reported for operators.
		if err := a.DocumentsReady(ctx); err != nil {
			body["documents"] = "unreachable"
		}
		if tc == nil {
			body["temporal"] = "not configured"
		} else if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			body["temporal"] = "unreachable"
		}
		c.JSON(status, body)
	})
	r.GET("/metrics", metrics.Handler(httpmw.MetricsAccess(mo.token)))

	api.Register(r.Group("/api/v1"), a, log)
	ui, err := web.New(a, log, web.Config{SecureCookies: strings.HasPrefix(a.PublicURL(), "https://")})
	if err != nil {
		return nil, err
	}
	ui.Register(r)
	apiNotFound := api.NotFound(log)
	r.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			apiNotFound(c)
			return
		}
		ui.NotFound(c)
	})
	r.HandleMethodNotAllowed = false
	return r, nil
}

// metricsOption is the registry /metrics serves and the token it asks for
// ("" : loopback readers only).
type metricsOption struct {
	metrics *httpmw.Metrics
	token   string
}

// newMetrics is the registry of a process: the HTTP metrics, the
// database's and the Temporal SDK's (the handler to give the client).
func newMetrics(store *db.Store, log *slog.Logger) (*httpmw.Metrics, client.MetricsHandler) {
	m := httpmw.NewMetrics()
	m.Registry().MustRegister(&metrics.Store{Store: store, Log: log.With("component", "metrics")})
	return m, metrics.Temporal(m.Registry())
}

// serveMetrics serves a worker's metrics on addr until ctx ends (for
// GRANTS_WORKER_METRICS_ADDR), with the same access rule as the API's.
func serveMetrics(ctx context.Context, addr, token string, m *httpmw.Metrics, l config.HTTPLimits, timeout time.Duration, log *slog.Logger) error {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/metrics", m.Handler(httpmw.MetricsAccess(token)))
	return runHTTP(ctx, addr, r, l, timeout, log)
}

// newHTTPServer is the HTTP server of h on addr with the configured
// time-outs and header limit, so no slow or idle client holds a
// connection for ever.
func newHTTPServer(addr string, h http.Handler, l config.HTTPLimits) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: l.MaxHeaderBytes}
}

// runHTTP serves until ctx ends, then shuts down gracefully.
func runHTTP(ctx context.Context, addr string, h http.Handler, l config.HTTPLimits, timeout time.Duration, log *slog.Logger) error {
	srv := newHTTPServer(addr, h, l)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", "http://"+addr)
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// runWorker runs the Temporal worker, the outbox dispatcher and the purge
// of ended sessions and API tokens (those unused for tokenIdle too) until
// ctx ends; the activities call Stripe through stripe (nil: none
// configured).
func runWorker(ctx context.Context, store *db.Store, tc client.Client, stripe payments.Stripe, mailer activities.Mailer,
	checker *registers.Checker, tokenIdle time.Duration, log *slog.Logger) error {
	w := worker.New(tc, workflows.TaskQueue, worker.Options{WorkerStopTimeout: 3 * time.Second})
	workflows.Register(w)
	(&activities.Activities{Store: store, Log: log, Temporal: tc, Stripe: stripe, Mail: mailer, Registers: checker}).Register(w)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	pctx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		app.RunPurge(pctx, store, tokenIdle, app.PurgeEvery, log.With("component", "purge"))
	}()
	defer func() { stopPurge(); <-purged }()
	d := &dispatch.Dispatcher{Store: store, Temporal: tc, Log: log.With("component", "dispatcher")}
	return d.Run(ctx)
}
