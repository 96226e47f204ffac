package web

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
)

// An amount money.ParsePounds refuses is answered with a message saying
// what to type, one for each kind of refusal.
func TestAmountMessage(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"":                   "Enter an amount",
		"£":                  "Enter an amount",
		"-5":                 "Enter an amount of £0 or more",
		"12.345":             "Enter an amount to the nearest penny, like 1,250.50",
		"1,2345":             "Enter an amount in pounds, like 1250 or 1,250.50",
		",123":               "Enter an amount in pounds, like 1250 or 1,250.50",
		"1234,567":           "Enter an amount in pounds, like 1250 or 1,250.50",
		"1.2.3":              "Enter an amount in pounds, like 1250 or 1,250.50",
		"12.":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"1e3":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"abc":                "Enter an amount in pounds, like 1250 or 1,250.50",
		"12 000":             "Enter an amount in pounds, like 1250 or 1,250.50",
		"99999999999999":     "Enter a smaller amount",
		"0x10":               "Enter an amount in pounds, like 1250 or 1,250.50",
		"+5":                 "Enter an amount in pounds, like 1250 or 1,250.50",
		"１２":                 "Enter an amount in pounds, like 1250 or 1,250.50",
		"1.5 0":              "Enter an amount in pounds, like 1250 or 1,250.50",
		"12,345,678,901,234": "Enter a smaller amount",
	}
	for in, want := range bad {
		_, err := money.ParsePounds(in)
		require.Equal(t, want, amountMessage(err), in)
	}
}

// answersForm is a form of one question of each type (DESIGN §7).
func answersForm() []form.Question {
	one, hundred, ten := int64(1), int64(10000), int64(10)
	words := 3
	return []form.Question{
		{Key: "summary", Type: form.TypeText, Title: "Summary", Required: true, MaxWords: &words},
		{Key: "costs", Type: form.TypeMoney, Title: "Costs", Min: &hundred},
		{Key: "people", Type: form.TypeNumber, Title: "People", Min: &one, Max: &ten},
		{Key: "started", Type: form.TypeDate, Title: "Started"},
		{Key: "kind", Type: form.TypeChoice, Title: "Kind", Options: []form.Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}},
		{Key: "areas", Type: form.TypeChoice, Title: "Areas", Multiple: true, Options: []form.Option{{Value: "x", Label: "X"}, {Value: "y", Label: "Y"}}},
		{Key: "london", Type: form.TypeYesNo, Title: "London", Required: true},
		{Key: "budget", Type: form.TypeFile, Title: "Budget"},
	}
}

