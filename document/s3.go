package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// DefaultS3Endpoint is the S3 endpoint used when none is configured: AWS.
const DefaultS3Endpoint = "s3.amazonaws.com"

// S3Config says where an S3Store keeps its documents and how it signs in.
type S3Config struct {
	// Bucket and Prefix come from GRANTS_DOCUMENTS_URL, s3://bucket/prefix
	// (see ParseS3URL); each document is the object <prefix>/<sha256>.
	Bucket, Prefix string
	// Endpoint is host[:port] (HTTPS) or an http:// or https:// URL
	// (GRANTS_S3_ENDPOINT); "" is DefaultS3Endpoint.
	Endpoint string
	// Region is the bucket's region (GRANTS_S3_REGION); "" asks the server.
	Region string
	// AccessKeyID and SecretAccessKey sign the requests
	// (GRANTS_S3_ACCESS_KEY_ID, GRANTS_S3_SECRET_ACCESS_KEY). Unset, the
	// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment and then the
	// instance's IAM role are used.
	AccessKeyID, SecretAccessKey string
	// Style is how requests name the bucket (GRANTS_S3_PATH_STYLE).
	Style AddressStyle
	// SpoolDir is where uploads wait, hashed, before they are sent; "" is
	// the system's temporary directory.
	SpoolDir string
	// Transport carries the requests; nil is the default.
	Transport http.RoundTripper
}

// AddressStyle is how requests name the bucket: in the path
// (https://host/bucket/key, what MinIO and most self-hosted servers want)
// or in the host name (https://bucket.host/key).
type AddressStyle int

// Address styles.
const (
	// StyleAuto names the bucket in the host name for AWS and a few other
	// clouds the client knows, in the path everywhere else.
	StyleAuto AddressStyle = iota
	// StylePath always names the bucket in the path.
	StylePath
	// StyleVirtualHost always names the bucket in the host name.
	StyleVirtualHost
)

// bucketRE is a valid S3 bucket name: 3 to 63 lowercase letters, digits,
// dots and hyphens, starting and ending with a letter or digit.
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// prefixRE is an object key prefix: path segments of safe characters.
var prefixRE = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)

// ParseS3URL splits a documents URL, s3://bucket/prefix (the prefix
// optional), into the bucket and the prefix without its slashes. Errors
// name GRANTS_DOCUMENTS_URL.
func ParseS3URL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("GRANTS_DOCUMENTS_URL: %q is not an s3://bucket/prefix URL", s)
	}
	if !bucketRE.MatchString(u.Host) || strings.Contains(u.Host, "..") {
		return "", "", fmt.Errorf("GRANTS_DOCUMENTS_URL: %q is not a valid bucket name (3 to 63 lowercase letters, digits, dots and hyphens)", u.Host)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" && (!prefixRE.MatchString(prefix) || strings.Contains("/"+prefix+"/", "/../") || strings.Contains("/"+prefix+"/", "/./")) {
		return "", "", fmt.Errorf("GRANTS_DOCUMENTS_URL: prefix %q may hold only letters, digits, '.', '_', '-' and '/'", prefix)
	}
	return u.Host, prefix, nil
}

// ParseS3Endpoint reads an endpoint, host[:port] (HTTPS) or an http:// or
// https:// URL without a path, into host[:port] and whether it is HTTPS.
// "" is DefaultS3Endpoint. Errors name GRANTS_S3_ENDPOINT.
func ParseS3Endpoint(s string) (host string, secure bool, err error) {
	if s == "" {
		return DefaultS3Endpoint, true, nil
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false, fmt.Errorf("GRANTS_S3_ENDPOINT: %q is not host[:port] or an http(s)://host[:port] URL", s)
	}
	return u.Host, u.Scheme == "https", nil
}

// S3Store keeps documents in an S3-compatible bucket, each the object
// <prefix>/<sha256>. Identical content is stored once. It is safe for
// concurrent use, including by several processes sharing the bucket.
type S3Store struct {
	client         *minio.Client
	bucket, prefix string
	spoolDir       string
}

var _ Blobs = (*S3Store)(nil)

