package opendata_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/opendata"
	"github.com/civicgrants/grants/opendata/schema"
)

func source() opendata.Source {
	applied := int64(1_250_050)
	return opendata.Source{
		GrantID: "gr_01", GivingPrefix: "360G-cityhall", FunderName: "Mayor of London",
		ProgrammeCode: "roots-incubator", ProgrammeName: "Roots Incubator",
		RecipientID: "GB-CHC-1234567", RecipientName: "Bermondsey Food Bank", CharityNumber: "1234567",
		Postcode: "SE1 7PB", Town: "London", BoroughName: "Southwark", BoroughGSS: "E09000028",
		Summary: "Weekly cooking clubs for isolated older people.", AppliedPence: &applied,
		AwardedPence: 1_200_001, DisbursedPence: 600_000,
		AwardDate: time.Date(2027, 3, 31, 23, 30, 0, 0, time.UTC), // 1 April in London
		Start:     time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC), Months: 12,
		Modified: time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC),
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	g := opendata.Build(source(), "https://grants.example/api/v1/open-data/roots-incubator/360giving.json")
	require.Equal(t, "360G-cityhall-gr_01", g.ID)
	require.Equal(t, "Bermondsey Food Bank – Roots Incubator", g.Title)
	require.NotEqual(t, g.Title, g.Description)
	require.Equal(t, json.Number("12500.50"), g.AmountAppliedFor)
	require.Equal(t, json.Number("12000.01"), g.AmountAwarded)
	require.Equal(t, json.Number("6000.00"), g.AmountDisbursed)
	require.Equal(t, "2027-04-01", g.AwardDate, "a London date")
	require.Equal(t, []opendata.Event{{StartDate: "2027-04-01", EndDate: "2028-03-31", Duration: 12}}, g.PlannedDates)
	require.Equal(t, []opendata.Location{{Name: "Southwark", CountryCode: "GB", GeoCode: "E09000028", GeoCodeType: "LAD"}}, g.BeneficiaryLocation)
	require.Equal(t, "360G-cityhall", g.FundingOrganization[0].ID)
	require.Equal(t, "Yes", g.FromOpenCall)
	require.Empty(t, opendata.Check(g, time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)))

	s := source()
	s.Summary = "Cooking clubs; ask Ada (ada.l@example.org) to join."
	require.Equal(t, "Cooking clubs; ask Ada ([e-mail address removed]) to join.", opendata.Build(s, "").Description, "no e-mail address is published")
	s = source()
	s.ProjectTitle, s.Summary = "Cooking clubs", ""
	g = opendata.Build(s, "")
	require.Equal(t, "Cooking clubs", g.Title)
	require.Equal(t, "A Roots Incubator grant from Mayor of London to Bermondsey Food Bank.", g.Description, "a description even without a summary")
}

func TestPounds(t *testing.T) {
	t.Parallel()
	for pence, want := range map[int64]string{0: "0.00", 1: "0.01", 99: "0.99", 100: "1.00", 1_500_000: "15000.00",
		math.MaxInt64: "92233720368547758.07"} {
		require.Equal(t, json.Number(want), opendata.Pounds(pence))
	}
}

func FuzzPounds(f *testing.F) {
	for _, p := range []int64{0, 1, 10, 100, 123456789, math.MaxInt64} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pence int64) {
		if pence < 0 {
			return
		}
		s := string(opendata.Pounds(pence))
		whole, frac, ok := strings.Cut(s, ".")
		require.True(t, ok, s)
		require.Len(t, frac, 2)
		require.Equal(t, pence/100, mustInt(t, whole))
		require.Equal(t, pence%100, mustInt(t, frac))
	})
}

func mustInt(t *testing.T, s string) int64 {
	n := json.Number(s)
	v, err := n.Int64()
	require.NoError(t, err)
	return v
}

