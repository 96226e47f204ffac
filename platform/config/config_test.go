package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.Addr)
	require.Equal(t, ".data", c.DataDir)
	require.Equal(t, filepath.Join(".data", "documents"), c.DocumentsDir)
	require.Equal(t, 720*time.Hour, c.TokenTTL)
	require.Equal(t, "default", c.TemporalNamespace)
	require.Error(t, c.RequireDatabase())
	require.Equal(t, 300*time.Second, c.WebhookTolerance)
	require.Equal(t, "http://127.0.0.1:8080", c.PublicURL)
	require.Empty(t, c.StripeAPIBase, "real Stripe unless told otherwise")
	require.Empty(t, c.EncryptionKey)
	require.Empty(t, c.TrustedProxies, "no proxy trusted: the client is the peer")
}

func TestLoadTrustedProxies(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"GRANTS_TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.7 ,,2001:db8::/32"}))
	require.NoError(t, err)
	require.Equal(t, []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}, c.TrustedProxies)
}

func TestLoadFromEnvAndFiles(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "db")
	require.NoError(t, os.WriteFile(f, []byte("postgres://x/y\n"), 0o600))
	c, err := Load(env(map[string]string{"GRANTS_ADDR": "127.0.0.1:9000", "DATABASE_URL_FILE": f, "GRANTS_DATA_DIR": "/srv/g"}))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9000", c.Addr)
	require.Equal(t, "postgres://x/y", c.DatabaseURL)
	require.Equal(t, "/srv/g/documents", c.DocumentsDir)
}

func TestLoadRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, kv := range [][2]string{
		{"GRANTS_TOKEN_TTL", "forever"}, {"GRANTS_TOKEN_TTL", "-1h"}, {"GRANTS_DB_MAX_CONNS", "0"},
		{"GRANTS_LOG_LEVEL", "loud"}, {"GRANTS_PAYMENT_PROVIDER", "cash"}, {"TEMPORAL_TLS_CERT", "/c.pem"},
		{"GRANTS_STRIPE_WEBHOOK_TOLERANCE", "5"}, {"GRANTS_STRIPE_WEBHOOK_TOLERANCE", "0s"},
		{"GRANTS_ENCRYPTION_KEY", "not base64!"}, {"GRANTS_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(make([]byte, 16))},
		{"GRANTS_ENCRYPTION_KEY", base64.RawStdEncoding.EncodeToString(make([]byte, 32))},
		{"STRIPE_API_BASE", "localhost:12111"}, {"GRANTS_PUBLIC_URL", "grants.example"},
		{"GRANTS_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal"},
	} {
		_, err := Load(env(map[string]string{kv[0]: kv[1]}))
		require.ErrorContains(t, err, kv[0], kv)
	}
}

func TestLoadPaymentSettings(t *testing.T) {
	t.Parallel()
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(key+"\n"), 0o600))
	c, err := Load(env(map[string]string{
		"GRANTS_ADDR":                     "0.0.0.0:9000",
		"STRIPE_SECRET_KEY":               "sk_test_x",
		"STRIPE_API_BASE":                 "http://127.0.0.1:12111",
		"GRANTS_STRIPE_WEBHOOK_SECRET":    "whsec_x",
		"GRANTS_STRIPE_WEBHOOK_TOLERANCE": "2m",
		"GRANTS_ENCRYPTION_KEY_FILE":      keyFile,
		"GRANTS_PUBLIC_URL":               "https://grants.example.org/",
		"GRANTS_STRIPE_MOCK_BIN":          "/opt/stripe-mock",
	}))
	require.NoError(t, err)
	want := Config{
		StripeSecretKey: "sk_test_x", StripeAPIBase: "http://127.0.0.1:12111", StripeWebhookSecret: "whsec_x",
		WebhookTolerance: 2 * time.Minute, EncryptionKey: key, PublicURL: "https://grants.example.org",
		StripeMockBin: "/opt/stripe-mock",
	}
	got := Config{
		StripeSecretKey: c.StripeSecretKey, StripeAPIBase: c.StripeAPIBase, StripeWebhookSecret: c.StripeWebhookSecret,
		WebhookTolerance: c.WebhookTolerance, EncryptionKey: c.EncryptionKey, PublicURL: c.PublicURL,
		StripeMockBin: c.StripeMockBin,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payment settings (-want +got):\n%s", diff)
	}

	// The public URL defaults to the listen address.
	c, err = Load(env(map[string]string{"GRANTS_ADDR": "127.0.0.1:9000"}))
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:9000", c.PublicURL)
}

