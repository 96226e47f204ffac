package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/opendata"
	"github.com/civicgrants/grants/opendata/schema"
	"github.com/civicgrants/grants/organisation"
)

// givingFixture is a realistic export: both programmes, a partnership, a
// hosted group, a company, four boroughs, and an offer that lapsed.
type givingFixture struct {
	e                          *apptest.Env
	roots, spaces              app.Round
	charity, company, group    apptest.Grant
	lambeth, lapsed            apptest.Grant
	pending                    string // an application of the roots round awaiting a decision
	groupOrgID, companyOrgName string
}

func newGivingFixture(t *testing.T) *givingFixture {
	t.Helper()
	ctx := context.Background()
	e := apptest.New(t)
	f := &givingFixture{e: e}
	_, err := e.Store.Pool.Exec(ctx, `UPDATE programmes SET funder_name = 'Mayor of London', giving_prefix = '360G-cityhall',
		name = CASE code WHEN 'roots-incubator' THEN 'Roots Incubator' ELSE 'Spaces at Risk' END`)
	require.NoError(t, err)
	f.roots = e.Round(t, apptest.ExampleRound(t))
	def := apptest.ExampleRound(t)
	def.Programme, def.Name = "spaces-at-risk", "Spaces at Risk 2027"
	f.spaces = e.Round(t, def)
	income := int64(5_000_000)
	org := func(admin app.Actor, in organisation.Input) app.Organisation {
		in.AnnualIncomePence = &income
		o, err := e.App.CreateOrganisation(ctx, admin, in)
		require.NoError(t, err)
		return o
	}

	// A charity in Southwark, in partnership, half paid.
	f.charity = e.ActiveGrant(t, f.roots, "lead@example.org", 300_000)
	_, err = e.Store.Pool.Exec(ctx, `UPDATE applications SET partners = '[{"name": "Peckham Elders", "status": "confirmed", "share_pence": 100000, "share_purpose": "Transport"}]' WHERE id = $1`, f.charity.AppID)
	require.NoError(t, err)
	e.SetPayment(t, f.charity.Payments[0], "paid", "manual")

	// A company in Tower Hamlets, whose name a spreadsheet would run.
	companyAdmin := e.User(t, "company@example.org")
	f.companyOrgName = `=HYPERLINK("http://evil")`
	co := org(companyAdmin, organisation.Input{Name: f.companyOrgName, LegalForm: "company", CompanyNumber: "09876543",
		Borough: "Tower Hamlets", Address: organisation.Address{Line1: "2 Brick Lane", Town: "London", Postcode: "E1 6RF"}})
	f.company = e.ActiveGrantOf(t, f.roots, companyAdmin, co.ID, 400_000)

	// A group hosted by a charity, in Hackney, on the other programme.
	groupAdmin := e.User(t, "group@example.org")
	host := e.Organisation(t, groupAdmin, "Hackney Host Trust")
	group := org(groupAdmin, organisation.Input{Name: "Dalston Growers", LegalForm: "unconstituted_group", HostOrganisationID: host.ID,
		Borough: "Hackney", Address: organisation.Address{Line1: "3 Ridley Road", Town: "London", Postcode: "E8 2NP"}})
	f.groupOrgID = group.ID
	f.group = e.ActiveGrantOf(t, f.spaces, groupAdmin, group.ID, 150_000)

	// A charity in Lambeth on the other programme.
	lambethAdmin := e.User(t, "lambeth@example.org")
	lo := org(lambethAdmin, organisation.Input{Name: "Brixton Hall", LegalForm: "charity", CharityNumber: apptest.CharityNumber(),
		Borough: "Lambeth", Address: organisation.Address{Line1: "4 Coldharbour Lane", Town: "London", Postcode: "SW9 8LF"}})
	f.lambeth = e.ActiveGrantOf(t, f.spaces, lambethAdmin, lo.ID, 250_000)

	// An offer that lapsed is no award.
	f.lapsed = e.ActiveGrant(t, f.roots, "lapsed@example.org", 100_000)
	_, err = e.Store.Pool.Exec(ctx, `UPDATE grants SET status = 'lapsed' WHERE id = $1`, f.lapsed.ID)
	require.NoError(t, err)
	f.pending = e.Submitted(t, f.roots, "pending@example.org", true)
	return f
}

