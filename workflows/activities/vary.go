package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/bits"
	"strings"

	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// VaryGrant applies a manager's variation in one transaction. Tranches
// already due, approved, sent or paid are fixed; the open ones (scheduled
// or held) carry the change:
//   - a new award: what is left after the fixed tranches is spread over
//     the open ones in proportion to their amounts (the remainder on the
//     last); it may not fall below what is fixed;
//   - a schedule: the open tranches are replaced by new ones splitting
//     what is left by its percentages;
//   - a clawback: offset against the open tranches, lowering the award by
//     the offset; what they cannot cover is recorded as owed back.
//
// No tranche is left at £0: an open tranche with nothing left for it is
// cancelled, and a schedule never makes one.
//
// The budget commitment follows the award (a rise must fit what the round
// has left: a conflict otherwise). The variation is recorded, audited and
// the grantee told; nothing changes if any check fails. Run again after it
// applied (same VariationID), it returns the variation it made.
func (a *Activities) VaryGrant(ctx context.Context, in workflows.VaryInput) (workflows.VariationResult, error) {
	var out workflows.VariationResult
	v := in.Variation
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		varID := in.VariationID
		if varID == "" {
			varID = id.New(id.Variation)
		} else if done, err := q.VariationGet(ctx, varID); err == nil {
			// Run again after it applied (the workflow chose the id once).
			if done.GrantID != g.ID {
				return workflows.Reject(workflows.RejectConflict, "This variation belongs to another grant", nil)
			}
			out.VariationID = done.ID
			return nil
		} else if !isNotFound(err) {
			return fmt.Errorf("load variation: %w", err)
		}
		if err := requireStaffOnGrant(ctx, q, v.Caller.ID, workflows.RoleManager, "Only a programme manager can vary a grant", g); err != nil {
			return err
		}
		if split, err := paidToPartners(ctx, q, g.ID); err != nil || split {
			if err != nil {
				return err
			}
			return workflows.Reject(workflows.RejectInvalidState,
				"This grant is paid to each partner, and its variation is not supported yet: vary it by agreement outside the system", nil)
		}
		reps, err := q.ReportListByGrant(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		kinds := make([]string, len(reps))
		for i, r := range reps {
			kinds[i] = r.Kind
		}
		fields := workflows.CheckVariation(v)
		maps.Copy(fields, workflows.CheckScheduleReports(v.Schedule, kinds))
		if err := workflows.Invalid(fields); err != nil {
			return err
		}
		pays, err := q.PaymentListByGrantForUpdate(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("list payments: %w", err)
		}
		var fixed int64
		var open []sqlc.Payment
		for _, p := range pays {
			switch p.Status {
			case workflows.PaymentCancelled:
			case workflows.PaymentScheduled, workflows.PaymentHeld:
				open = append(open, p)
			default:
				fixed += p.AmountPence
			}
		}
		oldAward := g.AwardPence
		award := oldAward
		if v.AwardPence != nil {
			award = *v.AwardPence
		}
		available := award - fixed
		if available < 0 {
			return rejectField("award_pence", "The award cannot be less than what is already due or paid ("+money.PoundsAndPence(fixed)+")")
		}
		var claw, offset int64
		if v.ClawbackPence != nil {
			claw = *v.ClawbackPence
			offset = min(claw, available)
			available -= offset
			award -= offset
		}
		if award <= 0 {
			return rejectField("clawback_pence", "Nothing would be left of the award: end the grant instead")
		}
		if v.Schedule != nil && available == 0 {
			return rejectField("schedule", "Nothing is left of the award to schedule")
		}
		changed := []map[string]any{}
		if v.Schedule != nil {
			reason := "Replaced by variation " + varID
			for _, p := range open {
				p.Status, p.CancelReason, p.CancelledBy = workflows.PaymentCancelled, &reason, &v.Caller.ID
				if _, err := savePayment(ctx, q, p); err != nil {
					return err
				}
				changed = append(changed, map[string]any{"payment_id": p.ID, "cancelled": true})
			}
			next, err := q.PaymentMaxTranche(ctx, g.ID)
			if err != nil {
				return fmt.Errorf("last tranche: %w", err)
			}
			for i, amount := range tranches(available, v.Schedule) {
				if amount == 0 {
					continue // a share too small for a penny: no £0 tranche
				}
				next++
				p, err := q.PaymentInsertIssued(ctx, sqlc.PaymentInsertIssuedParams{ID: id.New(id.Payment), GrantID: g.ID,
					Tranche: next, AmountPence: amount, Condition: v.Schedule[i].Condition, RequestedBy: &v.Caller.ID})
				if err != nil {
					return fmt.Errorf("schedule payment: %w", err)
				}
				changed = append(changed, map[string]any{"payment_id": p.ID, "tranche": p.Tranche, "amount_pence": amount, "condition": p.Condition})
			}
		} else {
			if len(open) == 0 && available > 0 {
				return rejectField("schedule", "No unpaid tranche is left to carry the change: give a schedule for what is left")
			}
			weights := make([]int64, len(open))
			for i, p := range open {
				weights[i] = p.AmountPence
			}
			offsetReason := "Offset by variation " + varID
			for i, amount := range spread(available, weights) {
				p := open[i]
				switch {
				case amount == 0:
					// Nothing is left for it: cancelled rather than kept
					// to be approved and sent as £0.
					changed = append(changed, map[string]any{"payment_id": p.ID, "from_pence": p.AmountPence, "to_pence": 0, "cancelled": true})
					p.Status, p.CancelReason, p.CancelledBy = workflows.PaymentCancelled, &offsetReason, &v.Caller.ID
				case p.AmountPence == amount:
					continue
				default:
					changed = append(changed, map[string]any{"payment_id": p.ID, "from_pence": p.AmountPence, "to_pence": amount})
					p.AmountPence = amount
				}
				if _, err := savePayment(ctx, q, p); err != nil {
					return err
				}
			}
		}
		if _, err := budget.Adjust(ctx, q, g.RoundID, g.ApplicationID, award); err != nil {
			return err
		}
		g.AwardPence, g.ClawbackPence = award, g.ClawbackPence+claw
		if err := saveGrant(ctx, q, g); err != nil {
			return err
		}
		var schedule []byte
		if v.Schedule != nil {
			if schedule, err = json.Marshal(v.Schedule); err != nil {
				return fmt.Errorf("encode schedule: %w", err)
			}
		}
		if err := q.VariationInsert(ctx, sqlc.VariationInsertParams{ID: varID, GrantID: g.ID, Reason: strings.TrimSpace(v.Reason),
			OldAwardPence: oldAward, NewAwardPence: award, ClawbackPence: claw, OffsetPence: offset, Schedule: schedule,
			ActorID: v.Caller.ID, CreatedAt: in.At}); err != nil {
			return fmt.Errorf("record variation: %w", err)
		}
		out.VariationID = varID
		data := map[string]any{"variation_id": varID, "reason": v.Reason, "old_award_pence": oldAward, "new_award_pence": award,
			"clawback_pence": claw, "offset_pence": offset, "owed_pence": claw - offset, "payments": changed}
		if err := record(ctx, q, grantChain(g.ID), v.Caller.ID, "grant.varied", grantChain(g.ID), in.At, data); err != nil {
			return err
		}
		body := fmt.Sprintf("Your grant has been varied: the award is now %s. Reason: %s", money.PoundsAndPence(award), v.Reason)
		if claw > offset {
			body += fmt.Sprintf(" %s is to be repaid.", money.PoundsAndPence(claw-offset))
		}
		return notifyOrgAdmins(ctx, q, g.OrganisationID, message{kind: "grant_varied", subject: "Your grant has been varied",
			body: body, entity: grantChain(g.ID), key: "varied:" + varID})
	})
	return out, classify(err)
}

