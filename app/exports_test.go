package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
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

// readCSV checks the byte-order mark and parses the rest.
func readCSV(t *testing.T, write app.CSVExport) [][]string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, write(&buf))
	require.True(t, bytes.HasPrefix(buf.Bytes(), []byte{0xEF, 0xBB, 0xBF}), "UTF-8 byte-order mark")
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	require.NoError(t, err)
	return rows
}

// column is the cells of the named column, by the first column.
func column(t *testing.T, rows [][]string, name string) map[string]string {
	t.Helper()
	i := slices.Index(rows[0], name)
	require.GreaterOrEqual(t, i, 0, "column %s in %v", name, rows[0])
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[i]
	}
	return out
}

func TestExportGrantsCSV(t *testing.T) {
	t.Parallel()
	f := newGivingFixture(t)
	e, ctx := f.e, context.Background()
	_, err := e.App.ExportGrants(ctx, e.User(t, "finance@example.org", app.RoleFinance))
	require.Equal(t, 403, app.StatusOf(err))
	write, err := e.App.ExportGrants(ctx, e.Manager)
	require.NoError(t, err)
	rows := readCSV(t, write)
	require.Len(t, rows, 6, "every grant, the lapsed offer too")
	require.Equal(t, "'"+f.companyOrgName, column(t, rows, "organisation")[f.company.ID], "formula defused")
	require.Equal(t, "3000.00", column(t, rows, "award")[f.charity.ID])
	require.Equal(t, "1500.00", column(t, rows, "paid")[f.charity.ID])
	require.Equal(t, "lapsed", column(t, rows, "status")[f.lapsed.ID])
	require.Equal(t, app.DefaultPublicURL+"/cases/"+f.charity.AppID, column(t, rows, "link")[f.charity.ID])

	// The payments export carries the byte-order mark too.
	write, err = e.App.ExportPayments(ctx, e.Manager)
	require.NoError(t, err)
	require.Equal(t, "payment_id", readCSV(t, write)[0][0])
}

func TestExportApplicationsCSV(t *testing.T) {
	t.Parallel()
	f := newGivingFixture(t)
	e, ctx := f.e, context.Background()
	for _, bad := range []app.ApplicationExportFilter{{}, {RoundID: f.roots.ID, Status: "nonsense"}, {RoundID: f.roots.ID, Status: "draft"}} {
		_, err := e.App.ExportApplications(ctx, e.Manager, bad)
		require.Equal(t, 422, app.StatusOf(err), "%+v", bad)
	}
	_, err := e.App.ExportApplications(ctx, e.Manager, app.ApplicationExportFilter{RoundID: "rnd_nope"})
	require.Equal(t, 404, app.StatusOf(err))
	_, err = e.App.ExportApplications(ctx, e.User(t, "chair@example.org", app.RoleChair), app.ApplicationExportFilter{RoundID: f.roots.ID})
	require.Equal(t, 403, app.StatusOf(err))

	write, err := e.App.ExportApplications(ctx, e.Manager, app.ApplicationExportFilter{RoundID: f.roots.ID})
	require.NoError(t, err)
	rows := readCSV(t, write)
	require.Len(t, rows, 5, "the round's four applications: three grants and one awaiting a decision")
	for _, q := range append(slices.Clone(f.roots.Eligibility.Questions), f.roots.Form.Questions()...) {
		require.Contains(t, rows[0], q.Key, "a column per question")
	}
	require.Equal(t, "Peckham Elders (£1,000)", column(t, rows, "partners")[f.charity.AppID])
	require.Equal(t, "We will run weekly cooking clubs for isolated older people in Bermondsey.", column(t, rows, "summary")[f.charity.AppID])
	require.Equal(t, "Yes", column(t, rows, "london_work")[f.charity.AppID])
	require.Equal(t, "'"+f.companyOrgName, column(t, rows, "organisation")[f.company.AppID])
	require.Equal(t, app.DefaultPublicURL+"/cases/"+f.pending, column(t, rows, "link")[f.pending])

	write, err = e.App.ExportApplications(ctx, e.Manager, app.ApplicationExportFilter{RoundID: f.roots.ID, Status: app.StatusSubmitted})
	require.NoError(t, err)
	rows = readCSV(t, write)
	require.Len(t, rows, 2)
	require.Equal(t, f.pending, rows[1][0])
}
