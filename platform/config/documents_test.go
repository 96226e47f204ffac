package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
)

func TestLoadDocuments(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "s3-secret")
	require.NoError(t, os.WriteFile(secret, []byte("s3cr3t\n"), 0o600))
	tests := []struct {
		name   string
		env    map[string]string
		dir    string
		wantS3 *document.S3Config
	}{
		{"default", nil, filepath.Join(".data", "documents"), nil},
		{"data dir", map[string]string{"GRANTS_DATA_DIR": "/srv/g"}, "/srv/g/documents", nil},
		{"documents dir", map[string]string{"GRANTS_DOCUMENTS_DIR": "/srv/docs"}, "/srv/docs", nil},
		{"plain path", map[string]string{"GRANTS_DOCUMENTS_URL": "/srv/docs"}, "/srv/docs", nil},
		{"relative path", map[string]string{"GRANTS_DOCUMENTS_URL": "docs"}, "docs", nil},
		{"file URL", map[string]string{"GRANTS_DOCUMENTS_URL": "file:///srv/docs"}, "/srv/docs", nil},
		{"file URL, localhost", map[string]string{"GRANTS_DOCUMENTS_URL": "file://localhost/srv/docs"}, "/srv/docs", nil},
		{"same dir twice", map[string]string{"GRANTS_DOCUMENTS_URL": "/srv/docs/", "GRANTS_DOCUMENTS_DIR": "/srv/docs"}, "/srv/docs/", nil},
		{"s3, AWS", map[string]string{"GRANTS_DOCUMENTS_URL": "s3://grants-docs/uploads", "GRANTS_S3_REGION": "eu-west-2"},
			filepath.Join(".data", "documents"), &document.S3Config{Bucket: "grants-docs", Prefix: "uploads", Region: "eu-west-2"}},
		{"s3, MinIO with secrets from files", map[string]string{
			"GRANTS_DOCUMENTS_URL":             "s3://grants-docs",
			"GRANTS_DOCUMENTS_DIR":             "/srv/docs",
			"GRANTS_S3_ENDPOINT":               "http://minio.internal:9000",
			"GRANTS_S3_ACCESS_KEY_ID":          "grants",
			"GRANTS_S3_SECRET_ACCESS_KEY_FILE": secret,
			"GRANTS_S3_PATH_STYLE":             "true",
		}, "/srv/docs", &document.S3Config{Bucket: "grants-docs", Endpoint: "http://minio.internal:9000",
			AccessKeyID: "grants", SecretAccessKey: "s3cr3t", Style: document.StylePath}},
		{"s3, virtual-hosted", map[string]string{"GRANTS_DOCUMENTS_URL": "s3://grants-docs", "GRANTS_S3_PATH_STYLE": "0"},
			filepath.Join(".data", "documents"), &document.S3Config{Bucket: "grants-docs", Style: document.StyleVirtualHost}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env))
			require.NoError(t, err)
			require.Equal(t, tt.dir, c.DocumentsDir)
			if diff := cmp.Diff(tt.wantS3, c.DocumentsS3); diff != "" {
				t.Errorf("DocumentsS3 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDocumentsRejects(t *testing.T) {
	t.Parallel()
	s3 := func(kv ...[2]string) map[string]string {
		m := map[string]string{"GRANTS_DOCUMENTS_URL": "s3://grants-docs"}
		for _, p := range kv {
			m[p[0]] = p[1]
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // the variable named
	}{
		{"other scheme", map[string]string{"GRANTS_DOCUMENTS_URL": "gs://grants-docs"}, "GRANTS_DOCUMENTS_URL"},
		{"bad bucket", map[string]string{"GRANTS_DOCUMENTS_URL": "s3://Grants_Docs"}, "GRANTS_DOCUMENTS_URL"},
		{"file URL with a host", map[string]string{"GRANTS_DOCUMENTS_URL": "file://server/docs"}, "GRANTS_DOCUMENTS_URL"},
		{"file URL without a path", map[string]string{"GRANTS_DOCUMENTS_URL": "file://"}, "GRANTS_DOCUMENTS_URL"},
		{"two directories", map[string]string{"GRANTS_DOCUMENTS_URL": "/a", "GRANTS_DOCUMENTS_DIR": "/b"}, "GRANTS_DOCUMENTS_DIR"},
		{"bad endpoint", s3([2]string{"GRANTS_S3_ENDPOINT", "ftp://minio"}), "GRANTS_S3_ENDPOINT"},
		{"endpoint with a path", s3([2]string{"GRANTS_S3_ENDPOINT", "https://minio/bucket"}), "GRANTS_S3_ENDPOINT"},
		{"bad region", s3([2]string{"GRANTS_S3_REGION", "EU West"}), "GRANTS_S3_REGION"},
		{"key without secret", s3([2]string{"GRANTS_S3_ACCESS_KEY_ID", "grants"}), "GRANTS_S3_SECRET_ACCESS_KEY"},
		{"secret without key", s3([2]string{"GRANTS_S3_SECRET_ACCESS_KEY", "x"}), "GRANTS_S3_ACCESS_KEY_ID"},
		{"secret file missing", s3([2]string{"GRANTS_S3_ACCESS_KEY_ID", "grants"}, [2]string{"GRANTS_S3_SECRET_ACCESS_KEY_FILE", "/nonexistent"}), "GRANTS_S3_SECRET_ACCESS_KEY_FILE"},
		{"bad path style", s3([2]string{"GRANTS_S3_PATH_STYLE", "yes"}), "GRANTS_S3_PATH_STYLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			require.ErrorContains(t, err, tt.want)
		})
	}
}
