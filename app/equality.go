package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/equality"
)

// Equality is an application's equality monitoring answers as their
// organisation's members read them. Saved is false until the first answer
// (every area then reads as not answered).
type Equality struct {
	ApplicationID string             `json:"application_id"`
	Leadership    EqualityLeadership `json:"leadership"`
	Mission       equality.Area      `json:"mission"`
	Beneficiaries equality.Area      `json:"beneficiaries"`
	Publish       bool               `json:"publish"`
	Saved         bool               `json:"saved"`
	UpdatedAt     *time.Time         `json:"updated_at"`
}

// EqualityLeadership is the leadership answer with the groups the
// organisation is led by under the standard's thresholds.
type EqualityLeadership struct {
	equality.Leadership
	LedBy []string `json:"led_by"`
}

func equalityView(appID string, row *sqlc.EqualityAnswer) (Equality, error) {
	var ans equality.Answers
	v := Equality{ApplicationID: appID}
	if row != nil {
		if err := json.Unmarshal(row.Answers, &ans); err != nil {
			return v, fmt.Errorf("decode equality answers of %s: %w", appID, err)
		}
		v.Saved, v.UpdatedAt = true, &row.UpdatedAt
	}
	ans = ans.Normalise()
	v.Leadership = EqualityLeadership{Leadership: ans.Leadership, LedBy: equality.LedBy(ans.Leadership)}
	v.Mission, v.Beneficiaries, v.Publish = ans.Mission, ans.Beneficiaries, ans.Publish
	return v, nil
}

// requireMember checks that the application exists and is of one of the
// actor's organisations, locking it when forUpdate. Equality answers are
// for the applicant's members alone and never for staff (DESIGN §10):
// anyone else, and any staff user even one who is also a member, gets
// not_found as for an application out of scope.
func (a *App) requireMember(ctx context.Context, q *sqlc.Queries, actor Actor, appID string, forUpdate bool) error {
	if actor.Staff() {
		return notFound("Application")
	}
	x, err := a.loadApplication(ctx, q, actor, appID, forUpdate)
	if err != nil {
		return err
	}
	if !x.canEdit() {
		return notFound("Application")
	}
	return nil
}

// GetEquality returns an application's equality answers to a member of
// its organisation.
func (a *App) GetEquality(ctx context.Context, actor Actor, appID string) (Equality, error) {
	var out Equality
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := a.requireMember(ctx, q, actor, appID, false); err != nil {
			return err
		}
		row, err := q.EqualityGet(ctx, appID)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("get equality answers: %w", err)
		}
		var stored *sqlc.EqualityAnswer
		if err == nil {
			stored = &row
		}
		out, err = equalityView(appID, stored)
		return err
	})
	return out, err
}

// SaveEquality stores an application's equality answers (a member of its
// organisation, at any stage of the application: they are optional and
// asked with or after it). Invalid answers are refused whole (422 naming
// each field) and nothing changes. The audit trail records that answers
// were saved and the publishing consent, never the answers.
func (a *App) SaveEquality(ctx context.Context, actor Actor, appID string, body Body) (Equality, error) {
	var out Equality
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := a.requireMember(ctx, q, actor, appID, true); err != nil {
			return err
		}
		var in equality.Answers
		if err := body(&in); err != nil {
			return err
		}
		if fields := in.Validate(); len(fields) > 0 {
			return Invalid(fields)
		}
		in = in.Normalise()
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode equality answers: %w", err)
		}
		row, err := q.EqualityUpsert(ctx, sqlc.EqualityUpsertParams{ApplicationID: appID, Answers: raw, Publish: in.Publish, UpdatedBy: actor.ID})
		if err != nil {
			return fmt.Errorf("save equality answers: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "equality.saved",
			Entity: "application:" + appID, Data: map[string]any{"publish": in.Publish}}); err != nil {
			return err
		}
		out, err = equalityView(appID, &row)
		return err
	})
	return out, err
}

// EqualityOpenData is what may be published of one grant's equality
// answers through the 360Giving DEI extension: its leadership (the groups
// it is led by under the standard's thresholds), mission and project
// (beneficiary) answers. An area with Answered false is "prefer not to
// say".
type EqualityOpenData struct {
	Leadership equality.Area
	Mission    equality.Area
	Project    equality.Area
}

// EqualityForOpenData returns, by grant id, the equality answers of those
// of grantIDs whose organisation agreed to publish them; a grant without
// answers or without consent is absent. It is for the open-data export
// (which checks its own caller), never for a page staff read.
func (a *App) EqualityForOpenData(ctx context.Context, grantIDs []string) (map[string]EqualityOpenData, error) {
	rows, err := a.store.EqualityPublishedForGrants(ctx, grantIDs)
	if err != nil {
		return nil, fmt.Errorf("read published equality answers: %w", err)
	}
	out := make(map[string]EqualityOpenData, len(rows))
	for _, r := range rows {
		var ans equality.Answers
		if err := json.Unmarshal(r.Answers, &ans); err != nil {
			return nil, fmt.Errorf("decode equality answers of %s: %w", r.GrantID, err)
		}
		ans = ans.Normalise()
		out[r.GrantID] = EqualityOpenData{
			Leadership: equality.Area{Answered: ans.Leadership.Answered, Groups: equality.LedBy(ans.Leadership)},
			Mission:    ans.Mission, Project: ans.Beneficiaries}
	}
	return out, nil
}
