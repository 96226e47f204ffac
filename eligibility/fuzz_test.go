package eligibility_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
)

// FuzzEvaluate decodes an eligibility definition and a set of answers, both
// as a client would send them, validates the definition and evaluates its
// rules. It must never panic, and a strict evaluation never lists unknowns.
func FuzzEvaluate(f *testing.F) {
	f.Add(`{"questions":[{"key":"q","type":"yes_no","title":"Q"}],"rules":[{"field":"answers.q","op":"eq","value":true,"reason":"R"}]}`, `{"q":true}`)
	f.Add(`{"rules":[{"field":"organisation.annual_income_pence","op":"lt","value":1e3,"reason":"R"},{"field":"answers.q","op":"in","value":[1,"a",true],"reason":"S"}]}`, `{"q":["a"]}`)
	f.Add(`{"rules":[{"field":"answers.q","op":"gte","value":-1.5e-3,"reason":"R"},{"field":"answers.q","op":"present","reason":"P"}]}`, `{"q":12345678901234567890}`)
	f.Add(`{"rules":[{"field":"answers.q","op":"not_in","value":[[]],"reason":"R"}]}`, `{"q":{"a":[null]}}`)
	f.Fuzz(func(t *testing.T, definition, answers string) {
		var r eligibility.Rules
		if json.Unmarshal([]byte(definition), &r) != nil {
			return
		}
		var a map[string]json.RawMessage
		if json.Unmarshal([]byte(answers), &a) != nil {
			return
		}
		r.Validate("eligibility", []form.Question{{Key: "q", Type: form.TypeText, Title: "Q"}})
		facts := eligibility.Facts{
			Answers:      a,
			Organisation: map[string]any{"annual_income_pence": int64(100), "legal_form": "charity"},
		}
		loose := eligibility.Evaluate(r.Rules, facts, false)
		strict := eligibility.Evaluate(r.Rules, facts, true)
		require.Empty(t, strict.Unknown)
		require.NotNil(t, loose.Reasons)
		require.NotNil(t, loose.Unknown)
		require.Equal(t, len(strict.Reasons) == 0, strict.Eligible)
		require.Equal(t, len(loose.Reasons) == 0, loose.Eligible)
		if strict.Eligible {
			require.True(t, loose.Eligible)
		}
	})
}
