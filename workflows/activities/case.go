package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// caseRow is an application with its round and the round's definition.
type caseRow struct {
	app   sqlc.Application
	round sqlc.Round
	def   round.Definition
}

// loadCase reads an application, its round and the round's definition.
// With lock, the application row is locked for the rest of the
// transaction: every activity that changes a case takes it first, so
// changes to one case are serialised and always lock in the same order
// (application, then round or assessment rows, then audit chains).
func loadCase(ctx context.Context, q *sqlc.Queries, applicationID string, lock bool) (caseRow, error) {
	var c caseRow
	var err error
	if lock {
		c.app, err = q.ApplicationGetForUpdate(ctx, applicationID)
	} else {
		c.app, err = q.ApplicationGet(ctx, applicationID)
	}
	if err != nil {
		return c, fmt.Errorf("load application %s: %w", applicationID, err)
	}
	if c.round, c.def, err = loadRound(ctx, q, c.app.RoundID); err != nil {
		return c, err
	}
	return c, nil
}

// loadRound reads a round and decodes its definition.
func loadRound(ctx context.Context, q *sqlc.Queries, roundID string) (sqlc.Round, round.Definition, error) {
	var def round.Definition
	r, err := q.RoundGet(ctx, roundID)
	if err != nil {
		return r, def, fmt.Errorf("load round %s: %w", roundID, err)
	}
	if err := json.Unmarshal(r.Definition, &def); err != nil {
		return r, def, fmt.Errorf("%w: round %s definition: %w", errStored, roundID, err)
	}
	return r, def, nil
}

// tier is the round's tier the application chose, if any.
func (c caseRow) tier() (round.Tier, bool) {
	if c.app.Tier == nil {
		return round.Tier{}, false
	}
	return c.def.Tier(*c.app.Tier)
}

func (c caseRow) requested() int64 {
	if c.app.RequestedPence == nil {
		return 0
	}
	return *c.app.RequestedPence
}

func (c caseRow) state() workflows.CaseState {
	s := workflows.CaseState{Status: c.app.Status}
	if c.app.GrantID != nil {
		s.GrantID = *c.app.GrantID
	}
	return s
}

// LoadCase reads what the workflow needs of a case and its round to run
// timers and validate Updates without I/O. It writes nothing.
func (a *Activities) LoadCase(ctx context.Context, in workflows.CaseRef) (workflows.CaseInfo, error) {
	c, err := loadCase(ctx, a.Store.Queries, in.ApplicationID, false)
	if err != nil {
		return workflows.CaseInfo{}, classify(err)
	}
	info := workflows.CaseInfo{
		ApplicationID:           c.app.ID,
		RoundID:                 c.app.RoundID,
		Status:                  c.app.Status,
		RequestedPence:          c.requested(),
		Criteria:                criteriaOf(c.def.Criteria),
		ClosesAt:                c.round.ClosesAt,
		AssessmentWindow:        c.def.Timeline.AssessmentWindow.Duration,
		ReminderLead:            c.def.Timeline.ReminderLead.Duration,
		OfferExpiry:             c.def.Timeline.OfferExpiry.Duration,
		AssessorsPerApplication: c.def.AssessorsPerApplication,
	}
	if t, ok := c.tier(); ok {
		info.TierMinPence, info.TierMaxPence = t.MinPence, t.MaxPence
	}
	if info.Parties, err = loadParties(ctx, a.Store.Queries, c.app, false); err != nil {
		return workflows.CaseInfo{}, classify(err)
	}
	return info, nil
}

// ---- assessments ----

func assignmentOf(s sqlc.Assessment) workflows.Assignment {
	return workflows.Assignment{
		ID: s.ID, AssessorID: s.AssessorID, Status: s.Status, Generation: int(s.Generation),
		Deadline: s.Deadline, Reminded: s.RemindedAt != nil,
	}
}

func assignmentsOf(list []sqlc.Assessment) []workflows.Assignment {
	out := make([]workflows.Assignment, len(list))
	for i, s := range list {
		out[i] = assignmentOf(s)
	}
	return out
}

// scoredTotals are the totals of a case's scored assessments.
func scoredTotals(list []sqlc.Assessment) []scoring.Hundredths {
	totals := []scoring.Hundredths{}
	for _, s := range list {
		if s.Status == workflows.AssessmentScored && s.TotalHundredths != nil {
			totals = append(totals, scoring.Hundredths(*s.TotalHundredths))
		}
	}
	return totals
}

// lockAssessment reads and locks an assessment of the case, rejecting one
// that belongs to another application.
func lockAssessment(ctx context.Context, q *sqlc.Queries, applicationID, assessmentID string) (sqlc.Assessment, error) {
	s, err := q.AssessmentGetForUpdate(ctx, assessmentID)
	if err != nil {
		return s, fmt.Errorf("load assessment %s: %w", assessmentID, err)
	}
	if s.ApplicationID != applicationID {
		return s, workflows.Reject(workflows.RejectNotFound, "Assessment not found", nil)
	}
	return s, nil
}

// ---- flags ----

func hasFlag(flags []string, f string) bool { return slices.Contains(flags, f) }

func withFlag(flags []string, f string) []string {
	if hasFlag(flags, f) {
		return flags
	}
	return append(slices.Clone(flags), f)
}

func withoutFlag(flags []string, f string) []string {
	return slices.DeleteFunc(slices.Clone(flags), func(x string) bool { return x == f })
}

// ---- audit ----

func appChain(id string) string   { return "application:" + id }
func grantChain(id string) string { return "grant:" + id }
func roundChain(id string) string { return "round:" + id }

// record appends one audit event inside the caller's transaction.
func record(ctx context.Context, q *sqlc.Queries, chain, actor, action, entity string, at time.Time, data map[string]any) error {
	if _, err := audit.Append(ctx, q, audit.Event{Chain: chain, Actor: actor, Action: action, Entity: entity, Data: data, At: at}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
