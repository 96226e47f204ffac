package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// Application statuses after assessment.
const (
	StatusApproved   = workflows.StatusApproved
	StatusRejected   = workflows.StatusRejected
	StatusWaitlisted = workflows.StatusWaitlisted
)

// Decision is the panel chair's decision on an application, shown to the
// applicant and staff once made.
type Decision struct {
	Outcome    string    `json:"outcome"`
	Reason     string    `json:"reason"`
	AwardPence *int64    `json:"award_pence"`
	DecidedAt  time.Time `json:"decided_at"`
}

// Moderation is a moderated total a manager set; the assessors' own
// scores are kept as they were.
type Moderation struct {
	Total       scoring.Hundredths `json:"total"`
	Rationale   string             `json:"rationale"`
	ModeratedBy string             `json:"moderated_by"`
	ModeratedAt time.Time          `json:"moderated_at"`
}

// Review is the part of an application only managers and chairs see: its
// total (the moderated total, else the mean of the assessors' totals; null
// before anyone scored), its flags and its moderation.
type Review struct {
	Total      *scoring.Hundredths `json:"total"`
	Flags      []string            `json:"flags"`
	Moderation *Moderation         `json:"moderation"`
}

func decisionView(r sqlc.Application) *Decision {
	if r.DecisionOutcome == nil || r.DecidedAt == nil {
		return nil
	}
	d := &Decision{Outcome: *r.DecisionOutcome, AwardPence: r.AwardPence, DecidedAt: *r.DecidedAt}
	if r.DecisionReason != nil {
		d.Reason = *r.DecisionReason
	}
	return d
}

// addReview fills the staff-only part of each view (views[i] is rows[i])
// when the actor is a manager or chair.
func (a *App) addReview(ctx context.Context, q *sqlc.Queries, actor Actor, views []*Application, rows []sqlc.Application) error {
	if !actor.seesAllApplications() || len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	scored, err := q.AssessmentScoredTotalsByApplications(ctx, ids)
	if err != nil {
		return fmt.Errorf("assessment totals: %w", err)
	}
	totals := map[string][]scoring.Hundredths{}
	for _, s := range scored {
		totals[s.ApplicationID] = append(totals[s.ApplicationID], scoring.Hundredths(s.TotalHundredths))
	}
	for i, r := range rows {
		rv := &Review{Total: scoring.ApplicationTotal(r.ModeratedTotal, totals[r.ID]), Flags: r.Flags}
		if rv.Flags == nil {
			rv.Flags = []string{}
		}
		if r.ModeratedTotal != nil {
			m := &Moderation{Total: scoring.Hundredths(*r.ModeratedTotal)}
			if r.ModerationRationale != nil {
				m.Rationale = *r.ModerationRationale
			}
			if r.ModeratedBy != nil {
				m.ModeratedBy = *r.ModeratedBy
			}
			if r.ModeratedAt != nil {
				m.ModeratedAt = *r.ModeratedAt
			}
			rv.Moderation = m
		}
		views[i].Review = rv
	}
	return nil
}

// caller is the actor as an Update's caller.
func caller(a Actor) workflows.Caller {
	roles := a.Roles
	if roles == nil {
		roles = []string{}
	}
	return workflows.Caller{ID: a.ID, Roles: roles}
}

// ModerationInput is the body of POST /applications/{id}/moderation. Total
// is a JSON number from 0 to 100 with at most two decimals, read exactly.
type ModerationInput struct {
	Total     json.RawMessage `json:"total"`
	Rationale string          `json:"rationale"`
}

// parseTotal reads a moderated total: a JSON number (not a string) with at
// most two decimals, into hundredths without floating point (the range is
// workflows.CheckModeration's).
func parseTotal(raw json.RawMessage, fields map[string]string) (scoring.Hundredths, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		fields["total"] = "Enter the moderated total, from 0 to 100"
		return 0, nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, Malformed("The request body has a value of the wrong type", map[string]string{"total": "Wrong type: expected a number"})
	}
	h, err := scoring.ParseHundredths(string(raw))
	if err != nil {
		fields["total"] = "Enter a total from 0 to 100 with at most two decimal places"
		return 0, nil
	}
	return h, nil
}

