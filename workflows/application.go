package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Application statuses the workflow moves a case through.
const (
	StatusSubmitted    = "submitted"
	StatusIneligible   = "ineligible"
	StatusInAssessment = "in_assessment"
	StatusApproved     = "approved"
	StatusRejected     = "rejected"
	StatusWaitlisted   = "waitlisted"
	StatusWithdrawn    = "withdrawn"
)

// Grant outcomes an ApplicationResult reports for an approved case.
const (
	GrantAccepted = "accepted"
	GrantLapsed   = "lapsed"
	GrantDeclined = "declined"
)

// ApplicationInput starts an application's case.
type ApplicationInput struct {
	ApplicationID string `json:"application_id"`
}

// ApplicationResult is how a case ended: the application's status, the
// ineligibility reasons, and for an approved case its grant and whether
// the offer was accepted, declined or lapsed.
type ApplicationResult struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
	GrantID string   `json:"grant_id,omitempty"`
	Grant   string   `json:"grant,omitempty"`
}

// CheckEligibilityInput names the application whose eligibility to check.
type CheckEligibilityInput struct {
	ApplicationID string `json:"application_id"`
}

// CheckEligibilityResult is the status the check left the application in.
type CheckEligibilityResult struct {
	Status   string   `json:"status"`
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons"`
}

// reviewVersion marks the change that added assessment, decision and offer
// to the case: histories recorded before it end after the eligibility
// check and must still replay that way.
const reviewVersion = "review"

// registerChecksVersion marks the change that checks the applicant
// organisations against the registers once assessment starts (issue 17).
const registerChecksVersion = "register-checks"

// registerChecksManualVersion marks the check of a manual payment's payee
// before its second approval (issue 17).
const registerChecksManualVersion = "register-checks-manual"

// activityOptions are the options of every case activity: short, retried
// with back-off; business rejections are non-retryable errors.
func activityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// ApplicationWorkflow drives one submitted application: the eligibility
// check; assignment to assessors with reminders, deadlines and one
// reassignment; scoring, conflicts, moderation and the chair's decision
// as Updates; on approval the offer, which the applicant accepts (the
// grant's own workflow then starts) or which lapses at its expiry,
// releasing its budget to the round. Changes are serialised by one mutex;
// every change is made by an activity.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (ApplicationResult, error) {
	ctx = activityOptions(ctx)
	c := &applicationCase{id: in.ApplicationID, status: StatusSubmitted, mu: workflow.NewMutex(ctx)}
	if err := c.registerUpdates(ctx); err != nil {
		return ApplicationResult{}, err
	}

	// The eligibility check holds the mutex, so a withdrawal sent meanwhile
	// waits for it and then sees where the case stands.
	if err := c.mu.Lock(ctx); err != nil {
		return ApplicationResult{}, err
	}
	var elig CheckEligibilityResult
	err := workflow.ExecuteActivity(ctx, ActivityCheckEligibility, CheckEligibilityInput(in)).Get(ctx, &elig)
	if err != nil {
		c.mu.Unlock()
		return ApplicationResult{}, err
	}
	if workflow.GetVersion(ctx, reviewVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		c.mu.Unlock()
		return ApplicationResult{Status: elig.Status, Reasons: elig.Reasons}, nil
	}
	c.status = elig.Status
	if c.status == StatusInAssessment {
		err = c.startAssessment(ctx)
	}
	c.mu.Unlock()
	if err != nil {
		return ApplicationResult{}, err
	}
	if c.status != StatusInAssessment {
		return c.finish(ctx, ApplicationResult{Status: c.status, Reasons: elig.Reasons})
	}
	if workflow.GetVersion(ctx, registerChecksVersion, workflow.DefaultVersion, 1) == 1 {
		c.checkRegisters(ctx)
	}

	if err := c.review(ctx); err != nil {
		return ApplicationResult{}, err
	}
	if c.status != StatusApproved {
		return c.finish(ctx, ApplicationResult{Status: c.status})
	}
	outcome, err := c.awaitAcceptance(ctx)
	if err != nil {
		return ApplicationResult{}, err
	}
	return c.finish(ctx, ApplicationResult{Status: c.status, GrantID: c.grantID, Grant: outcome})
}

// applicationCase is the workflow's state of one case. Handlers and the
// main loop change it only while holding mu.
type applicationCase struct {
	id             string
	info           CaseInfo
	status         string
	assignments    []Assignment
	reviewDeadline time.Time // after it the chair may decide whatever is unscored
	grantID        string
	offerExpiresAt time.Time
	accepted       bool
	declined       *DeclineResult // set by the decline handler: the budget it released
	short          int            // assessors the pool could not supply at the last assignment
	shortGen       int            // the generation they were wanted for
	assignedAt     time.Time      // when assignment last ran
	changed        bool           // set by handlers to wake the main loop
	mu             workflow.Mutex
	assigning      bool // an AssignAssessors activity is running
	// started is set once the case's settings are loaded and its first
	// assignment made: until then an Update on a case in assessment is
	// not ready (its request, tier and deadlines are not known yet).
	started bool
}

