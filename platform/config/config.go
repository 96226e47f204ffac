// Package config reads the typed configuration of grants from the
// environment, with defaults and validation. Secrets may also come from a
// file named by the variable with _FILE appended (DATABASE_URL_FILE, ...).
// Nothing here is global: the loaded Config is passed down explicitly.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/mail"
	"github.com/civicgrants/grants/payments/bank"
	"github.com/civicgrants/grants/registers"
)

// orgIDPrefix is the shape of GRANTS_ORG_ID_PREFIX.
var orgIDPrefix = regexp.MustCompile(`^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$`)

// DevStripeSecretKey is the Stripe secret key `grants dev` uses against its
// stripe-mock when STRIPE_SECRET_KEY is unset. stripe-mock accepts only keys
// that look like test keys: sk_test_ followed by letters and digits (it
// refused the old sk_test_grants_dev with 401). Never a production key:
// serve and worker must refuse it.
const DevStripeSecretKey = "sk_test_grantsdev0000000000"

// Config is every setting of the grants binary.
type Config struct {
	Addr              string        // GRANTS_ADDR: HTTP listen address
	DataDir           string        // GRANTS_DATA_DIR: dev data (cluster, Temporal DB, documents)
	DocumentsDir      string        // GRANTS_DOCUMENTS_DIR (or a path in GRANTS_DOCUMENTS_URL): local uploads; the source of `grants documents migrate`
	DatabaseURL       string        // DATABASE_URL
	DatabaseMaxConns  int32         // GRANTS_DB_MAX_CONNS
	TemporalAddress   string        // TEMPORAL_ADDRESS
	TemporalNamespace string        // TEMPORAL_NAMESPACE
	TemporalTLSCert   string        // TEMPORAL_TLS_CERT: client certificate file (mTLS)
	TemporalTLSKey    string        // TEMPORAL_TLS_KEY: client key file (mTLS)
	TemporalTLSCA     string        // TEMPORAL_TLS_CA: CA bundle to verify the server
	TemporalBin       string        // GRANTS_TEMPORAL_BIN: dev server binary for `grants dev`
	TokenTTL          time.Duration // GRANTS_TOKEN_TTL: API token lifetime
	TokenIdle         time.Duration // GRANTS_TOKEN_IDLE: an API token ends after this long unused (default 168h)
	SessionIdle       time.Duration // GRANTS_SESSION_IDLE: a web session ends after this long without a request
	PaymentProvider   string        // GRANTS_PAYMENT_PROVIDER: stripe or manual
	LogLevel          slog.Level    // GRANTS_LOG_LEVEL: debug, info, warn, error
	ShutdownTimeout   time.Duration // GRANTS_SHUTDOWN_TIMEOUT
	DevPassword       string        // GRANTS_DEV_PASSWORD: demo users' password in `grants dev`
	// CaseFirstContactDays is how many working days a Spaces at Risk case
	// promises between acceptance and first contact, where its programme
	// sets none (GRANTS_CASE_FIRST_CONTACT_DAYS, 1 to 60, default 5).
	CaseFirstContactDays int
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client (GRANTS_TRUSTED_PROXIES,
	// comma-separated; default none: the client is the peer address). The
	// sign-in and registration limit per client counts by it.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics asks for
	// (GRANTS_METRICS_TOKEN); unset, /metrics answers only requests from
	// the loopback interface that no proxy forwarded.
	MetricsToken string
	// WorkerMetricsAddr is where `grants worker` serves its own /metrics
	// (GRANTS_WORKER_METRICS_ADDR, e.g. 127.0.0.1:9464; default none).
	WorkerMetricsAddr string
	// DocumentsS3 is the object store of uploads when GRANTS_DOCUMENTS_URL
	// is s3://bucket/prefix, with GRANTS_S3_ENDPOINT, GRANTS_S3_REGION,
	// GRANTS_S3_ACCESS_KEY_ID, GRANTS_S3_SECRET_ACCESS_KEY and
	// GRANTS_S3_PATH_STYLE; nil keeps uploads in DocumentsDir.
	DocumentsS3 *document.S3Config

	// StripeSecretKey is the platform's Stripe API key (STRIPE_SECRET_KEY);
	// serve and worker need it when PaymentProvider is stripe.
	StripeSecretKey string
	// StripeAPIBase is the Stripe API's base URL (STRIPE_API_BASE), such as
	// a stripe-mock's; "" means the real Stripe API.
	StripeAPIBase string
	// StripeWebhookSecret is the webhook endpoint's signing secret, whsec_…
	// (GRANTS_STRIPE_WEBHOOK_SECRET).
	StripeWebhookSecret string
	// WebhookTolerance is how old a webhook signature's timestamp may be
	// (GRANTS_STRIPE_WEBHOOK_TOLERANCE, a duration; default 300s).
	WebhookTolerance time.Duration
	// EncryptionKey encrypts bank details at rest (GRANTS_ENCRYPTION_KEY):
	// 32 bytes in standard base64, such as `openssl rand -base64 32` prints.
	// Checked when set; serve and worker require it.
	EncryptionKey string
	// AuditKey seals the audit log (GRANTS_AUDIT_KEY): 32 bytes in
	// standard base64, kept outside the database. Unset, the key is
	// derived from EncryptionKey (see audit.DeriveKey). It must never
	// change: seals made with one key do not verify with another.
	AuditKey string
	// PublicURL is the site's external base URL, for links sent outside
	// such as Stripe onboarding return links (GRANTS_PUBLIC_URL; default
	// "http://" + Addr).
	PublicURL string
	// StripeMockBin is stripe-mock for `grants dev` (GRANTS_STRIPE_MOCK_BIN;
	// "" looks for bin/stripe-mock).
	StripeMockBin string
	// SMTPURL is the mail server the worker sends e-mail through
	// (GRANTS_SMTP_URL): smtp://[user:password@]host[:port] with STARTTLS
	// required (port 587 by default), smtps://… for implicit TLS (465),
	// and ?tls=none for a local catcher without TLS. See package mail.
	SMTPURL string
	// CharityCommissionURL and CharityCommissionKey reach the Register of
	// Charities API (GRANTS_CHARITY_COMMISSION_URL, default the real one;
	// GRANTS_CHARITY_COMMISSION_KEY, the Ocp-Apim-Subscription-Key; none:
	// charity checks are not_run). See package registers.
	CharityCommissionURL string
	CharityCommissionKey string
	// CompaniesHouseURL and CompaniesHouseKey reach the Companies House
	// Public Data API (GRANTS_COMPANIES_HOUSE_URL, default the real one;
	// GRANTS_COMPANIES_HOUSE_KEY; none: company checks are not_run).
	CompaniesHouseURL string
	CompaniesHouseKey string
	// OrgIDPrefix is the funder's own org-id prefix for organisations with
	// no charity or company number (GRANTS_ORG_ID_PREFIX, default
	// 360G-grants): their identifier is <prefix>-<organisation id>.
	OrgIDPrefix string
	// MailFrom is the sender of every e-mail (GRANTS_MAIL_FROM), an
	// address with an optional display name: "Grants <grants@example.org>".
	MailFrom string
	// MailReplyTo is where replies go (GRANTS_MAIL_REPLY_TO); "" means
	// none (replies go to MailFrom).
	MailReplyTo string
	// MailpitBin is the mail catcher `grants dev` runs
	// (GRANTS_MAILPIT_BIN; "" looks for bin/mailpit).
	MailpitBin string
	// InsecureDev lets serve and worker start with development settings
	// (GRANTS_INSECURE_DEV=1); see RefuseDevelopment.
	InsecureDev bool
	// HTTP holds the HTTP server's limits.
	HTTP HTTPLimits
}

// HTTPLimits are the HTTP server's time-outs and header limit, so a slow
// or idle client cannot hold a connection for ever.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // GRANTS_HTTP_READ_HEADER_TIMEOUT (10s)
	ReadTimeout       time.Duration // GRANTS_HTTP_READ_TIMEOUT: the whole request, body included (2m: a 10 MB upload on a slow line)
	WriteTimeout      time.Duration // GRANTS_HTTP_WRITE_TIMEOUT: the whole response (2m: large CSV exports)
	IdleTimeout       time.Duration // GRANTS_HTTP_IDLE_TIMEOUT: a kept-alive connection between requests (2m)
	MaxHeaderBytes    int           // GRANTS_HTTP_MAX_HEADER_BYTES (65536)
}

