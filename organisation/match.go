package organisation

import (
	"strings"
	"unicode"
)

// nameStopWords are dropped from names before they are compared.
var nameStopWords = map[string]bool{"ltd": true, "limited": true, "cic": true, "the": true}

// MatchKey returns the identity keys of an organisation for conflict
// detection: "charity:<number>" and "company:<number>" when those numbers are
// given (upper case, spaces removed) and "name:<name>" when the name has any
// words left after folding. The name is folded to lower case, apostrophes are
// removed, "&" becomes "and", other punctuation becomes a space, and the
// words "ltd", "limited", "cic" and "the" are dropped, so "The Hive Ltd." and
// "hive" share a key. Two organisations are the same if any keys are equal.
func MatchKey(name, charityNumber, companyNumber string) []string {
	var keys []string
	if n := NormaliseNumber(charityNumber); n != "" {
		keys = append(keys, "charity:"+n)
	}
	if n := NormaliseNumber(companyNumber); n != "" {
		keys = append(keys, "company:"+n)
	}
	if n := matchName(name); n != "" {
		keys = append(keys, "name:"+n)
	}
	return keys
}

// matchName folds an organisation name for comparison.
func matchName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '\'' || r == '\u2019' || r == '\u2018':
			// "St Mary's" and "St Marys" are the same name.
		case r == '&':
			b.WriteString(" and ")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	kept := words[:0]
	for _, w := range words {
		if !nameStopWords[w] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}
