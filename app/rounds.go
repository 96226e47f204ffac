package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// Round is a round as created, with its id and derived status.
type Round struct {
	ID string `json:"id"`
	round.Definition
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RoundFilter selects rounds.
type RoundFilter struct {
	Status    string
	Programme string
	Page      PageQuery
	// Viewer is who reads the list: the assessor pool is shown to
	// managers only (the zero Actor is the public).
	Viewer Actor
}

// forViewer is r as viewer may read it: the assessor pool (who will score
// which round) is for managers only, never the public or applicants.
func (r Round) forViewer(viewer Actor) Round {
	if !viewer.Has(RoleManager) {
		r.AssessorIDs = nil
	}
	return r
}

func (a *App) roundView(r sqlc.Round) (Round, error) {
	var def round.Definition
	if err := json.Unmarshal(r.Definition, &def); err != nil {
		return Round{}, fmt.Errorf("decode round %s: %w", r.ID, err)
	}
	return Round{ID: r.ID, Definition: def, Status: def.Status(a.now()), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

// ListRounds lists rounds, optionally by status and programme code.
func (a *App) ListRounds(ctx context.Context, f RoundFilter) (Page[Round], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Round, fields)
	var status, programme *string
	switch f.Status {
	case "":
	case round.StatusUpcoming, round.StatusOpen, round.StatusClosed:
		status = &f.Status
	default:
		fields["status"] = "Status must be upcoming, open or closed"
	}
	if f.Programme != "" {
		programme = &f.Programme
	}
	if len(fields) > 0 {
		return Page[Round]{}, Invalid(fields)
	}
	rows, err := a.store.RoundList(ctx, sqlc.RoundListParams{Cursor: cursor, Programme: programme, Status: status, RowLimit: limit})
	if err != nil {
		return Page[Round]{}, fmt.Errorf("list rounds: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.Round) string { return r.ID }, func(row sqlc.Round) (Round, error) {
		r, err := a.roundView(row)
		return r.forViewer(f.Viewer), err
	})
}

// ReadRound reads one round as viewer may see it; anyone may read a
// round, but only managers see its assessor pool.
func (a *App) ReadRound(ctx context.Context, viewer Actor, roundID string) (Round, error) {
	r, err := a.GetRound(ctx, roundID)
	if err != nil {
		return Round{}, err
	}
	return r.forViewer(viewer), nil
}

// GetRound reads one round whole, assessor pool included, for use cases
// and staff pages; what is shown to a caller comes from ReadRound.
func (a *App) GetRound(ctx context.Context, roundID string) (Round, error) {
	if !id.Valid(id.Round, roundID) {
		return Round{}, notFound("Round")
	}
	r, err := a.store.RoundGet(ctx, roundID)
	if err != nil {
		if isNotFound(err) {
			return Round{}, notFound("Round")
		}
		return Round{}, fmt.Errorf("get round: %w", err)
	}
	return a.roundView(r)
}

// checkRoundRefs validates what a definition names in the database: its
// programme and its assessor pool.
func (a *App) checkRoundRefs(ctx context.Context, q *sqlc.Queries, def round.Definition, fields map[string]string) (sqlc.Programme, error) {
	prog, err := q.ProgrammeGetByCode(ctx, def.Programme)
	if err != nil {
		if !isNotFound(err) {
			return prog, fmt.Errorf("programme: %w", err)
		}
		if _, ok := fields["programme"]; !ok {
			fields["programme"] = "Choose a programme that exists"
		}
	}
	for i, uid := range def.AssessorIDs {
		u, err := q.UserGet(ctx, uid)
		if err != nil {
			if !isNotFound(err) {
				return prog, fmt.Errorf("assessor: %w", err)
			}
			fields[fmt.Sprintf("assessor_ids[%d]", i)] = "No such user"
			continue
		}
		if !(Actor{Roles: u.Roles}).Has(RoleAssessor) {
			fields[fmt.Sprintf("assessor_ids[%d]", i)] = "This user is not an assessor"
		}
	}
	return prog, nil
}

// CreateRound creates a round; managers only.
func (a *App) CreateRound(ctx context.Context, actor Actor, def round.Definition) (Round, error) {
	if !actor.Has(RoleManager) {
		return Round{}, forbidden("Only programme managers can create rounds")
	}
	def.ApplyDefaults(a.cfg.DefaultPaymentProvider)
	fields := def.Validate()
	if fields == nil {
		fields = map[string]string{}
	}
	var out Round
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		prog, err := a.checkRoundRefs(ctx, q, def, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		raw, err := json.Marshal(def)
		if err != nil {
			return fmt.Errorf("encode round: %w", err)
		}
		r, err := q.RoundCreate(ctx, sqlc.RoundCreateParams{
			ID: id.New(id.Round), ProgrammeID: prog.ID, Name: def.Name, OpensAt: def.OpensAt, ClosesAt: def.ClosesAt,
			BudgetPence: def.BudgetPence, MinPartners: int32(def.MinPartners), Definition: raw, CreatedBy: &actor.ID,
		})
		if err != nil {
			return fmt.Errorf("create round: %w", err)
		}
		payload, err := json.Marshal(workflows.RoundInput{RoundID: r.ID})
		if err != nil {
			return fmt.Errorf("encode workflow input: %w", err)
		}
		if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxStartRound, Payload: payload}); err != nil {
			return fmt.Errorf("queue round workflow: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "round:" + r.ID, Actor: actor.ID, Action: "round.created",
			Entity: "round:" + r.ID, Data: map[string]any{"name": def.Name, "budget_pence": def.BudgetPence}}); err != nil {
			return err
		}
		out, err = a.roundView(r)
		return err
	})
	return out, err
}

