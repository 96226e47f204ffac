package equality

import (
	"fmt"
	"strconv"
)

// The DEI Data Standard's "led by" thresholds as issue 18 states them: an
// organisation is led by a group when at least 75% of its board AND at
// least 50% of its senior staff are of that group. (The codes in
// taxonomy.csv are the 360Giving DEI extension's own list; these two
// numbers come from the issue, not from a published text of the standard
// read here.)
const (
	LedByBoardPercent       = 75
	LedBySeniorStaffPercent = 50
)

// Area is the answer for one of the standard's application areas.
// Answered false is "prefer not to say" and carries no groups.
type Area struct {
	Answered bool     `json:"answered"`
	Groups   []string `json:"groups"`
}

// Share is, for one group, the percentage of the board and of the senior
// staff who are of it.
type Share struct {
	Group              string `json:"group"`
	BoardPercent       *int   `json:"board_percent"`
	SeniorStaffPercent *int   `json:"senior_staff_percent"`
}

// Leadership is who leads the organisation: the groups it says it is led
// by and, optionally, the shares that show it.
type Leadership struct {
	Answered bool     `json:"answered"`
	Groups   []string `json:"groups"`
	Shares   []Share  `json:"shares"`
}

// Answers are an organisation's equality answers for one application.
// Publish is its consent to publish them as open data (the 360Giving DEI
// extension).
type Answers struct {
	Leadership    Leadership `json:"leadership"`
	Mission       Area       `json:"mission"`
	Beneficiaries Area       `json:"beneficiaries"`
	Publish       bool       `json:"publish"`
}

// Normalise gives every list a non-nil value and orders groups and shares
// as the codelist does, so equal answers encode equally.
func (a Answers) Normalise() Answers {
	for _, l := range []*[]string{&a.Leadership.Groups, &a.Mission.Groups, &a.Beneficiaries.Groups} {
		if *l == nil {
			*l = []string{}
		}
		sortCodes(*l)
	}
	if a.Leadership.Shares == nil {
		a.Leadership.Shares = []Share{}
	}
	return a
}

// Validate lists every problem of a, keyed by field path (for example
// "mission.groups[1]" or "leadership.shares[0].board_percent"); an empty
// map means a is valid. Rules: groups are listed codes, each once; an
// area answered has at least one group and one not answered ("prefer not
// to say") none; a share names a group of the leadership answer, once,
// with both percentages from 0 to 100; a sub-group's share is never above
// its parent group's share when both are given (the shares must add up).
func (a Answers) Validate() map[string]string {
	fields := map[string]string{}
	checkArea(fields, "leadership", a.Leadership.Answered, a.Leadership.Groups)
	checkArea(fields, "mission", a.Mission.Answered, a.Mission.Groups)
	checkArea(fields, "beneficiaries", a.Beneficiaries.Answered, a.Beneficiaries.Groups)
	checkShares(fields, a.Leadership)
	return fields
}

func checkArea(fields map[string]string, name string, answered bool, gs []string) {
	switch {
	case !answered && len(gs) > 0:
		fields[name+".groups"] = "Leave the groups empty when you prefer not to say"
		return
	case answered && len(gs) == 0:
		fields[name+".groups"] = "Choose at least one group, or choose prefer not to say"
		return
	}
	seen := map[string]bool{}
	for i, c := range gs {
		f := name + ".groups[" + strconv.Itoa(i) + "]"
		if _, ok := byCode[c]; !ok {
			fields[f] = fmt.Sprintf("%q is not a code of the DEI Data Standard", c)
		} else if seen[c] {
			fields[f] = "Choose each group once"
		}
		seen[c] = true
	}
}

func checkShares(fields map[string]string, l Leadership) {
	if !l.Answered && len(l.Shares) > 0 {
		fields["leadership.shares"] = "Leave the shares empty when you prefer not to say"
		return
	}
	declared := map[string]bool{}
	for _, c := range l.Groups {
		declared[c] = true
	}
	given := map[string]Share{}
	for i, s := range l.Shares {
		f := "leadership.shares[" + strconv.Itoa(i) + "]"
		switch {
		case !declared[s.Group]:
			fields[f+".group"] = "Give shares only for a group chosen under leadership"
		case given[s.Group].Group != "":
			fields[f+".group"] = "Give each group's shares once"
		default:
			given[s.Group] = s
		}
		checkPercent(fields, f+".board_percent", s.BoardPercent)
		checkPercent(fields, f+".senior_staff_percent", s.SeniorStaffPercent)
	}
	for i, s := range l.Shares {
		p, ok := given[byCode[s.Group].Parent]
		if !ok || given[s.Group] != s {
			continue
		}
		f := "leadership.shares[" + strconv.Itoa(i) + "]"
		if above(s.BoardPercent, p.BoardPercent) {
			fields[f+".board_percent"] = "A group's share cannot be larger than the share of " + Label(p.Group)
		}
		if above(s.SeniorStaffPercent, p.SeniorStaffPercent) {
			fields[f+".senior_staff_percent"] = "A group's share cannot be larger than the share of " + Label(p.Group)
		}
	}
}

func checkPercent(fields map[string]string, f string, v *int) {
	switch {
	case v == nil:
		fields[f] = "Enter a percentage from 0 to 100"
	case *v < 0 || *v > 100:
		fields[f] = "Enter a percentage from 0 to 100"
	}
}

func above(child, parent *int) bool {
	return child != nil && parent != nil && *child <= 100 && *parent >= 0 && *child > *parent
}

// LedBy are the groups the organisation is led by, in codelist order. A
// group chosen without shares is the organisation's own declaration, as
// the standard allows; a group given with shares counts only when they
// meet both thresholds (LedByBoardPercent of the board and
// LedBySeniorStaffPercent of the senior staff). Prefer not to say leads
// to none.
func LedBy(l Leadership) []string {
	out := []string{}
	if !l.Answered {
		return out
	}
	shares := map[string]Share{}
	for _, s := range l.Shares {
		shares[s.Group] = s
	}
	for _, c := range l.Groups {
		s, ok := shares[c]
		if !ok || (s.BoardPercent != nil && s.SeniorStaffPercent != nil &&
			*s.BoardPercent >= LedByBoardPercent && *s.SeniorStaffPercent >= LedBySeniorStaffPercent) {
			out = append(out, c)
		}
	}
	sortCodes(out)
	return out
}
