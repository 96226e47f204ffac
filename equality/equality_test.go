package equality_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/equality"
)

func TestTaxonomy(t *testing.T) {
	t.Parallel()
	gs := equality.Groups()
	require.Len(t, gs, 73)
	g, ok := equality.Lookup("DEI010110")
	require.True(t, ok)
	require.Equal(t, "African", g.Label)
	require.Equal(t, "DEI010100", g.Parent)
	require.Equal(t, "DEI010000", equality.TopLevel("DEI010110"))
	require.Equal(t, "DEI019900", mustLookup(t, "DEI019910").Parent)
	require.Equal(t, "", mustLookup(t, "DEI020000").Parent)
	require.Equal(t, "", mustLookup(t, "DEI800010").Parent, "no DEI800000 is listed")
	require.Equal(t, []string{"DEI040410", "DEI040420"}, equality.Children("DEI040400"))
	require.Equal(t, "Disabled people", equality.Label("DEI020000"))
	require.Equal(t, "DEI999999", equality.Label("DEI999999"))
	_, ok = equality.Lookup("DEI999999")
	require.False(t, ok)
	seen := map[string]bool{}
	for _, g := range gs {
		require.False(t, seen[g.Code], g.Code)
		seen[g.Code] = true
		require.NotEmpty(t, g.Label)
		if g.Parent != "" {
			require.True(t, seen[g.Parent], "%s listed before its parent", g.Code)
		}
	}
}

func mustLookup(t *testing.T, code string) equality.Group {
	t.Helper()
	g, ok := equality.Lookup(code)
	require.True(t, ok, code)
	return g
}

func pct(v int) *int { return &v }

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := equality.Answers{
		Leadership: equality.Leadership{Answered: true, Groups: []string{"DEI010000", "DEI010100"},
			Shares: []equality.Share{{Group: "DEI010000", BoardPercent: pct(80), SeniorStaffPercent: pct(60)},
				{Group: "DEI010100", BoardPercent: pct(50), SeniorStaffPercent: pct(60)}}},
		Mission:       equality.Area{Answered: true, Groups: []string{"DEI020000"}},
		Beneficiaries: equality.Area{Answered: false},
	}
	for _, tc := range []struct {
		name  string
		edit  func(*equality.Answers)
		field string
	}{
		{"valid", func(*equality.Answers) {}, ""},
		{"unknown code", func(a *equality.Answers) { a.Mission.Groups = []string{"DEI020000", "DEI999999"} }, "mission.groups[1]"},
		{"not a code", func(a *equality.Answers) { a.Mission.Groups = []string{"women"} }, "mission.groups[0]"},
		{"duplicate", func(a *equality.Answers) { a.Mission.Groups = []string{"DEI020000", "DEI020000"} }, "mission.groups[1]"},
		{"prefer not to say with groups", func(a *equality.Answers) { a.Beneficiaries.Groups = []string{"DEI020000"} }, "beneficiaries.groups"},
		{"answered without groups", func(a *equality.Answers) { a.Mission.Groups = nil }, "mission.groups"},
		{"share over 100", func(a *equality.Answers) { a.Leadership.Shares[0].BoardPercent = pct(101) }, "leadership.shares[0].board_percent"},
		{"share below 0", func(a *equality.Answers) { a.Leadership.Shares[0].SeniorStaffPercent = pct(-1) }, "leadership.shares[0].senior_staff_percent"},
		{"share missing", func(a *equality.Answers) { a.Leadership.Shares[0].BoardPercent = nil }, "leadership.shares[0].board_percent"},
		{"share of a group not chosen", func(a *equality.Answers) { a.Leadership.Shares[0].Group = "DEI090000" }, "leadership.shares[0].group"},
		{"share given twice", func(a *equality.Answers) { a.Leadership.Shares[1] = a.Leadership.Shares[0] }, "leadership.shares[1].group"},
		{"sub-group above its group", func(a *equality.Answers) { a.Leadership.Shares[1].SeniorStaffPercent = pct(61) }, "leadership.shares[1].senior_staff_percent"},
		{"shares while preferring not to say", func(a *equality.Answers) { a.Leadership.Answered, a.Leadership.Groups = false, nil }, "leadership.shares"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := clone(t, ok)
			tc.edit(&a)
			fields := a.Validate()
			if tc.field == "" {
				require.Empty(t, fields)
				return
			}
			require.Contains(t, fields, tc.field, fields)
		})
	}
}

func clone(t *testing.T, a equality.Answers) equality.Answers {
	t.Helper()
	raw, err := json.Marshal(a)
	require.NoError(t, err)
	var out equality.Answers
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func TestLedBy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		board, senior int
		led           bool
	}{
		{"both thresholds met", 75, 50, true},
		{"well above", 100, 100, true},
		{"board short", 74, 100, false},
		{"senior staff short", 100, 49, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := equality.Leadership{Answered: true, Groups: []string{"DEI090000", "DEI020000"},
				Shares: []equality.Share{{Group: "DEI090000", BoardPercent: pct(tc.board), SeniorStaffPercent: pct(tc.senior)}}}
			want := []string{"DEI020000"} // declared without shares: the organisation's own word
			if tc.led {
				want = []string{"DEI020000", "DEI090000"}
			}
			require.Equal(t, want, equality.LedBy(l))
		})
	}
	require.Empty(t, equality.LedBy(equality.Leadership{Answered: false}))
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	a := equality.Answers{Mission: equality.Area{Answered: true, Groups: []string{"DEI090000", "DEI020000"}}}.Normalise()
	require.Equal(t, []string{"DEI020000", "DEI090000"}, a.Mission.Groups)
	require.NotNil(t, a.Leadership.Groups)
	require.NotNil(t, a.Leadership.Shares)
	require.NotNil(t, a.Beneficiaries.Groups)
}

// Whatever JSON arrives, Validate never panics, and answers it accepts
// lead only to groups they chose.
func FuzzValidate(f *testing.F) {
	f.Add(`{"leadership":{"answered":true,"groups":["DEI090000"],"shares":[{"group":"DEI090000","board_percent":80,"senior_staff_percent":50}]},"mission":{"answered":false,"groups":[]},"beneficiaries":{"answered":true,"groups":["DEI070400"]}}`)
	f.Add(`{"leadership":{"answered":true,"groups":["DEI020000","DEI020100"],"shares":[{"group":"DEI020100","board_percent":-5}]}}`)
	f.Add(`{"mission":{"answered":false,"groups":["x"]}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var a equality.Answers
		if json.Unmarshal([]byte(raw), &a) != nil {
			return
		}
		if len(a.Validate()) > 0 {
			return
		}
		chosen := map[string]bool{}
		for _, c := range a.Leadership.Groups {
			chosen[c] = true
		}
		for _, c := range equality.LedBy(a.Leadership) {
			require.True(t, chosen[c], c)
			_, ok := equality.Lookup(c)
			require.True(t, ok, c)
		}
	})
}
