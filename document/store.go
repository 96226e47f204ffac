package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Size limits for uploads.
const (
	// MaxSize is the largest single document accepted, in bytes.
	MaxSize = 10 << 20
	// MaxPerApplication is the most bytes of documents one application may
	// hold; the caller enforces it.
	MaxPerApplication = 50 << 20
	// MaxFilesPerApplication is the most documents uploaded to one
	// application (report evidence not counted); the caller enforces it.
	MaxFilesPerApplication = 20
	// MaxFilesPerReport is the most evidence documents of one report; the
	// caller enforces it.
	MaxFilesPerReport = 10
)

// ErrTooLarge reports that an upload went over its size limit.
var ErrTooLarge = errors.New("document too large")

// shaRE matches a SHA-256 as lowercase hex, the only names the store uses.
var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// tempPattern names uploads in progress inside the store directory.
const tempPattern = ".upload-*"

// Stored describes a document kept in a Store.
type Stored struct {
	// SHA256 is the lowercase hex SHA-256 of the content; it names the file.
	SHA256 string `json:"sha256"`
	// Size is the length of the content in bytes.
	Size int64 `json:"size"`
	// Kind is the type detected from the content.
	Kind Kind `json:"kind"`
}

// Blobs is a content-addressed store of documents: the local directory
// (Store) or an S3-compatible bucket (S3Store). The use cases do not care
// which.
type Blobs interface {
	// Put reads a document from r and stores it under its SHA-256. It fails
	// with ErrTooLarge if r holds more than limit bytes (a limit below zero
	// counts as zero) and with ErrUnsupported if the content is not an
	// accepted kind; in both cases nothing is kept. Storing content that is
	// already present succeeds and leaves the existing copy alone. A store
	// that cannot be reached gives an error matching ErrUnavailable.
	Put(ctx context.Context, r io.Reader, limit int64) (Stored, error)
	// Open opens the document with the given SHA-256 for reading, streamed
	// (never read whole into memory); the caller closes it. A hash that is
	// not 64 lowercase hex digits, like a missing document, gives an error
	// matching fs.ErrNotExist; a store that cannot be reached, one matching
	// ErrUnavailable.
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, error)
	// Check reports whether the store can be reached and used (for
	// start-up and readiness); a store that does not answer gives an error
	// matching ErrUnavailable.
	Check(ctx context.Context) error
}

// ErrUnavailable reports a blob store that cannot be reached or answers
// with a server error: the operation may succeed if tried again later.
var ErrUnavailable = errors.New("document store unavailable")

// Store keeps documents on disk, each at <dir>/<first two hex digits>/<sha256>.
// Identical content is stored once. It is safe for concurrent use, including
// by several processes sharing the directory.
type Store struct {
	dir string
}

var _ Blobs = (*Store)(nil)

// NewStore returns a store in dir, creating the directory (mode 0750) if it
// does not exist.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create document store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// spool copies a document from r into a new temporary file in dir,
// hashing it and detecting its kind on the way, so that no whole file is
// ever held in memory. It fails with ErrTooLarge past limit bytes and with
// ErrUnsupported for a kind not accepted; on any error the file is gone.
// On success the caller owns the file, positioned at its start, and
// removes it.
func spool(dir string, r io.Reader, limit int64) (_ *os.File, _ Stored, err error) {
	limit = max(limit, 0)
	tmp, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return nil, Stored{}, fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return nil, Stored{}, fmt.Errorf("receive document: %w", err)
	}
	if n > limit {
		return nil, Stored{}, ErrTooLarge
	}
	kind, err := Detect(tmp, n)
	if err != nil {
		return nil, Stored{}, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, Stored{}, fmt.Errorf("rewind document: %w", err)
	}
	return tmp, Stored{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Kind: kind}, nil
}

// Put implements Blobs: the document is spooled to a temporary file in the
// store's directory, then renamed to its hash.
func (s *Store) Put(_ context.Context, r io.Reader, limit int64) (stored Stored, err error) {
	tmp, stored, err := spool(s.dir, r, limit)
	if err != nil {
		return Stored{}, err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return Stored{}, fmt.Errorf("sync document: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Stored{}, fmt.Errorf("close document: %w", err)
	}

	final := s.path(stored.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Stored{}, fmt.Errorf("create document directory: %w", err)
	}
	if _, statErr := os.Stat(final); statErr == nil {
		// Already stored: drop the copy.
		_ = os.Remove(tmpName)
		return stored, nil
	}
	// Renaming over a concurrent copy of the same content is harmless.
	if err := os.Rename(tmpName, final); err != nil {
		return Stored{}, fmt.Errorf("store document: %w", err)
	}
	return stored, nil
}

// Open implements Blobs with the file on disk.
func (s *Store) Open(_ context.Context, sha string) (io.ReadSeekCloser, error) {
	if !shaRE.MatchString(sha) {
		return nil, fmt.Errorf("open document: invalid hash: %w", fs.ErrNotExist)
	}
	f, err := os.Open(s.path(sha))
	if err != nil {
		return nil, fmt.Errorf("open document: %w", err)
	}
	return f, nil
}

// Check implements Blobs: the directory must exist.
func (s *Store) Check(context.Context) error {
	info, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnavailable, s.dir)
	}
	return nil
}

// Local is one document of a Store, as Walk finds it.
type Local struct {
	SHA256 string // its name, the SHA-256 it should have
	Path   string // where it is
	Size   int64
}

// Walk calls fn for every document in the store, in the order of their
// hashes; temporary files of uploads in progress and anything not named
// like a document (<2 hex digits>/<sha256>) are left out. It stops at the
// first error fn returns.
func (s *Store) Walk(fn func(Local) error) error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		name := d.Name()
		if !shaRE.MatchString(name) || p != s.path(name) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(Local{SHA256: name, Path: p, Size: info.Size()})
	})
}

// path is where the document with a valid hash lives.
func (s *Store) path(sha string) string {
	return filepath.Join(s.dir, sha[:2], sha)
}
