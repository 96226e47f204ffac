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

// zipBomb is a DOCX whose content-types entry inflates to 64 MB from
// about 64 KB: Detect must read only a bounded prefix of it.
func zipBomb(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: contentTypes + strings.Repeat(" ", 64<<20)},
		zipEntry{name: "word/document.xml", body: "<w:document/>"},
	)
}

// FuzzUpload checks what an upload becomes from any name and any content:
// either it is refused (unsupported content, a macro-enabled file, or a
// name claiming another kind), or it is kept under a safe name whose
// extension is that of the kind its content is.
func FuzzUpload(f *testing.F) {
	for _, s := range []struct {
		name    string
		content []byte
	}{
		{"budget.pdf", samplePDF},
		{"../../etc/passwd", samplePDF},
		{`..\..\Windows\win.ini.png`, samplePNG},
		{"budget.docx", samplePDF}, // a lying extension
		{"photo.jpeg", sampleJPEG},
		{"accounts.xlsx.exe", sampleXLSX(f)},
		{"plan.docx", sampleDOCM(f)},
		{"plan.docm", sampleDOCX(f)},
		{"bomb.docx", zipBomb(f)},
		{"minutes", sampleODT(f)},
		{"\x00.pdf", samplePDF},
		{"", []byte("<html><script>alert(1)</script>")},
	} {
		f.Add(s.name, s.content)
	}
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		kind, err := document.Detect(bytes.NewReader(content), int64(len(content)))
		if err != nil {
			return // FuzzDetect checks Detect's refusals
		}
		got, err := document.UploadName(name, kind)
		var mismatch *document.NameMismatchError
		switch {
		case errors.Is(err, document.ErrMacroEnabled):
			if !document.MacroEnabledName(document.SanitiseFilename(name)) {
				t.Fatalf("UploadName(%q, %v) refused a name that is not macro-enabled", name, kind)
			}
			return
		case errors.As(err, &mismatch):
			if mismatch.Content != kind || mismatch.Named == kind || !mismatch.Named.MatchesName(document.SanitiseFilename(name)) {
				t.Fatalf("UploadName(%q, %v): wrong mismatch %+v", name, kind, mismatch)
			}
			return
		case err != nil:
			t.Fatalf("UploadName(%q, %v): unexpected error %v", name, kind, err)
		}
		switch {
		case !kind.MatchesName(got):
			t.Fatalf("UploadName(%q, %v) = %q: its extension is not the content's", name, kind, got)
		case strings.ContainsAny(got, "/\\\x00") || strings.HasPrefix(got, "."):
			t.Fatalf("UploadName(%q, %v) = %q: not a safe base name", name, kind, got)
		case !utf8.ValidString(got):
			t.Fatalf("UploadName(%q, %v) = %q: invalid UTF-8", name, kind, got)
		}
	})
}
