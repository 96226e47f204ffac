package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// lockGrant reads and locks the case's grant, rejecting a grant of another
// application.
func lockGrant(ctx context.Context, q *sqlc.Queries, applicationID, grantID string) (sqlc.Grant, error) {
	g, err := q.GrantGetForUpdate(ctx, grantID)
	if err != nil {
		return g, fmt.Errorf("load grant %s: %w", grantID, err)
	}
	if g.ApplicationID != applicationID {
		return g, workflows.Reject(workflows.RejectNotFound, "Grant not found", nil)
	}
	return g, nil
}

// lockOffer locks a case and its grant, for a change to the offer.
func lockOffer(ctx context.Context, q *sqlc.Queries, applicationID, grantID string) (caseRow, sqlc.Grant, error) {
	c, err := loadCase(ctx, q, applicationID, true)
	if err != nil {
		return c, sqlc.Grant{}, err
	}
	g, err := lockGrant(ctx, q, c.app.ID, grantID)
	return c, g, err
}

// recordOffer records an event of the offer on the grant's and the
// application's audit chains.
func recordOffer(ctx context.Context, q *sqlc.Queries, c caseRow, g sqlc.Grant, actorID, action string, at time.Time, data map[string]any) error {
	for _, chain := range []string{grantChain(g.ID), appChain(c.app.ID)} {
		if err := record(ctx, q, chain, actorID, action, grantChain(g.ID), at, data); err != nil {
			return err
		}
	}
	return nil
}

// releaseOffer releases the budget of an offer that has just ended
// unaccepted (lapsed or declined), records action with data and the
// amount released, and tells the organisation's admins and the holders of
// roles. It returns the pence released.
func releaseOffer(ctx context.Context, q *sqlc.Queries, c caseRow, g sqlc.Grant, actorID, action string, at time.Time,
	data map[string]any, m message, roles ...string) (int64, error) {
	released, err := budget.Release(ctx, q, c.app.ID)
	if err != nil {
		return 0, err
	}
	data["grant_id"], data["application_id"], data["released_pence"] = g.ID, c.app.ID, released
	if err := recordOffer(ctx, q, c, g, actorID, action, at, data); err != nil {
		return 0, err
	}
	if err := notifyOrgAdmins(ctx, q, c.app.OrganisationID, m); err != nil {
		return 0, err
	}
	for _, role := range roles {
		if err := notifyRole(ctx, q, role, m); err != nil {
			return 0, err
		}
	}
	return released, nil
}

// AcceptOffer accepts an offered grant: it becomes active with its
// signatory, its reports fall due counting from the acceptance, and the
// organisation's admins and the managers are told. Accepting again with
// the same acceptance changes nothing; a grant that is not on offer, or an
// offer that has expired, is an invalid_state rejection.
func (a *Activities) AcceptOffer(ctx context.Context, in workflows.AcceptInput) (workflows.CaseState, error) {
	var out workflows.CaseState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, g, err := lockOffer(ctx, q, in.ApplicationID, in.GrantID)
		if err != nil {
			return err
		}
		out = workflows.CaseState{Status: c.app.Status, GrantID: g.ID}
		switch {
		case g.Status == workflows.GrantStatusActive && deref(g.AcceptedBy) == in.ActorID && deref(g.SignatoryName) == in.SignatoryName &&
			deref(g.SignatoryRole) == in.SignatoryRole:
			return nil
		case g.Status == workflows.GrantStatusActive:
			return workflows.Reject(workflows.RejectInvalidState, "This offer has already been accepted", nil)
		case g.Status != workflows.GrantStatusOffered:
			return workflows.Reject(workflows.RejectInvalidState, "This grant is not on offer (it is "+g.Status+")", nil)
		case !in.At.Before(g.OfferExpiresAt):
			return workflows.Reject(workflows.RejectInvalidState, "This offer has expired", nil)
		}
		if err := requireMember(ctx, q, c.app.OrganisationID, in.ActorID, true); err != nil {
			return err
		}
		if _, err := q.GrantAccept(ctx, sqlc.GrantAcceptParams{ID: g.ID, SignatoryName: &in.SignatoryName, SignatoryRole: &in.SignatoryRole,
			AcceptedBy: &in.ActorID, AcceptedAt: &in.At}); err != nil {
			return fmt.Errorf("accept grant: %w", err)
		}
		if err := q.ReportSetDueFrom(ctx, sqlc.ReportSetDueFromParams{GrantID: g.ID, AcceptedAt: in.At}); err != nil {
			return fmt.Errorf("set report due dates: %w", err)
		}
		data := map[string]any{"grant_id": g.ID, "application_id": c.app.ID, "signatory_name": in.SignatoryName,
			"signatory_role": in.SignatoryRole, "award_pence": g.AwardPence}
		if err := recordOffer(ctx, q, c, g, in.ActorID, "grant.accepted", in.At, data); err != nil {
			return err
		}
		m := message{kind: "offer_accepted", subject: "Grant offer accepted",
			body:   fmt.Sprintf("The offer of %s was accepted by %s (%s).", money.PoundsAndPence(g.AwardPence), in.SignatoryName, in.SignatoryRole),
			entity: grantChain(g.ID), key: "accepted:" + g.ID}
		if err := notifyOrgAdmins(ctx, q, c.app.OrganisationID, m); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleManager, m)
	})
	return out, classify(err)
}