// Each question type is read from what was typed into the JSON answer the
// use case takes; an empty field is null; what cannot be read is a
// message on its field; with complete, required answers and the use
// case's own checks too.
func TestReadAnswers(t *testing.T) {
	t.Parallel()
	qs := answersForm()
	typed := url.Values{
		"answers.summary": {"  Cooking clubs \n"}, "answers.costs": {"£1,250.50"}, "answers.people": {"1,0"},
		"answers.started-day": {"27"}, "answers.started-month": {"3"}, "answers.started-year": {"2027"},
		"answers.kind": {"b"}, "answers.areas": {"x", "y"}, "answers.london": {"no"}, "answers.budget": {"doc_1"},
	}
	f := &Form{Values: typed, errs: map[string]string{}}
	got := readAnswers(f, qs, true)
	require.Empty(t, f.Errors())
	want := map[string]string{"summary": `"Cooking clubs"`, "costs": `125050`, "people": `10`, "started": `"2027-03-27"`,
		"kind": `"b"`, "areas": `["x","y"]`, "london": `false`, "budget": `"doc_1"`}
	require.Len(t, got, len(want))
	for k, v := range want {
		require.JSONEq(t, v, string(got[k]), k)
	}

	// Stored answers prefill the fields so that they read back the same.
	back := newForm()
	prefillAnswers(back, qs, got)
	again := readAnswers(back, qs, true)
	require.Empty(t, back.Errors())
	require.Equal(t, got, again)
	require.Equal(t, "1250.50", back.Get("answers.costs"))

	// Nothing typed: every answer null, and with complete the required ones missing.
	empty := newForm()
	got = readAnswers(empty, qs, false)
	require.Empty(t, empty.Errors(), "a draft may leave everything empty")
	for _, q := range qs {
		require.Equal(t, "null", string(got[q.Key]), q.Key)
	}
	require.Empty(t, givenAnswers(got))
	empty = newForm()
	readAnswers(empty, qs, true)
	require.Equal(t, []FieldError{{Field: "answers.summary", Message: "Answer this question: Summary"},
		{Field: "answers.london", Message: "Answer this question: London"}}, empty.Errors())

	for _, tt := range []struct {
		name     string
		typed    url.Values
		complete bool
		field    string
		want     string
	}{
		{"fraction of a penny", url.Values{"answers.costs": {"12.345"}}, false, "answers.costs", "Enter an amount to the nearest penny, like 1,250.50"},
		{"not pounds", url.Values{"answers.costs": {"12 000"}}, false, "answers.costs", "Enter an amount in pounds, like 1250 or 1,250.50"},
		{"negative", url.Values{"answers.costs": {"-5"}}, false, "answers.costs", "Enter an amount of £0 or more"},
		{"below the minimum", url.Values{"answers.costs": {"99.99"}}, false, "answers.costs", "Enter an amount of £100 or more"},
		{"not a number", url.Values{"answers.people": {"ten"}}, false, "answers.people", "Enter a whole number, like 12"},
		{"number too big", url.Values{"answers.people": {"11"}}, false, "answers.people", "Enter a number of 10 or less"},
		{"number too small", url.Values{"answers.people": {"0"}}, false, "answers.people", "Enter a number of 1 or more"},
		{"part of a date", url.Values{"answers.started-day": {"27"}}, false, "answers.started", "Enter a date with a day, month and year"},
		{"no such date", url.Values{"answers.started-day": {"31"}, "answers.started-month": {"2"}, "answers.started-year": {"2027"}},
			false, "answers.started", "Enter a real date, like 27 3 2027"},
		{"a year of two digits", url.Values{"answers.started-day": {"1"}, "answers.started-month": {"2"}, "answers.started-year": {"27"}},
			false, "answers.started", "Enter a real date, like 27 3 2027"},
		{"neither yes nor no", url.Values{"answers.london": {"maybe"}}, false, "answers.london", "Select yes or no"},
		{"too many words, at completion", url.Values{"answers.summary": {"one two three four"}}, true, "answers.summary", "Use 3 words or fewer"},
		{"no such option, at completion", url.Values{"answers.kind": {"c"}}, true, "answers.kind", "Choose one of the options given"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &Form{Values: tt.typed, errs: map[string]string{}}
			got := readAnswers(f, qs, tt.complete)
			require.Equal(t, tt.want, f.Error(tt.field))
			if !tt.complete {
				require.Equal(t, "null", string(got[strings.TrimPrefix(tt.field, "answers.")]), "an answer that cannot be read is not given")
			}
		})
	}
}

// FuzzReadAnswers: whatever is typed, reading never panics; an answer read
// without a problem passes the use case's check, and prefilled back into
// a form it reads the same.
func FuzzReadAnswers(f *testing.F) {
	f.Add("Cooking clubs", "£1,250.50", "12", "27", "3", "2027", "a", "yes")
	f.Add(" ", "12.345", "1,0", "31", "2", "2027", "c", "maybe")
	f.Add("x", ".5", "-3", "0", "13", "99", "", "no")
	qs := answersForm()
	f.Fuzz(func(t *testing.T, text, costs, people, day, month, year, kind, london string) {
		typed := url.Values{"answers.summary": {text}, "answers.costs": {costs}, "answers.people": {people},
			"answers.started-day": {day}, "answers.started-month": {month}, "answers.started-year": {year},
			"answers.kind": {kind}, "answers.areas": {kind}, "answers.london": {london}}
		form1 := &Form{Values: typed, errs: map[string]string{}}
		got := readAnswers(form1, qs, false)
		for _, q := range qs {
			if form1.Error("answers."+q.Key) != "" {
				continue
			}
			if msg := form.ValidateAnswer(q, got[q.Key]); msg != "" && q.Type != form.TypeText && q.Type != form.TypeChoice {
				t.Fatalf("%s: read %s, which the use case refuses: %s", q.Key, got[q.Key], msg)
			}
		}
		back := newForm()
		prefillAnswers(back, qs, got)
		again := readAnswers(back, qs, false)
		for _, q := range qs {
			var was, is any
			require.NoError(t, json.Unmarshal(got[q.Key], &was))
			require.NoError(t, json.Unmarshal(again[q.Key], &is))
			if form1.Error("answers."+q.Key) == "" && !reflect.DeepEqual(was, is) {
				t.Fatalf("%s: read %s, prefilled and read again %s", q.Key, got[q.Key], again[q.Key])
			}
		}
	})
}