// NewS3Store returns a store on the bucket of cfg. It does not contact the
// server: Check does.
func NewS3Store(cfg S3Config) (*S3Store, error) {
	if !bucketRE.MatchString(cfg.Bucket) {
		return nil, fmt.Errorf("document store: %q is not a valid bucket name", cfg.Bucket)
	}
	host, secure, err := ParseS3Endpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	var creds *credentials.Credentials
	if cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.IAM{}})
	}
	lookup := minio.BucketLookupAuto
	switch cfg.Style {
	case StylePath:
		lookup = minio.BucketLookupPath
	case StyleVirtualHost:
		lookup = minio.BucketLookupDNS
	}
	client, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region,
		Transport: cfg.Transport, MaxRetries: 3, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("document store: %w", err)
	}
	spoolDir := cfg.SpoolDir
	if spoolDir == "" {
		spoolDir = os.TempDir()
	}
	return &S3Store{client: client, bucket: cfg.Bucket, prefix: strings.Trim(cfg.Prefix, "/"), spoolDir: spoolDir}, nil
}

// String names the store: s3://bucket/prefix at its endpoint.
func (s *S3Store) String() string {
	u := "s3://" + s.bucket + "/" + s.prefix
	return strings.TrimSuffix(u, "/") + " at " + s.client.EndpointURL().String()
}

// key is the object key of the document with a valid hash.
func (s *S3Store) key(sha string) string {
	if s.prefix == "" {
		return sha
	}
	return s.prefix + "/" + sha
}

// Put implements Blobs. The document is first spooled to a temporary file
// (at most limit bytes), hashed and checked on the way, and only then sent
// to the bucket under its hash: the hash, hence the key, is known only at
// the end, and S3 has no rename to move an object into place under it.
// Spooling also keeps a refused or cut-off upload out of the bucket, and
// lets the client send the file with a known length in one PUT, streamed
// from disk. Content already in the bucket (an object of the same key and
// size) is not sent again.
func (s *S3Store) Put(ctx context.Context, r io.Reader, limit int64) (Stored, error) {
	tmp, stored, err := spool(s.spoolDir, r, limit)
	if err != nil {
		return Stored{}, err
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	if err := s.put(ctx, stored.SHA256, tmp, stored.Size); err != nil {
		return Stored{}, err
	}
	return stored, nil
}

// put sends size bytes of r as the document sha unless the bucket holds it
// already.
func (s *S3Store) put(ctx context.Context, sha string, r io.Reader, size int64) error {
	have, found, err := s.Stat(ctx, sha)
	if err != nil {
		return err
	}
	if found && have == size {
		return nil
	}
	_, err = s.client.PutObject(ctx, s.bucket, s.key(sha), r, size,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return s.fail("store document "+sha, err)
	}
	return nil
}

// Stat reports the size of the document sha in the bucket, if it is there.
func (s *S3Store) Stat(ctx context.Context, sha string) (size int64, found bool, err error) {
	if !shaRE.MatchString(sha) {
		return 0, false, fmt.Errorf("stat document: invalid hash: %w", fs.ErrNotExist)
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.key(sha), minio.StatObjectOptions{})
	if err != nil {
		if isNoSuchKey(err) {
			return 0, false, nil
		}
		return 0, false, s.fail("stat document "+sha, err)
	}
	return info.Size, true, nil
}

// Open implements Blobs with the object itself: reads and seeks are
// ranged GETs streamed from the server. The first request is made here,
// so a missing object or an unreachable store is known before the caller
// sends anything.
func (s *S3Store) Open(ctx context.Context, sha string) (io.ReadSeekCloser, error) {
	if !shaRE.MatchString(sha) {
		return nil, fmt.Errorf("open document: invalid hash: %w", fs.ErrNotExist)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(sha), minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		if isNoSuchKey(err) {
			// A HEAD cannot tell a missing bucket from a missing object.
			if ok, berr := s.client.BucketExists(ctx, s.bucket); berr == nil && !ok {
				return nil, fmt.Errorf("open document %s in %s: NoSuchBucket (check the bucket of GRANTS_DOCUMENTS_URL)", sha, s)
			}
			return nil, fmt.Errorf("open document %s: %w", sha, fs.ErrNotExist)
		}
		return nil, s.fail("open document "+sha, err)
	}
	return obj, nil
}

// Check implements Blobs: the bucket must exist and answer. A server
// that does not answer (or fails on its side) gives an error matching
// ErrUnavailable; a missing bucket or refused credentials, another one,
// saying so.
func (s *S3Store) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("check bucket", err)
	}
	if !ok {
		return fmt.Errorf("document store %s: the bucket does not exist", s)
	}
	return nil
}