func TestRequirePayments(t *testing.T) {
	t.Parallel()
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name    string
		env     map[string]string
		missing []string
	}{
		{"stripe, all set", map[string]string{"STRIPE_SECRET_KEY": "sk", "GRANTS_STRIPE_WEBHOOK_SECRET": "whsec", "GRANTS_ENCRYPTION_KEY": key}, nil},
		{"stripe, nothing set", nil, []string{"GRANTS_ENCRYPTION_KEY", "STRIPE_SECRET_KEY", "GRANTS_STRIPE_WEBHOOK_SECRET"}},
		{"stripe, no webhook secret", map[string]string{"STRIPE_SECRET_KEY": "sk", "GRANTS_ENCRYPTION_KEY": key}, []string{"GRANTS_STRIPE_WEBHOOK_SECRET"}},
		{"stripe, no key", map[string]string{"GRANTS_STRIPE_WEBHOOK_SECRET": "whsec", "GRANTS_ENCRYPTION_KEY": key}, []string{"STRIPE_SECRET_KEY"}},
		{"manual, key set", map[string]string{"GRANTS_PAYMENT_PROVIDER": "manual", "GRANTS_ENCRYPTION_KEY": key}, nil},
		{"manual, no key", map[string]string{"GRANTS_PAYMENT_PROVIDER": "manual"}, []string{"GRANTS_ENCRYPTION_KEY"}},
	}
	all := []string{"GRANTS_ENCRYPTION_KEY", "STRIPE_SECRET_KEY", "GRANTS_STRIPE_WEBHOOK_SECRET"}
	for _, tt := range tests {
		c, err := Load(env(tt.env))
		require.NoError(t, err, tt.name)
		err = c.RequirePayments()
		if tt.missing == nil {
			require.NoError(t, err, tt.name)
			continue
		}
		require.Error(t, err, tt.name)
		for _, name := range all {
			mentioned := strings.Contains(err.Error(), name+" is not set")
			require.Equal(t, slices.Contains(tt.missing, name), mentioned, "%s: %s in %q", tt.name, name, err)
		}
	}
}

// serve and worker refuse development settings, each refusal naming its
// variable, unless GRANTS_INSECURE_DEV=1.
func TestRefuseDevelopment(t *testing.T) {
	t.Parallel()
	const devKey, devSecret = "sk_test_devkey", "whsec_dev"
	prod := map[string]string{
		"GRANTS_PUBLIC_URL": "https://grants.example.org", "STRIPE_SECRET_KEY": "sk_live_real",
		"GRANTS_STRIPE_WEBHOOK_SECRET": "whsec_real",
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range prod {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, m := range []map[string]string{prod, with("STRIPE_API_BASE", "https://api.stripe.com/"), with("STRIPE_SECRET_KEY", "sk_test_another")} {
		c, err := Load(env(m))
		require.NoError(t, err)
		require.NoError(t, c.RefuseDevelopment(devKey, devSecret), m)
	}
	for _, tc := range []struct {
		name, variable string
		env            map[string]string
	}{
		{"the development webhook secret", "GRANTS_STRIPE_WEBHOOK_SECRET", with("GRANTS_STRIPE_WEBHOOK_SECRET", devSecret)},
		{"the development Stripe key", "STRIPE_SECRET_KEY", with("STRIPE_SECRET_KEY", devKey)},
		{"a stripe-mock on loopback", "STRIPE_API_BASE", with("STRIPE_API_BASE", "http://127.0.0.1:12111")},
		{"a stripe-mock elsewhere", "STRIPE_API_BASE", with("STRIPE_API_BASE", "https://stripe-mock.internal")},
		{"an http:// public address", "GRANTS_PUBLIC_URL", with("GRANTS_PUBLIC_URL", "http://grants.example.org")},
		{"the default public address", "GRANTS_PUBLIC_URL", with("GRANTS_PUBLIC_URL", "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tc.env))
			require.NoError(t, err)
			err = c.RefuseDevelopment(devKey, devSecret)
			require.ErrorContains(t, err, tc.variable)
			require.ErrorContains(t, err, "GRANTS_INSECURE_DEV=1")

			tc.env["GRANTS_INSECURE_DEV"] = "1"
			c, err = Load(env(tc.env))
			require.NoError(t, err)
			require.NoError(t, c.RefuseDevelopment(devKey, devSecret), "allowed by the switch")
		})
	}
	_, err := Load(env(map[string]string{"GRANTS_INSECURE_DEV": "yes please"}))
	require.ErrorContains(t, err, "GRANTS_INSECURE_DEV")
}

// The HTTP server's limits have defaults and can be set.
func TestLoadHTTPLimits(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, HTTPLimits{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 65536}, c.HTTP)
	require.Equal(t, 168*time.Hour, c.TokenIdle)
	c, err = Load(env(map[string]string{"GRANTS_HTTP_WRITE_TIMEOUT": "10m", "GRANTS_HTTP_MAX_HEADER_BYTES": "8192", "GRANTS_TOKEN_IDLE": "24h"}))
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, c.HTTP.WriteTimeout)
	require.Equal(t, 8192, c.HTTP.MaxHeaderBytes)
	require.Equal(t, 24*time.Hour, c.TokenIdle)
	for _, kv := range [][2]string{{"GRANTS_HTTP_READ_TIMEOUT", "0s"}, {"GRANTS_HTTP_IDLE_TIMEOUT", "soon"},
		{"GRANTS_HTTP_MAX_HEADER_BYTES", "10"}, {"GRANTS_TOKEN_IDLE", "-1h"}} {
		_, err := Load(env(map[string]string{kv[0]: kv[1]}))
		require.ErrorContains(t, err, kv[0], kv)
	}
}
