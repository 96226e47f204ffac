package httpmw

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
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

// Metrics counts requests and their durations by route and status, and
// serves them in the Prometheus text format.
type Metrics struct {
	mu     sync.Mutex
	counts map[metricKey]*series
}

type metricKey struct {
	method, route string
	status        int
}

type series struct {
	count   uint64
	sum     float64    // seconds
	buckets [11]uint64 // cumulative, for bucketBounds
}

var bucketBounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics { return &Metrics{counts: map[metricKey]*series{}} }

// Middleware records each request.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		secs := time.Since(start).Seconds()
		k := metricKey{methodLabel(c.Request.Method), route, c.Writer.Status()}
		m.mu.Lock()
		s := m.counts[k]
		if s == nil {
			s = &series{}
			m.counts[k] = s
		}
		s.count++
		s.sum += secs
		for i, b := range bucketBounds {
			if secs <= b {
				s.buckets[i]++
			}
		}
		m.mu.Unlock()
	}
}

// Handler serves the metrics.
func (m *Metrics) Handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		m.mu.Lock()
		keys := make([]metricKey, 0, len(m.counts))
		for k := range m.counts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
		})
		var b strings.Builder
		b.WriteString("# HELP grants_http_requests_total HTTP requests by route and status.\n# TYPE grants_http_requests_total counter\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "grants_http_requests_total{method=%q,route=%q,status=\"%d\"} %d\n", k.method, k.route, k.status, m.counts[k].count)
		}
		b.WriteString("# HELP grants_http_request_duration_seconds HTTP request durations.\n# TYPE grants_http_request_duration_seconds histogram\n")
		for _, k := range keys {
			s := m.counts[k]
			labels := fmt.Sprintf("method=%q,route=%q,status=\"%d\"", k.method, k.route, k.status)
			for i, bound := range bucketBounds {
				fmt.Fprintf(&b, "grants_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", labels, bound, s.buckets[i])
			}
			fmt.Fprintf(&b, "grants_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, s.count)
			fmt.Fprintf(&b, "grants_http_request_duration_seconds_sum{%s} %g\n", labels, s.sum)
			fmt.Fprintf(&b, "grants_http_request_duration_seconds_count{%s} %d\n", labels, s.count)
		}
		m.mu.Unlock()
		c.Data(http.StatusOK, "text/plain; version=0.0.4", []byte(b.String()))
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
