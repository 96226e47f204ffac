package eligibility_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/eligibility"
)

func rule(field, op, value string) eligibility.Rule {
	r := eligibility.Rule{Field: field, Op: op, Reason: field + " " + op + " " + value}
	if value != "" {
		r.Value = json.RawMessage(value)
	}
	return r
}

func TestEvaluateOneRule(t *testing.T) {
	t.Parallel()
	charityNumber := "1234567"
	facts := eligibility.Facts{
		Answers: map[string]json.RawMessage{
			"london_work": json.RawMessage(`true`),
			"cost":        json.RawMessage(`1500000`),
			"summary":     json.RawMessage(`"  Trees  "`),
			"blank":       json.RawMessage(`"   "`),
			"areas":       json.RawMessage(`["north","east"]`),
			"none":        json.RawMessage(`[]`),
			"removed":     json.RawMessage(`null`),
			"big":         json.RawMessage(`9007199254740993`),
			"obj":         json.RawMessage(`{"a":1}`),
		},
		Organisation: map[string]any{
			"annual_income_pence": int64(24999999),
			"legal_form":          "CIO",
			"borough":             "camden",
			"charity_number":      &charityNumber,
			"company_number":      nil,
			"name":                json.Number("42"),
		},
		Application: map[string]any{
			"partner_count":   2,
			"requested_pence": uint32(500000),
		},
	}
	tests := []struct {
		rule eligibility.Rule
		pass bool
	}{
		// eq and ne
		{rule("answers.london_work", "eq", `true`), true},
		{rule("answers.london_work", "eq", `false`), false},
		{rule("answers.london_work", "ne", `false`), true},
		{rule("answers.london_work", "eq", `"true"`), false},
		{rule("answers.london_work", "ne", `"true"`), false},
		{rule("answers.cost", "eq", `1500000`), true},
		{rule("answers.cost", "eq", `1500000.0`), true},
		{rule("answers.cost", "eq", `15e5`), true},
		{rule("answers.cost", "eq", `"1500000"`), false},
		{rule("answers.big", "eq", `9007199254740992`), false},
		{rule("answers.big", "gt", `9007199254740992`), true},
		{rule("answers.summary", "eq", `"trees"`), true},
		{rule("answers.summary", "ne", `"TREES"`), false},
		{rule("organisation.legal_form", "eq", `"cio"`), true},
		{rule("organisation.charity_number", "eq", `"1234567"`), true},
		{rule("organisation.company_number", "eq", `"1"`), false},
		{rule("organisation.company_number", "ne", `"1"`), false},
		{rule("organisation.name", "eq", `42`), true},
		{rule("answers.obj", "eq", `1`), false},
		{rule("answers.obj", "ne", `1`), false},
		// lists as facts
		{rule("answers.areas", "eq", `"NORTH"`), true},
		{rule("answers.areas", "eq", `"south"`), false},
		{rule("answers.areas", "ne", `"north"`), false},
		{rule("answers.areas", "ne", `"south"`), true},
		{rule("answers.areas", "in", `["south","east"]`), true},
		{rule("answers.areas", "not_in", `["south","east"]`), false},
		{rule("answers.areas", "not_in", `["south"]`), true},
		{rule("answers.none", "in", `["south"]`), false},
		{rule("answers.areas", "lt", `1`), false},
		// in and not_in
		{rule("organisation.legal_form", "in", `["charity","cio"]`), true},
		{rule("organisation.legal_form", "in", `["company","cic"]`), false},
		{rule("organisation.legal_form", "not_in", `["company","cic"]`), true},
		{rule("organisation.legal_form", "not_in", `["Charity","cio"]`), false},
		{rule("organisation.legal_form", "not_in", `[1,2]`), false},
		{rule("organisation.legal_form", "in", `"cio"`), false},
		{rule("application.partner_count", "in", `[1,2,3]`), true},
		{rule("application.partner_count", "not_in", `[0]`), true},
		{rule("application.partner_count", "in", `["2"]`), false},
		{rule("organisation.company_number", "not_in", `["1"]`), false},
		// ordering
		{rule("organisation.annual_income_pence", "lt", `25000000`), true},
		{rule("organisation.annual_income_pence", "lt", `24999999`), false},
		{rule("organisation.annual_income_pence", "lte", `24999999`), true},
		{rule("organisation.annual_income_pence", "gt", `24999998.999`), true},
		{rule("organisation.annual_income_pence", "gte", `2.5e7`), false},
		{rule("application.requested_pence", "gte", `500000`), true},
		{rule("application.requested_pence", "gt", `500000`), false},
		{rule("application.partner_count", "lte", `2`), true},
		{rule("application.partner_count", "lt", `"3"`), false},
		{rule("organisation.legal_form", "lt", `3`), false},
		{rule("organisation.annual_income_pence", "lt", `1e99999`), false},
		// present
		{rule("answers.summary", "present", ``), true},
		{rule("answers.blank", "present", ``), false},
		{rule("answers.none", "present", ``), false},
		{rule("answers.areas", "present", ``), true},
		{rule("answers.london_work", "present", ``), true},
		{rule("organisation.charity_number", "present", ``), true},
		{rule("organisation.company_number", "present", ``), false},
		// broken rules fail
		{rule("answers.cost", "between", `1`), false},
		{rule("answers.cost", "eq", `{`), false},
	}
	for _, tt := range tests {
		t.Run(tt.rule.Reason, func(t *testing.T) {
			t.Parallel()
			for _, strict := range []bool{false, true} {
				got := eligibility.Evaluate([]eligibility.Rule{tt.rule}, facts, strict)
				want := eligibility.Result{Eligible: true, Reasons: []string{}, Unknown: []string{}}
				if !tt.pass {
					want = eligibility.Result{Eligible: false, Reasons: []string{tt.rule.Reason}, Unknown: []string{}}
				}
				require.Empty(t, cmp.Diff(want, got), "strict=%v", strict)
			}
		})
	}
}

