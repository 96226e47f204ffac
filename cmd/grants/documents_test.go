package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/document/s3server"
	"github.com/civicgrants/grants/platform/config"
)

// migrateEnv is a local document store with two documents, an empty
// bucket on a loopback S3 server, and the environment naming both.
type migrateEnv struct {
	dir  string
	srv  *s3server.Server
	env  map[string]string
	shas []string
}

// setupMigrateCmd builds a migrateEnv, its environment changed by
// overrides.
func setupMigrateCmd(t *testing.T, overrides map[string]string) migrateEnv {
	t.Helper()
	dir := t.TempDir()
	local, err := document.NewStore(dir)
	require.NoError(t, err)
	m := migrateEnv{dir: dir, srv: s3server.Start(t, "grants-docs")}
	for _, b := range []string{"%PDF-1.4\nfirst\n%%EOF\n", "%PDF-1.4\nsecond\n%%EOF\n"} {
		got, err := local.Put(t.Context(), strings.NewReader(b), document.MaxSize)
		require.NoError(t, err)
		m.shas = append(m.shas, got.SHA256)
	}
	m.env = map[string]string{
		"GRANTS_DOCUMENTS_DIR":        dir,
		"GRANTS_DOCUMENTS_URL":        "s3://grants-docs/prod",
		"GRANTS_S3_ENDPOINT":          m.srv.Endpoint,
		"GRANTS_S3_REGION":            s3server.Region,
		"GRANTS_S3_ACCESS_KEY_ID":     s3server.AccessKeyID,
		"GRANTS_S3_SECRET_ACCESS_KEY": s3server.SecretAccessKey,
		"GRANTS_S3_PATH_STYLE":        "1",
	}
	for k, v := range overrides {
		m.env[k] = v
	}
	return m
}

// run runs `grants documents args…` with the environment env.
func (m migrateEnv) run(t *testing.T, tty bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return m.env[k] })
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	err = documentsCmd(t.Context(), cfg, args, &out, &errOut, tty)
	return out.String(), errOut.String(), err
}

func TestDocumentsMigrateCommand(t *testing.T) {
	t.Parallel()
	m := setupMigrateCmd(t, nil)

	out, progress, err := m.run(t, false, "migrate")
	require.NoError(t, err)
	require.Equal(t, "copied 2 documents (0.0 MB), 0 already there\n", out)
	require.Contains(t, progress, "copying "+m.dir+" into s3://grants-docs/prod at "+m.srv.Endpoint)
	require.Contains(t, progress, "documents:   0% (0/2 documents")
	require.Contains(t, progress, "documents: 100% (2/2 documents")
	require.NotContains(t, progress, "\r", "no bar drawn into a log")
	want := []string{"prod/" + m.shas[0], "prod/" + m.shas[1]}
	if m.shas[0] > m.shas[1] {
		want[0], want[1] = want[1], want[0]
	}
	require.Equal(t, want, m.srv.Keys(t, "grants-docs"))

	// Idempotent: a second run copies nothing, and the bar is drawn on a
	// terminal.
	out, progress, err = m.run(t, true, "migrate", "--verify")
	require.NoError(t, err)
	require.Equal(t, "copied 0 documents (0.0 MB), 2 already there\n", out)
	require.Contains(t, progress, "\r["+strings.Repeat("#", barWidth)+"] 100%  2/2 documents")
	require.True(t, strings.HasSuffix(progress, "\n"))
}

func TestDocumentsMigrateCommandCorruptDocument(t *testing.T) {
	t.Parallel()
	m := setupMigrateCmd(t, nil)
	bad := m.shas[1]
	require.NoError(t, os.WriteFile(filepath.Join(m.dir, bad[:2], bad), []byte("%PDF-1.4\ntampered\n"), 0o600))

	out, _, err := m.run(t, false, "migrate")
	require.ErrorContains(t, err, "1 local documents do not match their SHA-256 and were not copied")
	require.ErrorContains(t, err, bad)
	require.Equal(t, "copied 1 documents (0.0 MB), 0 already there\n", out)
	require.Equal(t, []string{"prod/" + m.shas[0]}, m.srv.Keys(t, "grants-docs"))
}

func TestDocumentsMigrateCommandRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string // changes to the environment
		args []string
		want string
	}{
		{"no subcommand", nil, nil, "usage: grants documents migrate"},
		{"unknown subcommand", nil, []string{"copy"}, "usage: grants documents migrate"},
		{"extra argument", nil, []string{"migrate", "now"}, "usage: grants documents migrate"},
		{"no object store", map[string]string{"GRANTS_DOCUMENTS_URL": ""}, []string{"migrate"}, "GRANTS_DOCUMENTS_URL is not an s3://bucket/prefix URL"},
		{"no local store", nil, []string{"migrate", "--from", "/nonexistent/documents"}, "/nonexistent/documents is not a document directory"},
		{"bad credentials", map[string]string{"GRANTS_S3_SECRET_ACCESS_KEY": "x", "GRANTS_S3_ACCESS_KEY_ID": "nobody"}, []string{"migrate"}, "check GRANTS_S3_ACCESS_KEY_ID"},
		{"bucket missing", map[string]string{"GRANTS_DOCUMENTS_URL": "s3://elsewhere"}, []string{"migrate"}, "the bucket does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := setupMigrateCmd(t, tt.env)
			out, _, err := m.run(t, false, tt.args...)
			require.ErrorContains(t, err, tt.want)
			require.Empty(t, out)
			require.Empty(t, m.srv.Keys(t, "grants-docs"))
		})
	}
}

// TestOpenDocuments: serve starts on the bucket of GRANTS_DOCUMENTS_URL;
// a missing bucket or refused credentials stop it with the reason; a store
// that does not answer only delays uploads (it is logged, not fatal).
func TestOpenDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		down    bool
		wantErr string
		wantLog string
	}{
		{"bucket", nil, false, "", "documents are kept in s3://grants-docs/prod"},
		{"local directory", map[string]string{"GRANTS_DOCUMENTS_URL": ""}, false, "", ""},
		{"bad credentials", map[string]string{"GRANTS_S3_ACCESS_KEY_ID": "nobody"}, false, "check GRANTS_S3_ACCESS_KEY_ID", ""},
		{"bucket missing", map[string]string{"GRANTS_DOCUMENTS_URL": "s3://elsewhere"}, false, "the bucket does not exist", ""},
		{"store down", nil, true, "", "the document store does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := setupMigrateCmd(t, tt.env)
			if tt.down {
				m.srv.Close()
			}
			cfg, err := config.Load(func(k string) string { return m.env[k] })
			require.NoError(t, err)
			var logs bytes.Buffer
			docs, err := openDocuments(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Contains(t, logs.String(), tt.wantLog)
			if cfg.DocumentsS3 == nil {
				_, local := docs.(*document.Store)
				require.True(t, local, "%T", docs)
				return
			}
			_, err = docs.Open(t.Context(), m.shas[0])
			require.Equal(t, tt.down, errors.Is(err, document.ErrUnavailable), "%v", err)
		})
	}
}

// TestReadyzReportsTheDocumentStore: the document store being down is
// reported by /readyz but does not make the API unready.
func TestReadyzReportsTheDocumentStore(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t, "grants-docs")
	docs, err := document.NewS3Store(srv.Config("grants-docs", ""))
	require.NoError(t, err)
	env := apptest.NewWithDocs(t, docs)
	h, err := httpHandler(env.App, nil, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	ready := func() (int, map[string]any) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var body map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		return w.Code, body
	}
	code, body := ready()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body["documents"])
	srv.Close()
	code, body = ready()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ready", body["status"])
	require.Equal(t, "unreachable", body["documents"])
}
