package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// decidedStatus is the application status each outcome leads to.
var decidedStatus = map[string]string{
	workflows.OutcomeApprove:  workflows.StatusApproved,
	workflows.OutcomeReject:   workflows.StatusRejected,
	workflows.OutcomeWaitlist: workflows.StatusWaitlisted,
}

// Decide records the chair's decision in one transaction. Approval checks
// the award against the tier and the request, commits it against the
// round's budget (over what is left: a conflict rejection, nothing
// written), and creates the grant as an offer with its tranches (exact
// pence, the remainder on the last) and reports. Any outcome releases the
// assessments still unscored and tells the lead organisation's admins;
// a promotion also tells every chair. Only a case in assessment, or a
// waitlisted one being approved or rejected, can be decided. Run again
// after it applied, it returns the decision it made.
func (a *Activities) Decide(ctx context.Context, in workflows.DecideInput) (workflows.DecideResult, error) {
	status, ok := decidedStatus[in.Outcome]
	if !ok {
		return workflows.DecideResult{}, rejectField("outcome", "Choose approve, reject or waitlist")
	}
	var out workflows.DecideResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		if c.app.Status == status && deref(c.app.DecisionOutcome) == in.Outcome {
			out = workflows.DecideResult{Status: c.app.Status, GrantID: deref(c.app.GrantID)}
			return nil
		}
		switch {
		case c.app.Status == workflows.StatusInAssessment:
		case c.app.Status == workflows.StatusWaitlisted && in.Outcome != workflows.OutcomeWaitlist:
		default:
			return workflows.Reject(workflows.RejectInvalidState, "This application cannot be decided now (it is "+c.app.Status+")", nil)
		}
		if !in.Promotion {
			if err := requireStaff(ctx, q, in.ActorID, workflows.RoleChair, "Only the panel chair can decide", c.app); err != nil {
				return err
			}
		}
		params := sqlc.ApplicationDecideParams{ID: c.app.ID, Status: status, Outcome: &in.Outcome, Reason: &in.Reason,
			DecidedBy: &in.ActorID, DecidedAt: &in.At}
		var g *sqlc.Grant
		if in.Outcome == workflows.OutcomeApprove {
			grant, err := offer(ctx, q, c, in)
			if err != nil {
				return err
			}
			g = &grant
			params.AwardPence, params.GrantID = &grant.AwardPence, &grant.ID
		}
		app, err := q.ApplicationDecide(ctx, params)
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		released, err := releaseUnscored(ctx, q, c.app.ID, in.At)
		if err != nil {
			return err
		}
		data := map[string]any{"outcome": in.Outcome, "reason": in.Reason, "promotion": in.Promotion, "released_assessments": released}
		if g != nil {
			data["award_pence"], data["grant_id"] = g.AwardPence, g.ID
		}
		if err := record(ctx, q, appChain(c.app.ID), in.ActorID, "application.decided", appChain(c.app.ID), in.At, data); err != nil {
			return err
		}
		if err := a.tellDecision(ctx, q, c, in, g); err != nil {
			return err
		}
		out = workflows.DecideResult{Status: app.Status, GrantID: deref(app.GrantID)}
		return nil
	})
	return out, classify(err)
}

