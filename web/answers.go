package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
)

// This file is the one reader of form answers: the question pages of an
// application, the eligibility checker and a grantee's report all turn
// what was typed into the JSON answers the use cases check (DESIGN §7's
// question types), and stored answers back into the fields, here.

// dateExample is the date the pages give as an example of a date input.
const dateExample = "27 3 2027"

// amountMessage says what to type instead of an amount money.ParsePounds
// refused.
func amountMessage(err error) string {
	switch {
	case errors.Is(err, money.ErrEmpty):
		return "Enter an amount"
	case errors.Is(err, money.ErrNegative):
		return "Enter an amount of £0 or more"
	case errors.Is(err, money.ErrFraction):
		return "Enter an amount to the nearest penny, like 1,250.50"
	case errors.Is(err, money.ErrTooLarge):
		return "Enter a smaller amount"
	}
	return "Enter an amount in pounds, like 1250 or 1,250.50"
}

// readAnswers reads the answers to qs from the form f, keyed by question
// key: JSON null for a question left empty (which removes a saved answer).
// What cannot be read (pounds with a fraction of a penny, a date that does
// not exist) is recorded on f under the field's name, "answers.<key>".
// With complete, a required question left empty is a problem too, and
// every answer read is checked as the use case will check it.
func readAnswers(f *Form, qs []form.Question, complete bool) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(qs))
	for _, q := range qs {
		name := "answers." + q.Key
		v, msg := readAnswer(f, q, name)
		if msg != "" {
			f.Fail(name, msg)
		}
		raw, _ := json.Marshal(v) // nil, a string, int64, bool or []string: cannot fail
		if complete && msg == "" {
			if v == nil {
				if q.Required {
					f.Fail(name, form.MissingMessage(q))
				}
			} else if msg := form.ValidateAnswer(q, raw); msg != "" {
				f.Fail(name, msg)
			}
		}
		out[q.Key] = raw
	}
	return out
}

// givenAnswers is answers without the questions left empty.
func givenAnswers(answers map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(answers))
	for k, raw := range answers {
		if !form.IsNull(raw) {
			out[k] = raw
		}
	}
	return out
}

// readAnswer reads the field name as an answer to q: nil when it is empty,
// else the value to store, or a message saying what to type instead.
func readAnswer(f *Form, q form.Question, name string) (any, string) {
	switch q.Type {
	case form.TypeText:
		if s := strings.TrimSpace(f.Raw(name)); s != "" {
			return s, ""
		}
	case form.TypeFile:
		if s := f.Get(name); s != "" {
			return s, ""
		}
	case form.TypeMoney:
		s := f.Get(name)
		if s == "" {
			return nil, ""
		}
		p, err := money.ParsePounds(s)
		switch {
		case err != nil:
			return nil, amountMessage(err)
		case q.Min != nil && p < *q.Min:
			return nil, "Enter an amount of " + money.Pounds(*q.Min) + " or more"
		case q.Max != nil && p > *q.Max:
			return nil, "Enter an amount of " + money.Pounds(*q.Max) + " or less"
		}
		return p, ""
	case form.TypeNumber:
		s := strings.ReplaceAll(f.Get(name), ",", "")
		if s == "" {
			return nil, ""
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil:
			return nil, "Enter a whole number, like 12"
		case q.Min != nil && n < *q.Min:
			return nil, fmt.Sprintf("Enter a number of %d or more", *q.Min)
		case q.Max != nil && n > *q.Max:
			return nil, fmt.Sprintf("Enter a number of %d or less", *q.Max)
		}
		return n, ""
	case form.TypeDate:
		s, given, msg := formDate(f, name)
		if !given || msg != "" {
			return nil, msg
		}
		return s, ""
	case form.TypeYesNo:
		switch f.Get(name) {
		case "yes":
			return true, ""
		case "no":
			return false, ""
		case "":
		default:
			return nil, "Select yes or no"
		}
	case form.TypeChoice:
		if q.Multiple {
			if vs := f.All(name); len(vs) > 0 {
				return vs, ""
			}
		} else if s := f.Get(name); s != "" {
			return s, ""
		}
	}
	return nil, ""
}

// formDate reads the GOV.UK date input name of f as YYYY-MM-DD; given is
// false when all three fields are empty, msg says what is wrong otherwise.
func formDate(f *Form, name string) (date string, given bool, msg string) {
	d, m, y := f.Get(name+"-day"), f.Get(name+"-month"), f.Get(name+"-year")
	if d == "" && m == "" && y == "" {
		return "", false, ""
	}
	date, msg = readDate(d, m, y)
	return date, true, msg
}

// readDate reads a GOV.UK date input as YYYY-MM-DD.
func readDate(d, m, y string) (string, string) {
	if d == "" || m == "" || y == "" {
		return "", "Enter a date with a day, month and year"
	}
	day, err1 := strconv.Atoi(d)
	month, err2 := strconv.Atoi(m)
	year, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || year < 1000 || year > 9999 {
		return "", "Enter a real date, like " + dateExample
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || t.Year() != year {
		return "", "Enter a real date, like " + dateExample
	}
	return t.Format(form.DateLayout), ""
}

// prefillAnswers puts stored answers into the form fields of qs, as
// readAnswers reads them back.
func prefillAnswers(f *Form, qs []form.Question, answers map[string]json.RawMessage) {
	for _, q := range qs {
		raw, ok := answers[q.Key]
		if !ok || form.IsNull(raw) {
			continue
		}
		name := "answers." + q.Key
		var s string
		switch q.Type {
		case form.TypeText, form.TypeFile:
			if json.Unmarshal(raw, &s) == nil {
				f.Set(name, s)
			}
		case form.TypeMoney:
			if n, _, whole := form.ParseInteger(raw); whole {
				f.Set(name, money.Input(n))
			}
		case form.TypeNumber:
			if n, _, whole := form.ParseInteger(raw); whole {
				f.Set(name, strconv.FormatInt(n, 10))
			}
		case form.TypeDate:
			if json.Unmarshal(raw, &s) == nil {
				if t, err := time.Parse(form.DateLayout, s); err == nil {
					f.Set(name+"-day", strconv.Itoa(t.Day()))
					f.Set(name+"-month", strconv.Itoa(int(t.Month())))
					f.Set(name+"-year", strconv.Itoa(t.Year()))
				}
			}
		case form.TypeYesNo:
			var b bool
			if json.Unmarshal(raw, &b) == nil {
				f.Set(name, map[bool]string{true: "yes", false: "no"}[b])
			}
		case form.TypeChoice:
			var vs []string
			if q.Multiple && json.Unmarshal(raw, &vs) == nil {
				f.Values[name] = vs
			} else if !q.Multiple && json.Unmarshal(raw, &s) == nil {
				f.Set(name, s)
			}
		}
	}
}

// answerLines shows a stored answer as lines of text (form.AnswerLines),
// a file by its document's name.
func answerLines(q form.Question, raw json.RawMessage, docs []app.Document) []string {
	return form.AnswerLines(q, raw, func(id string) string {
		for _, d := range docs {
			if d.ID == id {
				return d.Filename
			}
		}
		return id
	})
}
