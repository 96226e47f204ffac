package form_test

import (
	"encoding/json"
	"testing"

	"github.com/civicgrants/grants/form"
)

// FuzzCheckAnswers feeds arbitrary answer bodies, as a client would send them
// in PATCH /applications/{id}, through the answer checks. It must never
// panic, and an answer accepted by ValidateAnswer must be valid JSON.
func FuzzCheckAnswers(f *testing.F) {
	qs := []form.Question{
		{Key: "t", Type: form.TypeText, Title: "T", Required: true, MaxWords: ptr(3)},
		{Key: "m", Type: form.TypeMoney, Title: "M", Min: ptr(int64(1)), Max: ptr(int64(1000))},
		{Key: "n", Type: form.TypeNumber, Title: "N"},
		{Key: "d", Type: form.TypeDate, Title: "D"},
		{Key: "c", Type: form.TypeChoice, Title: "C", Options: []form.Option{{Value: "a", Label: "A"}}},
		{Key: "cm", Type: form.TypeChoice, Title: "CM", Multiple: true, Options: []form.Option{{Value: "a", Label: "A"}}},
		{Key: "y", Type: form.TypeYesNo, Title: "Y"},
		{Key: "f", Type: form.TypeFile, Title: "F"},
	}
	for _, s := range []string{
		`{"t":"a b","m":5,"n":-1,"d":"2027-01-01","c":"a","cm":["a"],"y":true,"f":"doc"}`,
		`{"m":1.5,"n":1e400,"d":"2027-02-30","cm":["a","a"],"t":null}`,
		`{"x":[1,{"y":2}]}`,
		`{"m":-0,"n":"7","y":"yes"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var answers map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &answers) != nil {
			return
		}
		form.CheckAnswers(qs, answers, false)
		form.CheckAnswers(qs, answers, true)
		form.FileAnswers(qs, answers)
		for _, q := range qs {
			for _, raw := range answers {
				if form.ValidateAnswer(q, raw) == "" && !form.IsNull(raw) && !json.Valid(raw) {
					t.Fatalf("accepted invalid JSON %q", raw)
				}
			}
		}
	})
}

// FuzzValidateAnswer checks single raw answers, including bytes that are not
// JSON at all, against every question type.
func FuzzValidateAnswer(f *testing.F) {
	for _, s := range []string{`"2027-01-01"`, `12`, `1.0`, `-1`, `["a"]`, `true`, `"`, `99999999999999999999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, typ := range form.Types {
			q := form.Question{Key: "k", Type: typ, Title: "K", MaxWords: ptr(2), Options: []form.Option{{Value: "a", Label: "A"}}}
			if form.ValidateAnswer(q, raw) == "" && !form.IsNull(raw) && !json.Valid(raw) {
				t.Fatalf("%s accepted invalid JSON %q", typ, raw)
			}
		}
	})
}