// Load reads the environment through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		if f := strings.TrimSpace(getenv(key + "_FILE")); f != "" {
			b, err := os.ReadFile(f) //nolint:gosec // G304: the operator names this file (KEY_FILE); reading it is the point
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", key, err))
				return def
			}
			return strings.TrimSpace(string(b))
		}
		return def
	}
	dur := func(key, def string) time.Duration {
		v := get(key, def)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration like 720h", key, v))
		}
		return d
	}
	c := Config{
		Addr:              get("GRANTS_ADDR", "127.0.0.1:8080"),
		DataDir:           get("GRANTS_DATA_DIR", ".data"),
		DatabaseURL:       get("DATABASE_URL", ""),
		TemporalAddress:   get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", "default"),
		TemporalTLSCert:   get("TEMPORAL_TLS_CERT", ""),
		TemporalTLSKey:    get("TEMPORAL_TLS_KEY", ""),
		TemporalTLSCA:     get("TEMPORAL_TLS_CA", ""),
		TemporalBin:       get("GRANTS_TEMPORAL_BIN", ""),
		TokenTTL:          dur("GRANTS_TOKEN_TTL", "720h"),
		TokenIdle:         dur("GRANTS_TOKEN_IDLE", "168h"),
		SessionIdle:       dur("GRANTS_SESSION_IDLE", "30m"),
		PaymentProvider:   get("GRANTS_PAYMENT_PROVIDER", "stripe"),
		ShutdownTimeout:   dur("GRANTS_SHUTDOWN_TIMEOUT", "8s"),
		DevPassword:       get("GRANTS_DEV_PASSWORD", ""),
		MetricsToken:      get("GRANTS_METRICS_TOKEN", ""),
		WorkerMetricsAddr: get("GRANTS_WORKER_METRICS_ADDR", ""),

		StripeSecretKey:      get("STRIPE_SECRET_KEY", ""),
		StripeAPIBase:        get("STRIPE_API_BASE", ""),
		StripeWebhookSecret:  get("GRANTS_STRIPE_WEBHOOK_SECRET", ""),
		WebhookTolerance:     dur("GRANTS_STRIPE_WEBHOOK_TOLERANCE", "300s"),
		EncryptionKey:        get("GRANTS_ENCRYPTION_KEY", ""),
		AuditKey:             get("GRANTS_AUDIT_KEY", ""),
		StripeMockBin:        get("GRANTS_STRIPE_MOCK_BIN", ""),
		SMTPURL:              get("GRANTS_SMTP_URL", ""),
		CharityCommissionURL: get("GRANTS_CHARITY_COMMISSION_URL", registers.DefaultCharityCommissionURL),
		CharityCommissionKey: get("GRANTS_CHARITY_COMMISSION_KEY", ""),
		CompaniesHouseURL:    get("GRANTS_COMPANIES_HOUSE_URL", registers.DefaultCompaniesHouseURL),
		CompaniesHouseKey:    get("GRANTS_COMPANIES_HOUSE_KEY", ""),
		OrgIDPrefix:          get("GRANTS_ORG_ID_PREFIX", "360G-grants"),
		MailFrom:             get("GRANTS_MAIL_FROM", "Grants <grants@localhost>"),
		MailReplyTo:          get("GRANTS_MAIL_REPLY_TO", ""),
		MailpitBin:           get("GRANTS_MAILPIT_BIN", ""),
		HTTP: HTTPLimits{
			ReadHeaderTimeout: dur("GRANTS_HTTP_READ_HEADER_TIMEOUT", "10s"),
			ReadTimeout:       dur("GRANTS_HTTP_READ_TIMEOUT", "2m"),
			WriteTimeout:      dur("GRANTS_HTTP_WRITE_TIMEOUT", "2m"),
			IdleTimeout:       dur("GRANTS_HTTP_IDLE_TIMEOUT", "2m"),
		},
	}
	switch v := get("GRANTS_INSECURE_DEV", ""); v {
	case "", "0", "false":
	case "1", "true":
		c.InsecureDev = true
	default:
		errs = append(errs, fmt.Errorf("GRANTS_INSECURE_DEV: %q is not 1 or 0", v))
	}
	hb, err := strconv.Atoi(get("GRANTS_HTTP_MAX_HEADER_BYTES", "65536"))
	if err != nil || hb < 4096 || hb > 1<<20 {
		errs = append(errs, errors.New("GRANTS_HTTP_MAX_HEADER_BYTES: must be a whole number from 4096 to 1048576"))
	}
	c.HTTP.MaxHeaderBytes = hb
	fc, err := strconv.Atoi(get("GRANTS_CASE_FIRST_CONTACT_DAYS", "5"))
	if err != nil || fc < 1 || fc > 60 {
		errs = append(errs, errors.New("GRANTS_CASE_FIRST_CONTACT_DAYS: must be a whole number of working days from 1 to 60"))
	}
	c.CaseFirstContactDays = fc
	c.PublicURL = strings.TrimRight(get("GRANTS_PUBLIC_URL", "http://"+c.Addr), "/")
	for _, p := range strings.Split(get("GRANTS_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			errs = append(errs, fmt.Errorf("GRANTS_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	docs, err := loadDocuments(get, filepath.Join(c.DataDir, "documents"))
	errs = append(errs, err)
	c.DocumentsDir, c.DocumentsS3 = docs.dir, docs.s3
	n, err := strconv.ParseInt(get("GRANTS_DB_MAX_CONNS", "10"), 10, 32)
	if err != nil || n < 1 || n > 1000 {
		errs = append(errs, errors.New("GRANTS_DB_MAX_CONNS: must be a whole number from 1 to 1000"))
	}
	c.DatabaseMaxConns = int32(n)
	if err := c.LogLevel.UnmarshalText([]byte(get("GRANTS_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("GRANTS_LOG_LEVEL: %w", err))
	}
	switch c.PaymentProvider {
	case "stripe", "manual":
	default:
		errs = append(errs, fmt.Errorf("GRANTS_PAYMENT_PROVIDER: %q is not stripe or manual", c.PaymentProvider))
	}
	if c.EncryptionKey != "" {
		if _, err := bank.NewCipher(c.EncryptionKey); err != nil {
			errs = append(errs, err) // the error names GRANTS_ENCRYPTION_KEY
		}
	}
	if c.AuditKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.AuditKey); err != nil || len(k) != 32 {
			errs = append(errs, errors.New("GRANTS_AUDIT_KEY: want 32 bytes in standard base64 (generate one with `openssl rand -base64 32`)"))
		}
	}
	if c.SMTPURL != "" {
		if _, err := mail.ParseURL(c.SMTPURL); err != nil {
			errs = append(errs, err) // the error names GRANTS_SMTP_URL
		}
	}
	if _, err := mail.NewSender(mail.Settings{}, c.MailFrom, c.MailReplyTo); err != nil {
		errs = append(errs, err) // names GRANTS_MAIL_FROM or GRANTS_MAIL_REPLY_TO
	}
	if c.StripeAPIBase != "" && !strings.HasPrefix(c.StripeAPIBase, "http://") && !strings.HasPrefix(c.StripeAPIBase, "https://") {
		errs = append(errs, fmt.Errorf("STRIPE_API_BASE: %q is not an http(s) URL", c.StripeAPIBase))
	}
	for _, u := range []struct{ name, value string }{{"GRANTS_CHARITY_COMMISSION_URL", c.CharityCommissionURL},
		{"GRANTS_COMPANIES_HOUSE_URL", c.CompaniesHouseURL}} {
		if !strings.HasPrefix(u.value, "http://") && !strings.HasPrefix(u.value, "https://") {
			errs = append(errs, fmt.Errorf("%s: %q is not an http(s) URL", u.name, u.value))
		}
	}
	if !orgIDPrefix.MatchString(c.OrgIDPrefix) {
		errs = append(errs, fmt.Errorf("GRANTS_ORG_ID_PREFIX: %q is not an org-id prefix (letters, digits and hyphens, like 360G-cityhall)", c.OrgIDPrefix))
	}
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("GRANTS_PUBLIC_URL: %q is not an http(s) URL", c.PublicURL))
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		errs = append(errs, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together"))
	}
	return c, errors.Join(errs...)
}

