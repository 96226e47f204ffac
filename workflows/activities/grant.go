package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// The grant's own steps: what GrantWorkflow reads at every turn and the
// changes its clock and its conditions make.

// LoadGrant reads what the grant's workflow needs: status, provider,
// whether the payee can be paid, the report clock's settings and every
// payment and report.
func (a *Activities) LoadGrant(ctx context.Context, grantID string) (workflows.GrantSnapshot, error) {
	q := a.Store.Queries
	g, err := q.GrantGet(ctx, grantID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(fmt.Errorf("load grant %s: %w", grantID, err))
	}
	_, def, err := loadRound(ctx, q, g.RoundID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(err)
	}
	payee, err := q.PayeeGet(ctx, g.OrganisationID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(fmt.Errorf("load payee: %w", err))
	}
	pays, err := q.PaymentListByGrant(ctx, g.ID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(fmt.Errorf("list payments: %w", err))
	}
	reps, err := q.ReportListByGrant(ctx, g.ID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(fmt.Errorf("list reports: %w", err))
	}
	prov := provider(def)
	s := workflows.GrantSnapshot{GrantID: g.ID, Status: g.Status, Provider: prov, PayoutReady: payoutReady(prov, payee),
		ReminderLead: def.Timeline.ReminderLead.Duration, ReportGrace: def.ReportGraceOrDefault(),
		Payments: make([]workflows.PaymentSnap, 0, len(pays)), Reports: make([]workflows.ReportSnap, 0, len(reps))}
	ready := map[string]bool{}
	if def.PaysEachPartner() {
		rows, err := q.PaymentPayeeReadiness(ctx, sqlc.PaymentPayeeReadinessParams{GrantID: g.ID, DefaultProvider: prov})
		if err != nil {
			return workflows.GrantSnapshot{}, classify(fmt.Errorf("payees' readiness: %w", err))
		}
		for _, r := range rows {
			ready[r.PaymentID] = r.PayoutReady
		}
	}
	for _, p := range pays {
		ps := workflows.PaymentSnap{ID: p.ID, Tranche: int(p.Tranche), Condition: p.Condition, Status: p.Status, AmountPence: p.AmountPence}
		if r, ok := ready[p.ID]; ok {
			ps.PayoutReady = &r
		}
		s.Payments = append(s.Payments, ps)
	}
	for _, r := range reps {
		rs := workflows.ReportSnap{ID: r.ID, Kind: r.Kind, Status: r.Status, Escalated: r.EscalatedAt != nil}
		if r.DueAt != nil {
			rs.DueAt = *r.DueAt
		}
		s.Reports = append(s.Reports, rs)
	}
	app, err := q.ApplicationGet(ctx, g.ApplicationID)
	if err != nil {
		return workflows.GrantSnapshot{}, classify(fmt.Errorf("load application: %w", err))
	}
	if s.Parties, err = loadParties(ctx, q, app, true); err != nil {
		return workflows.GrantSnapshot{}, classify(err)
	}
	if def.PaysEachPartner() {
		if s.Parties.PartnerAdminIDs, err = partnerPayoutAdmins(ctx, q, g.ID); err != nil {
			return workflows.GrantSnapshot{}, classify(err)
		}
	}
	return s, nil
}

// provider is the round's payment provider.
func provider(def round.Definition) string {
	if def.PaymentProvider == workflows.ProviderManual {
		return workflows.ProviderManual
	}
	return workflows.ProviderStripe
}

// hostConsented reports whether the payee may be paid for the grantee: a
// host must have consented to host the group.
func hostConsented(p sqlc.PayeeGetRow) bool {
	return p.HostOrganisationID == nil || p.HostConsentedAt != nil
}

// payoutReady reports whether the payee can be paid: a host must have
// consented; then a Stripe account with payouts enabled, or bank details.
func payoutReady(provider string, p sqlc.PayeeGetRow) bool {
	if !hostConsented(p) {
		return false
	}
	if provider == workflows.ProviderManual {
		return p.HasBankAccount
	}
	return p.StripeAccountID != nil && p.PayoutReadyAt != nil
}

