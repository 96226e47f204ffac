package metrics

import (
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// temporalLabels are the SDK's tags kept as labels: each takes its values
// from workflow, activity and operation names fixed in code. Others (the
// task queue above all: sticky queues are named per worker process) are
// dropped, so the label set stays bounded.
var temporalLabels = []string{"namespace", "workflow_type", "activity_type", "operation", "worker_type", "poller_type"}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

// Temporal returns a Temporal SDK metrics handler (client.Options.
// MetricsHandler) that records into reg: counters as <name>_total, gauges
// as <name>, timers as <name>_seconds histograms.
func Temporal(reg prometheus.Registerer) client.MetricsHandler {
	return &temporalHandler{r: &temporalRegistry{reg: reg, vecs: map[string]any{}}, tags: prometheus.Labels{}}
}

type temporalRegistry struct {
	reg  prometheus.Registerer
	mu   sync.Mutex
	vecs map[string]any // by full metric name: *CounterVec, *GaugeVec or *HistogramVec
}

type temporalHandler struct {
	r    *temporalRegistry
	tags prometheus.Labels
}

// WithTags is the handler with tags added (only the kept labels).
func (h *temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	out := prometheus.Labels{}
	for _, k := range temporalLabels {
		out[k] = h.tags[k]
		if v, ok := tags[k]; ok {
			out[k] = v
		}
	}
	return &temporalHandler{r: h.r, tags: out}
}

func (h *temporalHandler) labels() prometheus.Labels {
	out := prometheus.Labels{}
	for _, k := range temporalLabels {
		out[k] = h.tags[k]
	}
	return out
}

// vec returns the collector registered under name, making it with mk the
// first time; nil when the name is taken by another kind of metric.
func (r *temporalRegistry) vec(name string, mk func() prometheus.Collector) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.vecs[name]; ok {
		return v
	}
	c := mk()
	if err := r.reg.Register(c); err != nil {
		r.vecs[name] = nil
		return nil
	}
	r.vecs[name] = c
	return c
}

func metricName(name string) string { return unsafeName.ReplaceAllString(name, "_") }

// Counter is a Prometheus counter of the SDK's.
func (h *temporalHandler) Counter(name string) client.MetricsCounter {
	n := metricName(name) + "_total"
	v, _ := h.r.vec(n, func() prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: n, Help: "Temporal SDK counter " + name + "."}, temporalLabels)
	}).(*prometheus.CounterVec)
	if v == nil {
		return client.MetricsNopHandler.Counter(name)
	}
	c := v.With(h.labels())
	return counterFunc(func(d int64) {
		if d > 0 {
			c.Add(float64(d))
		}
	})
}

// Gauge is a Prometheus gauge of the SDK's.
func (h *temporalHandler) Gauge(name string) client.MetricsGauge {
	n := metricName(name)
	v, _ := h.r.vec(n, func() prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: n, Help: "Temporal SDK gauge " + name + "."}, temporalLabels)
	}).(*prometheus.GaugeVec)
	if v == nil {
		return client.MetricsNopHandler.Gauge(name)
	}
	g := v.With(h.labels())
	return gaugeFunc(g.Set)
}

// Timer is a Prometheus histogram, in seconds, of the SDK's.
func (h *temporalHandler) Timer(name string) client.MetricsTimer {
	n := metricName(name) + "_seconds"
	v, _ := h.r.vec(n, func() prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: n, Help: "Temporal SDK timer " + name + ".",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, temporalLabels)
	}).(*prometheus.HistogramVec)
	if v == nil {
		return client.MetricsNopHandler.Timer(name)
	}
	o := v.With(h.labels())
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
