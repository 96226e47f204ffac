package money_test

import (
	"errors"
	"math"
	"testing"

	"github.com/civicgrants/grants/money"
)

// formatters are every way pence are written; each must read back.
var formatters = map[string]func(int64) string{
	"Pounds": money.Pounds, "PoundsAndPence": money.PoundsAndPence, "Grouped": money.Grouped,
	"Input": money.Input, "Decimal": money.Decimal,
}

// FuzzParsePounds: ParsePounds never panics; what it accepts is an amount
// from 0 to MaxPence that every formatter writes back to the same pence;
// what it refuses is refused with one of the package's errors.
func FuzzParsePounds(f *testing.F) {
	for _, s := range []string{"2500", "2,500", "£2,500.50", " 2500.5 ", ".5", "-5", "12.345", "１２", "1,2345",
		"9999999999999.99", "99999999999999", "£ 12.05", "", "£", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := money.ParsePounds(s)
		if err != nil {
			if p != 0 {
				t.Fatalf("ParsePounds(%q) = %d with %v", s, p, err)
			}
			for _, known := range []error{money.ErrEmpty, money.ErrSyntax, money.ErrNegative, money.ErrFraction, money.ErrTooLarge} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("ParsePounds(%q): unknown error %v", s, err)
		}
		if p < 0 || p > money.MaxPence {
			t.Fatalf("ParsePounds(%q) = %d, outside 0..MaxPence", s, p)
		}
		for name, format := range formatters {
			if back, err := money.ParsePounds(format(p)); err != nil || back != p {
				t.Fatalf("ParsePounds(%s(%d) = %q) = %d, %v", name, p, format(p), back, err)
			}
		}
	})
}

// FuzzRoundTrip: every formatter handles every int64; an amount from 0 to
// MaxPence reads back exactly, a negative one is ErrNegative and a larger
// one ErrTooLarge.
func FuzzRoundTrip(f *testing.F) {
	for _, p := range []int64{0, 1, 99, 100, 250050, money.MaxPence, money.MaxPence + 1, -1, math.MaxInt64, math.MinInt64} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p int64) {
		for name, format := range formatters {
			s := format(p)
			back, err := money.ParsePounds(s)
			switch {
			case p < 0 && !errors.Is(err, money.ErrNegative):
				t.Fatalf("ParsePounds(%s(%d) = %q): %d, %v; want ErrNegative", name, p, s, back, err)
			case p > money.MaxPence && !errors.Is(err, money.ErrTooLarge):
				t.Fatalf("ParsePounds(%s(%d) = %q): %d, %v; want ErrTooLarge", name, p, s, back, err)
			case p >= 0 && p <= money.MaxPence && (err != nil || back != p):
				t.Fatalf("ParsePounds(%s(%d) = %q) = %d, %v", name, p, s, back, err)
			}
		}
	})
}
