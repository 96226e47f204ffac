package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Variation is a manager's recorded change to a grant. OffsetPence is the
// part of a clawback taken from later tranches; Schedule is the new
// schedule of the unpaid tranches, if it was changed.
type Variation struct {
	ID            string                 `json:"id"`
	GrantID       string                 `json:"grant_id"`
	Reason        string                 `json:"reason"`
	OldAwardPence int64                  `json:"old_award_pence"`
	NewAwardPence int64                  `json:"new_award_pence"`
	ClawbackPence int64                  `json:"clawback_pence"`
	OffsetPence   int64                  `json:"offset_pence"`
	Schedule      []workflows.Instalment `json:"schedule"`
	ActorID       string                 `json:"actor_id"`
	CreatedAt     time.Time              `json:"created_at"`
}

func variationView(v sqlc.Variation) (Variation, error) {
	out := Variation{ID: v.ID, GrantID: v.GrantID, Reason: v.Reason, OldAwardPence: v.OldAwardPence,
		NewAwardPence: v.NewAwardPence, ClawbackPence: v.ClawbackPence, OffsetPence: v.OffsetPence,
		ActorID: v.ActorID, CreatedAt: v.CreatedAt}
	if len(v.Schedule) > 0 && string(v.Schedule) != "null" {
		if err := json.Unmarshal(v.Schedule, &out.Schedule); err != nil {
			return out, fmt.Errorf("decode schedule of variation %s: %w", v.ID, err)
		}
	}
	return out, nil
}

// VariationInput is the body of POST /grants/{id}/variations.
type VariationInput struct {
	AwardPence    *int64                 `json:"award_pence"`
	Schedule      []workflows.Instalment `json:"schedule"`
	ClawbackPence *int64                 `json:"clawback_pence"`
	Reason        string                 `json:"reason"`
}

// VaryGrant changes an active grant's award, its schedule of unpaid
// tranches or records a clawback, through the grant's workflow (managers
// only), and returns the variation recorded.
func (a *App) VaryGrant(ctx context.Context, actor Actor, grantID string, body Body) (Variation, error) {
	if !actor.Has(RoleManager) {
		return Variation{}, forbidden("Only programme managers can vary grants")
	}
	g, _, err := a.loadGrant(ctx, actor, grantID)
	if err != nil {
		return Variation{}, err
	}
	if err := a.refuseInterestedIn(ctx, actor, g.ApplicationID, "vary its grant"); err != nil {
		return Variation{}, err
	}
	if g.Status != GrantActive {
		return Variation{}, invalidState("Only an active grant can be varied")
	}
	var in VariationInput
	if err := body(&in); err != nil {
		return Variation{}, err
	}
	v := workflows.Variation{Caller: caller(actor), AwardPence: in.AwardPence, Schedule: in.Schedule,
		ClawbackPence: in.ClawbackPence, Reason: strings.TrimSpace(in.Reason)}
	if fields := workflows.CheckVariation(v); len(fields) > 0 {
		return Variation{}, Invalid(fields)
	}
	var res workflows.VariationResult
	if err := a.updateGrant(ctx, g.ID, workflows.UpdateVary, v, &res); err != nil {
		return Variation{}, err
	}
	row, err := a.store.VariationGet(ctx, res.VariationID)
	if err != nil {
		return Variation{}, fmt.Errorf("read variation %q back: %w", res.VariationID, err)
	}
	return variationView(row)
}

// ListVariations lists a grant's variations, oldest first (not paged: a
// grant has few). Staff and members of the grantee organisation.
func (a *App) ListVariations(ctx context.Context, actor Actor, grantID string) (Page[Variation], error) {
	g, _, err := a.loadGrant(ctx, actor, grantID)
	if err != nil {
		return Page[Variation]{}, err
	}
	rows, err := a.store.VariationListByGrant(ctx, g.ID)
	if err != nil {
		return Page[Variation]{}, fmt.Errorf("list variations: %w", err)
	}
	out := Page[Variation]{Items: make([]Variation, 0, len(rows))}
	for _, r := range rows {
		v, err := variationView(r)
		if err != nil {
			return Page[Variation]{}, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}
