package bacs

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/payments/bank"
)

// Field limits of a BACS payment.
const (
	MaxAccountName = 18 // characters of the payee's name
	MaxReference   = 18 // characters of the payment reference
)

// Header is the file's first line.
var Header = []string{"sort_code", "account_number", "account_name", "amount", "reference"}

// Row is one payment of a run.
type Row struct {
	SortCode      string // 6 digits
	AccountNumber string // 8 digits
	AccountName   string // cleaned as Reference does, cut to MaxAccountName
	Reference     string // cleaned by Reference
	AmountPence   int64  // must be positive
}

// WriteCSV writes the run's file: Header, then one line per row with the
// amount in pounds and pence ("1234.56"). Every row is checked before
// anything is written, so an error leaves w untouched: a sort code that is
// not 6 digits, an account number that is not 8, an amount that is not
// positive, or a name or reference with no character BACS accepts.
func WriteCSV(w io.Writer, rows []Row) error {
	records := make([][]string, 0, len(rows)+1)
	records = append(records, Header)
	for i, r := range rows {
		name, ref := clean(r.AccountName, MaxAccountName), clean(r.Reference, MaxReference)
		switch {
		case !bank.ValidSortCode(r.SortCode):
			return fmt.Errorf("payment run row %d: sort code must be 6 digits", i+1)
		case !bank.ValidAccountNumber(r.AccountNumber):
			return fmt.Errorf("payment run row %d: account number must be 8 digits", i+1)
		case r.AmountPence <= 0:
			return fmt.Errorf("payment run row %d: amount must be more than 0 pence, not %d", i+1, r.AmountPence)
		case name == "":
			return fmt.Errorf("payment run row %d: account name has no character BACS accepts", i+1)
		case ref == "":
			return fmt.Errorf("payment run row %d: reference has no character BACS accepts", i+1)
		}
		records = append(records, []string{r.SortCode, r.AccountNumber, name, money.Decimal(r.AmountPence), ref})
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("write payment run: %w", err)
	}
	return nil
}

// Reference returns s as a BACS payment reference: letters upper-cased
// (accents and ligatures reduced to their base letters), only A–Z, 0–9,
// space, '.', '-', '/' and '&' kept, runs of spaces collapsed, starting
// with a letter or digit (so it can never start a spreadsheet formula),
// and cut to MaxReference characters.
func Reference(s string) string {
	return clean(s, MaxReference)
}

func clean(s string, limit int) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(s) {
		r = unicode.ToUpper(r)
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.', r == '-', r == '/', r == '&':
			if b.Len() == 0 {
				continue // nothing but a letter or digit may come first
			}
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		default:
			continue // other characters, and the accents NFKD split off
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) > limit {
		out = strings.TrimRight(out[:limit], " ")
	}
	return out
}