func TestEvaluateUnknown(t *testing.T) {
	t.Parallel()
	rules := []eligibility.Rule{
		{Field: "answers.london_work", Op: "eq", Value: json.RawMessage(`true`), Reason: "London"},
		{Field: "organisation.annual_income_pence", Op: "lte", Value: json.RawMessage(`100000000`), Reason: "Income"},
		{Field: "organisation.borough", Op: "present", Reason: "Borough"},
		{Field: "application.partner_count", Op: "gte", Value: json.RawMessage(`1`), Reason: "Partner"},
		{Field: "application.requested_pence", Op: "gte", Value: json.RawMessage(`1`), Reason: "Partner"},
		{Field: "nonsense", Op: "eq", Value: json.RawMessage(`1`), Reason: "Nonsense"},
	}
	tests := []struct {
		name   string
		facts  eligibility.Facts
		strict bool
		want   eligibility.Result
	}{
		{"nothing known", eligibility.Facts{}, false, eligibility.Result{
			Eligible: true, Reasons: []string{},
			Unknown: []string{"London", "Income", "Borough", "Partner", "Nonsense"},
		}},
		{"nothing known strict", eligibility.Facts{}, true, eligibility.Result{
			Eligible: false, Reasons: []string{"London", "Income", "Borough", "Partner", "Nonsense"}, Unknown: []string{},
		}},
		{"some known, one failing", eligibility.Facts{
			Answers:      map[string]json.RawMessage{"london_work": json.RawMessage(`false`)},
			Organisation: map[string]any{"annual_income_pence": int64(1)},
		}, false, eligibility.Result{
			Eligible: false, Reasons: []string{"London"}, Unknown: []string{"Borough", "Partner", "Nonsense"},
		}},
		{"null answer is unknown", eligibility.Facts{
			Answers: map[string]json.RawMessage{"london_work": json.RawMessage(`null`)},
			Organisation: map[string]any{
				"annual_income_pence": int64(1), "borough": "Hackney",
			},
			Application: map[string]any{"partner_count": 1, "requested_pence": int64(5)},
		}, false, eligibility.Result{
			Eligible: true, Reasons: []string{}, Unknown: []string{"London", "Nonsense"},
		}},
		{"all known and passing except nonsense, strict", eligibility.Facts{
			Answers: map[string]json.RawMessage{"london_work": json.RawMessage(`true`)},
			Organisation: map[string]any{
				"annual_income_pence": int64(100000000), "borough": "Hackney",
			},
			Application: map[string]any{"partner_count": 1, "requested_pence": int64(5)},
		}, true, eligibility.Result{
			Eligible: false, Reasons: []string{"Nonsense"}, Unknown: []string{},
		}},
		{"reasons listed once", eligibility.Facts{
			Application: map[string]any{"partner_count": 0, "requested_pence": int64(0)},
		}, false, eligibility.Result{
			Eligible: false, Reasons: []string{"Partner"}, Unknown: []string{"London", "Income", "Borough", "Nonsense"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Empty(t, cmp.Diff(tt.want, eligibility.Evaluate(rules, tt.facts, tt.strict)))
		})
	}
}

func TestEvaluateNoRules(t *testing.T) {
	t.Parallel()
	got := eligibility.Evaluate(nil, eligibility.Facts{}, true)
	out, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, `{"eligible":true,"reasons":[],"unknown":[]}`, string(out))
}

func TestEvaluateGoValues(t *testing.T) {
	t.Parallel()
	var nilString *string
	tests := []struct {
		name  string
		value any
		rule  eligibility.Rule
		pass  bool
	}{
		{"int8", int8(3), rule("organisation.annual_income_pence", "eq", `3`), true},
		{"uint64 max", uint64(18446744073709551615), rule("organisation.annual_income_pence", "gt", `9223372036854775807`), true},
		{"float64 exact", 0.5, rule("organisation.annual_income_pence", "eq", `0.5`), true},
		{"float64 not rounded", 0.1, rule("organisation.annual_income_pence", "eq", `0.1`), false},
		{"bool", true, rule("organisation.annual_income_pence", "eq", `true`), true},
		{"nil pointer", nilString, rule("organisation.annual_income_pence", "present", ``), false},
		{"string slice", []string{"A", "b"}, rule("organisation.annual_income_pence", "eq", `"a"`), true},
		{"nil slice", []string(nil), rule("organisation.annual_income_pence", "present", ``), false},
		{"struct", struct{}{}, rule("organisation.annual_income_pence", "present", ``), true},
		{"struct compared", struct{}{}, rule("organisation.annual_income_pence", "eq", `1`), false},
		{"bad json.Number", json.Number("x"), rule("organisation.annual_income_pence", "eq", `1`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			facts := eligibility.Facts{Organisation: map[string]any{"annual_income_pence": tt.value}}
			got := eligibility.Evaluate([]eligibility.Rule{tt.rule}, facts, true)
			require.Equal(t, tt.pass, got.Eligible)
		})
	}
}
