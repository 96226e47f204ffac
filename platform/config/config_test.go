package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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
	} {
		_, err := Load(env(map[string]string{kv[0]: kv[1]}))
		require.ErrorContains(t, err, kv[0], kv)
	}
}