// offer checks the award, commits it and creates the grant offered with
// its payments and reports, inside the caller's transaction.
func offer(ctx context.Context, q *sqlc.Queries, c caseRow, in workflows.DecideInput) (sqlc.Grant, error) {
	tier, ok := c.tier()
	if !ok {
		return sqlc.Grant{}, rejectField("award_pence", "The application has no tier of this round")
	}
	if msg := workflows.CheckAward(in.AwardPence, c.requested(), tier.MinPence, tier.MaxPence); msg != "" {
		return sqlc.Grant{}, rejectField("award_pence", msg)
	}
	if _, err := budget.Commit(ctx, q, c.app.RoundID, c.app.ID, in.AwardPence); err != nil {
		return sqlc.Grant{}, err // an over-budget error becomes a conflict rejection in classify
	}
	expires := in.OfferExpiresAt
	if expires.IsZero() {
		expires = in.At.Add(c.def.Timeline.OfferExpiry.Duration)
	}
	g, err := q.GrantInsert(ctx, sqlc.GrantInsertParams{
		ID: id.New(id.Grant), ApplicationID: c.app.ID, RoundID: c.app.RoundID, OrganisationID: c.app.OrganisationID,
		AwardPence: in.AwardPence, Conditions: c.def.OfferConditions, OfferedAt: in.At, OfferExpiresAt: expires,
	})
	if err != nil {
		return g, fmt.Errorf("create grant: %w", err)
	}
	payees, err := payeesOf(c.def, c.requested(), c.app.Partners)
	if err != nil {
		return g, err
	}
	payments := []map[string]any{}
	for i, amount := range tranches(in.AwardPence, c.def.PaymentSchedule) {
		cond := c.def.PaymentSchedule[i].Condition
		for k, part := range splitTranche(amount, payees) {
			to := payees[k].OrganisationID
			if to != "" && part == 0 {
				continue // a partner's share too small for this tranche
			}
			params := sqlc.PaymentInsertParams{ID: id.New(id.Payment), GrantID: g.ID, Tranche: int32(i + 1), AmountPence: part, Condition: cond}
			entry := map[string]any{"tranche": i + 1, "amount_pence": part, "condition": cond}
			if to != "" {
				params.PartnerOrganisationID, entry["partner_organisation_id"] = &to, to
			}
			if _, err := q.PaymentInsert(ctx, params); err != nil {
				return g, fmt.Errorf("schedule payment: %w", err)
			}
			payments = append(payments, entry)
		}
	}
	reports := []map[string]any{}
	for _, r := range c.def.Timeline.Reports {
		if _, err := q.ReportInsert(ctx, sqlc.ReportInsertParams{ID: id.New(id.Report), GrantID: g.ID, Kind: r.Kind,
			DueAfterMs: r.DueAfter.Milliseconds()}); err != nil {
			return g, fmt.Errorf("schedule report: %w", err)
		}
		reports = append(reports, map[string]any{"kind": r.Kind, "due_after": r.DueAfter})
	}
	err = record(ctx, q, grantChain(g.ID), in.ActorID, "grant.offered", grantChain(g.ID), in.At, map[string]any{
		"application_id": c.app.ID, "award_pence": g.AwardPence, "offer_expires_at": expires, "conditions": g.Conditions,
		"payments": payments, "reports": reports,
	})
	return g, err
}

// rejectField is the validation rejection of one field's problem.
func rejectField(field, problem string) error {
	return workflows.Invalid(map[string]string{field: problem})
}

// releaseUnscored releases the case's assessments still waiting for
// scores, as decided; scored ones stay as they are.
func releaseUnscored(ctx context.Context, q *sqlc.Queries, applicationID string, at time.Time) ([]string, error) {
	list, err := q.AssessmentListByApplication(ctx, applicationID)
	if err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	released := []string{}
	for _, s := range list {
		if s.Status != workflows.AssessmentAssigned {
			continue
		}
		if _, err := release(ctx, q, s, workflows.ReleaseDecided, at); err != nil {
			return nil, err
		}
		released = append(released, s.ID)
	}
	return released, nil
}

// tellDecision notifies the lead organisation's admins of the outcome and,
// for a promotion, every chair.
func (a *Activities) tellDecision(ctx context.Context, q *sqlc.Queries, c caseRow, in workflows.DecideInput, g *sqlc.Grant) error {
	m := message{kind: "decision", entity: appChain(c.app.ID), key: "decision:" + c.app.ID + ":" + in.Outcome}
	switch in.Outcome {
	case workflows.OutcomeApprove:
		m.subject = "Your application has been approved"
		m.body = fmt.Sprintf("You have been offered a grant of %s. Please accept the offer by %s.", money.PoundsAndPence(g.AwardPence),
			londonTime(g.OfferExpiresAt))
	case workflows.OutcomeReject:
		m.subject, m.body = "Decision on your application", "We are sorry: your application has not been funded. "+in.Reason
	case workflows.OutcomeWaitlist:
		m.subject, m.body = "Your application is on the waiting list",
			"Your application has been placed on the waiting list. We will contact you if funding becomes available."
	}
	if err := notifyOrgAdmins(ctx, q, c.app.OrganisationID, m); err != nil {
		return err
	}
	if !in.Promotion || g == nil {
		return nil
	}
	return notifyRole(ctx, q, workflows.RoleChair, message{
		kind: "promotion", subject: "A waitlisted application was promoted",
		body:   fmt.Sprintf("Budget came free, so a waitlisted application was offered %s.", money.PoundsAndPence(g.AwardPence)),
		entity: appChain(c.app.ID), key: "promotion:" + c.app.ID,
	})
}
