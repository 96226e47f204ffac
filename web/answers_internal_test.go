package web

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/money"
)

// An amount money.ParsePounds refuses is answered with a message saying
// what to type, one for each kind of refusal.
func TestAmountMessage(t *testing.T) {
	t.Parallel()
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
		_, err := money.ParsePounds(in)
		require.Equal(t, want, amountMessage(err), in)
	}
}
