package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/platform/config"
	"github.com/civicgrants/grants/platform/httpmw"
)

// serve and worker refuse to start with what `grants dev` sets (its
// webhook secret and Stripe key, a stripe-mock, an http:// address), each
// refusal naming its variable, before they touch anything; with
// GRANTS_INSECURE_DEV=1 they go on (to need a database here).
func TestServeAndWorkerRefuseDevelopmentSettings(t *testing.T) {
	t.Parallel()
	prod := map[string]string{
		"GRANTS_PUBLIC_URL": "https://grants.example.org", "STRIPE_SECRET_KEY": "sk_live_real",
		"GRANTS_STRIPE_WEBHOOK_SECRET": "whsec_real", "GRANTS_ENCRYPTION_KEY": apptest.EncryptionKey,
		"GRANTS_SMTP_URL": "smtps://grants:secret@mail.example.org",
	}
	for _, tc := range []struct{ variable, value string }{
		{"GRANTS_STRIPE_WEBHOOK_SECRET", devWebhookSecret},
		{"STRIPE_SECRET_KEY", devStripeKey},
		{"STRIPE_API_BASE", "http://127.0.0.1:12111"},
		{"GRANTS_PUBLIC_URL", "http://127.0.0.1:8080"},
	} {
		for name, run := range map[string]func(context.Context, config.Config, *slog.Logger) error{"serve": serve, "worker": work} {
			env := map[string]string{tc.variable: tc.value}
			for k, v := range prod {
				if _, set := env[k]; !set {
					env[k] = v
				}
			}
			cfg, err := config.Load(func(k string) string { return env[k] })
			require.NoError(t, err)
			err = run(context.Background(), cfg, slog.New(slog.DiscardHandler))
			require.ErrorContains(t, err, tc.variable, name)
			require.NotContains(t, err.Error(), "DATABASE_URL", "%s: refused before anything else", name)

			env["GRANTS_INSECURE_DEV"] = "1"
			cfg, err = config.Load(func(k string) string { return env[k] })
			require.NoError(t, err)
			err = run(context.Background(), cfg, slog.New(slog.DiscardHandler))
			require.ErrorContains(t, err, "DATABASE_URL", "%s: allowed by the switch, it goes on", name)
		}
	}
}

// The worker sends every e-mail: without a mail server it does not start,
// and says which variable to set.
func TestWorkerNeedsAMailServer(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GRANTS_PUBLIC_URL": "https://grants.example.org", "STRIPE_SECRET_KEY": "sk_live_real",
		"GRANTS_STRIPE_WEBHOOK_SECRET": "whsec_real", "GRANTS_ENCRYPTION_KEY": apptest.EncryptionKey, "GRANTS_AUDIT_KEY": apptest.AuditKey}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	err = work(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "GRANTS_SMTP_URL")
}

// What `grants dev` sets for itself is exactly what serve and worker
// refuse, so the two stay in step when the development values change.
func TestDevSettingsAreRefusedInProduction(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	cfg.EncryptionKey = apptest.EncryptionKey
	require.NoError(t, devPaymentDefaults(&cfg, t.TempDir()))
	cfg.StripeAPIBase = "http://127.0.0.1:12111" // the stripe-mock grants dev starts
	err = cfg.RefuseDevelopment(devStripeKey, devWebhookSecret)
	for _, v := range []string{"GRANTS_STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "GRANTS_PUBLIC_URL"} {
		require.ErrorContains(t, err, v)
	}
}

// The HTTP server has every time-out and the header limit configured: a
// client that never finishes its headers is cut off, and oversized
// headers are refused.
func TestHTTPServerLimits(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	srv := newHTTPServer("127.0.0.1:0", http.NotFoundHandler(), cfg.HTTP)
	require.Equal(t, 10*time.Second, srv.ReadHeaderTimeout)
	require.Equal(t, 2*time.Minute, srv.ReadTimeout)
	require.Equal(t, 2*time.Minute, srv.WriteTimeout)
	require.Equal(t, 2*time.Minute, srv.IdleTimeout)
	require.Equal(t, 65536, srv.MaxHeaderBytes)

	l := config.HTTPLimits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second,
		IdleTimeout: time.Second, MaxHeaderBytes: 4096}
	srv = newHTTPServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }), l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	// A slow client: half a request line, then nothing. The server hangs up.
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute))) // a safety net, not a measure
	_, err = io.ReadAll(conn)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server never hung up: %v", err)

	// Headers over the limit: 431.
	req, err := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Big", strings.Repeat("x", 16<<10))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	resp, err = http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// The whole HTTP surface sends HSTS when the public address is https, and
// made-up methods and paths add no metric series.
func TestHTTPHandlerHSTSAndMetrics(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	log := slog.New(slog.DiscardHandler)
	docs, err := document.NewStore(t.TempDir())
	require.NoError(t, err)
	secure := app.New(env.Store, docs, app.Config{PublicURL: "https://grants.example.org", EncryptionKey: apptest.EncryptionKey}, log)
	for _, tc := range []struct {
		a    *app.App
		hsts string
	}{{secure, "max-age=31536000"}, {env.App, ""}} {
		h, err := httpHandler(tc.a, nil, log, nil)
		require.NoError(t, err)
		for _, path := range []string{"/healthz", "/api/v1/me", "/sign-in", "/nowhere"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			require.Equal(t, tc.hsts, w.Header().Get("Strict-Transport-Security"), path)
		}
	}

	h, err := httpHandler(env.App, nil, log, nil)
	require.NoError(t, err)
	for _, m := range []string{"BREW", "PROPFIND", "X-1", "X-2", "get"} {
		for _, path := range []string{"/healthz", "/api/v1/me", "/x/" + m} {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(m, path, nil))
		}
	}
	w := httptest.NewRecorder()
	scrape := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	scrape.RemoteAddr = "127.0.0.1:9090" // /metrics answers loopback readers only, with no token set
	h.ServeHTTP(w, scrape)
	require.Equal(t, http.StatusOK, w.Code)
	stranger := httptest.NewRecorder()
	h.ServeHTTP(stranger, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusNotFound, stranger.Code, "a stranger cannot read the metrics")
	sc := bufio.NewScanner(strings.NewReader(w.Body.String()))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "grants_http_requests_total{") {
			continue
		}
		require.Regexp(t, `^grants_http_requests_total\{method="(GET|OTHER)",route="(unmatched|/metrics)",`, line)
	}
}

// With GRANTS_METRICS_TOKEN set, /metrics answers its bearer alone, from
// wherever; a stranger (even on loopback) gets 404.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	h, err := httpHandler(env.App, nil, slog.New(slog.DiscardHandler), nil, metricsOption{metrics: httpmw.NewMetrics(), token: "metrics-token-123"})
	require.NoError(t, err)
	for _, tc := range []struct {
		remote, auth string
		status       int
	}{
		{"203.0.113.9:4000", "", http.StatusNotFound},
		{"127.0.0.1:4000", "", http.StatusNotFound},
		{"203.0.113.9:4000", "Bearer wrong", http.StatusNotFound},
		{"203.0.113.9:4000", "Bearer metrics-token-123", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = tc.remote
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, tc.status, w.Code, "%s %q", tc.remote, tc.auth)
		if tc.status != http.StatusOK {
			require.NotContains(t, w.Body.String(), "grants_http_requests_total")
		}
	}
}
