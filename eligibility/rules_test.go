package eligibility_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
)

var formQuestions = []form.Question{
	{Key: "summary", Type: form.TypeText, Title: "What will you do?", Required: true},
	{Key: "cost", Type: form.TypeMoney, Title: "Cost"},
	{Key: "areas", Type: form.TypeChoice, Title: "Areas", Multiple: true, Options: []form.Option{{Value: "north", Label: "North"}}},
}

func validRules() eligibility.Rules {
	return eligibility.Rules{
		Questions: []form.Question{
			{Key: "london_work", Type: form.TypeYesNo, Title: "Is your work mainly in London?", Required: true},
			{Key: "staff", Type: form.TypeNumber, Title: "How many staff?"},
		},
		Rules: []eligibility.Rule{
			{Field: "answers.london_work", Op: "eq", Value: json.RawMessage(`true`), Reason: "The work must be mainly in London"},
			{Field: "organisation.annual_income_pence", Op: "lte", Value: json.RawMessage(`100000000`), Reason: "Annual income must be £1m or less"},
			{Field: "organisation.legal_form", Op: "in", Value: json.RawMessage(`["charity","cio"]`), Reason: "Must be a charity"},
			{Field: "organisation.charity_number", Op: "present", Reason: "Must have a charity number"},
			{Field: "application.partner_count", Op: "gte", Value: json.RawMessage(`1`), Reason: "Needs a partner"},
			{Field: "application.requested_pence", Op: "lt", Value: json.RawMessage(`1500000.5`), Reason: "Too much"},
			{Field: "answers.staff", Op: "not_in", Value: json.RawMessage(`[0]`), Reason: "Needs staff"},
			{Field: "answers.cost", Op: "gt", Value: json.RawMessage(`0`), Reason: "Costs money"},
			{Field: "answers.areas", Op: "ne", Value: json.RawMessage(`"north"`), Reason: "Not the north"},
			{Field: "organisation.borough", Op: "eq", Value: json.RawMessage(`"Camden"`), Reason: "Camden only"},
		},
	}
}

