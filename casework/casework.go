// Package casework holds the rules of Spaces at Risk one-to-one support
// (DESIGN §10 "Casework"): the words a support request and a case are
// made of, their limits, how a request is checked, how its priority is
// worked out and explained, and when the promises of a case fall due.
// It does no I/O: the use cases (package app) and CaseWorkflow's
// activities apply these rules to what they read.
package casework

import (
	"time"

	"github.com/civicgrants/grants/workday"
)

// Choice is one value of a closed list with the words people read.
type Choice struct {
	Value string
	Label string
}

// Values returns the values of a list, in order.
func Values(cs []Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Value
	}
	return out
}

// Label returns the label of v in cs, or v itself when it is not there.
func Label(cs []Choice, v string) string {
	for _, c := range cs {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

// Known reports whether v is one of cs.
func Known(cs []Choice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

// The closed lists of DESIGN §10, in the order a form offers them.
var (
	Tenures = []Choice{
		{"owned", "Owned by the group"},
		{"lease", "Lease"},
		{"licence", "Licence or hire agreement"},
		{"informal", "Informal arrangement"},
	}
	LandlordTypes = []Choice{
		{"council", "Council"},
		{"housing_association", "Housing association"},
		{"private", "Private landlord or developer"},
		{"charity", "Charity"},
		{"faith_group", "Faith group"},
		{"other", "Other"},
	}
	RiskKinds = []Choice{
		{"lease_ending", "Lease ending"},
		{"rent_rise", "Rent rise"},
		{"sale_or_redevelopment", "Sale or redevelopment"},
		{"planning", "Planning"},
		{"licensing", "Licensing"},
		{"business_rates", "Business rates"},
		{"building_condition", "Building condition"},
		{"funding", "Funding"},
		{"other", "Something else"},
	}
	KeyDateKinds = []Choice{
		{"lease_end", "Lease end"},
		{"notice", "Notice"},
		{"hearing", "Hearing"},
		{"planning_decision", "Planning decision"},
		{"rent_review", "Rent review"},
		{"other", "Other"},
	}
	Urgencies = []Choice{
		{"high", "High: the space could be lost within weeks"},
		{"medium", "Medium: within months"},
		{"low", "Low: we want to plan ahead"},
	}
	SpaceKinds = []Choice{
		{"community_centre", "Community centre"},
		{"social_club", "Social club"},
		{"youth_space", "Youth club or youth space"},
		{"cultural_space", "Arts or cultural space"},
		{"faith_space", "Faith building used by the community"},
		{"sports_space", "Sports or leisure space"},
		{"education_space", "Education space"},
		{"other", "Something else"},
	}
	TriageOutcomes = []Choice{
		{"accept", "Accept: open a case"},
		{"refer", "Refer elsewhere"},
		{"decline", "Decline"},
	}
	ContactKinds = []Choice{
		{"call", "Call"},
		{"meeting", "Meeting"},
		{"email", "E-mail"},
		{"visit", "Visit"},
	}
	Outcomes = []Choice{
		{"secured", "Space secured"},
		{"lease_renewed", "Lease renewed"},
		{"rent_reduced", "Rent reduced"},
		{"relocated", "Relocated"},
		{"lost", "Space lost"},
		{"referred", "Referred elsewhere"},
	}
	RequestStatuses = []Choice{
		{"new", "Waiting for triage"},
		{"accepted", "Accepted"},
		{"referred", "Referred elsewhere"},
		{"declined", "Declined"},
	}
)

// Request and case statuses.
const (
	RequestNew      = "new"
	RequestAccepted = "accepted"
	RequestReferred = "referred"
	RequestDeclined = "declined"

	CaseOpen   = "open"
	CaseClosed = "closed"

	ActionOpen = "open"
	ActionDone = "done"

	TriageAccept  = "accept"
	TriageRefer   = "refer"
	TriageDecline = "decline"
)

// Saved reports whether a closed case's outcome kept a space for its
// community (everything but lost and referred).
func Saved(outcome string) bool {
	switch outcome {
	case "secured", "lease_renewed", "rent_reduced", "relocated":
		return true
	}
	return false
}

// Limits of free text, in characters, and of lists.
const (
	MaxName        = 200
	MaxUse         = 100 // one entry of space.uses (DESIGN §10)
	MaxUses        = 20
	MaxShortText   = 500 // a reason, where a request was referred, an action's title
	MaxDescription = 5000
	MaxNote        = 5000
	MaxSummary     = 5000
	MaxWeeklyUsers = 1_000_000
	MaxRentPence   = 100_000_000_00 // £100m a year
	MaxMinutes     = 24 * 60        // one contact
	// MaxFutureYears bounds how far ahead a date may be.
	MaxFutureYears = 30
)

// DefaultFirstContactDays is the promise when neither the programme nor
// GRANTS_CASE_FIRST_CONTACT_DAYS says otherwise: working days from
// acceptance to first contact.
const DefaultFirstContactDays = 5

// ReviewEvery is how often an open case is reviewed: its caseworker is
// asked to review it (close it, or say what is next) this many working
// days after it opened and after each review.
const ReviewEvery = 40

// FirstContactDue is the London date by the end of which a case accepted
// at acceptedAt must have had its first contact: n working days later
// (weekends and England and Wales bank holidays skipped).
func FirstContactDue(acceptedAt time.Time, n int) workday.Date {
	return workday.AddWorkingDays(workday.DateOf(acceptedAt), n)
}

// NextReview is the date of the review after from.
func NextReview(from workday.Date) workday.Date { return workday.AddWorkingDays(from, ReviewEvery) }

// DateTime is the midnight at the start of a London civil date, the form
// in which dates travel through PostgreSQL's date columns (as UTC
// midnight of that civil date).
func DateTime(d workday.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// DateFrom reads back a date column (UTC midnight of the civil date).
func DateFrom(t time.Time) workday.Date {
	y, m, d := t.UTC().Date()
	return workday.Date{Year: y, Month: m, Day: d}
}

// EndOfDay is the first instant after a London civil date: a promise "by
// d" is missed from then on.
func EndOfDay(d workday.Date) time.Time { return d.AddDays(1).At(0, 0, 0, 0) }

// WorkingDaysBetween is the number of working days after from up to and
// including to (0 when to is not after from): a contact on the next
// working day took 1.
func WorkingDaysBetween(from, to workday.Date) int {
	n := 0
	for d := from.AddDays(1); !to.Before(d); d = d.AddDays(1) {
		if workday.IsWorkingDay(d) {
			n++
		}
	}
	return n
}
