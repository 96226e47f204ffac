package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Staff roles (the names in users.roles): validators check them on the
// Caller, activities against the users table.
const (
	RoleManager  = "manager"
	RoleChair    = "chair"
	RoleAssessor = "assessor"
	RoleFinance  = "finance"
	// RoleAdmin manages staff: invites, changes roles, deactivates.
	RoleAdmin = "admin"
	// RoleCaseworker handles Spaces at Risk support requests and cases.
	RoleCaseworker = "caseworker"
)

// registerUpdates installs every Update of the case. A validator does the
// checks that need no I/O, on the workflow's own state; its handler takes
// the case's mutex, validates again (the state may have moved while it
// waited), runs the activity that writes PostgreSQL and updates the state.
func (c *applicationCase) registerUpdates(ctx workflow.Context) error {
	// A slice, not a map: workflow code iterates in a fixed order.
	for _, u := range []struct {
		name               string
		handler, validator any
	}{
		{UpdateDeclareConflict, c.onConflict, c.validateConflict},
		{UpdateScore, c.onScore, c.validateScore},
		{UpdateModerate, c.onModerate, c.validateModerate},
		{UpdateDecide, c.onDecide, c.validateDecide},
		{UpdateWithdraw, c.onWithdraw, c.validateWithdraw},
		{UpdateAccept, c.onAccept, c.validateAccept},
		{UpdateDecline, c.onDecline, c.validateDecline},
		{UpdatePromote, c.onPromote, c.validatePromote},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
}

func (c *applicationCase) state() CaseState { return CaseState{Status: c.status, GrantID: c.grantID} }

// locked runs fn holding the mutex after validate passes again.
func (c *applicationCase) locked(ctx workflow.Context, validate func() error, fn func() error) (CaseState, error) {
	if err := c.mu.Lock(ctx); err != nil {
		return c.state(), err
	}
	defer c.mu.Unlock()
	if err := validate(); err != nil {
		return c.state(), err
	}
	if err := fn(); err != nil {
		return c.state(), err
	}
	c.changed = true
	return c.state(), nil
}

// inAssessment rejects an Update that needs the case under assessment.
func (c *applicationCase) inAssessment() error {
	switch {
	case c.status == StatusInAssessment && c.started:
		return nil
	case c.status == StatusSubmitted, c.status == StatusInAssessment:
		return notReady()
	}
	return Reject(RejectInvalidState, "This application is no longer being assessed (it is "+c.status+")", nil)
}

func notReady() error {
	return Reject(RejectNotReady, "This application is still being checked; try again in a moment", nil)
}

// ownAssignment finds the caller's live assignment.
func (c *applicationCase) ownAssignment(caller Caller, assessmentID string) (*Assignment, error) {
	for i := range c.assignments {
		a := &c.assignments[i]
		if a.ID != assessmentID {
			continue
		}
		if a.AssessorID != caller.ID {
			return nil, Reject(RejectForbidden, "This assessment is assigned to someone else", nil)
		}
		switch a.Status {
		case AssessmentConflict:
			return nil, Reject(RejectInvalidState, "You declared a conflict of interest on this application", nil)
		case AssessmentReleased:
			return nil, Reject(RejectInvalidState, "You have been released from this assessment", nil)
		}
		return a, nil
	}
	if c.assigning {
		return nil, Reject(RejectNotReady, "Assessors are being assigned; try again in a moment", nil)
	}
	return nil, Reject(RejectNotFound, "Assessment not found", nil)
}

func (c *applicationCase) setAssignment(a Assignment) {
	for i := range c.assignments {
		if c.assignments[i].ID == a.ID {
			c.assignments[i] = a
			return
		}
	}
	c.assignments = append(c.assignments, a)
}

// ---- declare a conflict ----

func (c *applicationCase) validateConflict(ctx workflow.Context, u ConflictUpdate) error {
	if err := c.inAssessment(); err != nil {
		return err
	}
	if _, err := c.ownAssignment(u.Caller, u.AssessmentID); err != nil {
		return err
	}
	return Invalid(CheckConflict(u.Reason))
}

func (c *applicationCase) onConflict(ctx workflow.Context, u ConflictUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var in ConflictInput
	st, err := c.locked(ctx, func() error { return c.validateConflict(ctx, u) }, func() error {
		var res AssessmentResult
		in = ConflictInput{ApplicationID: c.id, AssessmentID: u.AssessmentID, AssessorID: u.Caller.ID, Reason: u.Reason, At: workflow.Now(ctx)}
		if err := workflow.ExecuteActivity(ctx, ActivityDeclareConflict, in).Get(ctx, &res); err != nil {
			return err
		}
		c.setAssignment(res.Assignment)
		// A replacement belongs to the same generation as the one it replaces.
		return c.assign(ctx, res.Assignment.Generation)
	})
	if err != nil {
		return st, err
	}
	// The conflict covers the organisation everywhere: the assessor's other
	// cases with it are released by their own workflows. Outside the mutex,
	// so two cases propagating to each other cannot wait on each other.
	if err := workflow.ExecuteActivity(ctx, ActivityPropagateConflict, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("conflict not carried to the assessor's other cases", "error", err)
	}
	return st, nil
}

// ---- score ----

func (c *applicationCase) validateScore(ctx workflow.Context, u ScoreUpdate) error {
	if err := c.inAssessment(); err != nil {
		return err
	}
	a, err := c.ownAssignment(u.Caller, u.AssessmentID)
	if err != nil {
		return err
	}
	if !workflow.Now(ctx).Before(a.Deadline) {
		return Reject(RejectInvalidState, "The deadline for this assessment has passed ("+a.Deadline.UTC().Format(time.RFC3339)+")", nil)
	}
	return Invalid(CheckScores(c.info.Criteria, u.Scores))
}

func (c *applicationCase) onScore(ctx workflow.Context, u ScoreUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateScore(ctx, u) }, func() error {
		var res AssessmentResult
		in := ScoreInput{ApplicationID: c.id, AssessmentID: u.AssessmentID, AssessorID: u.Caller.ID, Scores: u.Scores, At: workflow.Now(ctx)}
		if err := workflow.ExecuteActivity(ctx, ActivityRecordScores, in).Get(ctx, &res); err != nil {
			return err
		}
		c.setAssignment(res.Assignment)
		return nil
	})
}

