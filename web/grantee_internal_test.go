package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Pounds as people type them become exact pence; anything else is
// refused with a message saying what to type.
func TestGranteeParsePence(t *testing.T) {
	t.Parallel()
	ok := map[string]int64{
		"0": 0, "1": 100, "1250": 125000, "1,250": 125000, "£1,250.50": 125050, "1234.5": 123450, "  £ 12.05 ": 1205,
		".5": 50, "0.01": 1, "1,234,567.89": 123456789, "9999999999999.99": 999999999999999, "007": 700,
	}
	for in, want := range ok {
		got, msg := granteeParsePence(in)
		require.Empty(t, msg, in)
		require.Equal(t, want, got, in)
	}
	bad := map[string]string{
		"":                   "Enter an amount",
		"£":                  "Enter an amount",
		"-5":                 "Enter an amount of £0 or more",
		"12.345":             "Enter an amount to the nearest penny, like 1,250.50",
		"1,2345":             "Enter an amount in pounds, like 1250 or 1,250.50",
		",123":               "Enter an amount in pounds, like 1250 or 1,250.50",
		"1234,567":           "Enter an amount in pounds, like 1250 or 1,250.50",
		"1.2.3":              "Enter an amount in pounds, like 1250 or 1,250.50",
		"12.":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"1e3":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"abc":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"12 000":             "Enter an amount in pounds, like 1250 or 1,250.50",
		"99999999999999":     "Enter a smaller amount",
		"0x10":               "Enter an amount in pounds, like 1250 or 1,250.50",
		"+5":                 "Enter an amount in pounds, like 1250 or 1,250.50",
		"１２":                 "Enter an amount in pounds, like 1250 or 1,250.50",
		"1.5 0":              "Enter an amount in pounds, like 1250 or 1,250.50",
		"12,345,678,901,234": "Enter a smaller amount",
	}
	for in, want := range bad {
		_, msg := granteeParsePence(in)
		require.Equal(t, want, msg, in)
	}
}
