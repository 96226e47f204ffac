package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/equality"
	"github.com/civicgrants/grants/id"
)

// SuppressBelow is the smallest count the equality report shows: a count
// from 1 to SuppressBelow-1 reads "<5", and so does the money of its cell,
// so that no small group can be picked out.
const SuppressBelow = 5

// Suppressed is the text of a suppressed cell.
const Suppressed = "<5"

// Figure is a report cell: a count or an amount in pence, or Suppressed.
type Figure struct {
	Value      int64
	Suppressed bool
}

// MarshalJSON writes a number, or "<5" for a suppressed cell.
func (f Figure) MarshalJSON() ([]byte, error) {
	if f.Suppressed {
		return json.Marshal(Suppressed)
	}
	return []byte(strconv.FormatInt(f.Value, 10)), nil
}

// String is the cell as a page shows it: the number, or "<5".
func (f Figure) String() string {
	if f.Suppressed {
		return Suppressed
	}
	return strconv.FormatInt(f.Value, 10)
}

// The rows every area of the equality report carries besides its groups.
const (
	EqualityPreferNotToSay = "prefer_not_to_say"
	EqualityNotAnswered    = "not_answered"
)

// EqualityRow is one group of one area: how many applications, how many
// awards and how much money awarded.
type EqualityRow struct {
	Group        string `json:"group"` // a top-level DEI code, prefer_not_to_say or not_answered
	Label        string `json:"label"`
	Applications Figure `json:"applications"`
	Awards       Figure `json:"awards"`
	AwardedPence Figure `json:"awarded_pence"`
}

// EqualityReport aggregates equality answers over the submitted
// applications of a round or a programme, by area: leadership (the groups
// organisations are led by), mission and beneficiaries. Groups are the
// taxonomy's top-level groups (an answer of a sub-group counts under its
// group, once per application); an application may count under several
// groups, so group rows do not add up to the total.
type EqualityReport struct {
	RoundID       string        `json:"round_id,omitempty"`
	Programme     string        `json:"programme,omitempty"`
	Applications  int64         `json:"applications"`
	Awards        int64         `json:"awards"`
	AwardedPence  int64         `json:"awarded_pence"`
	Leadership    []EqualityRow `json:"leadership"`
	Mission       []EqualityRow `json:"mission"`
	Beneficiaries []EqualityRow `json:"beneficiaries"`
}

// EqualityReportFilter chooses the applications of the report: exactly one
// of a round and a programme (its code).
type EqualityReportFilter struct {
	RoundID   string
	Programme string
}

type tally struct{ apps, awards, pence int64 }

// ReportEquality aggregates equality answers for managers (DESIGN §10);
// nobody else reads them beyond the applicant's own members.
func (a *App) ReportEquality(ctx context.Context, actor Actor, f EqualityReportFilter) (EqualityReport, error) {
	if !actor.Has(RoleManager) {
		return EqualityReport{}, forbidden("Only programme managers can read the equality report")
	}
	switch {
	case (f.RoundID == "") == (f.Programme == ""):
		return EqualityReport{}, Invalid(map[string]string{"round_id": "Give a round_id or a programme, not both"})
	case f.RoundID != "" && !id.Valid(id.Round, f.RoundID):
		return EqualityReport{}, Invalid(map[string]string{"round_id": "Choose a round that exists"})
	}
	p := sqlc.EqualityReportRowsParams{}
	if f.RoundID != "" {
		if _, err := a.store.RoundGet(ctx, f.RoundID); err != nil {
			if isNotFound(err) {
				return EqualityReport{}, notFound("Round")
			}
			return EqualityReport{}, fmt.Errorf("get round: %w", err)
		}
		p.RoundID = &f.RoundID
	} else {
		if _, err := a.store.ProgrammeGetByCode(ctx, f.Programme); err != nil {
			if isNotFound(err) {
				return EqualityReport{}, notFound("Programme")
			}
			return EqualityReport{}, fmt.Errorf("get programme: %w", err)
		}
		p.Programme = &f.Programme
	}
	rows, err := a.store.EqualityReportRows(ctx, p)
	if err != nil {
		return EqualityReport{}, fmt.Errorf("read equality report: %w", err)
	}
	out := EqualityReport{RoundID: f.RoundID, Programme: f.Programme}
	areas := [3]map[string]*tally{{}, {}, {}}
	for _, r := range rows {
		t := tally{apps: 1}
		if r.Awarded {
			t.awards, t.pence = 1, r.AwardPence
		}
		out.Applications, out.Awards, out.AwardedPence = out.Applications+t.apps, out.Awards+t.awards, out.AwardedPence+t.pence
		keys, err := equalityKeys(r.Answers)
		if err != nil {
			return EqualityReport{}, fmt.Errorf("application %s: %w", r.ID, err)
		}
		for i, ks := range keys {
			for _, k := range ks {
				c := areas[i][k]
				if c == nil {
					c = &tally{}
					areas[i][k] = c
				}
				c.apps, c.awards, c.pence = c.apps+t.apps, c.awards+t.awards, c.pence+t.pence
			}
		}
	}
	out.Leadership, out.Mission, out.Beneficiaries = equalityRows(areas[0]), equalityRows(areas[1]), equalityRows(areas[2])
	return out, nil
}

// equalityKeys are the rows an application counts under in each area
// (leadership, mission, beneficiaries): the top-level groups of its
// answer, once each; prefer_not_to_say; or not_answered.
func equalityKeys(raw []byte) ([3][]string, error) {
	var out [3][]string
	if raw == nil {
		for i := range out {
			out[i] = []string{EqualityNotAnswered}
		}
		return out, nil
	}
	var ans equality.Answers
	if err := json.Unmarshal(raw, &ans); err != nil {
		return out, fmt.Errorf("decode equality answers: %w", err)
	}
	for i, area := range []equality.Area{{Answered: ans.Leadership.Answered, Groups: equality.LedBy(ans.Leadership)}, ans.Mission, ans.Beneficiaries} {
		if !area.Answered {
			out[i] = []string{EqualityPreferNotToSay}
			continue
		}
		seen := map[string]bool{}
		for _, c := range area.Groups {
			if top := equality.TopLevel(c); !seen[top] {
				seen[top] = true
				out[i] = append(out[i], top)
			}
		}
	}
	return out, nil
}

// equalityRows lists every top-level group, then prefer not to say and
// not answered, with small cells suppressed.
func equalityRows(counts map[string]*tally) []EqualityRow {
	var rows []EqualityRow
	add := func(key, label string) {
		t := counts[key]
		if t == nil {
			t = &tally{}
		}
		small := t.apps > 0 && t.apps < SuppressBelow
		smallAwards := small || (t.awards > 0 && t.awards < SuppressBelow)
		rows = append(rows, EqualityRow{Group: key, Label: label,
			Applications: Figure{Value: t.apps, Suppressed: small},
			Awards:       Figure{Value: t.awards, Suppressed: smallAwards},
			AwardedPence: Figure{Value: t.pence, Suppressed: smallAwards}})
	}
	for _, g := range equality.Groups() {
		if g.Parent == "" {
			add(g.Code, g.Label)
		}
	}
	add(EqualityPreferNotToSay, "Prefer not to say")
	add(EqualityNotAnswered, "Not answered")
	return rows
}