// TestPackageIsValid streams grants and validates the package against the
// official schema with format checking on.
func TestPackageIsValid(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := opendata.NewJSONWriter(&buf, opendata.Package{Title: "Test", Description: "Grants"})
	require.NoError(t, err)
	s := source()
	require.NoError(t, w.Write(opendata.Build(s, "https://grants.example/open-data")))
	s.GrantID, s.AppliedPence, s.RecipientID, s.CharityNumber, s.CompanyNumber = "gr_02", nil, "GB-COH-09876543", "", "09876543"
	g := opendata.Build(s, "")
	g.Extensions = map[string]any{"dei": map[string]any{"leadership": "prefer_not_to_say"}}
	require.NoError(t, w.Write(g))
	require.NoError(t, w.Close())
	require.Equal(t, 2, w.Count())
	require.NoError(t, schema.Validate(buf.Bytes()), buf.String())
	var back struct {
		Grants []map[string]any `json:"grants"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	require.Len(t, back.Grants, 2)
	require.Contains(t, back.Grants[1], "dei", "extension fields are written on the grant")
	require.NotContains(t, back.Grants[1], "amountAppliedFor", "an unknown amount is left out")

	// The schema is really checked: a bad date-time and a bad currency fail.
	bad := strings.Replace(buf.String(), `"dateModified":"2027-04-02T09:00:00Z"`, `"dateModified":"yesterday"`, 1)
	require.Error(t, schema.Validate([]byte(bad)))
	bad = strings.Replace(buf.String(), `"currency":"GBP"`, `"currency":"POUNDS"`, 1)
	require.Error(t, schema.Validate([]byte(bad)))
}

// TestCheck: each of the Data Quality Tool's tests we implement finds the
// problem it is about.
func TestCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	good := opendata.Build(source(), "https://grants.example/open-data")
	require.Empty(t, opendata.Check(good, now))
	for check, spoil := range map[string]func(*opendata.Grant){
		"grant_id_prefix":        func(g *opendata.Grant) { g.ID = "cityhall-gr_01" },
		"title_description_same": func(g *opendata.Grant) { g.Description = strings.ToUpper(g.Title) },
		"title_description":      func(g *opendata.Grant) { g.Description = " " },
		"title_length":           func(g *opendata.Grant) { g.Title = strings.Repeat("x", 141) },
		"zero_amount":            func(g *opendata.Grant) { g.AmountAwarded = "0.00" },
		"award_date":             func(g *opendata.Grant) { g.AwardDate = "" },
		"award_date_future":      func(g *opendata.Grant) { g.AwardDate = "2027-05-02" },
		"recipient_org_prefix":   func(g *opendata.Grant) { g.RecipientOrganization[0].ID = "CHC-1234567" },
		"recipient_360g_id":      func(g *opendata.Grant) { g.RecipientOrganization[0].ID = "360G-cityhall-org_1" },
		"charity_number":         func(g *opendata.Grant) { g.RecipientOrganization[0].CharityNumber = "12" },
		"company_number":         func(g *opendata.Grant) { g.RecipientOrganization[0].CompanyNumber = "123" },
		"recipient_postcode":     func(g *opendata.Grant) { g.RecipientOrganization[0].PostalCode = "" },
		"beneficiary_location":   func(g *opendata.Grant) { g.BeneficiaryLocation = nil },
		"grant_programme":        func(g *opendata.Grant) { g.GrantProgramme[0].Title = "" },
		"planned_dates":          func(g *opendata.Grant) { g.PlannedDates = nil },
		"from_open_call":         func(g *opendata.Grant) { g.FromOpenCall = "" },
		"funding_org": func(g *opendata.Grant) {
			g.FundingOrganization = append(g.FundingOrganization, opendata.Organization{ID: "360G-other", Name: "Other"})
		},
		"looks_like_email": func(g *opendata.Grant) { g.Description = "Write to ada@example.org" },
		"impossible_dates": func(g *opendata.Grant) { g.PlannedDates[0].EndDate = "2027-03-01" },
		"no_last_modified": func(g *opendata.Grant) { g.DateModified = "" },
		"no_data_source":   func(g *opendata.Grant) { g.DataSource = "" },
	} {
		g := opendata.Build(source(), "https://grants.example/open-data")
		spoil(&g)
		var checks []string
		for _, f := range opendata.Check(g, now) {
			require.Equal(t, g.ID, f.GrantID)
			checks = append(checks, f.Check)
		}
		require.Equal(t, []string{check}, checks, check)
	}
}

func TestCSVRecord(t *testing.T) {
	t.Parallel()
	g := opendata.Build(source(), "https://grants.example/open-data")
	rec := opendata.CSVRecord(g)
	require.Len(t, rec, len(opendata.CSVHeader))
	row := map[string]string{}
	for i, h := range opendata.CSVHeader {
		row[h] = rec[i]
	}
	require.Equal(t, "360G-cityhall-gr_01", row["Identifier"])
	require.Equal(t, "12000.01", row["Amount Awarded"])
	require.Equal(t, "GB-CHC-1234567", row["Recipient Org:Identifier"])
	require.Equal(t, "E09000028", row["Beneficiary Location:Geographic Code"])
	require.Equal(t, "12", row["Planned Dates:Duration (months)"])
	require.Equal(t, "Yes", row["From An Open Call?"])
}
