package document_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/civicgrants/grants/document"
)

func FuzzSanitiseFilename(f *testing.F) {
	for _, s := range []string{
		"budget.pdf", "../../etc/passwd", `C:\a\b.docx`, ".htaccess", "...", "", "a\x00b",
		"évaluation (final).odt", "bad\xffutf8", strings.Repeat("x", 200) + ".pdf",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := document.SanitiseFilename(name)
		switch {
		case got == "":
			t.Fatalf("SanitiseFilename(%q) is empty", name)
		case !utf8.ValidString(got):
			t.Fatalf("SanitiseFilename(%q) = %q: invalid UTF-8", name, got)
		case strings.ContainsAny(got, "/\\\x00"):
			t.Fatalf("SanitiseFilename(%q) = %q: has a separator or NUL", name, got)
		case strings.HasPrefix(got, "."):
			t.Fatalf("SanitiseFilename(%q) = %q: starts with a dot", name, got)
		case utf8.RuneCountInString(got) > document.MaxFilenameLength:
			t.Fatalf("SanitiseFilename(%q) = %q: too long", name, got)
		}
		if again := document.SanitiseFilename(got); again != got {
			t.Fatalf("SanitiseFilename not idempotent: %q → %q → %q", name, got, again)
		}
	})
}

func FuzzDetect(f *testing.F) {
	f.Add(samplePDF)
	f.Add(samplePNG)
	f.Add(sampleJPEG)
	f.Add(sampleDOCX(f))
	f.Add(sampleXLSX(f))
	f.Add(sampleODT(f))
	f.Add(sampleDOCM(f))
	f.Add(sampleXLSM(f))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := document.Detect(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, document.ErrUnsupported) {
				t.Fatalf("Detect: unexpected error %v", err)
			}
			if got != (document.Kind{}) {
				t.Fatalf("Detect failed but returned %+v", got)
			}
			return
		}
		if !slices.Contains(document.Kinds, got) {
			t.Fatalf("Detect returned unknown kind %+v", got)
		}
		if bytes.Contains(bytes.ToLower(b), []byte("vbaproject.bin")) && bytes.HasPrefix(b, []byte("PK")) {
			// a stored (uncompressed) name in a zip Detect accepted must
			// not be a VBA project's
			if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
				for _, zf := range zr.File {
					if strings.HasSuffix(strings.ToLower(zf.Name), "vbaproject.bin") {
						t.Fatalf("Detect accepted %+v holding a VBA project %q", got, zf.Name)
					}
				}
			}
		}
	})
}
