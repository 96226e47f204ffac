package activities_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

func (b *bundle) decide(appID, outcome string, award int64) (workflows.DecideResult, error) {
	return b.acts.Decide(b.ctx, workflows.DecideInput{ApplicationID: appID, ActorID: b.chair.ID, Outcome: outcome, AwardPence: award,
		Reason: "Panel decision", At: b.at.Add(time.Hour), OfferExpiresAt: b.at.Add(time.Hour + 672*time.Hour)})
}

func (b *bundle) committed(t *testing.T, roundID string) int64 {
	t.Helper()
	sum, err := b.env.Store.BudgetCommitted(b.ctx, roundID)
	require.NoError(t, err)
	return sum
}

// Approval commits the award, creates the offer with exact tranches (the
// remainder on the last) and the reports, releases unscored assessments,
// and tells the organisation's admins; a re-run returns the same grant and
// writes nothing.
func TestDecideApprove(t *testing.T) {
	t.Parallel()
	b := setup(t, func(d *round.Definition) {
		d.OfferConditions = "Spend it on the project described."
		d.PaymentSchedule = []round.Instalment{{Percent: 50, Condition: "on_acceptance"}, {Percent: 50, Condition: "after_report:interim"}}
	})
	appID, as := assessed(t, b)
	_, err := b.score(appID, as[0], fullScores(4, 4, 4))
	require.NoError(t, err)

	in := workflows.DecideInput{ApplicationID: appID, ActorID: b.chair.ID, Outcome: workflows.OutcomeApprove, AwardPence: 250001,
		Reason: "Strong need", At: b.at.Add(time.Hour), OfferExpiresAt: b.at.Add(673 * time.Hour)}
	// The fixture requests £2,500: award more and it is refused.
	_, err = b.acts.Decide(b.ctx, in)
	require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "award_pence")

	appID = b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 300000})
	as = b.assign(t, appID).Assignments
	_, err = b.score(appID, as[0], fullScores(4, 4, 4))
	require.NoError(t, err)
	in.ApplicationID = appID
	res, err := b.acts.Decide(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, "approved", res.Status)
	require.NotEmpty(t, res.GrantID)

	g, err := b.env.Store.GrantGet(b.ctx, res.GrantID)
	require.NoError(t, err)
	require.Equal(t, "offered", g.Status)
	require.Equal(t, int64(250001), g.AwardPence)
	require.Equal(t, "Spend it on the project described.", g.Conditions)
	require.True(t, in.At.Equal(g.OfferedAt))
	require.True(t, in.OfferExpiresAt.Equal(g.OfferExpiresAt))
	pays, err := b.env.Store.PaymentListByGrant(b.ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, pays, 2)
	require.Equal(t, []int64{125000, 125001}, []int64{pays[0].AmountPence, pays[1].AmountPence})
	require.Equal(t, []string{"on_acceptance", "after_report:interim"}, []string{pays[0].Condition, pays[1].Condition})
	require.Equal(t, "scheduled", pays[0].Status)
	reports, err := b.env.Store.ReportListByGrant(b.ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, reports, 2)
	require.Equal(t, "interim", reports[0].Kind)
	require.Equal(t, (4380 * time.Hour).Milliseconds(), reports[0].DueAfterMs)
	require.Nil(t, reports[0].DueAt, "due dates count from acceptance")
	require.Equal(t, int64(250001), b.committed(t, b.round.ID))

	a := b.application(t, appID)
	require.Equal(t, "approved", a.Status)
	require.Equal(t, g.ID, *a.GrantID)
	require.Equal(t, int64(250001), *a.AwardPence)
	require.Equal(t, "approve", *a.DecisionOutcome)
	require.Equal(t, b.chair.ID, *a.DecidedBy)
	rows, err := b.env.Store.AssessmentListByApplication(b.ctx, appID)
	require.NoError(t, err)
	statuses := map[string]string{}
	for _, r := range rows {
		statuses[r.ID] = r.Status
	}
	require.Equal(t, map[string]string{as[0].ID: "scored", as[1].ID: "released"}, statuses)
	require.Equal(t, []string{"decision"}, kinds(b.notes(t, b.applicant.ID)))
	require.Equal(t, []string{"grant.offered"}, b.actions(t, "grant:"+g.ID))

	appEvents, grantEvents := b.chain(t, "application:"+appID), b.chain(t, "grant:"+g.ID)
	again, err := b.acts.Decide(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+appID), len(appEvents))
	require.Len(t, b.chain(t, "grant:"+g.ID), len(grantEvents))
	require.Equal(t, int64(250001), b.committed(t, b.round.ID))

	// Decided, the case takes no other decision.
	_, err = b.decide(appID, workflows.OutcomeReject, 0)
	requireRejection(t, err, workflows.RejectInvalidState)
}

// An award must be within the tier and no more than requested.
func TestDecideChecksAward(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID := b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 300000})
	for _, award := range []int64{0, 99999, 300001, 600000} {
		_, err := b.decide(appID, workflows.OutcomeApprove, award)
		r := requireRejection(t, err, workflows.RejectInvalid)
		require.Contains(t, r.Fields, "award_pence", award)
	}
	_, err := b.decide(appID, "maybe", 0)
	require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "outcome")
	require.Equal(t, "in_assessment", b.application(t, appID).Status)
	require.Zero(t, b.committed(t, b.round.ID))
}

