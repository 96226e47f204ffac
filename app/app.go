package app

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/document"
)

// Staff roles.
const (
	RoleManager  = "manager"
	RoleChair    = "chair"
	RoleAssessor = "assessor"
	RoleFinance  = "finance"
)

// Config holds the use-case layer's settings.
type Config struct {
	TokenTTL               time.Duration // lifetime of an API token
	DefaultPaymentProvider string        // stripe or manual
}

// App is the use-case layer.
type App struct {
	store   *db.Store
	docs    *document.Store
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	limiter *loginLimiter
	cases   Cases // nil until UseTemporal: lifecycle changes answer 503
}

// New builds the use-case layer.
func New(store *db.Store, docs *document.Store, cfg Config, log *slog.Logger) *App {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 30 * 24 * time.Hour
	}
	if cfg.DefaultPaymentProvider == "" {
		cfg.DefaultPaymentProvider = "stripe"
	}
	return &App{store: store, docs: docs, cfg: cfg, log: log, now: time.Now, limiter: newLoginLimiter()}
}

// Ready reports whether the system of record answers.
func (a *App) Ready(ctx context.Context) error {
	return a.store.Ping(ctx)
}

// Actor is the authenticated caller of a use case.
type Actor struct {
	ID    string
	Email string
	Name  string
	Roles []string
}

// Has reports whether the actor holds a staff role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

// seesAllApplications reports whether the actor may read every application
// that has been submitted (panel and programme staff).
func (a Actor) seesAllApplications() bool { return a.Has(RoleManager) || a.Has(RoleChair) }

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }
