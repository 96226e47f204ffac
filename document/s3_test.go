package document_test

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/document/s3server"
)

// TestS3StoreKeys: each document is the object <prefix>/<sha256>, or
// <sha256> without a prefix.
func TestS3StoreKeys(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "a", "/tenant/docs/"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			srv := s3server.Start(t, "docs")
			s, err := document.NewS3Store(srv.Config("docs", prefix))
			require.NoError(t, err)
			got, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
			require.NoError(t, err)
			want := map[string]string{"": got.SHA256, "a": "a/" + got.SHA256, "/tenant/docs/": "tenant/docs/" + got.SHA256}[prefix]
			require.Equal(t, []string{want}, srv.Keys(t, "docs"))
		})
	}
}

// TestS3StorePutReplacesATruncatedObject: an object under the document's
// key but of another size (a copy cut short by another writer) is
// replaced, not trusted.
func TestS3StorePutReplacesATruncatedObject(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t, "docs")
	s, err := document.NewS3Store(srv.Config("docs", ""))
	require.NoError(t, err)
	got, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
	require.NoError(t, err)
	srv.Put(t, "docs", got.SHA256, samplePDF[:5])

	_, err = s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
	require.NoError(t, err)
	require.Equal(t, map[string]int64{got.SHA256: int64(len(samplePDF))}, srv.Objects(t, "docs"))
}

// TestS3StoreErrors: what the server refuses (credentials, a missing
// bucket) is the configuration's to fix and says so; a server that
// cannot be reached gives ErrUnavailable, so uploads answer 503. Nothing
// is left behind either way.
func TestS3StoreErrors(t *testing.T) {
	t.Parallel()
	sha := "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
	tests := []struct {
		name        string
		setup       func(t *testing.T) document.S3Config
		unavailable bool
		want        []string // in every error
		wantCheck   string   // in Check's error too
	}{
		{"bad credentials", func(t *testing.T) document.S3Config {
			cfg := s3server.Start(t, "docs").Config("docs", "")
			cfg.AccessKeyID = "wrong"
			return cfg
		}, false, []string{"GRANTS_S3_ACCESS_KEY_ID", "GRANTS_S3_SECRET_ACCESS_KEY"}, "GRANTS_S3_ACCESS_KEY_ID"},
		{"bucket missing", func(t *testing.T) document.S3Config {
			return s3server.Start(t, "docs").Config("no-such-bucket", "")
		}, false, []string{"NoSuchBucket", "GRANTS_DOCUMENTS_URL"}, "the bucket does not exist"},
		{"server down", func(t *testing.T) document.S3Config {
			srv := s3server.Start(t, "docs")
			srv.Close()
			return srv.Config("docs", "")
		}, true, []string{"docs"}, "docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.setup(t)
			cfg.SpoolDir = t.TempDir()
			s, err := document.NewS3Store(cfg)
			require.NoError(t, err, "NewS3Store does not contact the server")

			check := func(err error) {
				t.Helper()
				require.Error(t, err)
				require.Equal(t, tt.unavailable, errors.Is(err, document.ErrUnavailable), "%v", err)
				require.NotErrorIs(t, err, fs.ErrNotExist)
				for _, w := range tt.want {
					require.ErrorContains(t, err, w)
				}
			}
			_, err = s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
			check(err)
			f, err := s.Open(t.Context(), sha)
			require.Nil(t, f)
			check(err)
			err = s.Check(t.Context())
			require.Error(t, err)
			require.Equal(t, tt.unavailable, errors.Is(err, document.ErrUnavailable), "%v", err)
			require.ErrorContains(t, err, tt.wantCheck)
			require.Empty(t, storeFiles(t, cfg.SpoolDir), "no spooled upload left behind")
		})
	}
}

func TestParseS3URL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, bucket, prefix, err string
	}{
		{in: "s3://grants-docs", bucket: "grants-docs"},
		{in: "s3://grants-docs/", bucket: "grants-docs"},
		{in: "s3://grants.docs.example/uploads/v1/", bucket: "grants.docs.example", prefix: "uploads/v1"},
		{in: "s3://abc/a_b-c.d", bucket: "abc", prefix: "a_b-c.d"},
		{in: "https://grants-docs/x", err: "not an s3://bucket/prefix URL"},
		{in: "s3:grants-docs", err: "not an s3://bucket/prefix URL"},
		{in: "s3://key:secret@grants-docs", err: "not an s3://bucket/prefix URL"},
		{in: "s3://grants-docs?region=x", err: "not an s3://bucket/prefix URL"},
		{in: "s3://Grants", err: "not a valid bucket name"},
		{in: "s3://ab", err: "not a valid bucket name"},
		{in: "s3://a..b", err: "not a valid bucket name"},
		{in: "s3://-ab", err: "not a valid bucket name"},
		{in: "s3:///prefix", err: "not a valid bucket name"},
		{in: "s3://grants-docs/a//b", err: "prefix"},
		{in: "s3://grants-docs/a/../b", err: "prefix"},
		{in: "s3://grants-docs/a b", err: "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			bucket, prefix, err := document.ParseS3URL(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.ErrorContains(t, err, "GRANTS_DOCUMENTS_URL")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.bucket, bucket)
			require.Equal(t, tt.prefix, prefix)
		})
	}
}

func TestParseS3Endpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, host string
		secure   bool
		err      bool
	}{
		{"", document.DefaultS3Endpoint, true, false},
		{"s3.eu-west-2.amazonaws.com", "s3.eu-west-2.amazonaws.com", true, false},
		{"minio.internal:9000", "minio.internal:9000", true, false},
		{"https://minio.internal:9000/", "minio.internal:9000", true, false},
		{"http://127.0.0.1:9000", "127.0.0.1:9000", false, false},
		{"http://[::1]:9000", "[::1]:9000", false, false},
		{"ftp://minio.internal", "", false, true},
		{"http://minio.internal/bucket", "", false, true},
		{"http://user:pw@minio.internal", "", false, true},
		{"http://", "", false, true},
		{"http://minio.internal?x=1", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			host, secure, err := document.ParseS3Endpoint(tt.in)
			if tt.err {
				require.ErrorContains(t, err, "GRANTS_S3_ENDPOINT")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.host, host)
			require.Equal(t, tt.secure, secure)
		})
	}
}

func FuzzParseS3URL(f *testing.F) {
	for _, s := range []string{"s3://grants-docs/uploads", "s3://a.b.c/x/y/", "s3://x/../y", "s3://%41bc/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bucket, prefix, err := document.ParseS3URL(s)
		if err != nil {
			return
		}
		// What is accepted makes a store, and keys that stay under the
		// prefix whatever the hash.
		_, err = document.NewS3Store(document.S3Config{Bucket: bucket, Prefix: prefix, Endpoint: "http://127.0.0.1:1"})
		require.NoError(t, err)
		if prefix == "" {
			return
		}
		for _, seg := range bytes.Split([]byte(prefix), []byte("/")) {
			require.NotContains(t, []string{"", ".", ".."}, string(seg), "prefix %q of %q", prefix, s)
		}
	})
}
