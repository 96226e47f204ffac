package money_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/money"
)

func TestParsePounds(t *testing.T) {
	t.Parallel()
	ok := map[string]int64{
		"0": 0, "1": 100, "2500": 250000, "2,500": 250000, "£2,500.50": 250050, " 2500.5 ": 250050,
		"1250": 125000, "1,250": 125000, "£1,250.50": 125050, "1234.5": 123450, "  £ 12.05 ": 1205,
		".5": 50, "0.01": 1, "1.05": 105, "1,234,567.89": 123456789, "£500,000": 50000000, " 12 ": 1200,
		"9999999999999.99": money.MaxPence, "0009999999999999.99": money.MaxPence, "007": 700, "0.00": 0, "\t42\n": 4200,
	}
	for in, want := range ok {
		got, err := money.ParsePounds(in)
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	bad := map[string]error{
		"": money.ErrEmpty, "   ": money.ErrEmpty, "£": money.ErrEmpty, " £ ": money.ErrEmpty,
		"-5": money.ErrNegative, "-£5": money.ErrNegative, "£-5": money.ErrNegative, "-0.01": money.ErrNegative, "-": money.ErrSyntax,
		"12.345": money.ErrFraction, "2,000.555": money.ErrFraction, "1.234": money.ErrFraction, "0.001": money.ErrFraction,
		"1,2345": money.ErrSyntax, ",123": money.ErrSyntax, "1234,567": money.ErrSyntax, "1,,234": money.ErrSyntax, "1,234,": money.ErrSyntax,
		"1.2.3": money.ErrSyntax, "12.": money.ErrSyntax, "1.": money.ErrSyntax, ".": money.ErrSyntax, "1.5 0": money.ErrSyntax,
		"1e3": money.ErrSyntax, "abc": money.ErrSyntax, "12 000": money.ErrSyntax, "0x10": money.ErrSyntax, "+5": money.ErrSyntax,
		"１２": money.ErrSyntax, "١٢": money.ErrSyntax, "12.５": money.ErrSyntax, "--5": money.ErrSyntax, "££5": money.ErrSyntax,
		"5£": money.ErrSyntax, "$5": money.ErrSyntax, "1_000": money.ErrSyntax, "NaN": money.ErrSyntax, "1.-5": money.ErrSyntax,
		"99999999999999": money.ErrTooLarge, "12,345,678,901,234": money.ErrTooLarge, "92233720368547758.07": money.ErrTooLarge,
		"99999999999999999999999999999": money.ErrTooLarge,
	}
	for in, want := range bad {
		got, err := money.ParsePounds(in)
		require.ErrorIs(t, err, want, "%q", in)
		require.Zero(t, got, "%q", in)
		for _, other := range []error{money.ErrEmpty, money.ErrSyntax, money.ErrNegative, money.ErrFraction, money.ErrTooLarge} {
			if !errors.Is(other, want) {
				require.False(t, errors.Is(err, other), "%q is %v, not %v", in, want, other)
			}
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pence                                           int64
		pounds, poundsAndPence, grouped, input, decimal string
	}{
		{0, "£0", "£0.00", "0", "0", "0.00"},
		{1, "£0.01", "£0.01", "0.01", "0.01", "0.01"},
		{5, "£0.05", "£0.05", "0.05", "0.05", "0.05"},
		{10, "£0.10", "£0.10", "0.10", "0.10", "0.10"},
		{99, "£0.99", "£0.99", "0.99", "0.99", "0.99"},
		{100, "£1", "£1.00", "1", "1", "1.00"},
		{250000, "£2,500", "£2,500.00", "2,500", "2500", "2500.00"},
		{250050, "£2,500.50", "£2,500.50", "2,500.50", "2500.50", "2500.50"},
		{123456, "£1,234.56", "£1,234.56", "1,234.56", "1234.56", "1234.56"},
		{8400050, "£84,000.50", "£84,000.50", "84,000.50", "84000.50", "84000.50"},
		{50000000, "£500,000", "£500,000.00", "500,000", "500000", "500000.00"},
		{123456789, "£1,234,567.89", "£1,234,567.89", "1,234,567.89", "1234567.89", "1234567.89"},
		{-150, "-£1.50", "-£1.50", "-1.50", "-1.50", "-1.50"},
		{-5, "-£0.05", "-£0.05", "-0.05", "-0.05", "-0.05"},
		{-100000, "-£1,000", "-£1,000.00", "-1,000", "-1000", "-1000.00"},
		{money.MaxPence, "£9,999,999,999,999.99", "£9,999,999,999,999.99", "9,999,999,999,999.99", "9999999999999.99", "9999999999999.99"},
		{math.MaxInt64, "£92,233,720,368,547,758.07", "£92,233,720,368,547,758.07", "92,233,720,368,547,758.07",
			"92233720368547758.07", "92233720368547758.07"},
		{math.MinInt64, "-£92,233,720,368,547,758.08", "-£92,233,720,368,547,758.08", "-92,233,720,368,547,758.08",
			"-92233720368547758.08", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.pounds, money.Pounds(tt.pence), "Pounds(%d)", tt.pence)
		require.Equal(t, tt.poundsAndPence, money.PoundsAndPence(tt.pence), "PoundsAndPence(%d)", tt.pence)
		require.Equal(t, tt.grouped, money.Grouped(tt.pence), "Grouped(%d)", tt.pence)
		require.Equal(t, tt.input, money.Input(tt.pence), "Input(%d)", tt.pence)
		require.Equal(t, tt.decimal, money.Decimal(tt.pence), "Decimal(%d)", tt.pence)
	}
}