// Over the budget left, approval is a conflict and nothing changes.
func TestDecideOverBudget(t *testing.T) {
	t.Parallel()
	b := setup(t, func(d *round.Definition) {
		d.BudgetPence = 300000
		d.Tiers = []round.Tier{{Key: "micro", MinPence: 100000, MaxPence: 300000}}
	})
	first := b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 250001})
	second := b.inAssessment(t, b.round, apptest.Lead{})
	_, err := b.decide(first, workflows.OutcomeApprove, 250001)
	require.NoError(t, err)

	events := b.chain(t, "application:"+second)
	_, err = b.decide(second, workflows.OutcomeApprove, 100000)
	r := requireRejection(t, err, workflows.RejectConflict)
	require.Contains(t, r.Message, "only £499.99 left")
	a := b.application(t, second)
	require.Equal(t, "in_assessment", a.Status)
	require.Nil(t, a.GrantID)
	_, err = b.env.Store.GrantGetByApplication(b.ctx, second)
	require.Error(t, err)
	require.Len(t, b.chain(t, "application:"+second), len(events))
	require.Equal(t, int64(250001), b.committed(t, b.round.ID))
	require.Equal(t, []string{"decision"}, kinds(b.notes(t, b.applicant.ID)), "only the first decision was notified")
}

// Reject and waitlist record the decision without money; a waitlisted case
// may later be approved (a promotion, chairs told) or rejected.
func TestDecideRejectAndWaitlist(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	chair := b.chair
	rejected := b.inAssessment(t, b.round, apptest.Lead{})
	res, err := b.decide(rejected, workflows.OutcomeReject, 0)
	require.NoError(t, err)
	require.Equal(t, workflows.DecideResult{Status: "rejected"}, res)
	a := b.application(t, rejected)
	require.Equal(t, "Panel decision", *a.DecisionReason)
	require.Nil(t, a.AwardPence)

	waitlisted := b.inAssessment(t, b.round, apptest.Lead{})
	res, err = b.decide(waitlisted, workflows.OutcomeWaitlist, 0)
	require.NoError(t, err)
	require.Equal(t, workflows.DecideResult{Status: "waitlisted"}, res)
	again, err := b.decide(waitlisted, workflows.OutcomeWaitlist, 0)
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Zero(t, b.committed(t, b.round.ID))

	promoted, err := b.acts.Decide(b.ctx, workflows.DecideInput{ApplicationID: waitlisted, ActorID: workflows.SystemActor,
		Outcome: workflows.OutcomeApprove, AwardPence: 250000, Reason: "Promoted", Promotion: true, At: b.at.Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, "approved", promoted.Status)
	g, err := b.env.Store.GrantGet(b.ctx, promoted.GrantID)
	require.NoError(t, err)
	require.True(t, b.at.Add(time.Hour+672*time.Hour).Equal(g.OfferExpiresAt), "the round's offer expiry when none is given")
	require.Equal(t, []string{"promotion"}, kinds(b.notes(t, chair.ID)))
	require.Equal(t, []string{"decision", "decision", "decision"}, kinds(b.notes(t, b.applicant.ID)))

	_, err = b.decide(rejected, workflows.OutcomeApprove, 250000)
	requireRejection(t, err, workflows.RejectInvalidState)
}

// THE CONCURRENCY TEST: many chairs approve at once against a budget with
// room for exactly K awards. Exactly K win; the rest are conflicts that
// leave their cases untouched; commitments never exceed the budget.
func TestDecideConcurrentApprovalsNeverOverspend(t *testing.T) {
	t.Parallel()
	const n, k, award = 60, 7, int64(250000)
	b := setup(t, func(d *round.Definition) { d.BudgetPence = k*award + award - 1 })
	apps := make([]string, n)
	for i := range apps {
		apps[i] = b.inAssessment(t, b.round, apptest.Lead{})
	}
	// A pool big enough that the goroutines really contend.
	cfg := b.env.Store.Pool.Config()
	cfg.MaxConns = 24
	pool, err := pgxpool.NewWithConfig(b.ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close) // before the database is dropped
	store := db.NewStore(pool)
	store.BeforeCommit = b.env.Store.BeforeCommit // seal audit events as the env's store does
	acts := activities.Activities{Store: store, Log: b.acts.Log}

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	results := make([]workflows.DecideResult, n)
	for i, appID := range apps {
		wg.Go(func() {
			<-start
			results[i], errs[i] = acts.Decide(b.ctx, workflows.DecideInput{ApplicationID: appID, ActorID: b.chair.ID,
				Outcome: workflows.OutcomeApprove, AwardPence: award, At: b.at, OfferExpiresAt: b.at.Add(time.Hour)})
		})
	}
	close(start)
	wg.Wait()

	won := 0
	for i, err := range errs {
		a := b.application(t, apps[i])
		if err == nil {
			won++
			require.Equal(t, "approved", results[i].Status)
			require.Equal(t, results[i].GrantID, *a.GrantID)
			continue
		}
		r := requireRejection(t, err, workflows.RejectConflict)
		require.Contains(t, r.Message, fmt.Sprintf("only %s left", "£2,499.99"), "the loser sees the budget left after the K winners")
		require.Equal(t, "in_assessment", a.Status)
		require.Nil(t, a.GrantID)
		_, err := b.env.Store.GrantGetByApplication(b.ctx, apps[i])
		require.Error(t, err, "no grant for a loser")
		require.Equal(t, []string{"application.created", "application.saved", "application.submitted", "application.eligibility_checked"},
			b.actions(t, "application:"+apps[i]))
	}
	require.Equal(t, k, won)
	require.Equal(t, k*award, b.committed(t, b.round.ID))
	require.LessOrEqual(t, b.committed(t, b.round.ID), b.round.BudgetPence)
}