// lockActiveGrant locks a grant that must be active.
func lockActiveGrant(ctx context.Context, q *sqlc.Queries, grantID string) (sqlc.Grant, error) {
	g, err := q.GrantGetForUpdate(ctx, grantID)
	if err != nil {
		return g, fmt.Errorf("load grant %s: %w", grantID, err)
	}
	if g.Status != workflows.GrantStatusActive {
		return g, workflows.Reject(workflows.RejectInvalidState, "This grant is "+g.Status, nil)
	}
	return g, nil
}

// saveGrant writes a grant's mutable fields back.
func saveGrant(ctx context.Context, q *sqlc.Queries, g sqlc.Grant) error {
	_, err := q.GrantUpdateState(ctx, sqlc.GrantUpdateStateParams{ID: g.ID, Status: g.Status, AwardPence: g.AwardPence,
		ClawbackPence: g.ClawbackPence, Flags: g.Flags, CompletedAt: g.CompletedAt})
	if err != nil {
		return fmt.Errorf("save grant: %w", err)
	}
	return nil
}

// setFlag adds or removes a grant flag, reporting whether it changed.
func setFlag(g *sqlc.Grant, flag string, on bool) bool {
	if hasFlag(g.Flags, flag) == on {
		return false
	}
	if on {
		g.Flags = withFlag(g.Flags, flag)
	} else {
		g.Flags = withoutFlag(g.Flags, flag)
	}
	return true
}

// lockReport locks one report of a grant.
func lockReport(ctx context.Context, q *sqlc.Queries, grantID, reportID string) (sqlc.Report, error) {
	r, err := q.ReportGetForUpdate(ctx, reportID)
	if err != nil {
		if isNotFound(err) {
			return r, workflows.Reject(workflows.RejectNotFound, "Report not found", nil)
		}
		return r, fmt.Errorf("load report: %w", err)
	}
	if r.GrantID != grantID {
		return r, workflows.Reject(workflows.RejectNotFound, "Report not found", nil)
	}
	return r, nil
}

// saveReport writes a report's mutable fields back.
func saveReport(ctx context.Context, q *sqlc.Queries, r sqlc.Report) error {
	_, err := q.ReportUpdateState(ctx, sqlc.ReportUpdateStateParams{ID: r.ID, Status: r.Status, Answers: r.Answers,
		SpendPence: r.SpendPence, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, ReviewedBy: r.ReviewedBy,
		ReviewedAt: r.ReviewedAt, ReviewComment: r.ReviewComment, EscalatedAt: r.EscalatedAt})
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	return nil
}

// ReportClock moves a report along its clock: within the reminder lead it
// is due and the grantee reminded; past its due time overdue and the
// grantee told; past the grace too, escalated: the managers are told and
// the grant flagged (the workflow then holds its payments). A step that
// no longer applies (the report was submitted meanwhile, or a retry)
// changes nothing.
func (a *Activities) ReportClock(ctx context.Context, in workflows.ReportClockInput) error {
	return classify(a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		r, err := lockReport(ctx, q, g.ID, in.ReportID)
		if err != nil {
			return err
		}
		due := ""
		if r.DueAt != nil {
			due = londonTime(*r.DueAt)
		}
		var m message
		notifyManagers := false
		switch {
		case in.Step == workflows.ReportStepDue && r.Status == workflows.ReportUpcoming:
			r.Status = workflows.ReportDue
			m = message{kind: "report_due", subject: "A grant report is due soon",
				body: fmt.Sprintf("Your %s report is due by %s. Submit it before then: a report left overdue holds the grant's later payments.", r.Kind, due)}
		case in.Step == workflows.ReportStepOverdue && (r.Status == workflows.ReportUpcoming || r.Status == workflows.ReportDue):
			r.Status = workflows.ReportOverdue
			m = message{kind: "report_overdue", subject: "A grant report is overdue",
				body: fmt.Sprintf("Your %s report was due by %s. Please submit it now: later payments are held if it stays overdue.", r.Kind, due)}
		case in.Step == workflows.ReportStepEscalate && r.Status == workflows.ReportOverdue && r.EscalatedAt == nil:
			r.EscalatedAt = &in.At
			setFlag(&g, workflows.GrantFlagReportOverdue, true)
			if err := saveGrant(ctx, q, g); err != nil {
				return err
			}
			m = message{kind: "report_escalated", subject: "A grant report is overdue beyond its grace period",
				body: fmt.Sprintf("The %s report of grant %s was due by %s and is still missing; the grant's later payments are held.", r.Kind, g.ID, due)}
			notifyManagers = true
		default:
			return nil
		}
		if err := saveReport(ctx, q, r); err != nil {
			return err
		}
		m.entity, m.key = grantChain(g.ID), "report:"+r.ID+":"+in.Step
		if err := record(ctx, q, grantChain(g.ID), workflows.SystemActor, "report."+in.Step, "report:"+r.ID, in.At,
			map[string]any{"report_id": r.ID, "kind": r.Kind, "status": r.Status}); err != nil {
			return err
		}
		if notifyManagers {
			return notifyRole(ctx, q, workflows.RoleManager, m)
		}
		return notifyOrgAdmins(ctx, q, g.OrganisationID, m)
	}))
}

