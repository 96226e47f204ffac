package bank

import (
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxAccountNameLength is the longest name on the account accepted, in
// characters.
const MaxAccountNameLength = 70

// Details are a UK bank account's details, as Parse returns them.
type Details struct {
	SortCode      string `json:"sort_code"`      // 6 digits, no separators: "123456"
	AccountNumber string `json:"account_number"` // 8 digits: "12345678"
	AccountName   string `json:"account_name"`   // the name on the account, trimmed
}

// Parse checks bank details as typed. The sort code may be written
// "12-34-56", "12 34 56" or "123456"; the account number may contain
// spaces. The map holds a message for every field that is wrong, keyed
// sort_code, account_number or account_name; it is nil, and Details set,
// only when all three are valid.
func Parse(sortCode, accountNumber, accountName string) (Details, map[string]string) {
	errs := map[string]string{}
	d := Details{
		SortCode:      strip(sortCode, " -"),
		AccountNumber: strip(accountNumber, " "),
		AccountName:   strings.TrimSpace(accountName),
	}

	switch {
	case d.SortCode == "":
		errs["sort_code"] = "Enter a sort code"
	case !ValidSortCode(d.SortCode):
		errs["sort_code"] = "Sort code must be 6 digits, like 30-94-30"
	}

	switch {
	case d.AccountNumber == "":
		errs["account_number"] = "Enter an account number"
	case !ValidAccountNumber(d.AccountNumber):
		errs["account_number"] = "Account number must be 8 digits, like 00733445"
	}

	switch {
	case d.AccountName == "":
		errs["account_name"] = "Enter the name on the account"
	case !printable(d.AccountName):
		errs["account_name"] = "Name on the account must only include letters, numbers, spaces and punctuation"
	case utf8.RuneCountInString(d.AccountName) > MaxAccountNameLength:
		errs["account_name"] = "Name on the account must be 70 characters or fewer"
	}

	if len(errs) > 0 {
		return Details{}, errs
	}
	return d, nil
}

// ValidSortCode reports whether s is a sort code as Parse returns it: 6
// ASCII digits, no separators.
func ValidSortCode(s string) bool { return digits(s, 6) }

// ValidAccountNumber reports whether s is an account number as Parse
// returns it: 8 ASCII digits.
func ValidAccountNumber(s string) bool { return digits(s, 8) }

// MaskedSortCode returns the sort code with all but its last two digits
// hidden: "**-**-56".
func (d Details) MaskedSortCode() string {
	return "**-**-" + last(d.SortCode, 2)
}

// MaskedAccountNumber returns the account number with all but its last
// four digits hidden: "****5678".
func (d Details) MaskedAccountNumber() string {
	return "****" + last(d.AccountNumber, 4)
}

// String returns the details masked, so that printing them by mistake
// does not leak them.
func (d Details) String() string {
	return d.MaskedSortCode() + " " + d.MaskedAccountNumber() + " " + d.AccountName
}

// LogValue logs the details masked.
func (d Details) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("sort_code", d.MaskedSortCode()),
		slog.String("account_number", d.MaskedAccountNumber()),
	)
}

// strip removes every character of cut from the trimmed s.
func strip(s, cut string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(cut, r) {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// digits reports whether s is exactly n ASCII digits.
func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// last returns the last n bytes of s, or n stars if s is shorter.
func last(s string, n int) string {
	if len(s) < n {
		return strings.Repeat("*", n)
	}
	return s[len(s)-n:]
}
