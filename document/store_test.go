package document_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/document/s3server"
)

// The contract of document.Blobs, run against every store: the local
// directory and an S3 bucket on a real S3-protocol server on loopback.

// blobStore is an empty store under test, with what it holds.
type blobStore struct {
	document.Blobs
	// held lists what the store holds: its documents by the name they
	// are kept under (relative path or object key) and any upload left
	// behind in its temporary space.
	held func(t *testing.T) []string
	// path is where the document sha is kept, as held lists it.
	path func(sha string) string
}

// storeKinds builds each kind of store.
var storeKinds = []struct {
	name string
	new  func(t *testing.T) blobStore
}{
	{"local", func(t *testing.T) blobStore {
		s, dir := setupStore(t)
		return blobStore{Blobs: s, held: func(t *testing.T) []string { return storeFiles(t, dir) },
			path: func(sha string) string { return filepath.Join(sha[:2], sha) }}
	}},
	{"s3", func(t *testing.T) blobStore {
		srv := s3server.Start(t, "grants-docs")
		cfg := srv.Config("grants-docs", "uploads/v1")
		cfg.SpoolDir = t.TempDir()
		s, err := document.NewS3Store(cfg)
		require.NoError(t, err)
		return blobStore{Blobs: s, held: func(t *testing.T) []string {
			held := srv.Keys(t, "grants-docs")
			for _, f := range storeFiles(t, cfg.SpoolDir) {
				held = append(held, "spool/"+f)
			}
			return held
		}, path: func(sha string) string { return "uploads/v1/" + sha }}
	}},
}

// eachStore runs test against every kind of store, in parallel.
func eachStore(t *testing.T, test func(t *testing.T, s blobStore)) {
	t.Helper()
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			test(t, k.new(t))
		})
	}
}

// setupStore returns an empty local store and its directory.
func setupStore(t *testing.T) (*document.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "documents")
	s, err := document.NewStore(dir)
	require.NoError(t, err)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	require.True(t, info.IsDir())
	return s, dir
}

// storeFiles lists every regular file under dir, relative to it.
func storeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, rel)
		return err
	})
	require.NoError(t, err)
	return files
}

// readAll reads the document sha from s whole.
func readAll(t *testing.T, s document.Blobs, sha string) []byte {
	t.Helper()
	f, err := s.Open(t.Context(), sha)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return b
}

func TestStorePut(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		content func(t testing.TB) []byte
		want    document.Kind
	}{
		{"pdf", func(testing.TB) []byte { return samplePDF }, document.PDF},
		{"png", func(testing.TB) []byte { return samplePNG }, document.PNG},
		{"jpeg", func(testing.TB) []byte { return sampleJPEG }, document.JPEG},
		{"docx", sampleDOCX, document.DOCX},
		{"xlsx", sampleXLSX, document.XLSX},
		{"odt", sampleODT, document.ODT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eachStore(t, func(t *testing.T, s blobStore) {
				b := tt.content(t)

				got, err := s.Put(t.Context(), iotest.OneByteReader(bytes.NewReader(b)), document.MaxSize)
				require.NoError(t, err)
				sum := sha256.Sum256(b)
				want := document.Stored{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Kind: tt.want}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Put mismatch (-want +got):\n%s", diff)
				}
				require.Equal(t, b, readAll(t, s, got.SHA256))
				require.Equal(t, []string{s.path(got.SHA256)}, s.held(t))
			})
		})
	}
}

func TestStoreOpenSeeks(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		stored, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
		require.NoError(t, err)
		f, err := s.Open(t.Context(), stored.SHA256)
		require.NoError(t, err)
		defer f.Close()
		end, err := f.Seek(0, io.SeekEnd)
		require.NoError(t, err)
		require.Equal(t, int64(len(samplePDF)), end)
		_, err = f.Seek(9, io.SeekStart)
		require.NoError(t, err)
		rest, err := io.ReadAll(f)
		require.NoError(t, err)
		require.Equal(t, samplePDF[9:], rest)
	})
}

func TestStorePutDetectsFromContentNotName(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		// What a client called ".pdf" is a PNG; Put never sees the name.
		name := document.SanitiseFilename(".pdf")
		got, err := s.Put(t.Context(), bytes.NewReader(samplePNG), document.MaxSize)
		require.NoError(t, err)
		require.Equal(t, document.PNG, got.Kind)
		require.False(t, got.Kind.MatchesName(name))
	})
}