// UpdateRound applies a partial edit (top-level keys of patch replace those
// of the round). Before the round opens anything may change; afterwards only
// the window and timeline may be extended and the budget raised.
func (a *App) UpdateRound(ctx context.Context, actor Actor, roundID string, body Body) (Round, error) {
	if !actor.Has(RoleManager) {
		return Round{}, forbidden("Only programme managers can edit rounds")
	}
	if !id.Valid(id.Round, roundID) {
		return Round{}, notFound("Round")
	}
	var out Round
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		cur, err := q.RoundGetForUpdate(ctx, roundID)
		if err != nil {
			if isNotFound(err) {
				return notFound("Round")
			}
			return fmt.Errorf("load round: %w", err)
		}
		var old round.Definition
		if err := json.Unmarshal(cur.Definition, &old); err != nil {
			return fmt.Errorf("decode round: %w", err)
		}
		var def round.Definition
		changed, err := applyPatch(body, old, &def)
		if err != nil {
			return err
		}
		def.ApplyDefaults(a.cfg.DefaultPaymentProvider)
		if old.Status(a.now()) != round.StatusUpcoming {
			fields, err := changesAfterOpening(old, def)
			if err != nil {
				return err
			}
			if len(fields) > 0 {
				return &Error{Kind: KindConflict, Code: "invalid_state", Fields: fields,
					Message: "This round has opened: only its closing time and timeline can be extended and its budget raised"}
			}
		}
		fields := def.Validate()
		if fields == nil {
			fields = map[string]string{}
		}
		prog, err := a.checkRoundRefs(ctx, q, def, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		if prog.ID != cur.ProgrammeID {
			return Invalid(map[string]string{"programme": "A round cannot move to another programme"})
		}
		encoded, err := json.Marshal(def)
		if err != nil {
			return fmt.Errorf("encode round: %w", err)
		}
		r, err := q.RoundUpdate(ctx, sqlc.RoundUpdateParams{ID: roundID, Name: def.Name, OpensAt: def.OpensAt,
			ClosesAt: def.ClosesAt, BudgetPence: def.BudgetPence, MinPartners: int32(def.MinPartners), Definition: encoded})
		if err != nil {
			return fmt.Errorf("update round: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "round:" + r.ID, Actor: actor.ID, Action: "round.updated",
			Entity: "round:" + r.ID, Data: map[string]any{"changed": changed}}); err != nil {
			return err
		}
		out, err = a.roundView(r)
		return err
	})
	return out, err
}

// changesAfterOpening lists what an edit to an open or closed round may not
// do: anything but extending closes_at and the timeline's durations and
// raising the budget.
func changesAfterOpening(old, def round.Definition) (map[string]string, error) {
	fields := map[string]string{}
	if def.ClosesAt.Before(old.ClosesAt) {
		fields["closes_at"] = "The closing time can only be moved later"
	}
	if def.BudgetPence < old.BudgetPence {
		fields["budget_pence"] = "The budget can only be raised"
	}
	ot, nt := old.Timeline, def.Timeline
	for _, d := range []struct {
		key      string
		old, new time.Duration
	}{
		{"assessment_window", ot.AssessmentWindow.Duration, nt.AssessmentWindow.Duration},
		{"decision_window", ot.DecisionWindow.Duration, nt.DecisionWindow.Duration},
		{"offer_expiry", ot.OfferExpiry.Duration, nt.OfferExpiry.Duration},
		{"report_grace", ot.ReportGrace.Duration, nt.ReportGrace.Duration},
	} {
		if d.new < d.old {
			fields["timeline."+d.key] = "This period can only be extended"
		}
	}
	if len(nt.Reports) != len(ot.Reports) {
		fields["timeline.reports"] = "Reports cannot be added or removed once the round has opened"
	} else {
		for i := range nt.Reports {
			if nt.Reports[i].Kind != ot.Reports[i].Kind || nt.Reports[i].DueAfter.Duration < ot.Reports[i].DueAfter.Duration {
				fields[fmt.Sprintf("timeline.reports[%d]", i)] = "A report's due time can only be moved later"
			}
		}
	}
	// Everything else must be unchanged.
	a, b := old, def
	a.ClosesAt, b.ClosesAt = time.Time{}, time.Time{}
	a.BudgetPence, b.BudgetPence = 0, 0
	a.Timeline, b.Timeline = round.Timeline{}, round.Timeline{}
	ma, err := topLevelKeys(a)
	if err != nil {
		return nil, err
	}
	mb, err := topLevelKeys(b)
	if err != nil {
		return nil, err
	}
	for k := range mb {
		if !bytes.Equal(ma[k], mb[k]) {
			fields[k] = "This cannot change once the round has opened"
		}
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			fields[k] = "This cannot change once the round has opened"
		}
	}
	return fields, nil
}

// topLevelKeys is a definition's JSON object, key by key.
func topLevelKeys(def round.Definition) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("encode round: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode round: %w", err)
	}
	return m, nil
}