func TestRulesValidate(t *testing.T) {
	t.Parallel()
	const opMessage = "Choose an operator: eq, ne, in, not_in, lt, lte, gt, gte, present"
	tests := []struct {
		name   string
		change func(r *eligibility.Rules)
		want   map[string]string
	}{
		{"valid", func(*eligibility.Rules) {}, map[string]string{}},
		{"empty", func(r *eligibility.Rules) { *r = eligibility.Rules{} }, map[string]string{}},
		{"question invalid", func(r *eligibility.Rules) { r.Questions[1].Type = "count" },
			map[string]string{"eligibility.questions[1].type": "Choose a type: text, money, number, date, choice, yes_no, file"}},
		{"question duplicate", func(r *eligibility.Rules) { r.Questions[1].Key = "london_work" },
			map[string]string{
				"eligibility.questions[1].key": "Use a different key for each question",
				"eligibility.rules[6].field":   "No eligibility or form question has this key",
			}},
		{"question clashes with form", func(r *eligibility.Rules) { r.Questions[1].Key = "summary" },
			map[string]string{
				"eligibility.questions[1].key": "A form question already uses this key",
				"eligibility.rules[6].field":   "No eligibility or form question has this key",
			}},
		{"field empty", func(r *eligibility.Rules) { r.Rules[0].Field = "" },
			map[string]string{"eligibility.rules[0].field": "Enter a field"}},
		{"field unknown prefix", func(r *eligibility.Rules) { r.Rules[0].Field = "user.email" },
			map[string]string{"eligibility.rules[0].field": "Use organisation.<field>, answers.<question key>, application.partner_count or application.requested_pence"}},
		{"field bare answers", func(r *eligibility.Rules) { r.Rules[0].Field = "answers" },
			map[string]string{"eligibility.rules[0].field": "Use organisation.<field>, answers.<question key>, application.partner_count or application.requested_pence"}},
		{"field unknown answer", func(r *eligibility.Rules) { r.Rules[0].Field = "answers.nope" },
			map[string]string{"eligibility.rules[0].field": "No eligibility or form question has this key"}},
		{"field unknown organisation field", func(r *eligibility.Rules) { r.Rules[1].Field = "organisation.postcode" },
			map[string]string{"eligibility.rules[1].field": "Use one of the organisation fields: legal_form, annual_income_pence, borough, charity_number, company_number, name"}},
		{"field unknown application field", func(r *eligibility.Rules) { r.Rules[4].Field = "application.tier" },
			map[string]string{"eligibility.rules[4].field": "Use application.partner_count or application.requested_pence"}},
		{"field answer to form question", func(r *eligibility.Rules) {
			r.Rules[0] = eligibility.Rule{Field: "answers.summary", Op: "present", Reason: "Say what"}
		}, map[string]string{}},
		{"op unknown", func(r *eligibility.Rules) { r.Rules[0].Op = "equals" },
			map[string]string{"eligibility.rules[0].op": opMessage}},
		{"op empty", func(r *eligibility.Rules) { r.Rules[0].Op = "" },
			map[string]string{"eligibility.rules[0].op": opMessage}},
		{"op lt on text", func(r *eligibility.Rules) { r.Rules[9].Op = "lt"; r.Rules[9].Value = json.RawMessage(`3`) },
			map[string]string{"eligibility.rules[9].op": "Use lt, lte, gt and gte only with money and number fields"}},
		{"op gt on yes_no", func(r *eligibility.Rules) { r.Rules[0].Op = "gt" },
			map[string]string{"eligibility.rules[0].op": "Use lt, lte, gt and gte only with money and number fields"}},
		{"value missing", func(r *eligibility.Rules) { r.Rules[0].Value = nil },
			map[string]string{"eligibility.rules[0].value": "Enter a value"}},
		{"value null", func(r *eligibility.Rules) { r.Rules[1].Value = json.RawMessage(`null`) },
			map[string]string{"eligibility.rules[1].value": "Enter a value"}},
		{"value not json", func(r *eligibility.Rules) { r.Rules[1].Value = json.RawMessage(`{`) },
			map[string]string{"eligibility.rules[1].value": "Enter a valid JSON value"}},
		{"value string for lte", func(r *eligibility.Rules) { r.Rules[1].Value = json.RawMessage(`"100"`) },
			map[string]string{"eligibility.rules[1].value": "Enter a number"}},
		{"value huge exponent for lte", func(r *eligibility.Rules) { r.Rules[1].Value = json.RawMessage(`1e999999`) },
			map[string]string{"eligibility.rules[1].value": "Enter a number"}},
		{"value not list for in", func(r *eligibility.Rules) { r.Rules[2].Value = json.RawMessage(`"charity"`) },
			map[string]string{"eligibility.rules[2].value": "Enter a list of one or more values"}},
		{"value empty list for in", func(r *eligibility.Rules) { r.Rules[2].Value = json.RawMessage(`[]`) },
			map[string]string{"eligibility.rules[2].value": "Enter a list of one or more values"}},
		{"value nested list for in", func(r *eligibility.Rules) { r.Rules[2].Value = json.RawMessage(`[["charity"]]`) },
			map[string]string{"eligibility.rules[2].value": "Enter a list of text, numbers or true and false"}},
		{"value wrong item type for in", func(r *eligibility.Rules) { r.Rules[2].Value = json.RawMessage(`["charity", 1]`) },
			map[string]string{"eligibility.rules[2].value": "Enter text in each item of the list"}},
		{"value string for yes_no", func(r *eligibility.Rules) { r.Rules[0].Value = json.RawMessage(`"yes"`) },
			map[string]string{"eligibility.rules[0].value": "Enter true or false"}},
		{"value number for text", func(r *eligibility.Rules) { r.Rules[9].Value = json.RawMessage(`1`) },
			map[string]string{"eligibility.rules[9].value": "Enter text"}},
		{"value bool for number", func(r *eligibility.Rules) {
			r.Rules[4].Op = "eq"
			r.Rules[4].Value = json.RawMessage(`true`)
		}, map[string]string{"eligibility.rules[4].value": "Enter a number"}},
		{"value object for eq", func(r *eligibility.Rules) { r.Rules[9].Value = json.RawMessage(`{"a":1}`) },
			map[string]string{"eligibility.rules[9].value": "Enter text, a number, true or false"}},
		{"value given for present is ignored", func(r *eligibility.Rules) { r.Rules[3].Value = json.RawMessage(`1`) },
			map[string]string{}},
		{"value shape checked for unknown field", func(r *eligibility.Rules) {
			r.Rules[2].Field = "organisation.size"
			r.Rules[2].Value = json.RawMessage(`1`)
		}, map[string]string{
			"eligibility.rules[2].field": "Use one of the organisation fields: legal_form, annual_income_pence, borough, charity_number, company_number, name",
			"eligibility.rules[2].value": "Enter a list of one or more values",
		}},
		{"reason blank", func(r *eligibility.Rules) { r.Rules[5].Reason = " " },
			map[string]string{"eligibility.rules[5].reason": "Enter the reason shown when this rule fails"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := validRules()
			tt.change(&r)
			require.Empty(t, cmp.Diff(tt.want, r.Validate("eligibility", formQuestions)))
		})
	}
}

func TestRulesJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		out  string
	}{
		{"empty lists are arrays", `{}`, `{"questions":[],"rules":[]}`},
		{"present has no value", `{"questions":[],"rules":[{"field":"organisation.name","op":"present","reason":"Name"}]}`,
			`{"questions":[],"rules":[{"field":"organisation.name","op":"present","reason":"Name"}]}`},
		{"value kept exactly", `{"rules":[{"field":"organisation.annual_income_pence","op":"lt","value":25000000.00,"reason":"R"}]}`,
			`{"questions":[],"rules":[{"field":"organisation.annual_income_pence","op":"lt","value":25000000.00,"reason":"R"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r eligibility.Rules
			dec := json.NewDecoder(strings.NewReader(tt.in))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&r))
			out, err := json.Marshal(r)
			require.NoError(t, err)
			require.Equal(t, tt.out, string(out))
		})
	}
}
