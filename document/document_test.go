package document_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/document"
)

// Tiny samples of each kind: only their signatures matter to Detect.
var (
	samplePDF  = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	samplePNG  = append([]byte("\x89PNG\r\n\x1a\n"), "\x00\x00\x00\x0dIHDR"...)
	sampleJPEG = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9}
)

// zipEntry is a file to put in a test archive.
type zipEntry struct {
	name, body string
	store      bool // uncompressed, as ODF requires for "mimetype"
}

// buildZip returns an archive holding entries, in order.
func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e.store {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		require.NoError(t, err)
		_, err = io.WriteString(w, e.body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`

func sampleDOCX(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: contentTypes},
		zipEntry{name: "_rels/.rels", body: "<Relationships/>"},
		zipEntry{name: "word/document.xml", body: "<w:document/>"},
	)
}

func sampleXLSX(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: contentTypes},
		zipEntry{name: "xl/workbook.xml", body: "<workbook/>"},
	)
}

// macroContentTypes declares a macro-enabled Word document and its VBA
// project, as Word writes them in a .docm.
const macroContentTypes = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`

func sampleDOCM(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: macroContentTypes},
		zipEntry{name: "word/document.xml", body: "<w:document/>"},
		zipEntry{name: "word/vbaProject.bin", body: "\xd0\xcf\x11\xe0 VBA"},
	)
}

func sampleXLSM(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "[Content_Types].xml", body: `<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>`},
		zipEntry{name: "xl/workbook.xml", body: "<workbook/>"},
		zipEntry{name: "xl/vbaProject.bin", body: "VBA"},
	)
}

func sampleODT(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.text", store: true},
		zipEntry{name: "content.xml", body: "<office:document-content/>"},
	)
}

