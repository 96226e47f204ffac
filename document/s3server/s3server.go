// Package s3server serves the S3 protocol on loopback for tests: a
// gofakes3 server (a maintained S3 implementation with an in-memory
// backend) over HTTP by httptest, in front of which requests must be
// signed with the server's access key ID. Tests talk to it with the real
// S3 client of package document, so what they check is what production
// sends over the wire.
package s3server

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
)

// Credentials the server accepts.
const (
	AccessKeyID     = "grants-test-key"
	SecretAccessKey = "grants-test-secret"
	// Region is the region test configurations name.
	Region = "us-east-1"
)

// Server is an S3-protocol server on loopback, closed when the test ends.
type Server struct {
	// Endpoint is its http://127.0.0.1:port URL, as GRANTS_S3_ENDPOINT.
	Endpoint string
	http     *httptest.Server
	backend  *s3mem.Backend
}

// Start serves an S3 store holding the given (empty) buckets.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		require.NoError(t, backend.CreateBucket(b))
	}
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithIntegrityCheck(true))
	ts := httptest.NewServer(requireKey(faker.Server()))
	t.Cleanup(ts.Close)
	return &Server{Endpoint: ts.URL, http: ts, backend: backend}
}

// Config is a document store configuration for bucket and prefix on the
// server, signed with its credentials.
func (s *Server) Config(bucket, prefix string) document.S3Config {
	return document.S3Config{Bucket: bucket, Prefix: prefix, Endpoint: s.Endpoint, Region: Region,
		AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
}

// Close stops the server: from then on it cannot be reached.
func (s *Server) Close() { s.http.Close() }

// Objects lists the keys and sizes of the objects in bucket.
func (s *Server) Objects(t testing.TB, bucket string) map[string]int64 {
	t.Helper()
	list, err := s.backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	out := make(map[string]int64, len(list.Contents))
	for _, c := range list.Contents {
		out[c.Key] = c.Size
	}
	return out
}

// Keys lists the object keys in bucket, sorted.
func (s *Server) Keys(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	for k := range s.Objects(t, bucket) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Put stores content as the object key of bucket directly, as another
// writer of the bucket would.
func (s *Server) Put(t testing.TB, bucket, key string, content []byte) {
	t.Helper()
	_, err := s.backend.PutObject(bucket, key, map[string]string{}, strings.NewReader(string(content)), int64(len(content)), nil)
	require.NoError(t, err)
}

// requireKey answers 403 InvalidAccessKeyId, as S3 does, to a request not
// signed (AWS Signature Version 4) with AccessKeyID. gofakes3 checks no
// credentials itself; the signature's key is not verified here.
func requireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred := r.URL.Query().Get("X-Amz-Credential")
		if auth := r.Header.Get("Authorization"); auth != "" {
			if _, after, ok := strings.Cut(auth, "Credential="); ok {
				cred = after
			}
		}
		if !strings.HasPrefix(cred, AccessKeyID+"/") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			if r.Method != http.MethodHead {
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` +
					`<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`))
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}
