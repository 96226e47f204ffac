package bacs_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments/bacs"
)

func TestReference(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"GRANT 123", "GRANT 123"},
		{"ref g-123/2 & co.", "REF G-123/2 & CO."},
		{"Zoë’s Café", "ZOES CAFE"},
		{"ﬁnance Ａ１", "FINANCE A1"}, // ligature and full-width forms
		{"  lots   of\tspace  ", "LOTS OF SPACE"},
		{"Civic Grants payment 2027-001", "CIVIC GRANTS PAYME"},
		{"ABCDEFGHIJKLMNOPQ RST", "ABCDEFGHIJKLMNOPQ"}, // no trailing space after the cut
		{"=HYPERLINK(\"http://x\")", "HYPERLINKHTTP//X"},
		{"-2+3+cmd|' /C calc'!A0", "23CMD /C CALCA0"},
		{"+44 20 7946 0000", "44 20 7946 0000"},
		{"@SUM(A1:A9)", "SUMA1A9"},
		{"\t=1", "1"},
		{"--./&", ""},
		{"漢字", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := bacs.Reference(tt.in)
		require.Equal(t, tt.want, got, "Reference(%q)", tt.in)
		require.Equal(t, got, bacs.Reference(got), "not stable for %q", tt.in)
	}
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := bacs.WriteCSV(&buf, []bacs.Row{
		{SortCode: "123456", AccountNumber: "00733445", AccountName: "The Hive, Community Interest Company", Reference: "grant-7 tranche 1", AmountPence: 123456},
		{SortCode: "654321", AccountNumber: "12345678", AccountName: "=cmd|'/C calc'!A0", Reference: "\"quoted\", ref", AmountPence: 5},
	})
	require.NoError(t, err)
	require.Equal(t, strings.Join([]string{
		"sort_code,account_number,account_name,amount,reference",
		"123456,00733445,THE HIVE COMMUNITY,1234.56,GRANT-7 TRANCHE 1",
		"654321,12345678,CMD/C CALCA0,0.05,QUOTED REF",
		"",
	}, "\n"), buf.String())
}

func TestWriteCSVEmptyRun(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, bacs.WriteCSV(&buf, nil))
	require.Equal(t, "sort_code,account_number,account_name,amount,reference\n", buf.String())
}

func TestWriteCSVRejectsBadRows(t *testing.T) {
	t.Parallel()
	good := bacs.Row{SortCode: "123456", AccountNumber: "12345678", AccountName: "The Hive", Reference: "G1", AmountPence: 100}
	tests := []struct {
		name   string
		change func(*bacs.Row)
		want   string
	}{
		{"zero amount", func(r *bacs.Row) { r.AmountPence = 0 }, "amount"},
		{"negative amount", func(r *bacs.Row) { r.AmountPence = -100 }, "amount"},
		{"short sort code", func(r *bacs.Row) { r.SortCode = "12345" }, "sort code"},
		{"formatted sort code", func(r *bacs.Row) { r.SortCode = "12-34-56" }, "sort code"},
		{"short account", func(r *bacs.Row) { r.AccountNumber = "1234567" }, "account number"},
		{"unusable name", func(r *bacs.Row) { r.AccountName = "漢字" }, "account name"},
		{"empty reference", func(r *bacs.Row) { r.Reference = "" }, "reference"},
	}
	for _, tt := range tests {
		bad := good
		tt.change(&bad)
		var buf bytes.Buffer
		err := bacs.WriteCSV(&buf, []bacs.Row{good, bad})
		require.ErrorContains(t, err, "row 2", tt.name)
		require.ErrorContains(t, err, tt.want, tt.name)
		require.Zero(t, buf.Len(), "%s: nothing written", tt.name)
	}
}
