package form_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/form"
)

func ptr[T any](v T) *T { return &v }

func validQuestions() []form.Question {
	return []form.Question{
		{Key: "summary", Type: form.TypeText, Title: "What will you do?", Required: true, MaxWords: ptr(250)},
		{Key: "cost", Type: form.TypeMoney, Title: "Cost", Min: ptr(int64(0)), Max: ptr(int64(500000))},
		{Key: "people", Type: form.TypeNumber, Title: "People", Min: ptr(int64(-5)), Max: ptr(int64(-5))},
		{Key: "start", Type: form.TypeDate, Title: "Start"},
		{Key: "areas", Type: form.TypeChoice, Title: "Areas", Multiple: true, Options: []form.Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}},
		{Key: "london", Type: form.TypeYesNo, Title: "London?"},
		{Key: "budget", Type: form.TypeFile, Title: "Budget"},
	}
}

func TestValidKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"summary_2", true},
		{"a" + strings.Repeat("b", 62), true},
		{"a" + strings.Repeat("b", 63), false},
		{"", false},
		{"2a", false},
		{"_a", false},
		{"Summary", false},
		{"sum-mary", false},
		{"sum mary", false},
		{"é", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, form.ValidKey(tt.key))
		})
	}
}

func TestValidateQuestions(t *testing.T) {
	t.Parallel()
	const p = "form.sections[0].questions"
	tests := []struct {
		name   string
		change func(qs []form.Question) []form.Question
		want   map[string]string
	}{
		{"valid", func(qs []form.Question) []form.Question { return qs }, map[string]string{}},
		{"empty list", func([]form.Question) []form.Question { return nil }, map[string]string{}},
		{"missing key", func(qs []form.Question) []form.Question { qs[1].Key = ""; return qs },
			map[string]string{p + "[1].key": "Enter a key"}},
		{"bad key", func(qs []form.Question) []form.Question { qs[1].Key = "Cost"; return qs },
			map[string]string{p + "[1].key": form.KeyMessage}},
		{"duplicate key", func(qs []form.Question) []form.Question { qs[3].Key = "summary"; return qs },
			map[string]string{p + "[3].key": "Use a different key for each question"}},
		{"unknown type skips type settings", func(qs []form.Question) []form.Question { qs[0].Type = "essay"; return qs },
			map[string]string{p + "[0].type": "Choose a type: text, money, number, date, choice, yes_no, file"}},
		{"empty type", func(qs []form.Question) []form.Question { qs[5].Type = ""; return qs },
			map[string]string{p + "[5].type": "Choose a type: text, money, number, date, choice, yes_no, file"}},
		{"blank title", func(qs []form.Question) []form.Question { qs[2].Title = "  "; return qs },
			map[string]string{p + "[2].title": "Enter a title"}},
		{"zero max_words", func(qs []form.Question) []form.Question { qs[0].MaxWords = ptr(0); return qs },
			map[string]string{p + "[0].max_words": "Enter a word limit of 1 or more"}},
		{"max_words on money", func(qs []form.Question) []form.Question { qs[1].MaxWords = ptr(10); return qs },
			map[string]string{p + "[1].max_words": "Only text questions have a word limit"}},
		{"min above max", func(qs []form.Question) []form.Question { qs[1].Min = ptr(int64(500001)); return qs },
			map[string]string{p + "[1].max": "Enter a maximum that is at least the minimum"}},
		{"negative money min", func(qs []form.Question) []form.Question { qs[1].Min = ptr(int64(-1)); return qs },
			map[string]string{p + "[1].min": "Enter a whole number of pence of 0 or more"}},
		{"negative money max", func(qs []form.Question) []form.Question { qs[1].Min = nil; qs[1].Max = ptr(int64(-1)); return qs },
			map[string]string{p + "[1].max": "Enter a whole number of pence of 0 or more"}},
		{"min on text", func(qs []form.Question) []form.Question { qs[0].Min = ptr(int64(1)); return qs },
			map[string]string{p + "[0].min": "Only money and number questions have a minimum"}},
		{"max on date", func(qs []form.Question) []form.Question { qs[3].Max = ptr(int64(1)); return qs },
			map[string]string{p + "[3].max": "Only money and number questions have a maximum"}},
		{"choice without options", func(qs []form.Question) []form.Question { qs[4].Options = nil; return qs },
			map[string]string{p + "[4].options": "Add at least one option"}},
		{"empty option value", func(qs []form.Question) []form.Question { qs[4].Options[1].Value = ""; return qs },
			map[string]string{p + "[4].options[1].value": "Enter a value"}},
		{"duplicate option value", func(qs []form.Question) []form.Question { qs[4].Options[1].Value = "a"; return qs },
			map[string]string{p + "[4].options[1].value": "Use a different value for each option"}},
		{"empty option label", func(qs []form.Question) []form.Question { qs[4].Options[0].Label = " "; return qs },
			map[string]string{p + "[4].options[0].label": "Enter a label"}},
		{"options on yes_no", func(qs []form.Question) []form.Question {
			qs[5].Options = []form.Option{{Value: "y", Label: "Y"}}
			return qs
		}, map[string]string{p + "[5].options": "Only choice questions have options"}},
		{"multiple on file", func(qs []form.Question) []form.Question { qs[6].Multiple = true; return qs },
			map[string]string{p + "[6].multiple": "Only choice questions allow more than one answer"}},
		{"several problems", func(qs []form.Question) []form.Question {
			qs[0].Key = "1"
			qs[0].Title = ""
			qs[2].Min = ptr(int64(3))
			qs[2].Max = ptr(int64(2))
			return qs
		}, map[string]string{
			p + "[0].key":   form.KeyMessage,
			p + "[0].title": "Enter a title",
			p + "[2].max":   "Enter a maximum that is at least the minimum",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := form.ValidateQuestions(p, tt.change(validQuestions()))
			require.Empty(t, cmp.Diff(tt.want, got))
		})
	}
}