// Moderate sets an application's moderated total (managers only), through
// its workflow. The assessors' scores stay as they were.
func (a *App) Moderate(ctx context.Context, actor Actor, appID string, body Body) (Application, error) {
	if !actor.Has(RoleManager) {
		return Application{}, forbidden("Only programme managers can moderate totals")
	}
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return Application{}, err
	}
	if err := a.refuseInterested(ctx, actor, x.app, "moderate it"); err != nil {
		return Application{}, err
	}
	if !workflows.AwaitingDecision(x.app.Status) {
		return Application{}, invalidState("Only an application in assessment or on the waiting list can be moderated")
	}
	var in ModerationInput
	if err := body(&in); err != nil {
		return Application{}, err
	}
	parsed := map[string]string{}
	total, err := parseTotal(in.Total, parsed)
	if err != nil {
		return Application{}, err
	}
	u := workflows.ModerateUpdate{Caller: caller(actor), TotalHundredths: int64(total), Rationale: strings.TrimSpace(in.Rationale)}
	fields := workflows.CheckModeration(u.TotalHundredths, u.Rationale)
	maps.Copy(fields, parsed) // a total that could not be read says so
	if len(fields) > 0 {
		return Application{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, appID, workflows.UpdateModerate, u); err != nil {
		return Application{}, err
	}
	return a.GetApplication(ctx, actor, appID)
}

// DecisionInput is the body of POST /applications/{id}/decision.
type DecisionInput struct {
	Outcome    string `json:"outcome"`
	AwardPence *int64 `json:"award_pence"`
	Reason     string `json:"reason"`
}

// Decide records the panel chair's decision through the application's
// workflow: approve (with an award within the tier and the budget left),
// reject or waitlist.
func (a *App) Decide(ctx context.Context, actor Actor, appID string, body Body) (Application, error) {
	if !actor.Has(RoleChair) {
		return Application{}, forbidden("Only the panel chair can decide")
	}
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return Application{}, err
	}
	if err := a.refuseInterested(ctx, actor, x.app, "decide on it"); err != nil {
		return Application{}, err
	}
	if !workflows.AwaitingDecision(x.app.Status) {
		return Application{}, invalidState("This application is not awaiting a decision")
	}
	var in DecisionInput
	if err := body(&in); err != nil {
		return Application{}, err
	}
	// Whether the award fits the request, the tier and the budget left is
	// the workflow's to say.
	u := workflows.DecideUpdate{Caller: caller(actor), Outcome: in.Outcome, AwardPence: in.AwardPence, Reason: strings.TrimSpace(in.Reason)}
	if fields := workflows.CheckDecision(u); len(fields) > 0 {
		return Application{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, appID, workflows.UpdateDecide, u); err != nil {
		return Application{}, err
	}
	return a.GetApplication(ctx, actor, appID)
}

// WithdrawApplication withdraws an application for a member of its lead
// organisation: a draft directly, a submitted one (in assessment or on
// the waiting list) through its workflow. Decided or already withdrawn
// ones cannot be.
func (a *App) WithdrawApplication(ctx context.Context, actor Actor, appID string, params NoParams) (Application, error) {
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return Application{}, err
	}
	if !x.canEdit() {
		return Application{}, forbidden("Only members of the applying organisation can withdraw an application")
	}
	switch {
	case x.app.Status == StatusDraft:
		if err := params(); err != nil {
			return Application{}, err
		}
		if err := a.withdrawDraft(ctx, actor, appID); err != nil {
			return Application{}, err
		}
	case workflows.AwaitingDecision(x.app.Status):
		if err := params(); err != nil {
			return Application{}, err
		}
		if err := a.updateCase(ctx, appID, workflows.UpdateWithdraw, workflows.WithdrawUpdate{Caller: caller(actor)}); err != nil {
			return Application{}, err
		}
	default:
		return Application{}, invalidState("This application can no longer be withdrawn")
	}
	return a.GetApplication(ctx, actor, appID)
}

func (a *App) withdrawDraft(ctx context.Context, actor Actor, appID string) error {
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		r, err := q.ApplicationWithdrawDraft(ctx, appID)
		if err != nil {
			if isNotFound(err) {
				return conflict("This application was submitted meanwhile; reload it and try again")
			}
			return fmt.Errorf("withdraw draft: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "application.withdrawn",
			Entity: "application:" + appID, Data: map[string]any{"from": StatusDraft, "version": r.Version}})
		return err
	})
}
