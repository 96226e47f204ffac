package organisation

import (
	"regexp"
	"strings"
)

var (
	charityNumberRE = regexp.MustCompile(`^(?:[0-9]{6,8}|SC[0-9]{6})$`)
	companyNumberRE = regexp.MustCompile(`^[A-Z0-9]{8}$`)
	// postcodeRE matches a UK postcode with the spaces removed: the outward
	// code (A9, A99, A9A, AA9, AA99, AA9A) then the inward code (9AA), with
	// the letters each position may hold, plus the special GIR 0AA.
	postcodeRE = regexp.MustCompile(`^(?:GIR0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)[0-9][ABD-HJLNP-UW-Z]{2})$`)
)

// ValidCharityNumber reports whether s is a registered charity number in its
// canonical form: 6 to 8 digits (England and Wales) or "SC" followed by 6
// digits (Scotland). Normalise an Input first to accept lower case or spaces.
func ValidCharityNumber(s string) bool {
	return charityNumberRE.MatchString(s)
}

// ValidCompanyNumber reports whether s is a Companies House number in its
// canonical form: exactly 8 upper-case letters or digits, such as "01234567",
// "SC123456" or "OC123456".
func ValidCompanyNumber(s string) bool {
	return companyNumberRE.MatchString(s)
}

// NormaliseNumber upper-cases a charity or company number and removes all
// whitespace, the form in which numbers are stored and compared.
func NormaliseNumber(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// NormalisePostcode validates s as a UK postcode and returns it in upper case
// with exactly one space before the inward code ("se1 7pb" → "SE1 7PB"). The
// second result is false, and the first empty, when s is not a postcode.
func NormalisePostcode(s string) (string, bool) {
	compact := NormaliseNumber(s)
	if !postcodeRE.MatchString(compact) {
		return "", false
	}
	n := len(compact) - 3
	return compact[:n] + " " + compact[n:], true
}

// Org-id prefixes (org-id.guide) of the registers an identifier names.
const (
	OrgIDCharityEnglandWales = "GB-CHC"
	OrgIDCharityScotland     = "GB-SC"
	OrgIDCompany             = "GB-COH"
)

// Identifier is an organisation's org-id: GB-CHC-<number> for an England
// and Wales charity number, GB-SC-<SC number> for a Scottish one,
// GB-COH-<company number> for a company, else the funder's own,
// <ownPrefix>-<id> (ownPrefix like "360G-cityhall"). Numbers are
// normalised first; a charity number wins over a company number.
func Identifier(charityNumber, companyNumber, ownPrefix, id string) string {
	if n := NormaliseNumber(charityNumber); n != "" {
		if strings.HasPrefix(n, "SC") {
			return OrgIDCharityScotland + "-" + n
		}
		return OrgIDCharityEnglandWales + "-" + n
	}
	if n := NormaliseNumber(companyNumber); n != "" {
		return OrgIDCompany + "-" + n
	}
	return ownPrefix + "-" + id
}
