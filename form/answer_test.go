package form_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/form"
)

func TestWordCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \t\n", 0},
		{"one", 1},
		{"  one   two\tthree\nfour ", 4},
		{"non-breaking\u00a0space", 2},
		{"ideographic\u3000space", 2},
		{"don't stop-me now!", 3},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, form.WordCount(tt.in))
		})
	}
}

func TestValidateAnswer(t *testing.T) {
	t.Parallel()
	text := form.Question{Key: "summary", Type: form.TypeText, Title: "Summary", MaxWords: ptr(3)}
	money := form.Question{Key: "cost", Type: form.TypeMoney, Title: "Cost", Min: ptr(int64(100)), Max: ptr(int64(500))}
	anyMoney := form.Question{Key: "cost", Type: form.TypeMoney, Title: "Cost"}
	number := form.Question{Key: "people", Type: form.TypeNumber, Title: "People", Min: ptr(int64(-2)), Max: ptr(int64(10))}
	date := form.Question{Key: "start", Type: form.TypeDate, Title: "Start"}
	one := form.Question{Key: "kind", Type: form.TypeChoice, Title: "Kind", Options: []form.Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}}
	many := one
	many.Multiple = true
	yesNo := form.Question{Key: "london", Type: form.TypeYesNo, Title: "London?"}
	file := form.Question{Key: "budget", Type: form.TypeFile, Title: "Budget"}

	tests := []struct {
		name string
		q    form.Question
		raw  string
		want string
	}{
		{"null is left to the caller", money, `null`, ""},
		{"invalid json", text, `"abc`, "Enter a valid answer"},
		{"text ok", text, `"one two three"`, ""},
		{"text empty", text, `""`, ""},
		{"text too long", text, `"one two three four"`, "Use 3 words or fewer"},
		{"text counts runs of non-space", text, `"  one \n\t two   three  "`, ""},
		{"text unlimited", form.Question{Type: form.TypeText}, `"` + strings.Repeat("w ", 10000) + `"`, ""},
		{"text number", text, `12`, "Enter text"},
		{"text array", text, `["a"]`, "Enter text"},
		{"money ok", money, `100`, ""},
		{"money at max", money, `500`, ""},
		{"money below min", money, `99`, "Enter an amount of 100 pence or more"},
		{"money above max", money, `501`, "Enter an amount of 500 pence or less"},
		{"money fraction", money, `100.5`, "Enter a whole number of pence"},
		{"money point zero", money, `100.0`, "Enter a whole number of pence"},
		{"money exponent", money, `1e2`, "Enter a whole number of pence"},
		{"money negative", anyMoney, `-1`, "Enter a whole number of pence of 0 or more"},
		{"money zero", anyMoney, `0`, ""},
		{"money huge", anyMoney, `99999999999999999999`, "Enter a smaller amount"},
		{"money max int64", anyMoney, `9223372036854775807`, ""},
		{"money string", money, `"100"`, "Enter an amount in pence"},
		{"money bool", money, `true`, "Enter an amount in pence"},
		{"number ok", number, `-2`, ""},
		{"number below min", number, `-3`, "Enter a number of -2 or more"},
		{"number above max", number, `11`, "Enter a number of 10 or less"},
		{"number fraction", number, `1.5`, "Enter a whole number"},
		{"number huge", number, `-99999999999999999999`, "Enter a smaller number"},
		{"number string", number, `"1"`, "Enter a number"},
		{"date ok", date, `"2027-02-28"`, ""},
		{"date leap day", date, `"2028-02-29"`, ""},
		{"date not leap", date, `"2027-02-29"`, "Enter a real date in the format YYYY-MM-DD"},
		{"date month 13", date, `"2027-13-01"`, "Enter a real date in the format YYYY-MM-DD"},
		{"date short", date, `"2027-1-01"`, "Enter a date in the format YYYY-MM-DD"},
		{"date with time", date, `"2027-01-01T00:00:00Z"`, "Enter a date in the format YYYY-MM-DD"},
		{"date other order", date, `"01-02-2027"`, "Enter a real date in the format YYYY-MM-DD"},
		{"date number", date, `20270101`, "Enter a date in the format YYYY-MM-DD"},
		{"choice ok", one, `"b"`, ""},
		{"choice unknown", one, `"c"`, "Choose one of the options given"},
		{"choice label is not value", one, `"A"`, "Choose one of the options given"},
		{"choice array for single", one, `["a"]`, "Choose one of the options given"},
		{"multiple ok", many, `["a","b"]`, ""},
		{"multiple empty", many, `[]`, ""},
		{"multiple unknown", many, `["a","c"]`, "Choose from the options given"},
		{"multiple repeated", many, `["a","a"]`, "Choose each option only once"},
		{"multiple string", many, `"a"`, "Choose one or more options"},
		{"multiple numbers", many, `[1]`, "Choose one or more options"},
		{"yes", yesNo, `true`, ""},
		{"no", yesNo, `false`, ""},
		{"yes as string", yesNo, `"yes"`, "Answer yes or no"},
		{"yes as number", yesNo, `1`, "Answer yes or no"},
		{"file ok", file, `"doc_123"`, ""},
		{"file empty", file, `""`, "Upload a document"},
		{"file blank", file, `"  "`, "Upload a document"},
		{"file number", file, `123`, "Upload a document"},
		{"unknown type", form.Question{Type: "essay"}, `"x"`, "This question cannot be answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, form.ValidateAnswer(tt.q, json.RawMessage(tt.raw)))
		})
	}
}