// escalatedReport reports whether any report of the grant is overdue
// beyond its grace (escalated and still not submitted).
func escalatedReport(ctx context.Context, q *sqlc.Queries, grantID string) (bool, error) {
	reps, err := q.ReportListByGrant(ctx, grantID)
	if err != nil {
		return false, fmt.Errorf("list reports: %w", err)
	}
	for _, r := range reps {
		if r.Status == workflows.ReportOverdue && r.EscalatedAt != nil {
			return true, nil
		}
	}
	return false, nil
}

// HoldPayments holds the grant's payments not yet approved while one of
// its reports is overdue beyond the grace.
func (a *Activities) HoldPayments(ctx context.Context, in workflows.GrantStep) (workflows.GrantStepResult, error) {
	var out workflows.GrantStepResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		if holding, err := escalatedReport(ctx, q, g.ID); err != nil || !holding {
			return err
		}
		reason := "A report of this grant is overdue"
		held, err := movePayments(ctx, q, g.ID, []string{workflows.PaymentScheduled, workflows.PaymentAwaitingApproval},
			func(p *sqlc.Payment) { p.Status, p.HeldReason = workflows.PaymentHeld, &reason })
		if err != nil || len(held) == 0 {
			return err
		}
		out.Changed = true
		return record(ctx, q, grantChain(g.ID), workflows.SystemActor, "payments.held", grantChain(g.ID), in.At,
			map[string]any{"payment_ids": held, "reason": reason})
	})
	return out, classify(err)
}

// UnholdPayments releases held payments (to scheduled: each falls due
// again when its condition holds) once no report is overdue beyond the
// grace, and clears the grant's overdue flag.
func (a *Activities) UnholdPayments(ctx context.Context, in workflows.GrantStep) (workflows.GrantStepResult, error) {
	var out workflows.GrantStepResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		if holding, err := escalatedReport(ctx, q, g.ID); err != nil || holding {
			return err
		}
		if setFlag(&g, workflows.GrantFlagReportOverdue, false) {
			if err := saveGrant(ctx, q, g); err != nil {
				return err
			}
		}
		released, err := movePayments(ctx, q, g.ID, []string{workflows.PaymentHeld},
			func(p *sqlc.Payment) { p.Status, p.HeldReason = workflows.PaymentScheduled, nil })
		if err != nil || len(released) == 0 {
			return err
		}
		out.Changed = true
		return record(ctx, q, grantChain(g.ID), workflows.SystemActor, "payments.unheld", grantChain(g.ID), in.At,
			map[string]any{"payment_ids": released})
	})
	return out, classify(err)
}

// movePayments changes each of a grant's payments (locked) whose status
// is one of from with move, saves it, and reports the ids it moved.
func movePayments(ctx context.Context, q *sqlc.Queries, grantID string, from []string, move func(*sqlc.Payment)) ([]string, error) {
	pays, err := q.PaymentListByGrantForUpdate(ctx, grantID)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	var moved []string
	for _, p := range pays {
		if !slices.Contains(from, p.Status) {
			continue
		}
		move(&p)
		if _, err := savePayment(ctx, q, p); err != nil {
			return nil, err
		}
		moved = append(moved, p.ID)
	}
	return moved, nil
}