// spread splits total over weights in proportion, each share rounded
// down to whole pence and the remainder on the last, so the shares always
// sum to total; all zero weights put everything on the last. 128-bit
// intermediate products keep any pence amount exact.
func spread(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	if len(weights) == 0 {
		return out
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	var given int64
	for i, w := range weights[:len(weights)-1] {
		if sum > 0 && total > 0 && w > 0 {
			hi, lo := bits.Mul64(uint64(total), uint64(w))
			share, _ := bits.Div64(hi, lo, uint64(sum))
			out[i] = int64(share)
		}
		given += out[i]
	}
	out[len(out)-1] = total - given
	return out
}

// tranches splits an amount by a payment schedule whose percentages sum
// to 100 (spread): each tranche is its percentage rounded down to whole
// pence, and the last takes the remainder, so the tranches always sum to
// the amount exactly.
func tranches(amountPence int64, schedule []round.Instalment) []int64 {
	percents := make([]int64, len(schedule))
	for i, ins := range schedule {
		percents[i] = int64(ins.Percent)
	}
	return spread(amountPence, percents)
}

// ReissuePayment issues a cancelled tranche again as a new payment,
// issued by the manager (who cannot approve it), needing two approvals;
// not one a variation replaced or offset, whose money is no longer owed.
// Run again after it applied, it returns the payment it made.
func (a *Activities) ReissuePayment(ctx context.Context, in workflows.ReissueInput) (workflows.ReissueResult, error) {
	var out workflows.ReissueResult
	r := in.Reissue
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		if err := requireStaffOnGrant(ctx, q, r.Caller.ID, workflows.RoleManager, "Only a programme manager can reissue a payment", g); err != nil {
			return err
		}
		pays, err := q.PaymentListByGrantForUpdate(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("list payments: %w", err)
		}
		var old *sqlc.Payment
		for i := range pays {
			if pays[i].ID == r.PaymentID {
				old = &pays[i]
			}
		}
		if old == nil {
			return workflows.Reject(workflows.RejectNotFound, "Payment not found", nil)
		}
		for _, p := range pays {
			if p.Tranche != old.Tranche || p.Status == workflows.PaymentCancelled ||
				deref(p.PartnerOrganisationID) != deref(old.PartnerOrganisationID) { // another payee's part of the tranche
				continue
			}
			if deref(p.RequestedBy) == r.Caller.ID {
				out.PaymentID = p.ID
				return nil
			}
			return workflows.Reject(workflows.RejectInvalidState, "This tranche already has a live payment", nil)
		}
		if old.Status != workflows.PaymentCancelled {
			return workflows.Reject(workflows.RejectInvalidState, "Only a cancelled payment can be reissued (this one is "+old.Status+")", nil)
		}
		// A tranche a variation replaced or offset is cancelled too, but
		// its money now lies elsewhere (or nowhere): reissuing it would pay
		// more than the award.
		var live int64
		for _, p := range pays {
			if p.Status != workflows.PaymentCancelled {
				live += p.AmountPence
			}
		}
		if live+old.AmountPence > g.AwardPence {
			return workflows.Reject(workflows.RejectInvalidState, fmt.Sprintf(
				"Reissuing this payment would pay more than the award (%s): it was replaced or offset by a variation", money.PoundsAndPence(g.AwardPence)), nil)
		}
		p, err := q.PaymentInsertIssued(ctx, sqlc.PaymentInsertIssuedParams{ID: id.New(id.Payment), GrantID: g.ID, Tranche: old.Tranche,
			AmountPence: old.AmountPence, Condition: old.Condition, RequestedBy: &r.Caller.ID, PartnerOrganisationID: old.PartnerOrganisationID})
		if err != nil {
			return fmt.Errorf("reissue payment: %w", err)
		}
		out.PaymentID = p.ID
		return recordPayment(ctx, q, p, r.Caller.ID, "payment.reissued", in.At,
			map[string]any{"replaces": old.ID, "tranche": p.Tranche, "amount_pence": p.AmountPence, "reason": r.Reason})
	})
	return out, classify(err)
}
