package form

import (
	"fmt"
	"regexp"
	"strings"
)

// Question types.
const (
	// TypeText is free text, optionally limited by MaxWords.
	TypeText = "text"
	// TypeMoney is a whole number of pence, at least 0, optionally limited by Min and Max.
	TypeMoney = "money"
	// TypeNumber is a whole number, optionally limited by Min and Max.
	TypeNumber = "number"
	// TypeDate is a calendar date written YYYY-MM-DD.
	TypeDate = "date"
	// TypeChoice is one option value, or an array of option values when Multiple is set.
	TypeChoice = "choice"
	// TypeYesNo is a JSON boolean.
	TypeYesNo = "yes_no"
	// TypeFile is the id of a document uploaded to the same application.
	TypeFile = "file"
)

// Types lists every question type in the order they are described to users.
var Types = []string{TypeText, TypeMoney, TypeNumber, TypeDate, TypeChoice, TypeYesNo, TypeFile}

// Form is a list of sections, each with its questions.
type Form struct {
	Sections []Section `json:"sections"`
}

// Section groups questions under a title; it is shown as one page or task.
type Section struct {
	Key         string     `json:"key"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Questions   []Question `json:"questions"`
}

// Question is one typed question. Which optional fields apply depends on Type:
// MaxWords for text, Min and Max for money and number, Options and Multiple for
// choice.
type Question struct {
	Key      string   `json:"key"`
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Hint     string   `json:"hint,omitempty"`
	Required bool     `json:"required"`
	MaxWords *int     `json:"max_words,omitempty"`
	Min      *int64   `json:"min,omitempty"`
	Max      *int64   `json:"max,omitempty"`
	Options  []Option `json:"options,omitempty"`
	Multiple bool     `json:"multiple,omitempty"`
}

// Option is one possible answer to a choice question: Value is stored in the
// answers, Label is shown to the applicant.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidKey reports whether s can be used as a key: a lower-case letter
// followed by up to 62 lower-case letters, digits or underscores. The same rule
// is used for section, question, tier, criterion and report keys.
func ValidKey(s string) bool {
	return keyPattern.MatchString(s)
}

// KeyMessage is the message given for a key that fails ValidKey.
const KeyMessage = "Use a lower-case letter followed by up to 62 lower-case letters, digits or underscores"

// Questions returns every question of the form, section by section, in order.
func (f Form) Questions() []Question {
	var qs []Question
	for _, s := range f.Sections {
		qs = append(qs, s.Questions...)
	}
	return qs
}

// Validate checks the form definition: at least one section, valid and unique
// section keys, at least one question in each section, question keys unique
// across the whole form, and every question valid (see ValidateQuestions).
// prefix is the JSON path of the form, such as "form" or "report_form".
func (f Form) Validate(prefix string) map[string]string {
	errs := map[string]string{}
	sectionsPath := Join(prefix, "sections")
	if len(f.Sections) == 0 {
		errs[sectionsPath] = "Add at least one section"
		return errs
	}
	sectionKeys := map[string]bool{}
	questionKeys := map[string]bool{}
	for i, s := range f.Sections {
		p := fmt.Sprintf("%s[%d]", sectionsPath, i)
		switch {
		case s.Key == "":
			errs[p+".key"] = "Enter a key"
		case !ValidKey(s.Key):
			errs[p+".key"] = KeyMessage
		case sectionKeys[s.Key]:
			errs[p+".key"] = "Use a different key for each section"
		}
		sectionKeys[s.Key] = true
		if strings.TrimSpace(s.Title) == "" {
			errs[p+".title"] = "Enter a title"
		}
		qp := p + ".questions"
		if len(s.Questions) == 0 {
			errs[qp] = "Add at least one question"
			continue
		}
		for k, v := range ValidateQuestions(qp, s.Questions) {
			errs[k] = v
		}
		for j, q := range s.Questions {
			kp := fmt.Sprintf("%s[%d].key", qp, j)
			if q.Key == "" {
				continue
			}
			if questionKeys[q.Key] {
				if _, ok := errs[kp]; !ok {
					errs[kp] = duplicateQuestionKey
				}
			}
			questionKeys[q.Key] = true
		}
	}
	return errs
}

const duplicateQuestionKey = "Use a different key for each question"

// ValidateQuestions checks a list of question definitions: each key is valid
// and unique within the list, the type is known, the title is not empty, and
// only the settings that apply to the type are given and make sense. prefix is
// the JSON path of the list, such as "form.sections[0].questions"; errors are
// keyed by the path of the offending field, such as
// "form.sections[0].questions[1].max_words".
func ValidateQuestions(prefix string, qs []Question) map[string]string {
	errs := map[string]string{}
	seen := map[string]bool{}
	for i, q := range qs {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		switch {
		case q.Key == "":
			errs[p+".key"] = "Enter a key"
		case !ValidKey(q.Key):
			errs[p+".key"] = KeyMessage
		case seen[q.Key]:
			errs[p+".key"] = duplicateQuestionKey
		}
		seen[q.Key] = true
		if strings.TrimSpace(q.Title) == "" {
			errs[p+".title"] = "Enter a title"
		}
		known := false
		for _, t := range Types {
			known = known || q.Type == t
		}
		if !known {
			// Which settings apply depends on the type, so check them once it is fixed.
			errs[p+".type"] = "Choose a type: " + strings.Join(Types, ", ")
			continue
		}

		if q.MaxWords != nil {
			switch {
			case q.Type != TypeText:
				errs[p+".max_words"] = "Only text questions have a word limit"
			case *q.MaxWords <= 0:
				errs[p+".max_words"] = "Enter a word limit of 1 or more"
			}
		}

		numeric := q.Type == TypeMoney || q.Type == TypeNumber
		for _, b := range []struct {
			name string
			v    *int64
		}{{"min", q.Min}, {"max", q.Max}} {
			switch {
			case b.v == nil:
			case !numeric:
				errs[p+"."+b.name] = "Only money and number questions have a " + b.name + "imum"
			case q.Type == TypeMoney && *b.v < 0:
				errs[p+"."+b.name] = "Enter a whole number of pence of 0 or more"
			}
		}
		if numeric && q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			if _, ok := errs[p+".max"]; !ok {
				errs[p+".max"] = "Enter a maximum that is at least the minimum"
			}
		}

		if q.Type == TypeChoice {
			if len(q.Options) == 0 {
				errs[p+".options"] = "Add at least one option"
			}
			values := map[string]bool{}
			for j, o := range q.Options {
				op := fmt.Sprintf("%s.options[%d]", p, j)
				switch {
				case o.Value == "":
					errs[op+".value"] = "Enter a value"
				case values[o.Value]:
					errs[op+".value"] = "Use a different value for each option"
				}
				values[o.Value] = true
				if strings.TrimSpace(o.Label) == "" {
					errs[op+".label"] = "Enter a label"
				}
			}
		} else {
			if len(q.Options) > 0 {
				errs[p+".options"] = "Only choice questions have options"
			}
			if q.Multiple {
				errs[p+".multiple"] = "Only choice questions allow more than one answer"
			}
		}
	}
	return errs
}

// Join appends name to the JSON path prefix with a dot, or returns name alone
// when prefix is empty.
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