// ReleasePayment makes a scheduled tranche due: it awaits two approvals,
// on the round's provider, and finance is told.
func (a *Activities) ReleasePayment(ctx context.Context, in workflows.GrantStep) (workflows.GrantStepResult, error) {
	var out workflows.GrantStepResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		if p.GrantID != g.ID || p.Status != workflows.PaymentScheduled {
			return nil
		}
		_, def, err := loadRound(ctx, q, g.RoundID)
		if err != nil {
			return err
		}
		prov := provider(def)
		p.Status, p.Provider = workflows.PaymentAwaitingApproval, &prov
		if p.DueAt == nil {
			p.DueAt = &in.At
		}
		if _, err := savePayment(ctx, q, p); err != nil {
			return err
		}
		out.Changed = true
		if err := recordPayment(ctx, q, p, workflows.SystemActor, "payment.due", in.At,
			map[string]any{"tranche": p.Tranche, "amount_pence": p.AmountPence, "provider": prov}); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleFinance, message{kind: "payment_due", subject: "A payment needs two approvals",
			body:   trancheName(p) + " is due and needs two approvals.",
			entity: paymentEntity(p.ID), key: "payment_due:" + p.ID + ":" + in.At.UTC().Format(time.RFC3339Nano)})
	})
	return out, classify(err)
}

// CompleteGrant closes a grant out once every tranche is settled (paid,
// reversed or cancelled, with money paid) and every report accepted;
// otherwise it changes nothing.
func (a *Activities) CompleteGrant(ctx context.Context, in workflows.GrantStep) (workflows.GrantStepResult, error) {
	var out workflows.GrantStepResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := q.GrantGetForUpdate(ctx, in.GrantID)
		if err != nil {
			return fmt.Errorf("load grant: %w", err)
		}
		if g.Status == workflows.GrantStatusCompleted {
			out.Changed = true
			return nil
		}
		if g.Status != workflows.GrantStatusActive {
			return nil
		}
		pays, err := q.PaymentListByGrantForUpdate(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("list payments: %w", err)
		}
		var paid int64
		for _, p := range pays {
			switch p.Status {
			case workflows.PaymentPaid:
				paid += p.AmountPence
			case workflows.PaymentReversed, workflows.PaymentCancelled:
			default:
				return nil
			}
		}
		reps, err := q.ReportListByGrant(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		for _, r := range reps {
			if r.Status != workflows.ReportAccepted {
				return nil
			}
		}
		g.Status, g.CompletedAt = workflows.GrantStatusCompleted, &in.At
		if err := saveGrant(ctx, q, g); err != nil {
			return err
		}
		out.Changed = true
		data := map[string]any{"grant_id": g.ID, "award_pence": g.AwardPence, "paid_pence": paid, "clawback_pence": g.ClawbackPence}
		for _, chain := range []string{grantChain(g.ID), appChain(g.ApplicationID)} {
			if err := record(ctx, q, chain, workflows.SystemActor, "grant.completed", grantChain(g.ID), in.At, data); err != nil {
				return err
			}
		}
		m := message{kind: "grant_completed", subject: "Grant completed",
			body:   fmt.Sprintf("Grant %s is complete: %s paid and every report accepted.", g.ID, money.PoundsAndPence(paid)),
			entity: grantChain(g.ID), key: "completed:" + g.ID}
		if err := notifyOrgAdmins(ctx, q, g.OrganisationID, m); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleManager, m)
	})
	return out, classify(err)
}

