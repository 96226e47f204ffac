package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/form"
)

// This file turns a round's typed questions into GOV.UK form fields and
// back: what the applicant typed becomes the JSON answers the use case
// checks, and stored answers prefill the fields.

// applicantQuestion is one question as a form field. Name is the field
// name and id, which is also the use case's path for its errors
// ("answers.<key>"), so they land on the field without renaming.
type applicantQuestion struct {
	Name     string
	Label    string
	Hint     string
	Widget   string // textarea, input, money, number, date, radios, checkboxes, file
	MaxWords int
	Inline   bool
	Items    []choice
	// Upload is where a file question's documents are uploaded.
	Upload string
}

// applicantQuestionField describes q as a field; docs are the application's
// documents, offered as the answers to a file question.
func applicantQuestionField(q form.Question, docs []app.Document, uploadHref string) applicantQuestion {
	v := applicantQuestion{Name: "answers." + q.Key, Label: q.Title, Hint: q.Hint}
	if !q.Required {
		v.Label += " (optional)"
	}
	switch q.Type {
	case form.TypeText:
		v.Widget = "textarea"
		if q.MaxWords != nil {
			v.MaxWords = *q.MaxWords
			if v.MaxWords <= 25 {
				v.Widget = "input"
				v.Hint = strings.TrimSpace(v.Hint + fmt.Sprintf(" Use up to %d words.", v.MaxWords))
			}
		}
	case form.TypeMoney:
		v.Widget = "money"
		v.Hint = strings.TrimSpace(v.Hint + " Enter an amount in pounds, for example 1250 or 1250.50.")
	case form.TypeNumber:
		v.Widget = "number"
	case form.TypeDate:
		v.Widget = "date"
		if v.Hint == "" {
			v.Hint = "For example, 27 3 2027"
		}
	case form.TypeYesNo:
		v.Widget, v.Inline = "radios", true
		v.Items = []choice{{Value: "yes", Text: "Yes"}, {Value: "no", Text: "No"}}
	case form.TypeChoice:
		v.Widget = "radios"
		if q.Multiple {
			v.Widget = "checkboxes"
		}
		for _, o := range q.Options {
			v.Items = append(v.Items, choice{Value: o.Value, Text: o.Label})
		}
	case form.TypeFile:
		v.Widget = "file"
		v.Upload = uploadHref
		for _, d := range docs {
			v.Items = append(v.Items, choice{Value: d.ID, Text: d.Filename, Hint: applicantDocType(d.ContentType) + ", " + applicantSize(d.SizeBytes)})
		}
		if len(v.Items) > 0 && !q.Required {
			v.Items = append(v.Items, choice{Value: "", Text: "None of these"})
		}
	default:
		v.Widget = "input"
	}
	return v
}

// applicantPrefill puts stored answers into the form fields of qs.
func applicantPrefill(f *Form, qs []form.Question, answers map[string]json.RawMessage) {
	for _, q := range qs {
		raw, ok := answers[q.Key]
		if !ok || form.IsNull(raw) {
			continue
		}
		name := "answers." + q.Key
		switch q.Type {
		case form.TypeText, form.TypeFile:
			var s string
			if json.Unmarshal(raw, &s) == nil {
				f.Set(name, s)
			}
		case form.TypeMoney:
			if n, _, whole := form.ParseInteger(raw); whole {
				f.Set(name, applicantPoundsInput(n))
			}
		case form.TypeNumber:
			if n, _, whole := form.ParseInteger(raw); whole {
				f.Set(name, strconv.FormatInt(n, 10))
			}
		case form.TypeDate:
			var s string
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
			if q.Multiple {
				var vs []string
				if json.Unmarshal(raw, &vs) == nil {
					f.Values[name] = vs
				}
			} else {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					f.Set(name, s)
				}
			}
		}
	}
}

