package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

func TestSafeCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                 "",
		"Bermondsey":       "Bermondsey",
		"=SUM(A1:A9)":      "'=SUM(A1:A9)",
		"+44 20":           "'+44 20",
		"-1":               "'-1",
		"@cmd":             "'@cmd",
		"\tx":              "'\tx",
		"\rx":              "'\rx",
		"a=b":              "a=b",
		"tr_1":             "tr_1",
		"2027-03-01T10:00": "2027-03-01T10:00",
	} {
		require.Equal(t, want, app.SafeCell(in), "%q", in)
	}
}
