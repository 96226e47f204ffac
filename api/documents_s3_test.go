package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/document/s3server"
)

// TestDocumentsInObjectStorage uploads and downloads a document through
// the API with the documents in a bucket on a loopback S3 server; with the
// server down, uploads and downloads answer 503 and nothing is recorded.
func TestDocumentsInObjectStorage(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t, "grants-docs")
	cfg := srv.Config("grants-docs", "test")
	cfg.SpoolDir = t.TempDir()
	docs, err := document.NewS3Store(cfg)
	require.NoError(t, err)
	b := setupEnv(t, apptest.NewWithDocs(t, docs))
	tok, draft := b.draft(t, "bucket@example.org")
	appID := draft["id"].(string)

	res := b.upload(t, appID, tok, "plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	doc := res.json(t)
	sha := doc["sha256"].(string)
	require.Equal(t, map[string]int64{"test/" + sha: int64(len(pdfBytes))}, srv.Objects(t, "grants-docs"))

	res = b.do(t, "GET", "/documents/"+doc["id"].(string), tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, pdfBytes, res.Body)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `"`+sha+`"`, res.Header.Get("ETag"))

	srv.Close()
	before := b.snapshot(t, appID)
	res = b.upload(t, appID, tok, "budget.png", pngBytes)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "unavailable", code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	require.Equal(t, before, b.snapshot(t, appID), "nothing recorded")
	spooled, err := os.ReadDir(cfg.SpoolDir)
	require.NoError(t, err)
	require.Empty(t, spooled, "nothing left spooled")

	res = b.do(t, "GET", "/documents/"+doc["id"].(string), tok, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
}