func validForm() form.Form {
	qs := validQuestions()
	return form.Form{Sections: []form.Section{
		{Key: "project", Title: "Your project", Questions: qs[:3]},
		{Key: "details", Title: "Details", Description: "More", Questions: qs[3:]},
	}}
}

func TestFormValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
		change func(f *form.Form)
		want   map[string]string
	}{
		{"valid", "form", func(*form.Form) {}, map[string]string{}},
		{"no sections", "form", func(f *form.Form) { f.Sections = nil },
			map[string]string{"form.sections": "Add at least one section"}},
		{"empty prefix", "", func(f *form.Form) { f.Sections = nil },
			map[string]string{"sections": "Add at least one section"}},
		{"section without questions", "report_form", func(f *form.Form) { f.Sections[1].Questions = nil },
			map[string]string{"report_form.sections[1].questions": "Add at least one question"}},
		{"section key missing", "form", func(f *form.Form) { f.Sections[0].Key = "" },
			map[string]string{"form.sections[0].key": "Enter a key"}},
		{"section key invalid", "form", func(f *form.Form) { f.Sections[0].Key = "Project" },
			map[string]string{"form.sections[0].key": form.KeyMessage}},
		{"section key duplicate", "form", func(f *form.Form) { f.Sections[1].Key = "project" },
			map[string]string{"form.sections[1].key": "Use a different key for each section"}},
		{"section title blank", "form", func(f *form.Form) { f.Sections[1].Title = "" },
			map[string]string{"form.sections[1].title": "Enter a title"}},
		{"question key repeated across sections", "form", func(f *form.Form) { f.Sections[1].Questions[2].Key = "cost" },
			map[string]string{"form.sections[1].questions[2].key": "Use a different key for each question"}},
		{"question problem in second section", "form", func(f *form.Form) { f.Sections[1].Questions[0].Type = "time" },
			map[string]string{"form.sections[1].questions[0].type": "Choose a type: text, money, number, date, choice, yes_no, file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validForm()
			tt.change(&f)
			require.Empty(t, cmp.Diff(tt.want, f.Validate(tt.prefix)))
		})
	}
}

func TestFormQuestions(t *testing.T) {
	t.Parallel()
	f := validForm()
	require.Empty(t, cmp.Diff(validQuestions(), f.Questions()))
	require.Empty(t, form.Form{}.Questions())
}

func TestFormJSON(t *testing.T) {
	t.Parallel()
	in := `{"sections":[{"key":"project","title":"Your project","questions":[
		{"key":"summary","type":"text","title":"What will you do?","required":true,"max_words":250},
		{"key":"budget_breakdown","type":"file","title":"Budget","required":false},
		{"key":"kind","type":"choice","title":"Kind","hint":"Pick","required":false,"options":[{"value":"a","label":"A"}],"multiple":true},
		{"key":"cost","type":"money","title":"Cost","required":false,"min":0,"max":100}]}]}`
	var f form.Form
	dec := json.NewDecoder(strings.NewReader(in))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&f))
	require.Empty(t, f.Validate("form"))
	out, err := json.Marshal(f)
	require.NoError(t, err)
	require.JSONEq(t, in, string(out))
}
