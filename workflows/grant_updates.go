package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/id"
)

// registerUpdates registers GrantWorkflow's Updates. Validators check,
// without I/O, the caller's role and the grant's state as last read;
// handlers take the grant's mutex, check again, run the activity (which
// checks everything against PostgreSQL) and wake the loop.
func (g *grantCase) registerUpdates(ctx workflow.Context) error {
	set := func(name string, handler, validator interface{}) error {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handler, workflow.UpdateHandlerOptions{Validator: validator}); err != nil {
			return fmt.Errorf("register update %s: %w", name, err)
		}
		return nil
	}
	if err := set(UpdatePayoutAccount, g.payoutAccount, g.validatePayoutAccount); err != nil {
		return err
	}
	if err := set(UpdateSubmitReport, g.submitReport, g.validateSubmitReport); err != nil {
		return err
	}
	if err := set(UpdateReviewReport, g.reviewReport, g.validateReviewReport); err != nil {
		return err
	}
	if err := set(UpdateVary, g.vary, g.validateVary); err != nil {
		return err
	}
	return set(UpdateReissue, g.reissue, g.validateReissue)
}

// locked runs fn holding the mutex once validate passes again, then wakes
// the loop.
func (g *grantCase) locked(ctx workflow.Context, validate func() error, fn func() error) error {
	// An Update that arrives before the first read waits for it.
	if err := workflow.Await(ctx, func() bool { return g.loaded }); err != nil {
		return err
	}
	if err := g.mu.Lock(ctx); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if err := validate(); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		// The next Update's validator sees what this one changed.
		err = workflow.ExecuteActivity(ctx, ActivityLoadGrant, g.in.GrantID).Get(ctx, &g.snap)
	}
	g.poke(ctx)
	return err
}

// active refuses a change to a grant that is not active. Before the
// grant's first read it lets the Update through: the handler waits for
// the read and validates again.
func (g *grantCase) active() error {
	if !g.loaded {
		return nil // the handler waits for the first read, then checks again
	}
	if g.snap.Status != GrantStatusActive {
		return Reject(RejectInvalidState, "This grant is "+g.snap.Status, nil)
	}
	return nil
}

func (g *grantCase) report(id string) (ReportSnap, error) {
	for _, r := range g.snap.Reports {
		if r.ID == id {
			return r, nil
		}
	}
	return ReportSnap{}, Reject(RejectNotFound, "Report not found", nil)
}

func (g *grantCase) validatePayoutAccount(u PayoutAccountUpdate) error {
	if err := g.active(); err != nil || !g.loaded {
		return err
	}
	if g.snap.Provider != ProviderStripe {
		return Reject(RejectInvalidState, "This grant is paid by bank transfer: add the organisation's bank details instead", nil)
	}
	return nil
}

func (g *grantCase) payoutAccount(ctx workflow.Context, u PayoutAccountUpdate) (PayoutAccountResult, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var out PayoutAccountResult
	err := g.locked(ctx, func() error { return g.validatePayoutAccount(u) }, func() error {
		in := PayoutAccountInput{GrantID: g.in.GrantID, Update: u, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivityCreatePayoutAccount, in).Get(ctx, &out)
	})
	return out, err
}

// submittable are the report statuses a grantee may submit from.
var submittable = []string{ReportUpcoming, ReportDue, ReportOverdue, ReportChangesRequested}

func (g *grantCase) validateSubmitReport(u ReportSubmission) error {
	if err := g.active(); err != nil || !g.loaded {
		return err
	}
	r, err := g.report(u.ReportID)
	if err != nil {
		return err
	}
	if !contains(submittable, r.Status) {
		return Reject(RejectInvalidState, "This report has already been "+r.Status, nil)
	}
	return invalid(CheckSpend(u.SpendPence))
}

