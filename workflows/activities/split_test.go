package activities

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/civicgrants/grants/round"
)

// An award's tranches and a variation's re-spread are exact pence: each
// share rounded down, the remainder on the last, whatever the amount.
func TestSplitsAreExactPence(t *testing.T) {
	t.Parallel()
	schedule := func(percents ...int) []round.Instalment {
		out := make([]round.Instalment, len(percents))
		for i, p := range percents {
			out[i] = round.Instalment{Percent: p, Condition: round.ConditionOnAcceptance}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		got  []int64
		want []int64
	}{
		{"halves", tranches(200000, schedule(50, 50)), []int64{100000, 100000}},
		{"a third rounded down, the remainder last", tranches(150001, schedule(33, 67)), []int64{49500, 100501}},
		{"a penny", tranches(1, schedule(50, 50)), []int64{0, 1}},
		{"no overflow at the largest amount", tranches(math.MaxInt64, schedule(50, 50)), []int64{math.MaxInt64 / 2, math.MaxInt64 - math.MaxInt64/2}},
		{"no schedule", tranches(100, nil), []int64{}},
		{"in proportion to the weights", spread(100, []int64{1, 1, 1}), []int64{33, 33, 34}},
		{"zero weights: all on the last", spread(100, []int64{0, 0}), []int64{0, 100}},
		{"nothing to spread", spread(0, []int64{3, 7}), []int64{0, 0}},
	} {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
