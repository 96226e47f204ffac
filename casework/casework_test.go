package casework_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workday"
)

func d(y int, m time.Month, day int) workday.Date { return workday.Date{Year: y, Month: m, Day: day} }

// The first-contact promise counts working days: weekends and England and
// Wales bank holidays are skipped.
func TestFirstContactDue(t *testing.T) {
	t.Parallel()
	london := workday.London
	for _, tc := range []struct {
		name     string
		accepted time.Time
		days     int
		want     workday.Date
	}{
		{"a Monday: the next Monday", time.Date(2027, 3, 1, 10, 0, 0, 0, london), 5, d(2027, 3, 8)},
		{"a Friday evening: Friday week", time.Date(2027, 3, 5, 23, 30, 0, 0, london), 5, d(2027, 3, 12)},
		{"Christmas Eve 2026: past Christmas, Boxing Day's substitute and New Year", time.Date(2026, 12, 24, 9, 0, 0, 0, london), 5, d(2027, 1, 5)},
		{"Maundy Thursday 2027: past Good Friday and Easter Monday", time.Date(2027, 3, 25, 9, 0, 0, 0, london), 1, d(2027, 3, 30)},
		{"just after midnight in London (still the day before in UTC)", time.Date(2027, 6, 7, 0, 30, 0, 0, london), 1, d(2027, 6, 8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, casework.FirstContactDue(tc.accepted, tc.days))
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	t.Parallel()
	require.Equal(t, 0, casework.WorkingDaysBetween(d(2027, 3, 1), d(2027, 3, 1)))
	require.Equal(t, 1, casework.WorkingDaysBetween(d(2027, 3, 5), d(2027, 3, 8)))   // Friday to Monday
	require.Equal(t, 5, casework.WorkingDaysBetween(d(2026, 12, 24), d(2027, 1, 5))) // over Christmas
	require.Equal(t, 0, casework.WorkingDaysBetween(d(2027, 3, 8), d(2027, 3, 1)))   // backwards
	require.Equal(t, casework.DateFrom(casework.DateTime(d(2027, 3, 8))), d(2027, 3, 8))
}

// The priority's parts each say what they added.
func TestPriorityOf(t *testing.T) {
	t.Parallel()
	today := d(2027, 3, 1)
	at := func(n int) *workday.Date { x := today.AddDays(n); return &x }
	for _, tc := range []struct {
		name   string
		facts  casework.PriorityFacts
		score  int
		reason string
	}{
		{"hearing next week, everything else", casework.PriorityFacts{KeyDate: at(7), KeyDateKind: "hearing", Urgency: "high", LedByCommunity: true,
			IncomePence: 5_000_000, Borough: "Hackney", KindLabel: "Community centre"}, 100, "Key date (hearing) in 7 days (+40)"},
		{"a key date passed", casework.PriorityFacts{KeyDate: at(-3), IncomePence: 200_000_000, SimilarSpaces: 9, Borough: "Camden"}, 40,
			"Key date passed 3 days ago (+40)"},
		{"within a month", casework.PriorityFacts{KeyDate: at(30), IncomePence: 200_000_000, SimilarSpaces: 9, Borough: "Camden"}, 32, "Key date in 30 days (+32)"},
		{"within a quarter", casework.PriorityFacts{KeyDate: at(90), IncomePence: 200_000_000, SimilarSpaces: 9, Borough: "Camden"}, 24, "Key date in 90 days (+24)"},
		{"within half a year", casework.PriorityFacts{KeyDate: at(180), IncomePence: 200_000_000, SimilarSpaces: 9, Borough: "Camden"}, 14, "Key date in 180 days (+14)"},
		{"later", casework.PriorityFacts{KeyDate: at(400), IncomePence: 200_000_000, SimilarSpaces: 9, Borough: "Camden"}, 6, "Key date in 400 days (+6)"},
		{"nothing pressing", casework.PriorityFacts{Urgency: "low", IncomePence: 100_000_000, SimilarSpaces: 6, Borough: "Camden", KindLabel: "Social club"}, 0,
			"6 other social clubs known in Camden (+0)"},
		{"turnover just under £1m", casework.PriorityFacts{IncomePence: 99_999_999, SimilarSpaces: 6, Borough: "Camden"}, 10, "Turnover under £1 million (+10)"},
		{"medium urgency, few similar", casework.PriorityFacts{Urgency: "medium", IncomePence: 100_000_000, SimilarSpaces: 2, Borough: "Brent",
			KindLabel: "Youth club or youth space"}, 20, "Only 2 other youth club or youth spaces known in Brent (+12)"},
		{"some similar", casework.PriorityFacts{IncomePence: 100_000_000, SimilarSpaces: 4, Borough: "Brent", KindLabel: "Something else"}, 6,
			"4 other spaces known in Brent (+6)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := casework.PriorityOf(tc.facts, today)
			require.Equal(t, tc.score, p.Score, "%v", p.Reasons)
			require.Contains(t, p.Reasons, tc.reason)
			sum := 0
			for _, r := range p.Reasons {
				m := points.FindStringSubmatch(r)
				require.NotNil(t, m, r)
				n, err := strconv.Atoi(m[1])
				require.NoError(t, err)
				sum += n
			}
			require.Equal(t, p.Score, sum, "the reasons add up to the score: %v", p.Reasons)
		})
	}
}

var points = regexp.MustCompile(`\(\+(\d+)\)$`)

func addr() organisation.Address {
	return organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE1 7PB"}
}

// A request is checked field by field, dates never in the past.
func TestRequestCheck(t *testing.T) {
	t.Parallel()
	today := d(2027, 3, 1)
	weekly := int64(40)
	yes := true
	valid := func() casework.Request {
		lt := "private"
		return casework.Request{OrganisationID: "org_x", Urgency: "low", ConsentToShare: &yes,
			Space: casework.Space{Name: " Hall ", Borough: "southwark", Uses: []string{" Choir ", ""}, WeeklyUsers: &weekly, Tenure: "licence",
				LandlordType: &lt, Address: addr()},
			Risk: casework.Risk{Kind: "funding", Description: "Grant ending"}}
	}
	r := valid()
	c, fields := r.Check(today)
	require.Nil(t, fields)
	require.Equal(t, "Southwark", c.Borough.Name)
	require.Equal(t, "Southwark", r.Space.Borough)
	require.Equal(t, []string{"Choir"}, r.Space.Uses)
	require.Equal(t, "Hall", r.Space.Name)
	require.Equal(t, "other", r.Space.Kind)

	for _, tc := range []struct {
		field  string
		mutate func(r *casework.Request)
	}{
		{"space.landlord_type", func(r *casework.Request) { r.Space.LandlordType = nil }},
		{"risk.key_date", func(r *casework.Request) { s := "2027-02-28"; r.Risk.KeyDate = &s }},
		{"risk.key_date", func(r *casework.Request) { s := "2027-02-30"; r.Risk.KeyDate = &s }},
		{"risk.key_date", func(r *casework.Request) { s := "2099-01-01"; r.Risk.KeyDate = &s }},
		{"space.uses", func(r *casework.Request) { r.Space.Uses = []string{" "} }},
		{"space.weekly_users", func(r *casework.Request) { r.Space.WeeklyUsers = nil }},
		{"space.annual_rent_pence", func(r *casework.Request) { n := int64(-1); r.Space.AnnualRentPence = &n }},
		{"risk.description", func(r *casework.Request) { r.Risk.Description = strings.Repeat("é", 5001) }},
		{"space.kind", func(r *casework.Request) { r.Space.Kind = "castle" }},
	} {
		r := valid()
		tc.mutate(&r)
		_, fields := r.Check(today)
		require.Contains(t, fields, tc.field)
	}
	// A key date today is fine; its kind defaults to other.
	r = valid()
	s := "2027-03-01"
	r.Risk.KeyDate = &s
	c, fields = r.Check(today)
	require.Nil(t, fields)
	require.Equal(t, "other", *r.Risk.KeyDateKind)
	require.Equal(t, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), *c.KeyDate)
}