// LapseOffer lapses an offer nobody accepted in time and releases its
// budget commitment; the organisation's admins and the chairs are told.
// Run again after it applied, it releases nothing (ReleasedPence 0); a
// grant that is neither offered nor lapsed is an invalid_state rejection.
func (a *Activities) LapseOffer(ctx context.Context, in workflows.LapseInput) (workflows.LapseResult, error) {
	var out workflows.LapseResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, g, err := lockOffer(ctx, q, in.ApplicationID, in.GrantID)
		if err != nil {
			return err
		}
		switch g.Status {
		case workflows.GrantStatusLapsed:
			return nil
		case workflows.GrantStatusOffered:
		default:
			return workflows.Reject(workflows.RejectInvalidState, "This grant is not on offer (it is "+g.Status+")", nil)
		}
		if _, err := q.GrantLapse(ctx, sqlc.GrantLapseParams{ID: g.ID, LapsedAt: &in.At}); err != nil {
			return fmt.Errorf("lapse grant: %w", err)
		}
		m := message{kind: "offer_lapsed", subject: "Grant offer lapsed",
			body:   fmt.Sprintf("The offer of %s was not accepted in time and has lapsed; its budget is free again.", money.PoundsAndPence(g.AwardPence)),
			entity: grantChain(g.ID), key: "lapsed:" + g.ID}
		out.ReleasedPence, err = releaseOffer(ctx, q, c, g, workflows.SystemActor, "grant.lapsed", in.At, map[string]any{}, m, workflows.RoleChair)
		return err
	})
	return out, classify(err)
}

// DeclineOffer declines an offered grant for an admin of the applicant
// (checked again here against PostgreSQL) and releases its budget
// commitment, as a lapse does; the organisation's admins, the managers and
// the chairs are told. Run again after it applied, it releases nothing
// (ReleasedPence 0); a grant that is no longer on offer, or an offer that
// has expired, is an invalid_state rejection.
func (a *Activities) DeclineOffer(ctx context.Context, in workflows.DeclineInput) (workflows.DeclineResult, error) {
	var out workflows.DeclineResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, g, err := lockOffer(ctx, q, in.ApplicationID, in.GrantID)
		if err != nil {
			return err
		}
		switch {
		case g.Status == workflows.GrantStatusDeclined && g.DeclinedAt != nil && g.DeclinedAt.Sub(in.At).Abs() < time.Microsecond:
			return nil // this decline, retried (PostgreSQL keeps microseconds)
		case g.Status != workflows.GrantStatusOffered:
			return workflows.Reject(workflows.RejectInvalidState, "This grant is not on offer (it is "+g.Status+")", nil)
		case !in.At.Before(g.OfferExpiresAt):
			return workflows.Reject(workflows.RejectInvalidState, "This offer has expired", nil)
		}
		if err := requireMember(ctx, q, c.app.OrganisationID, in.ActorID, true); err != nil {
			return err
		}
		var reason *string
		if in.Reason != "" {
			reason = &in.Reason
		}
		if _, err := q.GrantDecline(ctx, sqlc.GrantDeclineParams{ID: g.ID, DeclinedAt: &in.At, DeclineReason: reason}); err != nil {
			return fmt.Errorf("decline grant: %w", err)
		}
		body := fmt.Sprintf("The offer of %s was declined by the applicant; its budget is free again.", money.PoundsAndPence(g.AwardPence))
		if in.Reason != "" {
			body += " Reason given: " + in.Reason
		}
		m := message{kind: "offer_declined", subject: "Grant offer declined", body: body, entity: grantChain(g.ID), key: "declined:" + g.ID}
		out.ReleasedPence, err = releaseOffer(ctx, q, c, g, in.ActorID, "grant.declined", in.At, map[string]any{"reason": in.Reason}, m,
			workflows.RoleManager, workflows.RoleChair)
		return err
	})
	return out, classify(err)
}
