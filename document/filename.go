package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameLength is the most runes SanitiseFilename returns.
const MaxFilenameLength = 120

// maxExtLength is the longest extension (with its dot) kept when a long name
// is shortened; anything longer is treated as part of the name.
const maxExtLength = 16

// fallbackFilename replaces a name with nothing usable left in it.
const fallbackFilename = "document"

// SanitiseFilename makes a client-supplied file name safe to store and show.
// It keeps only the base name (after the last "/" or "\"), drops control
// characters and everything but letters (in any script), digits, spaces and
// ". - _ ( )", turns whitespace into single spaces, strips leading dots and
// spaces and trailing dots and spaces, and shortens the name to
// MaxFilenameLength runes keeping its extension. A name with nothing left
// becomes "document". The result is valid UTF-8 and never empty.
func SanitiseFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}

	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			// Invalid UTF-8 (or U+FFFD itself) is dropped.
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r),
			r == '.', r == '-', r == '_', r == '(', r == ')':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	s := trimName(b.String())

	if utf8.RuneCountInString(s) > MaxFilenameLength {
		stem, ext := s, ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && isExt(s[i:]) {
			stem, ext = s[:i], s[i:]
		}
		keep := MaxFilenameLength - utf8.RuneCountInString(ext)
		stem = string([]rune(stem)[:keep])
		s = trimName(trimName(stem) + ext)
	}

	if s == "" {
		return fallbackFilename
	}
	return s
}

// trimName strips leading dots and spaces and trailing dots and spaces.
func trimName(s string) string {
	return strings.TrimRight(strings.TrimLeft(s, ". "), ". ")
}

// isExt reports whether s (starting with a dot) looks like a file extension:
// short and made only of letters and digits.
func isExt(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > maxExtLength {
		return false
	}
	for _, r := range s[1:] {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
