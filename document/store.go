package document

import (
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

// Store keeps documents on disk, each at <dir>/<first two hex digits>/<sha256>.
// Identical content is stored once. It is safe for concurrent use, including
// by several processes sharing the directory.
type Store struct {
	dir string
}

// NewStore returns a store in dir, creating the directory (mode 0750) if it
// does not exist.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create document store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Put reads a document from r and stores it. It fails with ErrTooLarge if r
// holds more than limit bytes (a limit below zero counts as zero) and with
// ErrUnsupported if the content is not an accepted kind; in both cases nothing
// is kept. Storing content that is already present succeeds and leaves the
// existing file alone.
func (s *Store) Put(r io.Reader, limit int64) (stored Stored, err error) {
	limit = max(limit, 0)

	tmp, err := os.CreateTemp(s.dir, tempPattern)
	if err != nil {
		return Stored{}, fmt.Errorf("create temp file: %w", err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if !closed {
			_ = tmp.Close()
		}
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return Stored{}, fmt.Errorf("receive document: %w", err)
	}
	if n > limit {
		return Stored{}, ErrTooLarge
	}

	kind, err := Detect(tmp, n)
	if err != nil {
		return Stored{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Stored{}, fmt.Errorf("sync document: %w", err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return Stored{}, fmt.Errorf("close document: %w", err)
	}

	sum := hex.EncodeToString(h.Sum(nil))
	stored = Stored{SHA256: sum, Size: n, Kind: kind}
	final := s.path(sum)
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

// Open opens the stored document with the given SHA-256 for reading. The
// hash must be 64 lowercase hex digits; anything else, like a missing
// document, gives an error matching fs.ErrNotExist.
func (s *Store) Open(sha string) (*os.File, error) {
	if !shaRE.MatchString(sha) {
		return nil, fmt.Errorf("open document: invalid hash: %w", fs.ErrNotExist)
	}
	f, err := os.Open(s.path(sha))
	if err != nil {
		return nil, fmt.Errorf("open document: %w", err)
	}
	return f, nil
}

// path is where the document with a valid hash lives.
func (s *Store) path(sha string) string {
	return filepath.Join(s.dir, sha[:2], sha)
}