// applicantAnswers reads the answers to qs from the form: nil for a
// question left empty (which removes a saved answer). What cannot be read
// (pounds with a fraction of a penny, a date that does not exist) is
// recorded on the form. With complete, a required question left empty is a
// problem too, and every given answer is checked as the use case will.
func applicantAnswers(f *Form, qs []form.Question, complete bool) map[string]any {
	out := make(map[string]any, len(qs))
	for _, q := range qs {
		name := "answers." + q.Key
		var v any
		switch q.Type {
		case form.TypeText:
			if s := strings.TrimSpace(f.Raw(name)); s != "" {
				v = s
			}
		case form.TypeFile:
			if s := f.Get(name); s != "" {
				v = s
			}
		case form.TypeMoney:
			s := f.Get(name)
			if s == "" {
				break
			}
			p, ok := applicantParsePounds(s)
			switch {
			case !ok:
				f.Fail(name, "Enter an amount in pounds, like 1250 or 1250.50")
			case q.Min != nil && p < *q.Min:
				f.Fail(name, "Enter an amount of "+pounds(*q.Min)+" or more")
			case q.Max != nil && p > *q.Max:
				f.Fail(name, "Enter an amount of "+pounds(*q.Max)+" or less")
			default:
				v = p
			}
		case form.TypeNumber:
			s := strings.ReplaceAll(f.Get(name), ",", "")
			if s == "" {
				break
			}
			n, err := strconv.ParseInt(s, 10, 64)
			switch {
			case err != nil:
				f.Fail(name, "Enter a whole number, like 25")
			case q.Min != nil && n < *q.Min:
				f.Fail(name, fmt.Sprintf("Enter a number of %d or more", *q.Min))
			case q.Max != nil && n > *q.Max:
				f.Fail(name, fmt.Sprintf("Enter a number of %d or less", *q.Max))
			default:
				v = n
			}
		case form.TypeDate:
			d, m, y := f.Get(name+"-day"), f.Get(name+"-month"), f.Get(name+"-year")
			if d == "" && m == "" && y == "" {
				break
			}
			s, msg := applicantDate(d, m, y)
			if msg != "" {
				f.Fail(name, msg)
				break
			}
			v = s
		case form.TypeYesNo:
			switch f.Get(name) {
			case "yes":
				v = true
			case "no":
				v = false
			case "":
			default:
				f.Fail(name, "Select yes or no")
			}
		case form.TypeChoice:
			if q.Multiple {
				if vs := f.All(name); len(vs) > 0 {
					v = vs
				}
			} else if s := f.Get(name); s != "" {
				v = s
			}
		}
		if complete && f.Error(name) == "" {
			if v == nil {
				if q.Required {
					f.Fail(name, form.MissingMessage(q))
				}
			} else if raw, err := json.Marshal(v); err == nil {
				if msg := form.ValidateAnswer(q, raw); msg != "" {
					f.Fail(name, msg)
				}
			}
		}
		out[q.Key] = v
	}
	return out
}

// applicantDate reads a GOV.UK date input as YYYY-MM-DD.
func applicantDate(d, m, y string) (string, string) {
	if d == "" || m == "" || y == "" {
		return "", "Enter a day, month and year"
	}
	day, err1 := strconv.Atoi(d)
	month, err2 := strconv.Atoi(m)
	year, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || year < 1000 || year > 9999 {
		return "", "Enter a real date, like 27 3 2027"
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || t.Year() != year {
		return "", "Enter a real date, like 27 3 2027"
	}
	return t.Format(form.DateLayout), ""
}

// applicantParsePounds reads an amount in pounds exactly as pence: "1,234.50"
// or "£1234.5" is 123450. A fraction of a penny, a negative amount or
// anything but digits is refused.
func applicantParsePounds(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "£")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	p, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	p *= 100
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		f, _ := strconv.ParseInt(frac, 10, 64)
		p += f
	}
	return p, true
}

// applicantPoundsInput writes pence for a pounds input: "1250" or "1250.50".
func applicantPoundsInput(p int64) string {
	if p%100 == 0 {
		return strconv.FormatInt(p/100, 10)
	}
	return fmt.Sprintf("%d.%02d", p/100, p%100)
}

// applicantSize writes a file size for people: "850 bytes", "12 KB", "3.4 MB".
func applicantSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// applicantDocType names a stored content type for people.
func applicantDocType(mime string) string {
	switch mime {
	case "application/pdf":
		return "PDF"
	case "image/png":
		return "PNG image"
	case "image/jpeg":
		return "JPEG image"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "Word document"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return "Excel spreadsheet"
	case "application/vnd.oasis.opendocument.text":
		return "OpenDocument text"
	}
	return mime
}

// applicantAnswerLines shows a stored answer as lines of text for a
// summary list; nil when there is no answer.
func applicantAnswerLines(q form.Question, raw json.RawMessage, docs []app.Document) []string {
	if form.IsEmptyAnswer(raw) {
		return nil
	}
	switch q.Type {
	case form.TypeText:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}
		}
	case form.TypeMoney:
		if n, _, whole := form.ParseInteger(raw); whole {
			return []string{pounds(n)}
		}
	case form.TypeNumber:
		if n, _, whole := form.ParseInteger(raw); whole {
			return []string{strconv.FormatInt(n, 10)}
		}
	case form.TypeDate:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if t, err := time.Parse(form.DateLayout, s); err == nil {
				return []string{t.Format("2 January 2006")}
			}
			return []string{s}
		}
	case form.TypeYesNo:
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return []string{map[bool]string{true: "Yes", false: "No"}[b]}
		}
	case form.TypeChoice:
		label := func(v string) string {
			for _, o := range q.Options {
				if o.Value == v {
					return o.Label
				}
			}
			return v
		}
		if q.Multiple {
			var vs []string
			if json.Unmarshal(raw, &vs) == nil {
				out := make([]string, len(vs))
				for i, v := range vs {
					out[i] = label(v)
				}
				return out
			}
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{label(s)}
		}
	case form.TypeFile:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			for _, d := range docs {
				if d.ID == s {
					return []string{d.Filename}
				}
			}
			return []string{s}
		}
	}
	return []string{string(raw)}
}

// applicantAnswered reports whether q has a non-empty stored answer.
func applicantAnswered(q form.Question, answers map[string]json.RawMessage) bool {
	return !form.IsEmptyAnswer(answers[q.Key])
}
