package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civicgrants/grants/db"
)

// ScrapeTimeout bounds the queries of one scrape, so a slow database
// never holds a scrape for long.
const ScrapeTimeout = 2 * time.Second

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	descUp            = desc("grants_metrics_database_up", "1 when the scrape's database reads succeeded, else 0.")
	descPoolConns     = desc("grants_db_pool_connections", "PostgreSQL pool connections by state (acquired, idle, constructing, total).", "state")
	descPoolMax       = desc("grants_db_pool_max_connections", "The PostgreSQL pool's maximum size.")
	descPoolAcquires  = desc("grants_db_pool_acquires_total", "Connections acquired from the pool.")
	descPoolEmpty     = desc("grants_db_pool_empty_acquires_total", "Acquisitions that waited because the pool was empty (saturation).")
	descPoolWait      = desc("grants_db_pool_acquire_duration_seconds_total", "Time spent acquiring connections.")
	descOutboxPending = desc("grants_outbox_pending", "Outbox rows not yet dispatched to Temporal.")
	descOutboxAge     = desc("grants_outbox_oldest_age_seconds", "Age of the oldest undispatched outbox row (0 when none).")
	descEmails        = desc("grants_emails", "E-mails by delivery status (pending, sending, sent, failed).", "status")
	descApplications  = desc("grants_applications", "Applications by status; submissions are those not draft.", "status")
	descDecisions     = desc("grants_decisions", "Panel decisions by outcome.", "outcome")
	descPayments      = desc("grants_payments", "Payments by status.", "status")
	descPaymentsPence = desc("grants_payments_pence", "Money of payments by status, in pence.", "status")
)

// Store collects the pool's statistics and the database gauges on each
// scrape. A failed read is logged and reported by grants_metrics_database_up
// rather than failing the scrape.
type Store struct {
	Store *db.Store
	Log   *slog.Logger
}

// Describe sends every metric's description.
func (s *Store) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descPoolConns, descPoolMax, descPoolAcquires, descPoolEmpty, descPoolWait,
		descOutboxPending, descOutboxAge, descEmails, descApplications, descDecisions, descPayments, descPaymentsPence} {
		ch <- d
	}
}

// Collect reads the pool and the database.
func (s *Store) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	st := s.Store.Pool.Stat()
	gauge(descPoolConns, float64(st.AcquiredConns()), "acquired")
	gauge(descPoolConns, float64(st.IdleConns()), "idle")
	gauge(descPoolConns, float64(st.ConstructingConns()), "constructing")
	gauge(descPoolConns, float64(st.TotalConns()), "total")
	gauge(descPoolMax, float64(st.MaxConns()))
	ch <- prometheus.MustNewConstMetric(descPoolAcquires, prometheus.CounterValue, float64(st.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(descPoolEmpty, prometheus.CounterValue, float64(st.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(descPoolWait, prometheus.CounterValue, st.AcquireDuration().Seconds())

	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	if err := s.collectDB(ctx, gauge); err != nil {
		if s.Log != nil {
			s.Log.Warn("metrics: database gauges", "err", err)
		}
		gauge(descUp, 0)
		return
	}
	gauge(descUp, 1)
}

func (s *Store) collectDB(ctx context.Context, gauge func(*prometheus.Desc, float64, ...string)) error {
	q := s.Store
	ob, err := q.MetricsOutbox(ctx)
	if err != nil {
		return err
	}
	emails, err := q.MetricsEmailsByStatus(ctx)
	if err != nil {
		return err
	}
	apps, err := q.MetricsApplicationsByStatus(ctx)
	if err != nil {
		return err
	}
	decisions, err := q.MetricsDecisionsByOutcome(ctx)
	if err != nil {
		return err
	}
	pays, err := q.MetricsPaymentsByStatus(ctx)
	if err != nil {
		return err
	}
	gauge(descOutboxPending, float64(ob.Pending))
	gauge(descOutboxAge, ob.OldestSeconds)
	for _, r := range emails {
		gauge(descEmails, float64(r.Emails), r.Status)
	}
	for _, r := range apps {
		gauge(descApplications, float64(r.Applications), r.Status)
	}
	for _, r := range decisions {
		gauge(descDecisions, float64(r.Decisions), r.Outcome)
	}
	for _, r := range pays {
		gauge(descPayments, float64(r.Payments), r.Status)
		gauge(descPaymentsPence, float64(r.Pence), r.Status)
	}
	return nil
}