// HandleGrantEvent acts on what Stripe told: a reversed transfer marks
// its payment reversed and alerts finance; a failed payout flags the grant
// and alerts finance. Other events only wake the workflow.
func (a *Activities) HandleGrantEvent(ctx context.Context, in workflows.GrantEventInput) error {
	return classify(a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := q.GrantGetForUpdate(ctx, in.GrantID)
		if err != nil {
			return fmt.Errorf("load grant: %w", err)
		}
		ev := in.Event
		var m message
		switch ev.Kind {
		case workflows.GrantEventTransferReversed:
			p, err := lockPayment(ctx, q, ev.PaymentID)
			if err != nil {
				if isRejection(err) {
					return nil // not a payment of ours: nothing to do
				}
				return err
			}
			if p.GrantID != g.ID || p.Status != workflows.PaymentPaid {
				return nil
			}
			if m, err = reversePayment(ctx, q, p, ev, in.At); err != nil || m.kind == "" {
				return err
			}
			setFlag(&g, workflows.GrantFlagPaymentReversed, true)
		case workflows.GrantEventPayoutFailed:
			if err := record(ctx, q, grantChain(g.ID), workflows.SystemActor, "payout.failed", grantChain(g.ID), in.At,
				map[string]any{"reason": ev.Reason, "event_id": ev.EventID}); err != nil {
				return err
			}
			setFlag(&g, workflows.GrantFlagPayoutFailed, true)
			m = message{kind: "payout_failed", subject: "A grantee's payout failed",
				body: fmt.Sprintf("Stripe could not pay out to the bank account of grant %s's payee: %s", g.ID, ev.Reason),
				key:  "payout_failed:" + g.ID + ":" + ev.EventID}
		default:
			return nil
		}
		if err := saveGrant(ctx, q, g); err != nil {
			return err
		}
		m.entity = grantChain(g.ID)
		return notifyRole(ctx, q, workflows.RoleFinance, m)
	}))
}

func paymentEntity(id string) string { return "payment:" + id }

// reversePayment records Stripe's reversal of a paid payment, and returns
// what to tell finance (nothing, m.kind "", for news already recorded).
// Stripe says how much it has reversed in all so far: all of it (or an
// amount not given) makes the payment reversed; less leaves it paid — the
// money did go out, and part of it stays with the payee — with the amount
// reversed recorded, so finance can see what came back and recover or
// reissue the rest. A later event with a larger total updates it.
func reversePayment(ctx context.Context, q *sqlc.Queries, p sqlc.Payment, ev workflows.GrantEvent, at time.Time) (message, error) {
	total := ev.AmountReversedPence
	if total <= 0 || total >= p.AmountPence {
		p.Status, p.ReversedAt, p.ReversalReason = workflows.PaymentReversed, &at, &ev.Reason
		if _, err := savePayment(ctx, q, p); err != nil {
			return message{}, err
		}
		if _, err := q.PaymentRecordReversed(ctx, sqlc.PaymentRecordReversedParams{ID: p.ID, ReversedPence: p.AmountPence}); err != nil {
			return message{}, fmt.Errorf("record reversal: %w", err)
		}
		if err := recordPayment(ctx, q, p, workflows.SystemActor, "payment.reversed", at,
			map[string]any{"amount_pence": p.AmountPence, "reversed_pence": p.AmountPence, "reason": ev.Reason, "event_id": ev.EventID}); err != nil {
			return message{}, err
		}
		return message{kind: "payment_reversed", subject: "A grant payment was reversed",
			body: trancheName(p) + " was reversed: " + ev.Reason, key: "reversed:" + p.ID}, nil
	}
	if total <= p.ReversedPence {
		return message{}, nil // an older or repeated total
	}
	if _, err := q.PaymentRecordReversed(ctx, sqlc.PaymentRecordReversedParams{ID: p.ID, ReversedPence: total}); err != nil {
		return message{}, fmt.Errorf("record partial reversal: %w", err)
	}
	if err := recordPayment(ctx, q, p, workflows.SystemActor, "payment.partially_reversed", at,
		map[string]any{"amount_pence": p.AmountPence, "reversed_pence": total, "reason": ev.Reason, "event_id": ev.EventID}); err != nil {
		return message{}, err
	}
	return message{kind: "payment_partially_reversed", subject: "Part of a grant payment was reversed",
		body: fmt.Sprintf("%s was partly reversed: %s of %s came back (%s). The payment stays paid for the rest.",
			trancheName(p), money.PoundsAndPence(total), money.PoundsAndPence(p.AmountPence), ev.Reason),
		key: fmt.Sprintf("partially_reversed:%s:%d", p.ID, total)}, nil
}