// export runs a 360Giving export as JSON and decodes it.
func givingJSON(t *testing.T, ex *app.GivingExport) ([]byte, []opendata.Grant, app.GivingReport) {
	t.Helper()
	var buf bytes.Buffer
	calls := 0
	rep, err := ex.WriteJSON(context.Background(), &buf, func(n int) { calls++; require.Equal(t, calls, n) })
	require.NoError(t, err)
	require.Equal(t, rep.Written, calls)
	require.EqualValues(t, ex.Total, rep.Written)
	var pkg struct {
		Grants []opendata.Grant `json:"grants"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &pkg), buf.String())
	return buf.Bytes(), pkg.Grants, rep
}

func TestExport360Giving(t *testing.T) {
	t.Parallel()
	f := newGivingFixture(t)
	e, ctx := f.e, context.Background()

	_, err := e.App.Export360Giving(ctx, e.User(t, "assessor@example.org", app.RoleAssessor), app.GivingQuery{})
	require.Equal(t, 403, app.StatusOf(err))

	// Equality answers: the charity agreed to publish them, the company
	// did not.
	answers := `{"leadership": {"answered": true, "groups": ["DEI090000"]}, "mission": {"answered": false, "groups": []},
		"beneficiaries": {"answered": true, "groups": ["DEI070400"]}}`
	for appID, publish := range map[string]bool{f.charity.AppID: true, f.company.AppID: false} {
		_, err := e.Store.Pool.Exec(ctx, `INSERT INTO equality_answers (application_id, answers, publish, updated_by) VALUES ($1, $2, $3, $4)`,
			appID, answers, publish, e.Manager.ID)
		require.NoError(t, err)
	}

	ex, err := e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{})
	require.NoError(t, err)
	raw, grants, rep := givingJSON(t, ex)
	require.NoError(t, schema.Validate(raw), string(raw))
	require.Contains(t, string(raw), app.DEIExtensionSchema)
	var withDEI []struct {
		ID         string `json:"id"`
		DEIDetails *struct {
			Leadership struct {
				AskedStatus string `json:"askedStatus"`
				ReplyStatus string `json:"replyStatus"`
				Response    *struct {
					TaxonomyCodes []string `json:"taxonomyCodes"`
				} `json:"response"`
			} `json:"leadership"`
			Mission struct {
				ReplyStatus string `json:"replyStatus"`
				Response    any    `json:"response"`
			} `json:"mission"`
			Project struct {
				Response *struct {
					TaxonomyCodes []string `json:"taxonomyCodes"`
				} `json:"response"`
			} `json:"project"`
		} `json:"deiDetails"`
	}
	var pkg struct {
		Grants json.RawMessage `json:"grants"`
	}
	require.NoError(t, json.Unmarshal(raw, &pkg))
	require.NoError(t, json.Unmarshal(pkg.Grants, &withDEI))
	published := 0
	for _, g := range withDEI {
		if g.DEIDetails == nil {
			continue
		}
		published++
		require.Equal(t, "360G-cityhall-"+f.charity.ID, g.ID, "only where the group agreed")
		require.Equal(t, "AS200", g.DEIDetails.Leadership.AskedStatus)
		require.Equal(t, "RS200", g.DEIDetails.Leadership.ReplyStatus)
		require.Equal(t, []string{"DEI090000"}, g.DEIDetails.Leadership.Response.TaxonomyCodes)
		require.Equal(t, "RS202", g.DEIDetails.Mission.ReplyStatus, "prefer not to say")
		require.Nil(t, g.DEIDetails.Mission.Response)
		require.Equal(t, []string{"DEI070400"}, g.DEIDetails.Project.Response.TaxonomyCodes)
	}
	require.Equal(t, 1, published)
	require.Zero(t, rep.FindingCount, "%+v", rep.Findings)
	require.Empty(t, rep.Unpublishable)

	byID := map[string]opendata.Grant{}
	for _, g := range grants {
		byID[g.ID] = g
	}
	require.Len(t, byID, 4, "accepted grants only, never the lapsed offer")
	require.NotContains(t, byID, "360G-cityhall-"+f.lapsed.ID)

	// Our own reading of the Data Quality Tool's checks, on every grant.
	today := time.Now().In(time.UTC).Add(24 * time.Hour).Format(time.DateOnly)
	for _, g := range grants {
		require.True(t, strings.HasPrefix(g.ID, "360G-cityhall-"), g.ID)
		require.NotEqual(t, strings.ToLower(g.Title), strings.ToLower(g.Description))
		require.NotEqual(t, "0.00", string(g.AmountAwarded))
		require.LessOrEqual(t, g.AwardDate, today)
		require.Len(t, g.BeneficiaryLocation, 1)
		require.Regexp(t, `^E09000\d{3}$`, g.BeneficiaryLocation[0].GeoCode)
		require.Equal(t, "LAD", g.BeneficiaryLocation[0].GeoCodeType)
		require.Regexp(t, `^(GB-CHC-|GB-COH-|360G-)`, g.RecipientOrganization[0].ID)
		require.NotEmpty(t, g.RecipientOrganization[0].PostalCode)
		require.NotEmpty(t, g.GrantProgramme[0].Title)
		require.Equal(t, "Yes", g.FromOpenCall)
		require.Equal(t, "360G-cityhall", g.FundingOrganization[0].ID)
		require.Equal(t, "Mayor of London", g.FundingOrganization[0].Name)
		require.Equal(t, 12, g.PlannedDates[0].Duration, "to the final report, 360 days on")
	}
	charity := byID["360G-cityhall-"+f.charity.ID]
	require.Equal(t, "GBP", charity.Currency)
	require.Equal(t, "3000.00", string(charity.AmountAwarded))
	require.Equal(t, "2500.00", string(charity.AmountAppliedFor))
	require.Equal(t, "1500.00", string(charity.AmountDisbursed))
	require.Equal(t, "E09000028", charity.BeneficiaryLocation[0].GeoCode)
	require.Equal(t, "Southwark", charity.BeneficiaryLocation[0].Name)
	require.Equal(t, "We will run weekly cooking clubs for isolated older people in Bermondsey.", charity.Description)
	require.Equal(t, "Org of [e-mail address removed] – Roots Incubator", charity.Title, "no e-mail address in a title")
	require.Equal(t, []opendata.Programme{{Code: "roots-incubator", Title: "Roots Incubator"}}, charity.GrantProgramme)
	require.Equal(t, "GB-CHC-"+charity.RecipientOrganization[0].CharityNumber, charity.RecipientOrganization[0].ID)

	company := byID["360G-cityhall-"+f.company.ID]
	require.Equal(t, "GB-COH-09876543", company.RecipientOrganization[0].ID)
	require.Equal(t, "09876543", company.RecipientOrganization[0].CompanyNumber)
	require.Equal(t, "E09000030", company.BeneficiaryLocation[0].GeoCode)

	group := byID["360G-cityhall-"+f.group.ID]
	require.Equal(t, app.DefaultOrgIDPrefix+"-"+f.groupOrgID, group.RecipientOrganization[0].ID, "a group has the funder's own org-id")
	require.Equal(t, "E09000012", group.BeneficiaryLocation[0].GeoCode)
	require.Equal(t, "E8 2NP", group.RecipientOrganization[0].PostalCode)
	require.Equal(t, "spaces-at-risk", group.GrantProgramme[0].Code)
	require.Equal(t, "E09000022", byID["360G-cityhall-"+f.lambeth.ID].BeneficiaryLocation[0].GeoCode)

	// Never a person's data: no signatory, no user's name or address.
	for _, s := range []string{"Ada Lovelace", "Test lead", "Chair of trustees"} {
		require.NotContains(t, string(raw), s)
	}

	// --since keeps grants modified since then.
	tomorrow := time.Now().Add(24 * time.Hour)
	ex, err = e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{Since: &tomorrow})
	require.NoError(t, err)
	require.Zero(t, ex.Total)

	// The flat CSV: byte-order mark, 360Giving's column titles, defused cells.
	ex, err = e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = ex.WriteCSV(ctx, &buf, nil)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(buf.Bytes(), []byte("\uFEFFIdentifier,Title,")), buf.String()[:40])
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5)
	require.Contains(t, buf.String(), `'=HYPERLINK(""http://evil"")`)
}

func TestOpenDataPublishesDecidedRounds(t *testing.T) {
	t.Parallel()
	f := newGivingFixture(t)
	e, ctx := f.e, context.Background()
	published := func(programme string) []opendata.Grant {
		t.Helper()
		ex, err := e.App.OpenData(ctx, programme)
		require.NoError(t, err)
		raw, grants, _ := givingJSON(t, ex)
		if len(grants) > 0 {
			require.NoError(t, schema.Validate(raw))
		}
		return grants
	}
	require.Empty(t, published("roots-incubator"), "an open round is not published")

	_, err := e.Store.Pool.Exec(ctx, `UPDATE rounds SET closes_at = now() - interval '1 minute' WHERE id = $1`, f.roots.ID)
	require.NoError(t, err)
	require.Empty(t, published("roots-incubator"), "a closed round with an application awaiting its decision is not published")

	_, err = e.Store.Pool.Exec(ctx, `UPDATE applications SET status = 'rejected' WHERE id = $1`, f.pending)
	require.NoError(t, err)
	grants := published("roots-incubator")
	ids := []string{grants[0].ID, grants[1].ID}
	require.Len(t, grants, 2)
	require.ElementsMatch(t, []string{"360G-cityhall-" + f.charity.ID, "360G-cityhall-" + f.company.ID}, ids)
	require.Empty(t, published("spaces-at-risk"), "the other programme's round is still open")

	_, err = e.App.OpenData(ctx, "no-such-programme")
	require.Equal(t, 404, app.StatusOf(err))

	// A programme without a 360Giving prefix publishes nothing; the
	// managers' export says which programme it left out.
	_, err = e.Store.Pool.Exec(ctx, `UPDATE programmes SET giving_prefix = '' WHERE code = 'spaces-at-risk'`)
	require.NoError(t, err)
	_, err = e.App.OpenData(ctx, "spaces-at-risk")
	require.Equal(t, 404, app.StatusOf(err))
	ex, err := e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{})
	require.NoError(t, err)
	_, grants, rep := givingJSON(t, ex)
	require.Len(t, grants, 2)
	require.Equal(t, []string{"spaces-at-risk"}, rep.Unpublishable)

	// A grant missing data is published and reported, not dropped.
	_, err = e.Store.Pool.Exec(ctx, `DELETE FROM reports WHERE grant_id = $1`, f.company.ID)
	require.NoError(t, err)
	ex, err = e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{})
	require.NoError(t, err)
	_, grants, rep = givingJSON(t, ex)
	require.Len(t, grants, 2)
	require.Equal(t, 1, rep.FindingCount)
	require.Equal(t, opendata.Finding{GrantID: "360G-cityhall-" + f.company.ID, Check: "planned_dates",
		Message: "no planned dates with a duration"}, rep.Findings[0])
}