func TestStorePutRejects(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		content []byte
		limit   int64
		wantErr error
	}{
		{"over the limit", append(append([]byte{}, samplePDF...), make([]byte, 100)...), int64(len(samplePDF)), document.ErrTooLarge},
		{"zero limit", samplePDF, 0, document.ErrTooLarge},
		{"negative limit", samplePDF, -5, document.ErrTooLarge},
		{"over limit and unsupported", bytes.Repeat([]byte("x"), 11), 10, document.ErrTooLarge},
		{"unsupported", []byte("MZ this is not a document"), document.MaxSize, document.ErrUnsupported},
		{"empty", nil, document.MaxSize, document.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eachStore(t, func(t *testing.T, s blobStore) {
				_, err := s.Put(t.Context(), bytes.NewReader(tt.content), tt.limit)
				require.ErrorIs(t, err, tt.wantErr)
				require.Empty(t, s.held(t), "no temporary or stored files left behind")
			})
		})
	}
}

func TestStorePutExactlyAtLimit(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		got, err := s.Put(t.Context(), bytes.NewReader(samplePDF), int64(len(samplePDF)))
		require.NoError(t, err)
		require.Equal(t, int64(len(samplePDF)), got.Size)
	})
}

func TestStorePutReadError(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		boom := errors.New("connection reset")
		r := io.MultiReader(bytes.NewReader(samplePDF), iotest.ErrReader(boom))
		_, err := s.Put(t.Context(), r, document.MaxSize)
		require.ErrorIs(t, err, boom)
		require.Empty(t, s.held(t))
	})
}

func TestStorePutDedupes(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		first, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
		require.NoError(t, err)
		second, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
		require.NoError(t, err)
		if diff := cmp.Diff(first, second); diff != "" {
			t.Errorf("second Put mismatch (-first +second):\n%s", diff)
		}
		require.Equal(t, []string{s.path(first.SHA256)}, s.held(t))

		other, err := s.Put(t.Context(), bytes.NewReader(samplePNG), document.MaxSize)
		require.NoError(t, err)
		require.NotEqual(t, first.SHA256, other.SHA256)
		require.Len(t, s.held(t), 2)
		require.Equal(t, samplePDF, readAll(t, s, first.SHA256))
		require.Equal(t, samplePNG, readAll(t, s, other.SHA256))
	})
}

func TestStoreOpenRejectsBadHashes(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		stored, err := s.Put(t.Context(), bytes.NewReader(samplePDF), document.MaxSize)
		require.NoError(t, err)

		for _, sha := range []string{
			"",
			"../../../etc/passwd",
			strings.ToUpper(stored.SHA256),
			stored.SHA256[:63],
			stored.SHA256 + "0",
			stored.SHA256[:2] + "/" + stored.SHA256[3:],
			strings.Repeat("0", 64), // well-formed but absent
		} {
			f, err := s.Open(t.Context(), sha)
			require.ErrorIs(t, err, fs.ErrNotExist, "Open(%q)", sha)
			require.NotErrorIs(t, err, document.ErrUnavailable)
			require.Nil(t, f)
		}
	})
}

// TestStoreLargeDocumentStreams stores the largest document allowed,
// generated as it is read (the test holds no copy of it), and reads it
// back streamed, comparing hashes; one byte more is refused.
func TestStoreLargeDocumentStreams(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		h := sha256.New()
		got, err := s.Put(t.Context(), io.TeeReader(largePDF(document.MaxSize), h), document.MaxSize)
		require.NoError(t, err)
		want := hex.EncodeToString(h.Sum(nil))
		require.Equal(t, document.Stored{SHA256: want, Size: document.MaxSize, Kind: document.PDF}, got)

		f, err := s.Open(t.Context(), got.SHA256)
		require.NoError(t, err)
		defer f.Close()
		back := sha256.New()
		n, err := io.Copy(back, f)
		require.NoError(t, err)
		require.Equal(t, int64(document.MaxSize), n)
		require.Equal(t, want, hex.EncodeToString(back.Sum(nil)))

		_, err = s.Put(t.Context(), largePDF(document.MaxSize+1), document.MaxSize)
		require.ErrorIs(t, err, document.ErrTooLarge)
		require.Equal(t, []string{s.path(got.SHA256)}, s.held(t))
	})
}

// largePDF is a reader of size bytes that starts like a PDF, the rest
// pseudo-random, made as it is read.
func largePDF(size int64) io.Reader {
	head := "%PDF-1.7\n"
	return io.MultiReader(strings.NewReader(head), io.LimitReader(rand.NewChaCha8([32]byte{7}), size-int64(len(head))))
}

func TestStoreCheck(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s blobStore) {
		require.NoError(t, s.Check(t.Context()))
	})
}

func TestStoreCheckLocalDirectoryGone(t *testing.T) {
	t.Parallel()
	s, dir := setupStore(t)
	require.NoError(t, os.Remove(dir))
	require.ErrorIs(t, s.Check(t.Context()), document.ErrUnavailable)
}