// finish waits for running Update handlers, then ends the case.
func (c *applicationCase) finish(ctx workflow.Context, res ApplicationResult) (ApplicationResult, error) {
	return res, awaitHandlers(ctx)
}

// awaitHandlers waits for every running Update handler to finish, so a
// workflow never ends (or continues as new) under one.
func awaitHandlers(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// startAssessment loads the case's settings and makes the first
// assignments. The caller holds mu.
func (c *applicationCase) startAssessment(ctx workflow.Context) error {
	if err := workflow.ExecuteActivity(ctx, ActivityLoadCase, CaseRef{ApplicationID: c.id}).Get(ctx, &c.info); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	c.reviewDeadline = laterOf(c.info.ClosesAt, now).Add(c.info.AssessmentWindow)
	if err := c.assign(ctx, 0); err != nil {
		return err
	}
	c.started = true
	return nil
}

// assign brings the case up to its number of assessors (generation: 0 for
// first assignments and replacements of conflicted ones, 1 for the one
// reassignment after a missed deadline). The caller holds mu.
func (c *applicationCase) assign(ctx workflow.Context, generation int) error {
	var res AssignResult
	in := AssignInput{ApplicationID: c.id, Generation: generation, At: workflow.Now(ctx)}
	// While the activity runs, its new assignments may already be visible
	// in PostgreSQL: an Update naming one gets not_ready, not not_found.
	c.assigning = true
	err := workflow.ExecuteActivity(ctx, ActivityAssignAssessors, in).Get(ctx, &res)
	c.assigning = false
	if err != nil {
		return err
	}
	c.assignments = res.Assignments
	c.short, c.shortGen, c.assignedAt = res.Short, generation, in.At
	return nil
}

// retryAssignment is how long a case short of assessors waits before it
// asks the pool again: an eighth of the assessment window, from a minute
// to an hour.
func (c *applicationCase) retryAssignment() time.Duration {
	return min(max(c.info.AssessmentWindow/8, time.Minute), time.Hour)
}

// retryAt is when a case short of assessors next asks the pool; it stops
// asking at the review deadline (the chair may then decide as it stands).
func (c *applicationCase) retryAt() (time.Time, bool) {
	at := c.assignedAt.Add(c.retryAssignment())
	return at, c.short > 0 && at.Before(c.reviewDeadline)
}

func (c *applicationCase) retryDue(now time.Time) bool {
	at, ok := c.retryAt()
	return ok && !now.Before(at)
}

// review runs assessment timers until a decision or a withdrawal moves the
// case out of in_assessment and waitlisted.
func (c *applicationCase) review(ctx workflow.Context) error {
	for c.status == StatusInAssessment || c.status == StatusWaitlisted {
		now := workflow.Now(ctx)
		next, ok := c.nextWake()
		wake := func() bool { return c.changed || (c.status != StatusInAssessment && c.status != StatusWaitlisted) }
		if ok && next.After(now) {
			if _, err := workflow.AwaitWithTimeout(ctx, next.Sub(now), wake); err != nil {
				return err
			}
		} else if !ok {
			if err := workflow.Await(ctx, wake); err != nil {
				return err
			}
		}
		if err := c.mu.Lock(ctx); err != nil {
			return err
		}
		c.changed = false
		err := c.runDue(ctx)
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// nextWake is the earliest pending reminder or deadline of an unscored
// assignment, or the next try for a case short of assessors, if any.
func (c *applicationCase) nextWake() (time.Time, bool) {
	if c.status != StatusInAssessment {
		return time.Time{}, false
	}
	var next time.Time
	for _, a := range c.assignments {
		if a.Status != AssessmentAssigned {
			continue
		}
		at := a.Deadline
		if !a.Reminded {
			if r := a.Deadline.Add(-c.info.ReminderLead); r.Before(at) {
				at = r
			}
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	if at, ok := c.retryAt(); ok && (next.IsZero() || at.Before(next)) {
		next = at
	}
	return next, !next.IsZero()
}

// runDue sends the reminders and handles the deadlines that are due. An
// unscored assignment at its deadline is released and, the first time,
// reassigned with a fresh window; a reassignment missing its deadline
// flags the case to managers. A case the pool was short for asks again
// from time to time. The caller holds mu.
func (c *applicationCase) runDue(ctx workflow.Context) error {
	if c.status != StatusInAssessment {
		return nil
	}
	now := workflow.Now(ctx)
	reassign, flag := false, false
	for i := range c.assignments {
		a := &c.assignments[i]
		if a.Status != AssessmentAssigned {
			continue
		}
		if !now.Before(a.Deadline) {
			in := ReleaseInput{ApplicationID: c.id, AssessmentID: a.ID, Reason: ReleaseDeadline, At: now}
			if err := workflow.ExecuteActivity(ctx, ActivityReleaseAssessment, in).Get(ctx, nil); err != nil {
				return err
			}
			a.Status = AssessmentReleased
			if a.Generation == 0 {
				reassign = true
			} else {
				flag = true
			}
			continue
		}
		if !a.Reminded && !now.Before(a.Deadline.Add(-c.info.ReminderLead)) {
			in := ReminderInput{ApplicationID: c.id, AssessmentID: a.ID, At: now}
			if err := workflow.ExecuteActivity(ctx, ActivitySendReminder, in).Get(ctx, nil); err != nil {
				return err
			}
			a.Reminded = true
		}
	}
	switch {
	case reassign:
		if err := c.assign(ctx, 1); err != nil {
			return err
		}
	case c.retryDue(now):
		// The pool was short: someone may have become an assessor since.
		if err := c.assign(ctx, c.shortGen); err != nil {
			return err
		}
	}
	if flag {
		in := FlagInput{ApplicationID: c.id, Flag: FlagUnscored, Message: "A reassigned assessment was not scored by its deadline", At: now}
		if err := workflow.ExecuteActivity(ctx, ActivityFlagCase, in).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// awaitAcceptance waits for the acceptance or decline Update until the
// offer expires; on acceptance it starts the grant's workflow; on a
// decline (its handler released the budget) or at expiry (it lapses the
// offer) it tells the round that budget came free.
func (c *applicationCase) awaitAcceptance(ctx workflow.Context) (string, error) {
	if workflow.GetVersion(ctx, offerReminderVersion, workflow.DefaultVersion, 1) >= 1 {
		if err := c.remindOffer(ctx); err != nil {
			return "", err
		}
	}
	now := workflow.Now(ctx)
	if c.offerExpiresAt.After(now) {
		if _, err := workflow.AwaitWithTimeout(ctx, c.offerExpiresAt.Sub(now), c.settled); err != nil {
			return "", err
		}
	}
	// An acceptance or decline that passed its validator before expiry may
	// still be recording: the mutex waits for it.
	if err := c.mu.Lock(ctx); err != nil {
		return "", err
	}
	defer c.mu.Unlock()
	if c.accepted {
		return GrantAccepted, c.startGrant(ctx)
	}
	if c.declined != nil {
		c.tellRound(ctx, LapseResult(*c.declined))
		return GrantDeclined, nil
	}
	var lapse LapseResult
	in := LapseInput{ApplicationID: c.id, GrantID: c.grantID, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(ctx, ActivityLapseOffer, in).Get(ctx, &lapse); err != nil {
		return "", err
	}
	c.tellRound(ctx, lapse)
	return GrantLapsed, nil
}

// settled reports whether the offer was accepted or declined.
func (c *applicationCase) settled() bool { return c.accepted || c.declined != nil }

// remindOffer waits until OfferReminderAt before the offer expires and
// then, unless it was accepted or declined meanwhile, reminds the
// applicant's admins. A reminder instant already past is skipped.
func (c *applicationCase) remindOffer(ctx workflow.Context) error {
	now, at := workflow.Now(ctx), OfferReminderAt(c.offerExpiresAt)
	if !now.Before(at) {
		return nil
	}
	if _, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), c.settled); err != nil {
		return err
	}
	if err := c.mu.Lock(ctx); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if c.settled() {
		return nil
	}
	in := OfferReminderInput{ApplicationID: c.id, GrantID: c.grantID, At: workflow.Now(ctx)}
	return workflow.ExecuteActivity(ctx, ActivityRemindOffer, in).Get(ctx, nil)
}

// tellRound signals the round that an offer's budget came free. The round
// may have finished (then nothing waits for budget); a lost signal only
// means no automatic promotion.
func (c *applicationCase) tellRound(ctx workflow.Context, released LapseResult) {
	sig := workflow.SignalExternalWorkflow(ctx, RoundWorkflowID(c.info.RoundID), "", SignalBudgetReleased, released)
	if err := sig.Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("round not told of released budget", "round_id", c.info.RoundID, "error", err)
	}
}

// startGrant starts the grant's workflow as a child that outlives the case.
func (c *applicationCase) startGrant(ctx workflow.Context) error {
	return startChild(ctx, GrantWorkflowID(c.grantID), GrantWorkflowName, GrantInput{GrantID: c.grantID, ApplicationID: c.id})
}

// startChild starts a child workflow that outlives its parent (abandoned
// when the parent closes) under a business-key ID; one already started
// under that ID is no error.
func startChild(ctx workflow.Context, workflowID, workflowType string, in any) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            workflowID,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	var exec workflow.Execution
	err := workflow.ExecuteChildWorkflow(cctx, workflowType, in).GetChildWorkflowExecution().Get(ctx, &exec)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return err
	}
	return nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// checkRegisters checks the application's organisations against the
// registers (ActivityCheckApplicationOrganisations), which records the
// results for assessors and the panel. It never blocks assessment: a
// check that cannot be recorded is logged and the case goes on.
func (c *applicationCase) checkRegisters(ctx workflow.Context) {
	in := CheckApplicationInput{ApplicationID: c.id, At: workflow.Now(ctx)}
	var res CheckApplicationResult
	if err := workflow.ExecuteActivity(registerCheckOptions(ctx), ActivityCheckApplicationOrganisations, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("register checks not recorded", "application_id", c.id, "error", err)
	}
}