// documents is where uploads are kept, as loadDocuments read it.
type documents struct {
	dir string
	s3  *document.S3Config
}

// loadDocuments reads GRANTS_DOCUMENTS_URL (a path, file:///path or
// s3://bucket/prefix), GRANTS_DOCUMENTS_DIR and, for s3://, the GRANTS_S3_*
// settings; each error names its variable.
func loadDocuments(get func(key, def string) string, defaultDir string) (documents, error) {
	var errs []error
	dir := get("GRANTS_DOCUMENTS_DIR", "")
	raw := get("GRANTS_DOCUMENTS_URL", "")
	var d documents
	local := ""
	switch {
	case raw == "":
	case strings.HasPrefix(raw, "s3://"):
		bucket, prefix, err := document.ParseS3URL(raw)
		if err != nil {
			return d, err // names GRANTS_DOCUMENTS_URL
		}
		d.s3 = &document.S3Config{Bucket: bucket, Prefix: prefix,
			Endpoint: get("GRANTS_S3_ENDPOINT", ""), Region: get("GRANTS_S3_REGION", ""),
			AccessKeyID: get("GRANTS_S3_ACCESS_KEY_ID", ""), SecretAccessKey: get("GRANTS_S3_SECRET_ACCESS_KEY", "")}
		if _, _, err := document.ParseS3Endpoint(d.s3.Endpoint); err != nil {
			errs = append(errs, err) // names GRANTS_S3_ENDPOINT
		}
		if d.s3.Region != "" && !regionRE.MatchString(d.s3.Region) {
			errs = append(errs, fmt.Errorf("GRANTS_S3_REGION: %q is not a region name like eu-west-2", d.s3.Region))
		}
		if (d.s3.AccessKeyID == "") != (d.s3.SecretAccessKey == "") {
			errs = append(errs, errors.New("GRANTS_S3_ACCESS_KEY_ID and GRANTS_S3_SECRET_ACCESS_KEY go together (unset both to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the instance's role)"))
		}
		switch v := get("GRANTS_S3_PATH_STYLE", "auto"); v {
		case "auto":
		case "1", "true":
			d.s3.Style = document.StylePath
		case "0", "false":
			d.s3.Style = document.StyleVirtualHost
		default:
			errs = append(errs, fmt.Errorf("GRANTS_S3_PATH_STYLE: %q is not 1, 0 or auto", v))
		}
	case strings.HasPrefix(raw, "file:"):
		u, err := url.Parse(raw)
		if err != nil || (u.Host != "" && u.Host != "localhost") || u.Path == "" || u.RawQuery != "" || u.Fragment != "" {
			return d, fmt.Errorf("GRANTS_DOCUMENTS_URL: %q is not a file:///absolute/path URL", raw)
		}
		local = filepath.FromSlash(u.Path)
	case strings.Contains(raw, "://"):
		return d, fmt.Errorf("GRANTS_DOCUMENTS_URL: %q is not a directory, a file:// URL or an s3://bucket/prefix URL", raw)
	default:
		local = raw
	}
	switch {
	case local != "" && dir != "" && filepath.Clean(local) != filepath.Clean(dir):
		errs = append(errs, fmt.Errorf("GRANTS_DOCUMENTS_URL (%s) and GRANTS_DOCUMENTS_DIR (%s) name different directories: set one", local, dir))
	case local != "":
		d.dir = local
	case dir != "":
		d.dir = dir
	default:
		d.dir = defaultDir
	}
	return d, errors.Join(errs...)
}

