package web

import (
	"encoding/json"
	"fmt"
	"strings"

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
			v.Hint = "For example, " + dateExample
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

// applicantAnswered reports whether q has a non-empty stored answer.
func applicantAnswered(q form.Question, answers map[string]json.RawMessage) bool {
	return !form.IsEmptyAnswer(answers[q.Key])
}
