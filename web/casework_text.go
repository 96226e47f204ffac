package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/civicgrants/grants/casework"
)

// Spaces at Risk casework, the caseworkers' side (issue 16): the intake
// queue and triage (casework_requests.go), cases and their commands
// (casework_cases.go), and the figures with their CSV
// (casework_figures.go). The rules and the words are the casework
// package's and the use cases'; these pages show what they decided.

// cwText gives casework pages the words of casework's closed lists; every
// casework page's data embeds it, so a template writes
// {{$.Data.Risk .Risk.Kind}}.
type cwText struct{}

// Risk is the label of a risk kind.
func (cwText) Risk(v string) string { return casework.Label(casework.RiskKinds, v) }

// SpaceKind is the label of a kind of space ("" is something else).
func (cwText) SpaceKind(v string) string {
	if v == "" {
		v = "other"
	}
	return casework.Label(casework.SpaceKinds, v)
}

// KeyDateKind is the label of a kind of key date.
func (cwText) KeyDateKind(v string) string { return casework.Label(casework.KeyDateKinds, v) }

// Urgency is the label of an urgency.
func (cwText) Urgency(v string) string { return casework.Label(casework.Urgencies, v) }

// Tenure is the label of a tenure.
func (cwText) Tenure(v string) string { return casework.Label(casework.Tenures, v) }

// Landlord is the label of a landlord type.
func (cwText) Landlord(v string) string { return casework.Label(casework.LandlordTypes, v) }

// Contact is the label of a kind of contact.
func (cwText) Contact(v string) string { return casework.Label(casework.ContactKinds, v) }

// Outcome is the label of a case's outcome.
func (cwText) Outcome(v string) string { return casework.Label(casework.Outcomes, v) }

// Triage is the label of a triage outcome.
func (cwText) Triage(v string) string { return casework.Label(casework.TriageOutcomes, v) }

// RequestStatus is the label of a support request's status.
func (cwText) RequestStatus(v string) string { return casework.Label(casework.RequestStatuses, v) }

// Lower is s in lower case, for a label inside a sentence.
func (cwText) Lower(s string) string { return strings.ToLower(s) }

// Day writes a date of the use cases (YYYY-MM-DD) as people read it.
func (cwText) Day(s string) string { return supportDay(s) }

// Hours writes minutes as hours and minutes: "1 hour 30 minutes".
func (cwText) Hours(minutes int64) string {
	h, m := minutes/60, minutes%60
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case h == 0:
		return unit(m, "minute")
	case m == 0:
		return unit(h, "hour")
	}
	return unit(h, "hour") + " " + unit(m, "minute")
}

// cwAge says how long ago t was, in whole days: "today", "1 day", "12 days".
func cwAge(t, now time.Time) string {
	days := int(now.Sub(t).Hours() / 24)
	switch {
	case days <= 0:
		return "Today"
	case days == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}

// cwChoices are the radios or options of one of casework's closed lists.
func cwChoices(list []casework.Choice) []choice {
	out := make([]choice, len(list))
	for i, c := range list {
		out[i] = choice{Value: c.Value, Text: c.Label}
	}
	return out
}