// regionRE is an S3 region name: eu-west-2, us-east-1, auto, garage...
var regionRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// RequirePayments reports the payment settings serve and worker cannot run
// without: GRANTS_ENCRYPTION_KEY always (manual bank details are kept
// encrypted), and with the stripe provider STRIPE_SECRET_KEY and
// GRANTS_STRIPE_WEBHOOK_SECRET.
func (c Config) RequirePayments() error {
	var errs []error
	if c.EncryptionKey == "" {
		errs = append(errs, errors.New("GRANTS_ENCRYPTION_KEY is not set: bank details are stored encrypted with it (generate one with `openssl rand -base64 32`)"))
	}
	if c.PaymentProvider == "stripe" {
		if c.StripeSecretKey == "" {
			errs = append(errs, errors.New("STRIPE_SECRET_KEY is not set (GRANTS_PAYMENT_PROVIDER is stripe)"))
		}
		if c.StripeWebhookSecret == "" {
			errs = append(errs, errors.New("GRANTS_STRIPE_WEBHOOK_SECRET is not set (GRANTS_PAYMENT_PROVIDER is stripe): the webhook endpoint's signing secret, whsec_…"))
		}
	}
	return errors.Join(errs...)
}

// StripeAPI is the real Stripe API's base URL, the only STRIPE_API_BASE
// that serve and worker accept without GRANTS_INSECURE_DEV.
const StripeAPI = "https://api.stripe.com"

