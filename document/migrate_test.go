package document_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/document/s3server"
)

// migrateSetup is a local store holding samplePDF, samplePNG and
// sampleJPEG and an empty bucket on a loopback S3 server.
type migrateSetup struct {
	local *document.Store
	dir   string
	srv   *s3server.Server
	s3    *document.S3Store
	shas  []string // of the three documents
}

func setupMigrate(t *testing.T) migrateSetup {
	t.Helper()
	local, dir := setupStore(t)
	m := migrateSetup{local: local, dir: dir, srv: s3server.Start(t, "docs")}
	s, err := document.NewS3Store(m.srv.Config("docs", "grants"))
	require.NoError(t, err)
	m.s3 = s
	for _, b := range [][]byte{samplePDF, samplePNG, sampleJPEG} {
		got, err := local.Put(t.Context(), bytes.NewReader(b), document.MaxSize)
		require.NoError(t, err)
		m.shas = append(m.shas, got.SHA256)
	}
	// An upload in progress is not a document.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".upload-123"), []byte("half"), 0o600))
	return m
}

// objects is what the bucket should hold for the documents shas.
func objects(shas ...string) map[string]int64 {
	sizes := map[string]int64{}
	for _, b := range [][]byte{samplePDF, samplePNG, sampleJPEG} {
		sum := sha256.Sum256(b)
		sizes[hex.EncodeToString(sum[:])] = int64(len(b))
	}
	out := map[string]int64{}
	for _, sha := range shas {
		out["grants/"+sha] = sizes[sha]
	}
	return out
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	m := setupMigrate(t)
	total := int64(len(samplePDF) + len(samplePNG) + len(sampleJPEG))
	// One document is in the bucket already, as after an interrupted run.
	_, err := m.s3.Put(t.Context(), bytes.NewReader(samplePNG), document.MaxSize)
	require.NoError(t, err)

	var seen []document.MigrateProgress
	res, err := document.Migrate(t.Context(), m.local, m.s3, false, func(p document.MigrateProgress) { seen = append(seen, p) })
	require.NoError(t, err)
	want := document.MigrateResult{Copied: 2, Skipped: 1, Bytes: int64(len(samplePDF) + len(sampleJPEG))}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
	require.Equal(t, objects(m.shas...), m.srv.Objects(t, "docs"))
	for _, sha := range m.shas {
		local, err := os.ReadFile(filepath.Join(m.dir, sha[:2], sha))
		require.NoError(t, err)
		require.Equal(t, local, readAll(t, m.s3, sha))
	}

	// Progress starts at nothing, never goes back and ends at everything.
	require.Equal(t, document.MigrateProgress{TotalDocs: 3, TotalBytes: total}, seen[0])
	require.Equal(t, document.MigrateProgress{Docs: 3, TotalDocs: 3, Bytes: total, TotalBytes: total}, seen[len(seen)-1])
	for i := 1; i < len(seen); i++ {
		require.GreaterOrEqual(t, seen[i].Docs, seen[i-1].Docs)
		require.GreaterOrEqual(t, seen[i].Bytes, seen[i-1].Bytes)
		require.LessOrEqual(t, seen[i].Bytes, total)
	}

	// Again: nothing to do.
	res, err = document.Migrate(t.Context(), m.local, m.s3, false, nil)
	require.NoError(t, err)
	require.Equal(t, document.MigrateResult{Skipped: 3}, res)
}

// TestMigrateCorruptLocalDocument: a local file whose content does not
// match its name never reaches the bucket; the others still do.
func TestMigrateCorruptLocalDocument(t *testing.T) {
	t.Parallel()
	m := setupMigrate(t)
	bad := m.shas[0]
	tests := []struct {
		name    string
		content []byte
	}{
		{"changed", append([]byte("%PDF-1.5"), samplePDF[8:]...)},
		{"longer", append(append([]byte{}, samplePDF...), '\n')},
		{"shorter", samplePDF[:len(samplePDF)-1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(m.dir, bad[:2], bad), tt.content, 0o600))
			res, err := document.Migrate(t.Context(), m.local, m.s3, false, nil)
			require.NoError(t, err)
			require.Equal(t, []string{bad}, res.Corrupt)
			require.Equal(t, objects(m.shas[1:]...), m.srv.Objects(t, "docs"))
		})
	}
}

// TestMigrateVerify: a document in the bucket of the right size but the
// wrong content is replaced with --verify, trusted without.
func TestMigrateVerify(t *testing.T) {
	t.Parallel()
	m := setupMigrate(t)
	_, err := document.Migrate(t.Context(), m.local, m.s3, false, nil)
	require.NoError(t, err)
	sha := m.shas[0]
	damaged := append([]byte("%PDF-1.5"), samplePDF[8:]...)
	m.srv.Put(t, "docs", "grants/"+sha, damaged)

	res, err := document.Migrate(t.Context(), m.local, m.s3, false, nil)
	require.NoError(t, err)
	require.Equal(t, document.MigrateResult{Skipped: 3}, res)
	require.Equal(t, damaged, readAll(t, m.s3, sha))

	res, err = document.Migrate(t.Context(), m.local, m.s3, true, nil)
	require.NoError(t, err)
	require.Equal(t, document.MigrateResult{Copied: 1, Skipped: 2, Bytes: int64(len(samplePDF))}, res)
	require.Equal(t, samplePDF, readAll(t, m.s3, sha))
}

// TestMigrateStopsWhenTheBucketFails: an unreachable store stops the run
// with ErrUnavailable.
func TestMigrateStopsWhenTheBucketFails(t *testing.T) {
	t.Parallel()
	m := setupMigrate(t)
	m.srv.Close()
	res, err := document.Migrate(t.Context(), m.local, m.s3, false, nil)
	require.ErrorIs(t, err, document.ErrUnavailable)
	require.Zero(t, res.Copied)
}