// ---- moderate ----

func (c *applicationCase) validateModerate(ctx workflow.Context, u ModerateUpdate) error {
	if err := c.info.Parties.checkStaff(u.Caller, RoleManager, "Only a programme manager can moderate"); err != nil {
		return err
	}
	if c.status != StatusWaitlisted {
		if err := c.inAssessment(); err != nil {
			return err
		}
	}
	return Invalid(CheckModeration(u.TotalHundredths, u.Rationale))
}

func (c *applicationCase) onModerate(ctx workflow.Context, u ModerateUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateModerate(ctx, u) }, func() error {
		in := ModerateInput{ApplicationID: c.id, ActorID: u.Caller.ID, TotalHundredths: u.TotalHundredths, Rationale: u.Rationale, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivityModerate, in).Get(ctx, nil)
	})
}

// ---- decide ----

// decidable reports whether the chair may decide: every live assignment is
// scored, or every deadline has passed (the case's first deadline, and that
// of any assignment still unscored, such as a reassignment's fresh one).
func (c *applicationCase) decidable(now time.Time) error {
	pending, scored := 0, 0
	latest := c.reviewDeadline
	for _, a := range c.assignments {
		switch a.Status {
		case AssessmentAssigned:
			pending++
			latest = laterOf(latest, a.Deadline)
		case AssessmentScored:
			scored++
		}
	}
	if (pending == 0 && scored > 0) || !now.Before(latest) {
		return nil
	}
	return Reject(RejectInvalidState, fmt.Sprintf("Assessment is still under way: %d assessment(s) not scored before the deadline %s",
		pending, latest.UTC().Format(time.RFC3339)), nil)
}

func (c *applicationCase) validateDecide(ctx workflow.Context, u DecideUpdate) error {
	if err := c.info.Parties.checkStaff(u.Caller, RoleChair, "Only the panel chair can decide"); err != nil {
		return err
	}
	switch c.status {
	case StatusInAssessment:
		if err := c.inAssessment(); err != nil {
			return err
		}
		if err := c.decidable(workflow.Now(ctx)); err != nil {
			return err
		}
	case StatusWaitlisted:
		if u.Outcome == OutcomeWaitlist {
			return Reject(RejectInvalidState, "This application is already on the waiting list", nil)
		}
	default:
		if err := c.inAssessment(); err != nil {
			return err
		}
	}
	fields := CheckDecision(u)
	if u.Outcome == OutcomeApprove && u.AwardPence != nil && fields["award_pence"] == "" {
		if msg := c.checkAward(*u.AwardPence); msg != "" {
			fields["award_pence"] = msg
		}
	}
	return Invalid(fields)
}

// checkAward checks an award against the case's request and tier.
func (c *applicationCase) checkAward(award int64) string {
	return CheckAward(award, c.info.RequestedPence, c.info.TierMinPence, c.info.TierMaxPence)
}

func (c *applicationCase) onDecide(ctx workflow.Context, u DecideUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateDecide(ctx, u) }, func() error {
		in := DecideInput{ApplicationID: c.id, ActorID: u.Caller.ID, Outcome: u.Outcome, Reason: u.Reason}
		if u.AwardPence != nil {
			in.AwardPence = *u.AwardPence
		}
		return c.decide(ctx, in)
	})
}

// decide records a decision and, on approval, the offer. The caller holds mu.
func (c *applicationCase) decide(ctx workflow.Context, in DecideInput) error {
	now := workflow.Now(ctx)
	in.At, in.OfferExpiresAt = now, now.Add(c.info.OfferExpiry)
	var res DecideResult
	if err := workflow.ExecuteActivity(ctx, ActivityDecide, in).Get(ctx, &res); err != nil {
		return err
	}
	c.status, c.grantID = res.Status, res.GrantID
	if c.status == StatusApproved {
		c.offerExpiresAt = in.OfferExpiresAt
	}
	for i := range c.assignments {
		if c.assignments[i].Status == AssessmentAssigned {
			c.assignments[i].Status = AssessmentReleased
		}
	}
	return nil
}