func TestParseInteger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw             string
		n               int64
		isNumber, whole bool
	}{
		{"0", 0, true, true},
		{" 42 ", 42, true, true},
		{"-7", -7, true, true},
		{"1.5", 0, true, false},
		{"1e3", 0, true, false},
		{"01", 0, false, false},
		{"9223372036854775808", 0, true, false},
		{`"1"`, 0, false, false},
		{"", 0, false, false},
		{"-", 0, false, false},
		{"null", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			n, isNumber, whole := form.ParseInteger(json.RawMessage(tt.raw))
			require.Equal(t, tt.n, n)
			require.Equal(t, tt.isNumber, isNumber)
			require.Equal(t, tt.whole, whole)
		})
	}
}

func answers(kv ...string) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = json.RawMessage(kv[i+1])
	}
	return m
}

func TestCheckAnswers(t *testing.T) {
	t.Parallel()
	qs := []form.Question{
		{Key: "summary", Type: form.TypeText, Title: "What will you do?", Required: true, MaxWords: ptr(5)},
		{Key: "cost", Type: form.TypeMoney, Title: "Cost", Required: true},
		{Key: "areas", Type: form.TypeChoice, Title: "Areas", Required: true, Multiple: true, Options: []form.Option{{Value: "a", Label: "A"}}},
		{Key: "london", Type: form.TypeYesNo, Title: "", Required: true},
		{Key: "budget", Type: form.TypeFile, Title: "Budget"},
	}
	full := []string{"summary", `"We will plant trees"`, "cost", `0`, "areas", `["a"]`, "london", `false`}
	tests := []struct {
		name     string
		answers  map[string]json.RawMessage
		complete bool
		want     map[string]string
	}{
		{"draft empty", nil, false, map[string]string{}},
		{"draft partial", answers("summary", `"Trees"`), false, map[string]string{}},
		{"draft null removes", answers("summary", `null`, "cost", `null`), false, map[string]string{}},
		{"draft unknown key", answers("colour", `"red"`), false, map[string]string{"answers.colour": "Unknown question"}},
		{"draft bad values", answers("summary", `"a b c d e f"`, "cost", `1.5`, "budget", `""`), false, map[string]string{
			"answers.summary": "Use 5 words or fewer",
			"answers.cost":    "Enter a whole number of pence",
			"answers.budget":  "Upload a document",
		}},
		{"complete ok", answers(full...), true, map[string]string{}},
		{"complete with optional file", answers(append(full, "budget", `"doc_1"`)...), true, map[string]string{}},
		{"complete missing everything", nil, true, map[string]string{
			"answers.summary": "Answer this question: What will you do?",
			"answers.cost":    "Answer this question: Cost",
			"answers.areas":   "Answer this question: Areas",
			"answers.london":  "Answer this question",
		}},
		{"complete blank text and empty array", answers("summary", `"  \n "`, "cost", `5`, "areas", `[]`, "london", `null`), true, map[string]string{
			"answers.summary": "Answer this question: What will you do?",
			"answers.areas":   "Answer this question: Areas",
			"answers.london":  "Answer this question",
		}},
		{"complete invalid beats missing", answers("summary", `7`, "cost", `0`, "areas", `["a"]`, "london", `true`), true, map[string]string{
			"answers.summary": "Enter text",
		}},
		{"complete unknown key", answers(append(full, "extra", `1`)...), true, map[string]string{"answers.extra": "Unknown question"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Empty(t, cmp.Diff(tt.want, form.CheckAnswers(qs, tt.answers, tt.complete)))
		})
	}
}

func TestFileAnswers(t *testing.T) {
	t.Parallel()
	qs := []form.Question{
		{Key: "summary", Type: form.TypeText, Title: "Summary"},
		{Key: "budget", Type: form.TypeFile, Title: "Budget"},
		{Key: "accounts", Type: form.TypeFile, Title: "Accounts"},
		{Key: "plan", Type: form.TypeFile, Title: "Plan"},
		{Key: "policy", Type: form.TypeFile, Title: "Policy"},
	}
	got := form.FileAnswers(qs, answers(
		"summary", `"doc_x"`,
		"budget", `"doc_1"`,
		"accounts", `null`,
		"plan", `""`,
		"other", `"doc_2"`,
	))
	require.Empty(t, cmp.Diff(map[string]string{"budget": "doc_1"}, got))
	require.Empty(t, form.FileAnswers(qs, nil))
}

func TestIsEmptyAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want bool
	}{
		{"", true}, {"null", true}, {`""`, true}, {`" \t"`, true}, {`[]`, true},
		{`"x"`, false}, {`0`, false}, {`false`, false}, {`["a"]`, false}, {`{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, form.IsEmptyAnswer(json.RawMessage(tt.raw)))
		})
	}
}
