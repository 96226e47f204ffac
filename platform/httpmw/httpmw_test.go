package httpmw_test

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/platform/httpmw"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	m := httpmw.NewMetrics()
	r := gin.New()
	r.Use(httpmw.RequestID(), httpmw.Logger(log), m.Middleware(), httpmw.SecurityHeaders(), httpmw.Recover(log))
	r.GET("/ok", func(c *gin.Context) { c.String(200, "ok") })
	r.GET("/panic", func(c *gin.Context) { panic("boom") })
	r.GET("/metrics", m.Handler(nil))

	serve := func(path, rid string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if rid != "" {
			req.Header.Set(httpmw.RequestIDHeader, rid)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	w := serve("/ok", "client-id-1")
	require.Equal(t, "client-id-1", w.Header().Get(httpmw.RequestIDHeader))
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	w = serve("/ok", "bad id with spaces\n")
	require.Len(t, w.Header().Get(httpmw.RequestIDHeader), 16, "a fresh id replaces an unsafe one")

	w = serve("/panic", "")
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.JSONEq(t, `{"error":{"code":"internal","message":"Something went wrong on our side; try again later"}}`, w.Body.String())
	require.NotContains(t, w.Body.String(), "boom")
	require.Contains(t, logs.String(), `"request_id":"client-id-1"`)

	body := serve("/metrics", "").Body.String()
	require.Contains(t, body, `grants_http_requests_total{method="GET",route="/ok",status="200"} 2`)
	require.Contains(t, body, `grants_http_request_duration_seconds_count{method="GET",route="/panic",status="500"} 1`)
}

// Made-up methods and paths never add metric series: they are counted
// under OTHER and "unmatched".
func TestMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	m := httpmw.NewMetrics()
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/items/:id", func(c *gin.Context) { c.String(200, "ok") })
	r.GET("/metrics", m.Handler(nil))
	do := func(method, path string) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	}
	for i := range 50 {
		do(fmt.Sprintf("MADEUP%d", i), "/items/1")
		do(fmt.Sprintf("X-%d", i), fmt.Sprintf("/nowhere/%d", i))
		do(http.MethodGet, fmt.Sprintf("/items/%d", i))
		do(http.MethodGet, fmt.Sprintf("/nowhere/%d", i))
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var series []string
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "grants_http_requests_total{") {
			series = append(series, line)
		}
	}
	require.ElementsMatch(t, []string{
		`grants_http_requests_total{method="GET",route="/items/:id",status="200"} 50`,
		`grants_http_requests_total{method="GET",route="unmatched",status="404"} 50`,
		`grants_http_requests_total{method="OTHER",route="unmatched",status="404"} 100`,
	}, series)
}

// Strict-Transport-Security goes out when the public address is https or
// the request came over TLS, and not otherwise.
func TestHSTS(t *testing.T) {
	t.Parallel()
	get := func(publicHTTPS, overTLS bool) string {
		r := gin.New()
		r.Use(httpmw.HSTS(publicHTTPS))
		r.GET("/", func(c *gin.Context) { c.String(200, "ok") })
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if overTLS {
			req.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Header().Get("Strict-Transport-Security")
	}
	require.Equal(t, "max-age=31536000", get(true, false))
	require.Equal(t, "max-age=31536000", get(false, true))
	require.Empty(t, get(false, false))
}

// /metrics answers the bearer of the token when one is set, else only a
// loopback peer that no proxy forwarded; everyone else gets 404.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, token, remote, auth, forwarded string
		allowed                              bool
	}{
		{"loopback, no token", "", "127.0.0.1:5000", "", "", true},
		{"loopback IPv6, no token", "", "[::1]:5000", "", "", true},
		{"stranger, no token", "", "203.0.113.9:5000", "", "", false},
		{"forwarded by a local proxy", "", "127.0.0.1:5000", "", "203.0.113.9", false},
		{"token given", "s3cret-token", "203.0.113.9:5000", "Bearer s3cret-token", "", true},
		{"wrong token", "s3cret-token", "203.0.113.9:5000", "Bearer nope", "", false},
		{"no token sent", "s3cret-token", "127.0.0.1:5000", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := httpmw.NewMetrics()
			r := gin.New()
			r.GET("/metrics", m.Handler(httpmw.MetricsAccess(tc.token)))
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.RemoteAddr = tc.remote
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.forwarded != "" {
				req.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			if tc.allowed {
				require.Equal(t, http.StatusOK, w.Code)
				require.Contains(t, w.Body.String(), "go_goroutines")
			} else {
				require.Equal(t, http.StatusNotFound, w.Code)
				require.NotContains(t, w.Body.String(), "go_goroutines")
			}
		})
	}
}
