package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/casework"
	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/payments/bank"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/workflows"
)

// Staff roles.
const (
	RoleManager  = workflows.RoleManager
	RoleChair    = workflows.RoleChair
	RoleAssessor = workflows.RoleAssessor
	RoleFinance  = workflows.RoleFinance
	// RoleAdmin manages staff accounts and their roles.
	RoleAdmin = workflows.RoleAdmin
	// RoleCaseworker handles Spaces at Risk casework.
	RoleCaseworker = workflows.RoleCaseworker
)

// StaffRoles are every staff role, in the order pages list them.
var StaffRoles = []string{RoleManager, RoleChair, RoleAssessor, RoleFinance, RoleCaseworker, RoleAdmin}

// KnownRole reports whether r is a staff role.
func KnownRole(r string) bool { return slices.Contains(StaffRoles, r) }

// Config holds the use-case layer's settings.
type Config struct {
	TokenTTL time.Duration // lifetime of an API token
	// TokenIdle ends an API token not used for this long (default 7 days).
	TokenIdle time.Duration
	// SessionIdle is how long a web session lives without a request
	// (default 30 minutes); SessionMaxAge bounds it however busy (12 hours).
	SessionIdle            time.Duration
	SessionMaxAge          time.Duration
	DefaultPaymentProvider string // stripe or manual
	// EncryptionKey (base64 of 32 bytes) encrypts bank details at rest.
	// Without it, saving bank details and payment-run files answer 503.
	EncryptionKey string
	// StripeWebhookSecret verifies POST /webhooks/stripe; without it the
	// webhook answers 503.
	StripeWebhookSecret string
	// WebhookTolerance is how old a webhook signature may be (default 300 s).
	WebhookTolerance time.Duration
	// Now is the use cases' clock (default time.Now): among others, when a
	// session or token is made, used, slid and ends (its queries take the
	// time from here, not from PostgreSQL). Tests move it instead of
	// sleeping.
	Now func() time.Time
	// PasswordCost is bcrypt's cost for new password hashes (default
	// bcrypt.DefaultCost). Tests lower it to bcrypt.MinCost: hashing at the
	// default is most of the time a test spends creating users, ten times
	// over under the race detector. Never lower it in production.
	PasswordCost int
	// PublicURL is where people reach the web UI, for links sent
	// elsewhere (Stripe onboarding's return and refresh URLs); default
	// http://127.0.0.1:8080.
	PublicURL string
	// Audit verifies audit trails' seals (the same signer seals the
	// store's transactions); without it no trail reads as verified.
	Audit *audit.Signer
	// CaseFirstContactDays is the working days a case promises to first
	// contact where its programme sets none (default
	// casework.DefaultFirstContactDays).
	CaseFirstContactDays int
	// Registers checks organisations against the Charity Commission and
	// Companies House (GET /registers/lookup; which registers have keys).
	// nil: no keys, every check not_run.
	Registers *registers.Checker
	// OrgIDPrefix is the funder's own org-id prefix for organisations
	// with no registered number (GRANTS_ORG_ID_PREFIX, default
	// DefaultOrgIDPrefix): identifier <prefix>-<organisation id>.
	OrgIDPrefix string
}

// Defaults of Config.
const (
	DefaultWebhookTolerance = 300 * time.Second
	DefaultPublicURL        = "http://127.0.0.1:8080"
	DefaultSessionIdle      = 30 * time.Minute
	DefaultSessionMaxAge    = 12 * time.Hour
	DefaultTokenIdle        = 7 * 24 * time.Hour
	// DefaultOrgIDPrefix is Config.OrgIDPrefix's default, in the form of
	// a 360Giving prefix (DESIGN §10 giving_prefix).
	DefaultOrgIDPrefix = "360G-grants"
)

// App is the use-case layer.
type App struct {
	dummyHash []byte // a hash at the configured cost, for unknown addresses
	store     *db.Store
	docs      document.Blobs
	cfg       Config
	log       *slog.Logger
	now       func() time.Time
	cases     Cases        // nil until UseTemporal: lifecycle changes answer 503
	cipher    *bank.Cipher // nil without a valid EncryptionKey: bank details answer 503
}