// countingWriter counts what is written and keeps none of it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// TestExport360GivingMemory streams 20,000 grants: the heap in use stays
// far below the size of the file (nothing holds the list).
func TestExport360GivingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 20,000 grants")
	}
	// Not parallel: the heap is the process's.
	e, ctx := apptest.New(t), context.Background()
	r := e.Round(t, apptest.ExampleRound(t))
	const n = 20_000
	_, err := e.Store.Pool.Exec(ctx, `UPDATE programmes SET funder_name = 'Mayor of London', giving_prefix = '360G-cityhall'`)
	require.NoError(t, err)
	for _, sql := range []string{
		`INSERT INTO organisations (id, name, legal_form, charity_number, borough_name, borough_gss, address, annual_income_pence, created_by)
SELECT 'org_mem' || lpad(i::text, 6, '0'), 'Organisation ' || i, 'charity', (3000000 + i)::text, 'Camden', 'E09000007',
       '{"line1": "1 Road", "town": "London", "postcode": "NW1 8NH"}', 100000, $2
FROM generate_series(1, $1::int) i WHERE $3::text <> ''`,
		`INSERT INTO applications (id, round_id, organisation_id, status, requested_pence, answers, created_by)
SELECT 'app_mem' || lpad(i::text, 6, '0'), $3, 'org_mem' || lpad(i::text, 6, '0'), 'approved', 100000,
       jsonb_build_object('summary', repeat('A long project summary. ', 40)), $2
FROM generate_series(1, $1::int) i`,
		`INSERT INTO grants (id, application_id, round_id, organisation_id, award_pence, status, offered_at, offer_expires_at,
                    signatory_name, accepted_at)
SELECT 'gr_mem' || lpad(i::text, 6, '0'), 'app_mem' || lpad(i::text, 6, '0'), $3, 'org_mem' || lpad(i::text, 6, '0'),
       100000, 'active', now(), now() + interval '28 days', 'A Signatory', now()
FROM generate_series(1, $1::int) i WHERE $2::text <> ''`,
	} {
		_, err := e.Store.Pool.Exec(ctx, sql, n, e.Manager.ID, r.ID)
		require.NoError(t, err)
	}

	ex, err := e.App.Export360Giving(ctx, e.Manager, app.GivingQuery{})
	require.NoError(t, err)
	require.EqualValues(t, n, ex.Total)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base, peak := heap(), uint64(0)
	var out countingWriter
	rep, err := ex.WriteJSON(ctx, &out, func(done int) {
		if done%2000 == 0 {
			peak = max(peak, heap())
		}
	})
	require.NoError(t, err)
	require.Equal(t, n, rep.Written)
	require.Greater(t, out.n, int64(20<<20), "the file is over 20 MB")
	var growth uint64
	if peak > base {
		growth = peak - base
	}
	require.Less(t, growth, uint64(8<<20), "heap grew by %d bytes for a %d-byte file", growth, out.n)
}
