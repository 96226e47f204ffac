package document

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// ErrUnsupported reports that a file's content is not one of the accepted
// kinds.
var ErrUnsupported = errors.New("unsupported document type")

// ErrMacroEnabled reports a macro-enabled Office file (.docm, .xlsm, .pptm,
// .dotm, .xltm and the like), refused whatever it is named: it carries a
// VBA project. It is also an ErrUnsupported.
var ErrMacroEnabled = fmt.Errorf("%w: macro-enabled office file", ErrUnsupported)

// macroExtensions are the names of macro-enabled Office files, refused by
// name as well as by content.
var macroExtensions = []string{".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppam", ".ppsm", ".sldm"}

// MacroEnabledName reports whether a file name's extension
// (case-insensitive) is that of a macro-enabled Office file.
func MacroEnabledName(name string) bool {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	for _, m := range macroExtensions {
		if ext == m {
			return true
		}
	}
	return false
}

// Kind is an accepted type of document.
type Kind struct {
	// MIME is the media type, e.g. "application/pdf".
	MIME string `json:"mime_type"`
	// Ext is the usual file extension with its dot, e.g. ".pdf".
	Ext string `json:"ext"`
}

// The accepted kinds of document.
var (
	// PDF is a Portable Document Format file.
	PDF = Kind{MIME: "application/pdf", Ext: ".pdf"}
	// PNG is a Portable Network Graphics image.
	PNG = Kind{MIME: "image/png", Ext: ".png"}
	// JPEG is a JPEG image.
	JPEG = Kind{MIME: "image/jpeg", Ext: ".jpg"}
	// DOCX is a Microsoft Word (Office Open XML) document.
	DOCX = Kind{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Ext: ".docx"}
	// XLSX is a Microsoft Excel (Office Open XML) workbook.
	XLSX = Kind{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Ext: ".xlsx"}
	// ODT is an OpenDocument text document.
	ODT = Kind{MIME: "application/vnd.oasis.opendocument.text", Ext: ".odt"}
)

// Kinds lists every accepted kind.
var Kinds = []Kind{PDF, PNG, JPEG, DOCX, XLSX, ODT}

// MatchesName reports whether a file name's extension (case-insensitive)
// fits the kind, so a caller can reject a file that is not what its name
// claims. ".jpeg" is accepted for JPEG.
func (k Kind) MatchesName(name string) bool {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	return ext == k.Ext || (k == JPEG && ext == ".jpeg")
}

var (
	pdfMagic  = []byte("%PDF-")
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	zipMagic  = []byte("PK\x03\x04")
)

// odtMIME is the exact content of an ODT file's "mimetype" entry.
const odtMIME = "application/vnd.oasis.opendocument.text"

// maxMimetypeEntry bounds how much of a zip's "mimetype" entry is read.
const maxMimetypeEntry = 100

// maxContentTypesEntry bounds how much of an OOXML package's
// "[Content_Types].xml" is read when looking for macro content types.
const maxContentTypesEntry = 1 << 20

// Detect works out the kind of the size bytes in r from their content alone.
// Zip-based office files are recognised by the names of their entries and, for
// ODT, the small "mimetype" entry; nothing else in the archive is
// decompressed. Any other content, including empty input, plain zips and
// other OpenDocument types, gives ErrUnsupported; a failure to read r is
// returned wrapped.
func Detect(r io.ReaderAt, size int64) (Kind, error) {
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Kind{}, fmt.Errorf("read header: %w", err)
	}
	head = head[:min(int64(n), max(size, 0))]

	switch {
	case bytes.HasPrefix(head, pdfMagic):
		return PDF, nil
	case bytes.HasPrefix(head, pngMagic):
		return PNG, nil
	case bytes.HasPrefix(head, jpegMagic):
		return JPEG, nil
	case bytes.HasPrefix(head, zipMagic):
		return detectZip(r, size)
	}
	return Kind{}, ErrUnsupported
}

// detectZip recognises DOCX, XLSX and ODT archives.
func detectZip(r io.ReaderAt, size int64) (Kind, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		// Malformed archives and insecure entry names alike are not
		// documents we accept.
		return Kind{}, ErrUnsupported
	}
	var contentTypes, word, workbook, vba bool
	var mimetype, types *zip.File
	for _, f := range zr.File {
		lower := strings.ToLower(f.Name)
		if strings.HasSuffix(lower, "vbaproject.bin") || strings.HasSuffix(lower, "vbadata.xml") {
			vba = true // a VBA project part: the file carries macros
		}
		switch {
		case strings.EqualFold(f.Name, "[Content_Types].xml"):
			contentTypes = true
			if types == nil {
				types = f
			}
		case strings.EqualFold(f.Name, "word/document.xml"):
			word = true
		case strings.EqualFold(f.Name, "xl/workbook.xml"):
			workbook = true
		case f.Name == "mimetype" && mimetype == nil:
			mimetype = f
		}
	}
	if vba || (types != nil && declaresMacros(types)) {
		return Kind{}, ErrMacroEnabled
	}
	switch {
	case contentTypes && word:
		return DOCX, nil
	case contentTypes && workbook:
		return XLSX, nil
	case mimetype != nil && isODT(mimetype):
		return ODT, nil
	}
	return Kind{}, ErrUnsupported
}

// isODT reports whether a "mimetype" entry holds exactly the ODT media type,
// reading at most a few bytes of it however large it claims to be.
func isODT(f *zip.File) bool {
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMimetypeEntry))
	if err != nil {
		return false
	}
	return string(b) == odtMIME
}

// declaresMacros reports whether an OOXML package's content types declare a
// macro-enabled main part (…macroEnabled…) or a VBA project
// (application/vnd.ms-office.vbaProject), reading at most
// maxContentTypesEntry bytes of it. An entry that cannot be read counts as
// declaring them: such a package is not one we accept either.
func declaresMacros(f *zip.File) bool {
	rc, err := f.Open()
	if err != nil {
		return true
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxContentTypesEntry))
	if err != nil {
		return true
	}
	lower := bytes.ToLower(b)
	return bytes.Contains(lower, []byte("macroenabled")) || bytes.Contains(lower, []byte("vnd.ms-office.vbaproject"))
}

// NameMismatchError refuses a file whose name claims one accepted kind
// while its content is another (a PDF named "budget.docx").
type NameMismatchError struct {
	// Named is the kind the name claims; Content the kind detected.
	Named, Content Kind
}

func (e *NameMismatchError) Error() string {
	return fmt.Sprintf("named as %s but its content is %s", strings.TrimPrefix(e.Named.Ext, "."), strings.TrimPrefix(e.Content.Ext, "."))
}

// UploadName is the name an upload of kind k (detected from its content)
// is kept under: the client's name sanitised (SanitiseFilename), with k's
// extension added when it has no accepted one. A macro-enabled name is
// ErrMacroEnabled, and a name claiming another accepted kind a
// *NameMismatchError, whatever the content.
func UploadName(clientName string, k Kind) (string, error) {
	name := SanitiseFilename(clientName)
	if MacroEnabledName(name) {
		return "", ErrMacroEnabled
	}
	if k.MatchesName(name) {
		return name, nil
	}
	for _, named := range Kinds {
		if named.MatchesName(name) {
			return "", &NameMismatchError{Named: named, Content: k}
		}
	}
	return name + k.Ext, nil // no recognised extension: name it for what it is
}
