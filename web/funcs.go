package web

import (
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/registers"

	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// london is where the people using the service are; dates show in its time.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func funcs() template.FuncMap {
	return template.FuncMap{
		"pounds":        money.Pounds,
		"register":      registers.SourceName,
		"date":          dateTime,
		"day":           func(t time.Time) string { return t.In(london).Format("2 January 2006") },
		"humanise":      humanise,
		"tagColour":     tagColour,
		"words":         func(s string) int { return len(strings.Fields(s)) },
		"dict":          dict,
		"list":          func(v ...any) []any { return v },
		"item":          func(value, text string) choice { return choice{Value: value, Text: text} },
		"itemHint":      func(value, text, hint string) choice { return choice{Value: value, Text: text, Hint: hint} },
		"add":           func(a, b int) int { return a + b },
		"join":          strings.Join,
		"str":           func(v any) string { return fmt.Sprint(v) },
		"seconds":       humanSeconds,
		"describedBy":   describedBy,
		"partnerStatus": applicantPartnerStatus,
	}
}

// choice is one radio or checkbox option.
type choice struct {
	Value, Text, Hint string
}

// dateTime is a moment as people in London read it.
func dateTime(t time.Time) string { return t.In(london).Format("2 January 2006 at 3:04pm") }

// dict builds the argument of a partial: (dict "Name" "email" "Label" "Email").
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// humanise turns a status such as in_review into "In review".
func humanise(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// tagColour is the GOV.UK tag modifier for a status.
func tagColour(status string) string {
	switch status {
	case "approved", "awarded", "accepted", "paid", "completed", "open", "eligible", "submitted_report", "active", "passed":
		return "govuk-tag--green"
	case "rejected", "ineligible", "failed", "withdrawn", "declined", "overdue", "cancelled", "reversed", "escalated":
		return "govuk-tag--red"
	case "draft", "not_started", "closed", "due", "scheduled", "not_run":
		return "govuk-tag--grey"
	case "waitlisted", "held", "changes_requested", "awaiting_approval", "moderation", "sending", "error":
		return "govuk-tag--yellow"
	case "in_review", "submitted", "offered", "approved_once", "in_progress":
		return "govuk-tag--blue"
	}
	return "govuk-tag--light-blue"
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// humanSeconds says a short duration in words: "2 minutes", "45 seconds".
func humanSeconds(n int) string {
	switch {
	case n >= 120 && n%60 == 0:
		return fmt.Sprintf("%d minutes", n/60)
	case n == 60:
		return "1 minute"
	case n == 1:
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}

// describedBy lists the ids of a field's hint and error message, those it
// has, for aria-describedby.
func describedBy(name string, hint any, errMsg string) string {
	var ids []string
	if h, _ := hint.(string); h != "" {
		ids = append(ids, name+"-hint")
	}
	if errMsg != "" {
		ids = append(ids, name+"-error")
	}
	return strings.Join(ids, " ")
}
