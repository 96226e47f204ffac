// Package scoring computes assessment totals, the one place the weighted
// formula lives: an assessor's total is Σ(score/max × weight) / Σ weight ×
// 100, rounded half up to two decimals and kept as integer hundredths
// (8000 is 80, 7333 is 73.33), so totals compare and sum exactly. An
// application's total is the mean of its assessors' totals, unless a
// manager moderated it.
package scoring

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"strconv"
)

// Criterion is what a score is measured against.
type Criterion struct {
	Key      string
	Weight   int
	MaxScore int
}

// Hundredths is a total in hundredths of a point, 0..10000.
type Hundredths int64

// MarshalJSON writes the total as a JSON number with up to two decimals:
// 80, 73.33, 66.5.
func (h Hundredths) MarshalJSON() ([]byte, error) {
	return []byte(h.String()), nil
}

// String formats the total like its JSON form.
func (h Hundredths) String() string {
	sign := ""
	v := int64(h)
	if v < 0 {
		sign, v = "-", -v
	}
	s := sign + strconv.FormatInt(v/100, 10)
	switch frac := v % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += "." + strconv.FormatInt(frac/10, 10)
	default:
		s += fmt.Sprintf(".%02d", frac)
	}
	return s
}

// ErrIncomplete is a score set that misses a criterion or holds a score
// outside 0..max.
var ErrIncomplete = errors.New("scores incomplete or out of range")

// AssessorTotal is one assessor's weighted total over every criterion.
func AssessorTotal(criteria []Criterion, scores map[string]int) (Hundredths, error) {
	if len(criteria) == 0 {
		return 0, fmt.Errorf("%w: no criteria", ErrIncomplete)
	}
	sum := new(big.Rat)
	weights := new(big.Int) // big, so no weight or score can overflow
	for _, c := range criteria {
		s, ok := scores[c.Key]
		if !ok || s < 0 || s > c.MaxScore || c.MaxScore <= 0 || c.Weight <= 0 {
			return 0, fmt.Errorf("%w: %s", ErrIncomplete, c.Key)
		}
		part := new(big.Int).Mul(big.NewInt(int64(s)), big.NewInt(int64(c.Weight)))
		sum.Add(sum, new(big.Rat).SetFrac(part, big.NewInt(int64(c.MaxScore))))
		weights.Add(weights, big.NewInt(int64(c.Weight)))
	}
	// hundredths = sum / weights × 100 × 100
	sum.Mul(sum, new(big.Rat).SetFrac(big.NewInt(10000), weights))
	return Hundredths(roundHalfUp(sum)), nil
}

// Mean is the mean of totals, rounded half up; 0 for none.
func Mean(totals []Hundredths) Hundredths {
	if len(totals) == 0 {
		return 0
	}
	var sum int64
	for _, t := range totals {
		sum += int64(t)
	}
	return Hundredths(roundHalfUp(big.NewRat(sum, int64(len(totals)))))
}

// Spread is the largest minus the smallest total; 0 for fewer than two.
func Spread(totals []Hundredths) Hundredths {
	if len(totals) < 2 {
		return 0
	}
	lo, hi := totals[0], totals[0]
	for _, t := range totals[1:] {
		lo, hi = min(lo, t), max(hi, t)
	}
	return hi - lo
}

// NeedsModeration reports whether the assessors disagree by more than
// threshold points.
func NeedsModeration(totals []Hundredths, thresholdPoints int) bool {
	return Spread(totals) > Hundredths(thresholdPoints)*100
}

// roundHalfUp rounds a non-negative rational to the nearest integer, halves up.
func roundHalfUp(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	num.Mul(num, big.NewInt(2))
	num.Add(num, den)
	den2 := new(big.Int).Mul(den, big.NewInt(2))
	return new(big.Int).Div(num, den2).Int64() // floor((2n + d) / 2d)
}

// ApplicationTotal is an application's total: the moderated total where a
// manager set one, else the mean of its assessors' totals; nil when there
// is neither (nobody has scored yet).
func ApplicationTotal(moderated *int64, assessorTotals []Hundredths) *Hundredths {
	if moderated != nil {
		t := Hundredths(*moderated)
		return &t
	}
	if len(assessorTotals) == 0 {
		return nil
	}
	t := Mean(assessorTotals)
	return &t
}

// ParseHundredths reads a total given as a decimal with at most two
// places ("73.33", "80", "66.5") into hundredths, exactly; no floating
// point is involved.
func ParseHundredths(s string) (Hundredths, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("more than two decimal places: %q", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("out of range: %q", s)
	}
	return Hundredths(r.Num().Int64()), nil
}

// CompareTotals orders application totals best first, for rankings:
// higher before lower, any total before none (nobody has scored). It
// returns a negative number when x ranks before y, as slices.SortFunc
// expects.
func CompareTotals(x, y *Hundredths) int {
	switch {
	case x != nil && y != nil:
		return cmp.Compare(*y, *x)
	case x != nil:
		return -1
	case y != nil:
		return 1
	}
	return 0
}
