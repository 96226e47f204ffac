package bank_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/civicgrants/grants/payments/bank"
)

func FuzzParse(f *testing.F) {
	f.Add("12-34-56", "12345678", "The Hive")
	f.Add("12 34 56", "1234 5678", " Zoë’s Café ")
	f.Add("", "", "")
	f.Add("12--34--56", "1234567", "\x00")
	f.Fuzz(func(t *testing.T, sortCode, accountNumber, accountName string) {
		d, errs := bank.Parse(sortCode, accountNumber, accountName)
		if errs != nil {
			if d != (bank.Details{}) {
				t.Fatalf("Parse with errors %v returned details %#v", errs, d)
			}
			if len(errs) == 0 {
				t.Fatal("an empty, non-nil error map")
			}
			for k, v := range errs {
				switch k {
				case "sort_code", "account_number", "account_name":
				default:
					t.Fatalf("unknown error key %q", k)
				}
				if v == "" {
					t.Fatalf("empty message for %s", k)
				}
			}
			return
		}
		if len(d.SortCode) != 6 || strings.Trim(d.SortCode, "0123456789") != "" {
			t.Fatalf("sort code %q is not 6 digits", d.SortCode)
		}
		if len(d.AccountNumber) != 8 || strings.Trim(d.AccountNumber, "0123456789") != "" {
			t.Fatalf("account number %q is not 8 digits", d.AccountNumber)
		}
		n := d.AccountName
		if n == "" || n != strings.TrimSpace(n) || !utf8.ValidString(n) || utf8.RuneCountInString(n) > bank.MaxAccountNameLength {
			t.Fatalf("account name %q is empty, untrimmed, not UTF-8 or too long", n)
		}
		if strings.IndexFunc(n, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			t.Fatalf("account name %q has an unprintable character", n)
		}
		if m := d.MaskedSortCode(); m != "**-**-"+d.SortCode[4:] {
			t.Fatalf("masked sort code %q", m)
		}
		if m := d.MaskedAccountNumber(); m != "****"+d.AccountNumber[4:] {
			t.Fatalf("masked account number %q", m)
		}
		again, errs := bank.Parse(d.SortCode, d.AccountNumber, d.AccountName)
		if errs != nil || again != d {
			t.Fatalf("Parse is not stable: %#v → %#v, %v", d, again, errs)
		}
	})
}