// RefuseDevelopment reports the development settings that serve and worker
// refuse to start with, each error naming its variable: the development
// webhook secret (devWebhookSecret, the one `grants dev` sets), the
// development Stripe key (devStripeKey), any STRIPE_API_BASE but the real
// Stripe API (a stripe-mock, say), and a GRANTS_PUBLIC_URL that is not
// https:// (cookies would travel in clear and HSTS could not be sent).
// GRANTS_INSECURE_DEV=1 lets them through, for trying serve and worker on a
// laptop.
func (c Config) RefuseDevelopment(devStripeKey, devWebhookSecret string) error {
	if c.InsecureDev {
		return nil
	}
	const hint = " (GRANTS_INSECURE_DEV=1 allows development settings)"
	var errs []error
	if c.StripeWebhookSecret != "" && c.StripeWebhookSecret == devWebhookSecret {
		errs = append(errs, errors.New("GRANTS_STRIPE_WEBHOOK_SECRET is the development secret: anyone could sign webhooks; use the endpoint's own whsec_… secret"+hint))
	}
	if c.StripeSecretKey != "" && c.StripeSecretKey == devStripeKey {
		errs = append(errs, errors.New("STRIPE_SECRET_KEY is the development key of grants dev; use the platform's own Stripe key"+hint))
	}
	if base := strings.TrimRight(c.StripeAPIBase, "/"); base != "" && base != StripeAPI {
		errs = append(errs, fmt.Errorf("STRIPE_API_BASE is %q, not the Stripe API: unset it (payments go to %s)%s", c.StripeAPIBase, StripeAPI, hint))
	}
	if !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("GRANTS_PUBLIC_URL is %q: the site must be served over https://%s", c.PublicURL, hint))
	}
	return errors.Join(errs...)
}

// RequireMail reports a missing GRANTS_SMTP_URL, for the worker: without
// a mail server nobody can confirm an address or reset a password.
func (c Config) RequireMail() error {
	if c.SMTPURL == "" {
		return errors.New("GRANTS_SMTP_URL is not set: the worker sends every e-mail through it (smtp://user:password@mail.example.org:587)")
	}
	return nil
}

// RequireDatabase reports a missing DATABASE_URL, for serve, worker and migrate.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (grants dev starts its own database; serve, worker and migrate need one)")
	}
	return nil
}
