package web

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/round"
)

func TestMgrDurations(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"14": 14 * 24 * time.Hour, "14 days": 14 * 24 * time.Hour, "1 day": 24 * time.Hour, "2 weeks": 14 * 24 * time.Hour,
		"48 hours": 48 * time.Hour, "90 minutes": 90 * time.Minute, "336h": 336 * time.Hour, "1h30m": 90 * time.Minute,
		"90s": 90 * time.Second, "": 0, "7 Days": 7 * 24 * time.Hour, "3653 days": 3653 * 24 * time.Hour,
	} {
		local := map[string]string{}
		got := mgrParseDuration(in, "x", local)
		require.Empty(t, local, in)
		require.Equal(t, want, got.Duration, in)
	}
	for _, in := range []string{"soon", "-3h", "3 fortnights", "1.5 days"} {
		local := map[string]string{}
		mgrParseDuration(in, "x", local)
		require.Contains(t, local, "x", in)
	}
	// Over ten years, including what once overflowed time.Duration into
	// a shorter period without a word.
	for _, in := range []string{"3654 days", "999999 weeks", "250000 days", "87673h"} {
		local := map[string]string{}
		got := mgrParseDuration(in, "x", local)
		require.Equal(t, "Enter a period of 10 years or less", local["x"], in)
		require.Zero(t, got.Duration, in)
	}
	for _, d := range []time.Duration{14 * 24 * time.Hour, 24 * time.Hour, 36 * time.Hour, time.Hour, 90 * time.Minute, 90 * time.Second,
		1500 * time.Millisecond, 4380 * time.Hour} {
		local := map[string]string{}
		text := mgrDurationText(round.Duration{Duration: d})
		require.Equal(t, d, mgrParseDuration(text, "x", local).Duration, text)
		require.Empty(t, local)
	}
	require.Equal(t, "14 days", mgrDurationText(round.Hours(336)))
	require.Equal(t, "1 hour", mgrDurationText(round.Hours(1)))
}

func TestMgrParseClock(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]int{
		"9am": {9, 0}, "9:30am": {9, 30}, "9.30pm": {21, 30}, "12pm": {12, 0}, "12am": {0, 0}, "17:30": {17, 30},
		"0:00": {0, 0}, "midday": {12, 0}, "Midnight": {0, 0}, "11:59 PM": {23, 59},
	} {
		h, m, ok := mgrParseClock(in)
		require.True(t, ok, in)
		require.Equal(t, want, [2]int{h, m}, in)
	}
	for _, in := range []string{"", "25:00", "13pm", "9:60", "noonish", "0am", "9:5"} {
		_, _, ok := mgrParseClock(in)
		require.False(t, ok, in)
	}
}

func TestMgrParseWhen(t *testing.T) {
	t.Parallel()
	local := map[string]string{}
	// British Summer Time: 9am in London is 8am UTC.
	got := mgrParseWhen(mgrWhen{Day: "1", Month: "6", Year: "2027", Time: "9am"}, "opens_at", "x", time.Time{}, local)
	require.Empty(t, local)
	require.Equal(t, time.Date(2027, 6, 1, 8, 0, 0, 0, time.UTC), got)
	// An unchanged minute keeps the seconds it had.
	old := time.Date(2027, 1, 10, 9, 0, 37, 0, time.UTC)
	w := mgrWhenOf(old)
	require.Equal(t, mgrWhen{Day: "10", Month: "1", Year: "2027", Time: "9:00am"}, w)
	require.Equal(t, old, mgrParseWhen(w, "opens_at", "x", old, local))
	w.Time = "9:01am"
	require.Equal(t, time.Date(2027, 1, 10, 9, 1, 0, 0, time.UTC), mgrParseWhen(w, "opens_at", "x", old, local))
	require.Empty(t, local)

	require.True(t, mgrParseWhen(mgrWhen{}, "opens_at", "x", old, local).IsZero())
	require.Empty(t, local)
	mgrParseWhen(mgrWhen{Day: "31", Month: "2", Year: "2027", Time: "9am"}, "opens_at", "x", time.Time{}, local)
	require.Contains(t, local, "opens_at")
	mgrParseWhen(mgrWhen{Day: "1", Month: "2", Year: "2027"}, "closes_at", "x", time.Time{}, local)
	require.Contains(t, local, "closes_at-time")
}

// TestMgrModelRoundTrip: a round shown on the form and posted back
// unchanged is the same round, byte for byte, so an open round's edit
// does not trip over changes nobody made.
func TestMgrModelRoundTrip(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../round/testdata/example.json")
	require.NoError(t, err)
	var def round.Definition
	require.NoError(t, json.Unmarshal(raw, &def))
	def.ApplyDefaults(round.ProviderStripe)
	def.OpensAt = def.OpensAt.Add(17 * time.Second)
	def.Form.Sections[0].Questions = append(def.Form.Sections[0].Questions, mustQuestion(t,
		`{"key":"kind","type":"choice","title":"Kind","required":true,"options":[{"value":"a","label":"Arts"},{"value":"Sport","label":"Sport"}],"multiple":true}`),
		mustQuestion(t, `{"key":"spend","type":"money","title":"Spend","required":false,"min":150,"max":100000}`))
	def.Eligibility.Rules = append(def.Eligibility.Rules, mustRule(t, `{"field":"organisation.borough","op":"in","value":["Hackney","Southwark"],"reason":"London"}`),
		mustRule(t, `{"field":"organisation.borough","op":"eq","value":"Hackney","reason":"Hackney"}`),
		mustRule(t, `{"field":"organisation.charity_number","op":"present","reason":"Registered"}`))

	m := mgrModelOf(def)
	back := mgrParseModel(m.values())
	require.Empty(t, cmp.Diff(m, back))
	got, local, _ := back.definition(&def)
	require.Empty(t, local)
	want := def
	want.ReportForm, want.AssessorIDs = nil, nil
	a, err := json.Marshal(want)
	require.NoError(t, err)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(a), string(b))
	require.Equal(t, string(a), string(b))
}

func mustQuestion(t *testing.T, s string) form.Question {
	t.Helper()
	var q form.Question
	require.NoError(t, json.Unmarshal([]byte(s), &q))
	return q
}

func mustRule(t *testing.T, s string) eligibility.Rule {
	t.Helper()
	var r eligibility.Rule
	require.NoError(t, json.Unmarshal([]byte(s), &r))
	return r
}

func TestMgrPoundsText(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Enter a budget of more than £0", mgrPoundsText("Enter a budget of more than 0 pence"))
	require.Equal(t, "Start above the previous tier's maximum of £5,000.50", mgrPoundsText("Start above the previous tier's maximum of 500050 pence"))
	require.Equal(t, "Enter an amount of £0.01 or more", mgrPoundsText("Enter a whole number of pence of 1 or more"))
	require.Equal(t, "Enter a key", mgrPoundsText("Enter a key"))
}
