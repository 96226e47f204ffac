package scoring

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

var example = []Criterion{{"need", 40, 5}, {"led_by", 30, 5}, {"delivery", 30, 5}}

func TestAssessorTotal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		criteria []Criterion
		scores   map[string]int
		want     Hundredths
		json     string
	}{
		{"full marks", example, map[string]int{"need": 5, "led_by": 5, "delivery": 5}, 10000, "100"},
		{"nothing", example, map[string]int{"need": 0, "led_by": 0, "delivery": 0}, 0, "0"},
		{"four fifths", example, map[string]int{"need": 4, "led_by": 4, "delivery": 4}, 8000, "80"},
		// 3/5×40 + 3/5×30 + 5/5×30 = 24 + 18 + 30 = 72
		{"mixed", example, map[string]int{"need": 3, "led_by": 3, "delivery": 5}, 7200, "72"},
		// equal weights, maxes 3: (1/3+1/3+0)/3 = 2/9 = 22.222… → 22.22
		{"thirds", []Criterion{{"a", 1, 3}, {"b", 1, 3}, {"c", 1, 3}}, map[string]int{"a": 1, "b": 1, "c": 0}, 2222, "22.22"},
		// 2/3 = 66.666… → 66.67
		{"two thirds", []Criterion{{"a", 1, 3}}, map[string]int{"a": 2}, 6667, "66.67"},
		// 1/8 = 12.5 exactly
		{"eighth", []Criterion{{"a", 1, 8}}, map[string]int{"a": 1}, 1250, "12.5"},
		// 1/32 = 3.125 → 3.13 (half up)
		{"half up", []Criterion{{"a", 1, 32}}, map[string]int{"a": 1}, 313, "3.13"},
	} {
		got, err := AssessorTotal(tc.criteria, tc.scores)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
		raw, err := json.Marshal(got)
		require.NoError(t, err)
		require.Equal(t, tc.json, string(raw), tc.name)
	}
}

func TestAssessorTotalRejectsBadScores(t *testing.T) {
	t.Parallel()
	for _, scores := range []map[string]int{
		{"need": 5, "led_by": 5},                 // missing
		{"need": 6, "led_by": 5, "delivery": 5},  // over max
		{"need": -1, "led_by": 5, "delivery": 5}, // negative
	} {
		_, err := AssessorTotal(example, scores)
		require.ErrorIs(t, err, ErrIncomplete)
	}
	_, err := AssessorTotal(nil, nil)
	require.ErrorIs(t, err, ErrIncomplete)
}

func TestMeanSpreadModeration(t *testing.T) {
	t.Parallel()
	require.Equal(t, Hundredths(7667), Mean([]Hundredths{8000, 7333, 7667}))
	require.Equal(t, Hundredths(6667), Mean([]Hundredths{6666, 6667, 6667})) // 6666.67 → 6667
	require.Equal(t, Hundredths(0), Mean(nil))
	require.Equal(t, Hundredths(2100), Spread([]Hundredths{8000, 5900, 7000}))
	require.Equal(t, Hundredths(0), Spread([]Hundredths{8000}))
	require.True(t, NeedsModeration([]Hundredths{8000, 5900}, 20))
	require.False(t, NeedsModeration([]Hundredths{8000, 6000}, 20), "exactly the threshold is not more than it")
}

func FuzzAssessorTotalInRange(f *testing.F) {
	f.Add(3, 4, 5, 10, 20, 30, 5, 5, 5)
	f.Fuzz(func(t *testing.T, a, b, c, wa, wb, wc, ma, mb, mc int) {
		crit := []Criterion{{"a", wa, ma}, {"b", wb, mb}, {"c", wc, mc}}
		got, err := AssessorTotal(crit, map[string]int{"a": a, "b": b, "c": c})
		if err != nil {
			return
		}
		if got < 0 || got > 10000 {
			t.Fatalf("total %d out of range", got)
		}
	})
}

func TestApplicationTotal(t *testing.T) {
	t.Parallel()
	require.Nil(t, ApplicationTotal(nil, nil))
	require.Equal(t, Hundredths(7667), *ApplicationTotal(nil, []Hundredths{8000, 7333}))
	m := int64(5000)
	require.Equal(t, Hundredths(5000), *ApplicationTotal(&m, []Hundredths{8000, 7333}), "the moderated total wins")
}

func TestParseHundredths(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Hundredths{"80": 8000, "73.33": 7333, "66.5": 6650, "0": 0, "100.00": 10000, "1e1": 1000} {
		got, err := ParseHundredths(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"73.333", "abc", "", "1e40"} {
		_, err := ParseHundredths(in)
		require.Error(t, err, in)
	}
}

func TestCompareTotals(t *testing.T) {
	t.Parallel()
	hi, lo := Hundredths(8000), Hundredths(6000)
	require.Negative(t, CompareTotals(&hi, &lo))
	require.Positive(t, CompareTotals(&lo, &hi))
	require.Negative(t, CompareTotals(&lo, nil), "a total ranks before none")
	require.Positive(t, CompareTotals(nil, &lo))
	require.Zero(t, CompareTotals(nil, nil))
	require.Zero(t, CompareTotals(&hi, &hi))
}
