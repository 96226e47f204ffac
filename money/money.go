package money

import (
	"errors"
	"strconv"
	"strings"
)

// MaxPence is the largest amount ParsePounds accepts:
// £9,999,999,999,999.99, thirteen digits of pounds. Every amount up to it
// is also exact as a JSON number read into a float64 (below 2^53).
const MaxPence int64 = 999_999_999_999_999

// Refusals of ParsePounds, to test with errors.Is.
var (
	// ErrEmpty: nothing but spaces and perhaps a pound sign was typed.
	ErrEmpty = errors.New("money: no amount")
	// ErrSyntax: not an amount in pounds: letters, signs other than a
	// leading minus, commas not between groups of three digits, a second
	// point, digits other than ASCII 0-9.
	ErrSyntax = errors.New("money: not an amount in pounds")
	// ErrNegative: a well-formed amount below zero.
	ErrNegative = errors.New("money: amount below zero")
	// ErrFraction: more than two decimal places (a fraction of a penny).
	ErrFraction = errors.New("money: fraction of a penny")
	// ErrTooLarge: more than MaxPence.
	ErrTooLarge = errors.New("money: amount too large")
)

// ParsePounds reads an amount in pounds as people type it and returns it
// as exact pence: "2500", "2,500", "£2,500.50", " 2500.5 ", "£ 12.05" and
// ".5" are accepted. Spaces around the amount and after the pound sign are
// ignored; commas must separate groups of three digits; at most two
// decimal places. Everything else is refused with one of the errors above.
func ParsePounds(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	}
	if rest, ok := strings.CutPrefix(s, "£"); ok {
		s = strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "-"); ok && !neg {
		neg, s = true, rest
	}
	if s == "" {
		if neg {
			return 0, ErrSyntax
		}
		return 0, ErrEmpty
	}
	whole, frac, dot := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, ErrSyntax
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrSyntax
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" && dot {
		whole = "0" // ".5"
	}
	if !digits(whole) || (dot && !digits(frac)) {
		return 0, ErrSyntax
	}
	if len(frac) > 2 {
		return 0, ErrFraction
	}
	if neg {
		return 0, ErrNegative
	}
	if len(strings.TrimLeft(whole, "0")) > 13 {
		return 0, ErrTooLarge
	}
	var pence int64 // at most 15 significant digits: no overflow
	for _, d := range []byte(whole + (frac + "00")[:2]) {
		pence = pence*10 + int64(d-'0')
	}
	return pence, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Pounds writes pence for people, grouped, with pence only when there are
// any: 250000 → "£2,500", 250050 → "£2,500.50", -150 → "-£1.50".
func Pounds(pence int64) string { return format(pence, "£", true, false) }

// PoundsAndPence writes pence for people with pence always shown, as
// messages and payment descriptions do: 100000 → "£1,000.00".
func PoundsAndPence(pence int64) string { return format(pence, "£", true, true) }

// Grouped writes pence for a pounds field that shows thousands separators:
// 50000000 → "500,000", 123450 → "1,234.50".
func Grouped(pence int64) string { return format(pence, "", true, false) }

// Input writes pence for a pounds field as people type it: 250000 →
// "2500", 250050 → "2500.50".
func Input(pence int64) string { return format(pence, "", false, false) }

// Decimal writes pence with exactly two decimals and no grouping, for bank
// files and CSV: 250050 → "2500.50", 5 → "0.05", -150 → "-1.50".
func Decimal(pence int64) string { return format(pence, "", false, true) }

// format is every formatter: an optional minus, the symbol, the pounds
// (grouped in threes with commas if group), and ".pp" when there are
// pence or always is set. It handles every int64, math.MinInt64 included.
func format(pence int64, symbol string, group, always bool) string {
	var b strings.Builder
	u := uint64(pence)
	if pence < 0 {
		b.WriteByte('-')
		u = uint64(-(pence + 1)) + 1 // no overflow at math.MinInt64
	}
	b.WriteString(symbol)
	whole := strconv.FormatUint(u/100, 10)
	for i := 0; i < len(whole); i++ {
		if group && i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if frac := u % 100; frac != 0 || always {
		b.WriteByte('.')
		b.WriteByte(byte('0' + frac/10))
		b.WriteByte(byte('0' + frac%10))
	}
	return b.String()
}