func (g *grantCase) submitReport(ctx workflow.Context, u ReportSubmission) (ReportResult, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var out ReportResult
	err := g.locked(ctx, func() error { return g.validateSubmitReport(u) }, func() error {
		in := ReportSubmitInput{GrantID: g.in.GrantID, Submission: u, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivitySubmitReport, in).Get(ctx, &out)
	})
	return out, err
}

func (g *grantCase) validateReviewReport(u ReportReview) error {
	if !u.Caller.Has(roleManager) {
		return Reject(RejectForbidden, "Only a programme manager can review reports", nil)
	}
	if err := g.active(); err != nil || !g.loaded {
		return err
	}
	r, err := g.report(u.ReportID)
	if err != nil {
		return err
	}
	if r.Status != ReportSubmitted {
		return Reject(RejectInvalidState, "Only a submitted report can be reviewed (this one is "+r.Status+")", nil)
	}
	return invalid(CheckReportReview(u.Outcome, u.Comment))
}

func (g *grantCase) reviewReport(ctx workflow.Context, u ReportReview) (ReportResult, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var out ReportResult
	err := g.locked(ctx, func() error { return g.validateReviewReport(u) }, func() error {
		in := ReportReviewInput{GrantID: g.in.GrantID, Review: u, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivityReviewReport, in).Get(ctx, &out)
	})
	return out, err
}

func (g *grantCase) validateVary(u Variation) error {
	if !u.Caller.Has(roleManager) {
		return Reject(RejectForbidden, "Only a programme manager can vary a grant", nil)
	}
	if err := g.active(); err != nil || !g.loaded {
		return err
	}
	fields := CheckVariation(u)
	for i, in := range u.Schedule {
		if kind, ok := strings.CutPrefix(in.Condition, ConditionAfterReportPrefix); ok && kind != "" && !g.hasReport(kind) {
			fields[fmt.Sprintf("schedule[%d].condition", i)] = "This grant has no " + kind + " report"
		}
	}
	return invalid(fields)
}

func (g *grantCase) hasReport(kind string) bool {
	for _, r := range g.snap.Reports {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

func (g *grantCase) vary(ctx workflow.Context, u Variation) (VariationResult, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var out VariationResult
	err := g.locked(ctx, func() error { return g.validateVary(u) }, func() error {
		// The variation's id is chosen once, here, so that a retried
		// activity finds what it did rather than varying the grant twice.
		var varID string
		if err := workflow.SideEffect(ctx, func(workflow.Context) any { return id.New(id.Variation) }).Get(&varID); err != nil {
			return err
		}
		in := VaryInput{GrantID: g.in.GrantID, VariationID: varID, Variation: u, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivityVary, in).Get(ctx, &out)
	})
	return out, err
}

func (g *grantCase) validateReissue(u Reissue) error {
	if !u.Caller.Has(roleManager) {
		return Reject(RejectForbidden, "Only a programme manager can reissue a payment", nil)
	}
	if err := g.active(); err != nil || !g.loaded {
		return err
	}
	for _, p := range g.snap.Payments {
		if p.ID != u.PaymentID {
			continue
		}
		if p.Status != PaymentCancelled {
			return Reject(RejectInvalidState, "Only a cancelled payment can be reissued (this one is "+p.Status+")", nil)
		}
		fields := map[string]string{}
		checkText(fields, "reason", "reason", u.Reason, "Give a reason", MaxReasonRunes)
		return invalid(fields)
	}
	return Reject(RejectNotFound, "Payment not found", nil)
}

func (g *grantCase) reissue(ctx workflow.Context, u Reissue) (ReissueResult, error) {
	ctx = activityOptions(ctx) // a handler runs on a context of its own
	var out ReissueResult
	err := g.locked(ctx, func() error { return g.validateReissue(u) }, func() error {
		in := ReissueInput{GrantID: g.in.GrantID, Reissue: u, At: workflow.Now(ctx)}
		return workflow.ExecuteActivity(ctx, ActivityReissuePayment, in).Get(ctx, &out)
	})
	return out, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