// New builds the use-case layer.
func New(store *db.Store, docs document.Blobs, cfg Config, log *slog.Logger) *App {
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.SessionMaxAge <= 0 {
		cfg.SessionMaxAge = DefaultSessionMaxAge
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 30 * 24 * time.Hour
	}
	if cfg.TokenIdle <= 0 {
		cfg.TokenIdle = DefaultTokenIdle
	}
	if cfg.DefaultPaymentProvider == "" {
		cfg.DefaultPaymentProvider = workflows.ProviderStripe
	}
	if cfg.WebhookTolerance <= 0 {
		cfg.WebhookTolerance = DefaultWebhookTolerance
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = DefaultPublicURL
	}
	if cfg.PasswordCost < bcrypt.MinCost || cfg.PasswordCost > bcrypt.MaxCost {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.OrgIDPrefix == "" {
		cfg.OrgIDPrefix = DefaultOrgIDPrefix
	}
	if cfg.CaseFirstContactDays < 1 {
		cfg.CaseFirstContactDays = casework.DefaultFirstContactDays
	}
	a := &App{dummyHash: defaultDummyHash, store: store, docs: docs, cfg: cfg, log: log, now: time.Now}
	if cfg.Now != nil {
		a.now = cfg.Now
	}
	if cfg.PasswordCost != bcrypt.DefaultCost {
		// Unknown addresses are checked against a hash of the same cost,
		// so a sign-in takes as long whether or not the account exists.
		if h, err := bcrypt.GenerateFromPassword([]byte("no account has this password"), cfg.PasswordCost); err == nil {
			a.dummyHash = h
		}
	}
	if cfg.EncryptionKey != "" {
		c, err := bank.NewCipher(cfg.EncryptionKey)
		if err != nil {
			log.Error("the encryption key is not usable: bank details and payment-run files are unavailable", "err", err)
		} else {
			a.cipher = c
		}
	}
	return a
}

// FormKey is a secret for the web UI's form (CSRF) tokens, derived from
// the encryption key (HMAC-SHA256 with a label of its own), so every
// replica signs and checks tokens alike; nil without a usable key.
func (a *App) FormKey() []byte {
	raw, err := base64.StdEncoding.DecodeString(a.cfg.EncryptionKey)
	if err != nil || a.cipher == nil {
		return nil
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("grants web form key v1"))
	return m.Sum(nil)
}

// linkKey is the key of e-mailed links' tokens (linktoken), or 503 when
// no usable encryption key is configured.
func (a *App) linkKey(ctx context.Context) ([]byte, error) {
	k, err := linktoken.KeyFromEncryptionKey(a.cfg.EncryptionKey)
	if err != nil {
		a.log.ErrorContext(ctx, "e-mailed links need GRANTS_ENCRYPTION_KEY (32 bytes, base64); none usable is configured")
		return nil, &Error{Kind: KindUnavailable, Code: "unavailable", RetryAfter: 60,
			Message: "Links by email cannot be sent right now; the service is not configured for them"}
	}
	return k, nil
}

// bankCipher returns the cipher of bank details, or 503 (logged) when no
// usable encryption key is configured.
func (a *App) bankCipher(ctx context.Context) (*bank.Cipher, error) {
	if a.cipher == nil {
		a.log.ErrorContext(ctx, "bank details need GRANTS_ENCRYPTION_KEY (32 bytes, base64); none usable is configured")
		return nil, &Error{Kind: KindUnavailable, Code: "unavailable", RetryAfter: 60,
			Message: "Bank details cannot be handled right now; the service is not configured for them"}
	}
	return a.cipher, nil
}

// DocumentsReady reports whether the document store answers (for
// readiness; its error matches document.ErrUnavailable).
func (a *App) DocumentsReady(ctx context.Context) error {
	return a.docs.Check(ctx)
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
	// EmailVerified: the person has confirmed their address (by an
	// e-mailed link), or was made by the seed, the CLI or an invitation.
	EmailVerified bool
}

// Has reports whether the actor holds a staff role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

// Staff reports whether the actor holds any staff role.
func (a Actor) Staff() bool { return slices.ContainsFunc(a.Roles, KnownRole) }

// seesAllApplications reports whether the actor may read every application
// that has been submitted (panel and programme staff).
func (a Actor) seesAllApplications() bool { return a.Has(RoleManager) || a.Has(RoleChair) }

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }
