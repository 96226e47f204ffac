package workflows

import (
	"fmt"
	"maps"

	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/id"
)

// registerUpdates registers GrantWorkflow's Updates. Validators check,
// without I/O, the caller's role and the grant's state as last read;
// handlers take the grant's mutex, check again, run the activity (which
// checks everything against PostgreSQL) and wake the loop.
func (g *grantCase) registerUpdates(ctx workflow.Context) error {
	// A slice, not a map: workflow code iterates in a fixed order.
	for _, u := range []struct {
		name               string
		handler, validator any
	}{
		{UpdatePayoutAccount, g.payoutAccount, g.validatePayoutAccount},
		{UpdateSubmitReport, g.submitReport, g.validateSubmitReport},
		{UpdateReviewReport, g.reviewReport, g.validateReviewReport},
		{UpdateVary, g.vary, g.validateVary},
		{UpdateReissue, g.reissue, g.validateReissue},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
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
	g.wake.SendAsync(true)
	return err
}

// ready reports whether a validator can check the grant's state: not
// before the grant's first read (the Update goes through; its handler
// waits for the read and validates again), and not once the grant has
// left active (a rejection).
func (g *grantCase) ready() (bool, error) {
	if !g.loaded {
		return false, nil
	}
	if g.snap.Status != GrantStatusActive {
		return false, Reject(RejectInvalidState, "This grant is "+g.snap.Status, nil)
	}
	return true, nil
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
	if err := g.snap.Parties.checkPayoutAdmin(u.Caller, u.OrganisationID); err != nil {
		return err
	}
	if ok, err := g.ready(); !ok {
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

func (g *grantCase) validateSubmitReport(u ReportSubmission) error {
	if err := g.snap.Parties.checkMember(u.Caller); err != nil {
		return err
	}
	if ok, err := g.ready(); !ok {
		return err
	}
	r, err := g.report(u.ReportID)
	if err != nil {
		return err
	}
	if err := CanSubmitReport(r.Status); err != nil {
		return err
	}
	return Invalid(CheckSpend(u.SpendPence))
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
	if err := g.snap.Parties.checkStaff(u.Caller, RoleManager, "Only a programme manager can review reports"); err != nil {
		return err
	}
	if ok, err := g.ready(); !ok {
		return err
	}
	r, err := g.report(u.ReportID)
	if err != nil {
		return err
	}
	if r.Status != ReportSubmitted {
		return Reject(RejectInvalidState, "Only a submitted report can be reviewed (this one is "+r.Status+")", nil)
	}
	return Invalid(CheckReportReview(u.Outcome, u.Comment))
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
	if err := g.snap.Parties.checkStaff(u.Caller, RoleManager, "Only a programme manager can vary a grant"); err != nil {
		return err
	}
	if ok, err := g.ready(); !ok {
		return err
	}
	kinds := make([]string, len(g.snap.Reports))
	for i, r := range g.snap.Reports {
		kinds[i] = r.Kind
	}
	fields := CheckVariation(u)
	maps.Copy(fields, CheckScheduleReports(u.Schedule, kinds))
	return Invalid(fields)
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
	if err := g.snap.Parties.checkStaff(u.Caller, RoleManager, "Only a programme manager can reissue a payment"); err != nil {
		return err
	}
	if ok, err := g.ready(); !ok {
		return err
	}
	for _, p := range g.snap.Payments {
		if p.ID != u.PaymentID {
			continue
		}
		if p.Status != PaymentCancelled {
			return Reject(RejectInvalidState, "Only a cancelled payment can be reissued (this one is "+p.Status+")", nil)
		}
		return Invalid(CheckReissue(u.Reason))
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