// ---- promote (from the round) ----

func (c *applicationCase) validatePromote(ctx workflow.Context, u PromoteUpdate) error {
	if c.status != StatusWaitlisted {
		return Reject(RejectInvalidState, "Only a waitlisted application can be promoted", nil)
	}
	if msg := c.checkAward(u.AwardPence); msg != "" {
		return Invalid(map[string]string{"award_pence": msg})
	}
	return nil
}

func (c *applicationCase) onPromote(ctx workflow.Context, u PromoteUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validatePromote(ctx, u) }, func() error {
		return c.decide(ctx, DecideInput{ApplicationID: c.id, ActorID: SystemActor, Outcome: OutcomeApprove,
			AwardPence: u.AwardPence, Reason: "Promoted from the waiting list when budget came free", Promotion: true})
	})
}

// ---- withdraw ----

func (c *applicationCase) validateWithdraw(ctx workflow.Context, u WithdrawUpdate) error {
	if err := c.info.Parties.checkMember(u.Caller); err != nil {
		return err
	}
	if AwaitingDecision(c.status) {
		return nil
	}
	return Reject(RejectInvalidState, "This application can no longer be withdrawn (it is "+c.status+")", nil)
}

func (c *applicationCase) onWithdraw(ctx workflow.Context, u WithdrawUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateWithdraw(ctx, u) }, func() error {
		in := WithdrawInput{ApplicationID: c.id, ActorID: u.Caller.ID, At: workflow.Now(ctx)}
		if err := workflow.ExecuteActivity(ctx, ActivityWithdraw, in).Get(ctx, nil); err != nil {
			return err
		}
		c.status = StatusWithdrawn
		for i := range c.assignments {
			if AssessmentLive(c.assignments[i].Status) {
				c.assignments[i].Status = AssessmentReleased
			}
		}
		return nil
	})
}

// ---- accept the offer ----

func (c *applicationCase) validateAccept(ctx workflow.Context, u AcceptUpdate) error {
	if err := c.info.Parties.checkAdmin(u.Caller); err != nil {
		return err
	}
	if err := c.openOffer(ctx, u.GrantID, "accept"); err != nil {
		return err
	}
	return Invalid(CheckAcceptance(u.SignatoryName, u.SignatoryRole))
}

func (c *applicationCase) onAccept(ctx workflow.Context, u AcceptUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateAccept(ctx, u) }, func() error {
		in := AcceptInput{ApplicationID: c.id, GrantID: c.grantID, ActorID: u.Caller.ID,
			SignatoryName: strings.TrimSpace(u.SignatoryName), SignatoryRole: strings.TrimSpace(u.SignatoryRole), At: workflow.Now(ctx)}
		if err := workflow.ExecuteActivity(ctx, ActivityAcceptOffer, in).Get(ctx, nil); err != nil {
			return err
		}
		c.accepted = true
		return nil
	})
}

// ---- decline the offer ----

// openOffer rejects an Update on an offer that is not open: none made,
// another grant named, already accepted or declined, or expired.
func (c *applicationCase) openOffer(ctx workflow.Context, grantID, verb string) error {
	switch {
	case c.status != StatusApproved || grantID != c.grantID:
		return Reject(RejectInvalidState, "There is no offer to "+verb+" on this application", nil)
	case c.accepted:
		return Reject(RejectInvalidState, "This offer has already been accepted", nil)
	case c.declined != nil:
		return Reject(RejectInvalidState, "This offer has already been declined", nil)
	case !workflow.Now(ctx).Before(c.offerExpiresAt):
		return Reject(RejectInvalidState, "This offer expired on "+c.offerExpiresAt.UTC().Format(time.RFC3339), nil)
	}
	return nil
}

func (c *applicationCase) validateDecline(ctx workflow.Context, u DeclineUpdate) error {
	if err := c.info.Parties.checkAdmin(u.Caller); err != nil {
		return err
	}
	if err := c.openOffer(ctx, u.GrantID, "decline"); err != nil {
		return err
	}
	return Invalid(CheckDecline(u.Reason))
}

func (c *applicationCase) onDecline(ctx workflow.Context, u DeclineUpdate) (CaseState, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	return c.locked(ctx, func() error { return c.validateDecline(ctx, u) }, func() error {
		in := DeclineInput{ApplicationID: c.id, GrantID: c.grantID, ActorID: u.Caller.ID,
			Reason: strings.TrimSpace(u.Reason), At: workflow.Now(ctx)}
		var res DeclineResult
		if err := workflow.ExecuteActivity(ctx, ActivityDeclineOffer, in).Get(ctx, &res); err != nil {
			return err
		}
		c.declined = &res
		return nil
	})
}