func TestDetect(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		content func(t testing.TB) []byte
		want    document.Kind
		wantErr error
	}{
		{"pdf", func(testing.TB) []byte { return samplePDF }, document.PDF, nil},
		{"png", func(testing.TB) []byte { return samplePNG }, document.PNG, nil},
		{"jpeg", func(testing.TB) []byte { return sampleJPEG }, document.JPEG, nil},
		{"docx", sampleDOCX, document.DOCX, nil},
		{"xlsx", sampleXLSX, document.XLSX, nil},
		{"odt", sampleODT, document.ODT, nil},
		{"odt with compressed mimetype", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.text"})
		}, document.ODT, nil},
		{"empty", func(testing.TB) []byte { return nil }, document.Kind{}, document.ErrUnsupported},
		{"short", func(testing.TB) []byte { return []byte("%PD") }, document.Kind{}, document.ErrUnsupported},
		{"truncated png signature", func(testing.TB) []byte { return samplePNG[:7] }, document.Kind{}, document.ErrUnsupported},
		{"plain text", func(testing.TB) []byte { return []byte("hello, world") }, document.Kind{}, document.ErrUnsupported},
		{"html", func(testing.TB) []byte { return []byte("<!doctype html><html></html>") }, document.Kind{}, document.ErrUnsupported},
		{"exe", func(testing.TB) []byte { return []byte("MZ\x90\x00\x03\x00\x00\x00") }, document.Kind{}, document.ErrUnsupported},
		{"pdf not at start", func(testing.TB) []byte { return []byte(" %PDF-1.4") }, document.Kind{}, document.ErrUnsupported},
		{"plain zip", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "notes.txt", body: "hello"})
		}, document.Kind{}, document.ErrUnsupported},
		{"word document without content types", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "word/document.xml", body: "<w:document/>"})
		}, document.Kind{}, document.ErrUnsupported},
		{"ods", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet", store: true})
		}, document.Kind{}, document.ErrUnsupported},
		{"odt mimetype with trailing newline", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.text\n", store: true})
		}, document.Kind{}, document.ErrUnsupported},
		{"huge mimetype entry", func(t testing.TB) []byte {
			return buildZip(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.text" + strings.Repeat("x", 1<<20)})
		}, document.Kind{}, document.ErrUnsupported},
		{"docm", sampleDOCM, document.Kind{}, document.ErrMacroEnabled},
		{"xlsm", sampleXLSM, document.Kind{}, document.ErrMacroEnabled},
		{"docm is unsupported too", sampleDOCM, document.Kind{}, document.ErrUnsupported},
		{"pptm", func(t testing.TB) []byte {
			return buildZip(t,
				zipEntry{name: "[Content_Types].xml", body: `<Types><Override ContentType="application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"/></Types>`},
				zipEntry{name: "ppt/presentation.xml", body: "<p/>"}, zipEntry{name: "ppt/vbaProject.bin", body: "VBA"})
		}, document.Kind{}, document.ErrMacroEnabled},
		{"docx carrying a VBA project part", func(t testing.TB) []byte {
			return buildZip(t,
				zipEntry{name: "[Content_Types].xml", body: contentTypes},
				zipEntry{name: "word/document.xml", body: "<w:document/>"},
				zipEntry{name: "word/VBAPROJECT.BIN", body: "VBA"})
		}, document.Kind{}, document.ErrMacroEnabled},
		{"docx declaring a macro-enabled main part", func(t testing.TB) []byte {
			return buildZip(t,
				zipEntry{name: "[Content_Types].xml", body: `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`},
				zipEntry{name: "word/document.xml", body: "<w:document/>"})
		}, document.Kind{}, document.ErrMacroEnabled},
		{"xlsm template declared after padding", func(t testing.TB) []byte {
			return buildZip(t,
				zipEntry{name: "[Content_Types].xml", body: "<Types>" + strings.Repeat("<!-- -->", 20000) +
					`<Override ContentType="application/vnd.ms-excel.template.macroEnabled.main+xml"/></Types>`},
				zipEntry{name: "xl/workbook.xml", body: "<workbook/>"})
		}, document.Kind{}, document.ErrMacroEnabled},
		{"truncated zip", func(t testing.TB) []byte {
			return sampleDOCX(t)[:40]
		}, document.Kind{}, document.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.content(t)
			got, err := document.Detect(bytes.NewReader(b), int64(len(b)))
			require.ErrorIs(t, err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Detect mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// errReaderAt fails every read.
type errReaderAt struct{ err error }

func (r errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestDetectReadError(t *testing.T) {
	t.Parallel()

	boom := errors.New("boom")
	_, err := document.Detect(errReaderAt{boom}, 100)
	require.ErrorIs(t, err, boom)
	require.NotErrorIs(t, err, document.ErrUnsupported)
}

func TestKindMatchesName(t *testing.T) {
	t.Parallel()

	tests := []struct {
		kind document.Kind
		name string
		want bool
	}{
		{document.PDF, "budget.PDF", true},
		{document.PDF, "budget.png", false},
		{document.PDF, "budget", false},
		{document.JPEG, "photo.jpeg", true},
		{document.JPEG, `C:\photos\photo.JPG`, true},
		{document.DOCX, "plan.doc", false},
		{document.ODT, "plan.odt", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.kind.MatchesName(tt.name), "%s %q", tt.kind.Ext, tt.name)
	}
}

func TestMacroEnabledName(t *testing.T) {
	t.Parallel()

	for name, want := range map[string]bool{
		"plan.docm": true, "BUDGET.XLSM": true, "deck.pptm": true, "letter.dotm": true, "sheet.xltm": true,
		`C:\files\plan.Docm`: true, "plan.docx": false, "budget.xlsx": false, "docm": false, "plan.docm.pdf": false,
	} {
		require.Equal(t, want, document.MacroEnabledName(name), name)
	}
}

func TestSanitiseFilename(t *testing.T) {
	t.Parallel()

	long := strings.Repeat("a", 200)
	tests := []struct {
		in, want string
	}{
		{"budget.pdf", "budget.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\sam\Budget 2027.xlsx`, "Budget 2027.xlsx"},
		{"dir/sub\\file.pdf", "file.pdf"},
		{".htaccess", "htaccess"},
		{"...hidden.pdf", "hidden.pdf"},
		{" . .pdf", "pdf"},
		{"report\x00.pdf", "report.pdf"},
		{"a\tb\n  c.docx", "a b c.docx"},
		{"Café plan (v2) — final_draft.odt", "Café plan (v2) final_draft.odt"},
		{"Ἀθῆναι.pdf", "Ἀθῆναι.pdf"},
		{"<script>alert(1)</script>.html", "script.html"},
		{`a<b>c:"d"|e?*.txt`, "abcde.txt"},
		{"evil\u202egpj.exe", "evilgpj.exe"},
		{"bad\xffutf8.png", "badutf8.png"},
		{"name.", "name"},
		{"", "document"},
		{"///", "document"},
		{"...", "document"},
		{"?*:|\"<>", "document"},
		{long + ".pdf", strings.Repeat("a", 116) + ".pdf"},
		{long, strings.Repeat("a", 120)},
		{long + ".not an extension", strings.Repeat("a", 120)},
		{strings.Repeat("é", 130) + ".docx", strings.Repeat("é", 115) + ".docx"},
		{strings.Repeat("a", 115) + " bbbbbbbbbb.pdf", strings.Repeat("a", 115) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, document.SanitiseFilename(tt.in))
		})
	}
}

func TestUploadName(t *testing.T) {
	for _, c := range []struct {
		name string
		kind document.Kind
		want string
		err  string
	}{
		{"budget.pdf", document.PDF, "budget.pdf", ""},
		{"../../etc/passwd", document.PDF, "passwd.pdf", ""},
		{"Photo.JPEG", document.JPEG, "Photo.JPEG", ""},
		{"notes", document.ODT, "notes.odt", ""},
		{"budget.docx", document.PDF, "", "named as docx but its content is pdf"},
		{"plan.docm", document.DOCX, "", document.ErrMacroEnabled.Error()},
		{"plan.xlsm.", document.XLSX, "", document.ErrMacroEnabled.Error()},
	} {
		got, err := document.UploadName(c.name, c.kind)
		if c.err != "" {
			require.EqualError(t, err, c.err, c.name)
			continue
		}
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, got, c.name)
	}
}

// A zip bomb is recognised from a bounded read of it: Detect allocates a
// few megabytes at most however far its entries would inflate.
func TestDetectZipBombReadsABoundedPrefix(t *testing.T) {
	bomb := zipBomb(t)
	require.Less(t, len(bomb), 1<<20, "the bomb is small on disk")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kind, err := document.Detect(bytes.NewReader(bomb), int64(len(bomb)))
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, document.DOCX, kind)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "Detect inflated the bomb")
}
