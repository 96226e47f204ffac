package httpmw

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// RequestID gives every request an id (the client's, if it sent a sane
// one), echoes it in the response and puts it on the request's logger.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		rid := c.GetHeader(RequestIDHeader)
		if !validRequestID.MatchString(rid) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			rid = hex.EncodeToString(b)
		}
		c.Set("request_id", rid)
		c.Header(RequestIDHeader, rid)
		c.Next()
	}
}

// Logger writes one JSON access-log line per request.
func Logger(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", c.GetString("request_id")),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// methodLabel is a request's method as a metric label: the standard
// methods by name, any other as OTHER, so made-up methods never add series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// routeOf is the matched route pattern ("unmatched" when none matched),
// so ids and made-up paths never become labels.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// Recover turns a panic into a 500 in the API's error shape and logs it.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(c.Request.Context(), "panic", "request_id", c.GetString("request_id"),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": gin.H{
					"code": "internal", "message": "Something went wrong on our side; try again later"}})
			}
		}()
		c.Next()
	}
}

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

// Metrics counts requests and their durations by route template and
// status in a Prometheus registry, which other collectors join (Registry)
// and which Handler serves.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

var bucketBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewMetrics returns a registry holding the HTTP metrics and the Go
// runtime's and process's.
func NewMetrics() *Metrics {
	labels := []string{"method", "route", "status"}
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "grants_http_requests_total",
			Help: "HTTP requests by method, route template and status."}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "grants_http_request_duration_seconds",
			Help: "HTTP request durations by method, route template and status.", Buckets: bucketBounds}, labels)}
	m.reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where other collectors register to be served with these.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Middleware records each request under its route template (never the
// raw path: "unmatched" when no route matched) and a known method.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		l := prometheus.Labels{"method": methodLabel(c.Request.Method), "route": routeOf(c), "status": strconv.Itoa(c.Writer.Status())}
		m.requests.With(l).Inc()
		m.duration.With(l).Observe(time.Since(start).Seconds())
	}
}

// Handler serves the metrics in the Prometheus text format to whoever
// allow admits (MetricsAccess); anyone else gets 404, as for a page that
// does not exist.
func (m *Metrics) Handler(allow func(*http.Request) bool) gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) {
		if allow != nil && !allow(c.Request) {
			c.AbortWithStatus(http.StatusNotFound)
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// MetricsAccess decides who may read /metrics. With a token, only a
// request bearing it ("Authorization: Bearer <token>"); without one, only
// a request from the loopback interface that no proxy forwarded (no
// X-Forwarded-For), so a reverse proxy on the same host never opens the
// metrics to the world.
func MetricsAccess(token string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
		}
		if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
			return false
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return false
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
}

// HSTSValue is the Strict-Transport-Security header sent over HTTPS: a
// year, this host only (other hosts of the domain may not be ours).
const HSTSValue = "max-age=31536000"

// HSTS tells browsers to reach this site over HTTPS only: it sends
// Strict-Transport-Security on every response when the site's public
// address is https (publicHTTPS; TLS ends at a proxy in front) or the
// request itself came over TLS. Browsers ignore it over plain HTTP.
func HSTS(publicHTTPS bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if publicHTTPS || c.Request.TLS != nil {
			c.Writer.Header().Set("Strict-Transport-Security", HSTSValue)
		}
		c.Next()
	}
}
