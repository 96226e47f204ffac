package casework

import (
	"fmt"
	"time"

	"github.com/civicgrants/grants/workday"
)

// Priority orders the intake queue. It is shown with its reasons, each
// naming the points it added, so a caseworker (and the group) can see
// why one request comes before another. Scores run from 0 to 100.
type Priority struct {
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
}

// PriorityFacts is what a request's priority is worked out from.
type PriorityFacts struct {
	// KeyDate is the London date of the risk's key date (nil: none given).
	KeyDate     *workday.Date
	KeyDateKind string
	Urgency     string
	// LedByCommunity: led by and for a community facing the greatest
	// inequalities.
	LedByCommunity bool
	// IncomePence is the organisation's annual turnover.
	IncomePence int64
	// SimilarSpaces is how many other spaces of the same kind the system
	// knows in the same borough; Borough and KindLabel name them.
	SimilarSpaces int
	Borough       string
	KindLabel     string
}

// Points of each part of the priority. Time matters most: a space with a
// hearing next week cannot wait behind one whose lease ends in two years.
const (
	pointsKeyDateWeeks2   = 40 // key date within 14 days
	pointsKeyDateMonth    = 32 // within 30 days
	pointsKeyDateQuarter  = 24 // within 90 days
	pointsKeyDateHalfYear = 14 // within 180 days
	pointsKeyDateLater    = 6
	pointsUrgencyHigh     = 15
	pointsUrgencyMedium   = 8
	pointsLedByCommunity  = 15
	pointsSmallTurnover   = 10
	pointsNoSimilar       = 20
	pointsFewSimilar      = 12 // 1 or 2 others
	pointsSomeSimilar     = 6  // 3 to 5 others

	// SmallTurnoverPence is the equity threshold of turnover: under £1m.
	SmallTurnoverPence = 100_000_000
)

// PriorityOf works out the priority on London date today.
func PriorityOf(f PriorityFacts, today workday.Date) Priority {
	p := Priority{Reasons: []string{}}
	add := func(points int, reason string) {
		p.Score += points
		p.Reasons = append(p.Reasons, fmt.Sprintf("%s (+%d)", reason, points))
	}
	if f.KeyDate != nil {
		days := daysBetween(today, *f.KeyDate)
		what := "Key date"
		if f.KeyDateKind != "" && f.KeyDateKind != "other" {
			what = "Key date (" + lower(Label(KeyDateKinds, f.KeyDateKind)) + ")"
		}
		when := fmt.Sprintf("%s in %d days", what, days)
		switch {
		case days < 0:
			add(pointsKeyDateWeeks2, fmt.Sprintf("%s passed %d days ago", what, -days))
		case days == 0:
			add(pointsKeyDateWeeks2, what+" is today")
		case days <= 14:
			add(pointsKeyDateWeeks2, when)
		case days <= 30:
			add(pointsKeyDateMonth, when)
		case days <= 90:
			add(pointsKeyDateQuarter, when)
		case days <= 180:
			add(pointsKeyDateHalfYear, when)
		default:
			add(pointsKeyDateLater, when)
		}
	} else {
		p.Reasons = append(p.Reasons, "No key date given (+0)")
	}
	switch f.Urgency {
	case "high":
		add(pointsUrgencyHigh, "The group says it is urgent")
	case "medium":
		add(pointsUrgencyMedium, "The group says it is fairly urgent")
	}
	if f.LedByCommunity {
		add(pointsLedByCommunity, "Led by and for a community facing the greatest inequalities")
	}
	if f.IncomePence < SmallTurnoverPence {
		add(pointsSmallTurnover, "Turnover under £1 million")
	}
	kind := lower(f.KindLabel)
	if kind == "" || kind == "something else" {
		kind = "space"
	}
	switch n := f.SimilarSpaces; {
	case n == 0:
		add(pointsNoSimilar, fmt.Sprintf("No other %s known in %s", kind, f.Borough))
	case n <= 2:
		add(pointsFewSimilar, fmt.Sprintf("Only %d other %s known in %s", n, plural(kind, n), f.Borough))
	case n <= 5:
		add(pointsSomeSimilar, fmt.Sprintf("%d other %s known in %s", n, plural(kind, n), f.Borough))
	default:
		p.Reasons = append(p.Reasons, fmt.Sprintf("%d other %s known in %s (+0)", n, plural(kind, n), f.Borough))
	}
	return p
}

// daysBetween is the number of calendar days from a to b.
func daysBetween(a, b workday.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(24*time.Hour) / (24 * time.Hour))
}

func lower(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' { // an acronym stays as it is
		return s
	}
	if r[0] >= 'A' && r[0] <= 'Z' {
		r[0] += 'a' - 'A'
	}
	return string(r)
}

func plural(s string, n int) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