// Import copies a document of a local Store into the bucket, reading it
// once: its SHA-256 is checked while it streams and a file whose content
// does not match its name is refused (ErrCorrupt) before its last bytes are
// sent, so a corrupt file never lands in the bucket. A document already
// there with the same size is left alone, unless verify is set and its
// content in the bucket does not match its name: then it is replaced. sent
// reports whether it was copied. progress, if not nil, is told of every
// chunk sent.
func (s *S3Store) Import(ctx context.Context, doc Local, verify bool, progress func(n int)) (sent bool, err error) {
	have, found, err := s.Stat(ctx, doc.SHA256)
	if err != nil {
		return false, err
	}
	if found && have == doc.Size {
		if !verify {
			return false, nil
		}
		ok, err := s.intact(ctx, doc.SHA256)
		if err != nil || ok {
			return false, err
		}
	}
	f, err := os.Open(doc.Path)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", doc.Path, err)
	}
	defer f.Close()
	v := &verifier{r: f, want: doc.SHA256, size: doc.Size, h: sha256.New(), progress: progress}
	_, err = s.client.PutObject(ctx, s.bucket, s.key(doc.SHA256), v, doc.Size,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if v.err != nil { // the content did not match, or reading it failed
		return false, v.err
	}
	if err != nil {
		return false, s.fail("store document "+doc.SHA256, err)
	}
	return true, nil
}

// intact reads the document sha from the bucket, streamed, and reports
// whether its content has that SHA-256.
func (s *S3Store) intact(ctx context.Context, sha string) (bool, error) {
	obj, err := s.Open(ctx, sha)
	if err != nil {
		return false, err
	}
	defer obj.Close()
	h := sha256.New()
	if _, err := io.Copy(h, obj); err != nil {
		return false, s.fail("read document "+sha, err)
	}
	return hex.EncodeToString(h.Sum(nil)) == sha, nil
}

// ErrCorrupt reports a local document whose content does not match the
// SHA-256 it is named by.
var ErrCorrupt = errors.New("document content does not match its SHA-256")

// verifier streams size bytes from r, hashing them; instead of the last
// bytes it returns ErrCorrupt when the hash is not want (or the file is
// not size bytes long), so the upload fails rather than completes.
type verifier struct {
	r        io.Reader
	want     string
	size     int64
	read     int64
	h        hash.Hash
	err      error
	progress func(int)
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	_, _ = v.h.Write(p[:n]) // a hash.Hash never fails
	v.read += int64(n)
	switch {
	case v.read > v.size:
		v.err = fmt.Errorf("%w: %s is longer than when it was listed", ErrCorrupt, v.want)
		return 0, v.err
	case v.read == v.size:
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			v.err = fmt.Errorf("%w: %s holds content with SHA-256 %s", ErrCorrupt, v.want, got)
			return 0, v.err
		}
		err = io.EOF
	case err == io.EOF:
		v.err = fmt.Errorf("%w: %s is shorter than when it was listed", ErrCorrupt, v.want)
		return 0, v.err
	case err != nil:
		v.err = fmt.Errorf("read %s: %w", v.want, err)
		return 0, v.err
	}
	if v.progress != nil && n > 0 {
		v.progress(n)
	}
	return n, err
}

// isNoSuchKey reports an S3 error for a missing object.
func isNoSuchKey(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket")
}

// fail wraps an error of the S3 client for what was being done: one that
// says the store could not be reached or failed on its side (a network
// error, a time-out, a 5xx, throttling) also matches ErrUnavailable; one
// the server refused (a missing bucket, wrong credentials) does not: it is
// the configuration's to fix.
func (s *S3Store) fail(what string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.StatusCode != 0 && resp.StatusCode < 500 && resp.Code != "SlowDown" && resp.StatusCode != http.StatusTooManyRequests {
		hint := ""
		switch resp.Code {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken":
			hint = " (check GRANTS_S3_ACCESS_KEY_ID and GRANTS_S3_SECRET_ACCESS_KEY)"
		case "NoSuchBucket":
			hint = " (check the bucket of GRANTS_DOCUMENTS_URL)"
		}
		return fmt.Errorf("%s in %s: %s%s: %w", what, s, resp.Code, hint, err)
	}
	return fmt.Errorf("%s in %s: %w: %w", what, s, ErrUnavailable, err)
}
