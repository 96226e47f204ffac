package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/wftest"
)

func TestLoadCaseAndRound(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID := b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 300000})
	info, err := b.acts.LoadCase(b.ctx, workflows.CaseRef{ApplicationID: appID})
	require.NoError(t, err)
	closes := b.round.ClosesAt
	require.True(t, closes.Equal(info.ClosesAt))
	info.ClosesAt = closes
	require.Equal(t, workflows.CaseInfo{
		ApplicationID: appID, RoundID: b.round.ID, Status: "in_assessment", RequestedPence: 300000,
		TierMinPence: 100000, TierMaxPence: 500000,
		Criteria: []workflows.Criterion{{Key: "need", Weight: 40, MaxScore: 5}, {Key: "led_by", Weight: 30, MaxScore: 5},
			{Key: "delivery", Weight: 30, MaxScore: 5}},
		ClosesAt: closes, AssessmentWindow: 336 * time.Hour, ReminderLead: 48 * time.Hour, OfferExpiry: 672 * time.Hour,
		AssessorsPerApplication: 2,
		Parties: workflows.Parties{Loaded: true, MemberIDs: []string{b.applicant.ID}, AdminIDs: []string{b.applicant.ID},
			InterestedStaff: []string{}},
	}, info)

	ri, err := b.acts.LoadRound(b.ctx, workflows.RoundInput{RoundID: b.round.ID})
	require.NoError(t, err)
	require.True(t, closes.Add(672*time.Hour).Equal(ri.DecisionDeadline))
	require.True(t, b.round.OpensAt.Equal(ri.OpensAt))
	require.Equal(t, 672*time.Hour, ri.OfferExpiry)

	_, err = b.acts.LoadCase(b.ctx, workflows.CaseRef{ApplicationID: "app_missing"})
	require.Error(t, err)
	_, err = b.acts.LoadRound(b.ctx, workflows.RoundInput{RoundID: "rnd_missing"})
	require.Error(t, err)
}

// Each round event is recorded once and told to managers once; the
// decision window passing is told to chairs too.
func TestRoundEvent(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	chair := b.chair
	chain := "round:" + b.round.ID
	for _, ev := range []string{workflows.RoundOpened, workflows.RoundClosed, workflows.RoundDecisionWindowPassed} {
		for range 2 {
			require.NoError(t, b.acts.RoundEvent(b.ctx, workflows.RoundEventInput{RoundID: b.round.ID, Event: ev, At: b.at}))
		}
	}
	require.Equal(t, []string{"round.created", "round.opened", "round.closed", "round.decision_window_passed"}, b.actions(t, chain))
	require.Equal(t, []string{"round_opened", "round_closed", "round_decision_window_passed"}, kinds(b.notes(t, b.env.Manager.ID)))
	require.Equal(t, []string{"round_decision_window_passed"}, kinds(b.notes(t, chair.ID)))
	err := b.acts.RoundEvent(b.ctx, workflows.RoundEventInput{RoundID: b.round.ID, Event: "exploded", At: b.at})
	requireRejection(t, err, workflows.RejectInvalid)
}

func TestRoundOutstanding(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	offered(t, b)
	offered(t, b)
	waiting := b.inAssessment(t, b.round, apptest.Lead{})
	_, err := b.decide(waiting, workflows.OutcomeWaitlist, 0)
	require.NoError(t, err)
	out, err := b.acts.RoundOutstanding(b.ctx, workflows.RoundInput{RoundID: b.round.ID})
	require.NoError(t, err)
	require.Equal(t, workflows.Outstanding{Offers: 2, Waitlisted: 1}, out)
}

// promoteStub stands in for a waitlisted case: it answers the promote
// Update by accepting (recording the award) or, with reject, as a case
// whose budget went meanwhile.
func promoteStub(ctx workflow.Context, reject bool) error {
	awards := []int64{}
	if err := workflow.SetUpdateHandler(ctx, workflows.UpdatePromote, func(ctx workflow.Context, u workflows.PromoteUpdate) (workflows.CaseState, error) {
		awards = append(awards, u.AwardPence)
		if reject {
			return workflows.CaseState{Status: "waitlisted"}, workflows.Reject(workflows.RejectConflict, "only £0.00 left", nil)
		}
		return workflows.CaseState{Status: "approved"}, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, "awards", func() ([]int64, error) { return awards, nil }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// The promotion goes to the best-scored waitlisted application whose award
// (its request capped at its tier) fits the budget left; one whose Update
// is rejected is passed over; with nothing that fits, nobody is promoted.
func TestPromoteWaitlisted(t *testing.T) {
	t.Parallel()
	b := setup(t, func(d *round.Definition) {
		d.BudgetPence = 1_000_000
		d.Tiers = []round.Tier{{Key: "micro", MinPence: 100000, MaxPence: 500000}, {Key: "growth", MinPence: 500001, MaxPence: 1_000_000}}
	})
	b.assessors(t, 2)
	waitlist := func(lead apptest.Lead, scores map[string]workflows.CriterionScore, moderated int64) string {
		appID := b.inAssessment(t, b.round, lead)
		as := b.assign(t, appID).Assignments
		if scores != nil {
			_, err := b.score(appID, as[0], scores)
			require.NoError(t, err)
		}
		_, err := b.decide(appID, workflows.OutcomeWaitlist, 0)
		require.NoError(t, err)
		if moderated > 0 {
			_, err := b.acts.Moderate(b.ctx, workflows.ModerateInput{ApplicationID: appID, ActorID: b.env.Manager.ID, TotalHundredths: moderated, Rationale: "r", At: b.at})
			require.NoError(t, err)
		}
		return appID
	}
	best := waitlist(apptest.Lead{RequestedPence: 400000}, fullScores(1, 1, 1), 9000)                                      // 90 (moderated)
	tooBig := waitlist(apptest.Lead{Tier: "growth", RequestedPence: 600000}, fullScores(4, 4, 4), 0)                       // 80, £6,000 > left
	fits := waitlist(apptest.Lead{RequestedPence: 300000}, fullScores(3, 2, 2), 0)                                         // 50
	unscored := waitlist(apptest.Lead{RequestedPence: 100000}, nil, 0)                                                     // no total: last
	_, err := b.decide(b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 500000}), workflows.OutcomeApprove, 500000) // left: £5,000
	require.NoError(t, err)

	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	w := worker.New(tc, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(promoteStub, workflow.RegisterOptions{Name: "PromoteStub"})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	for appID, reject := range map[string]bool{best: true, tooBig: false, fits: false, unscored: false} {
		_, err := tc.ExecuteWorkflow(b.ctx, client.StartWorkflowOptions{ID: workflows.ApplicationWorkflowID(appID), TaskQueue: queue}, "PromoteStub", reject)
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = tc.TerminateWorkflow(context.Background(), workflows.ApplicationWorkflowID(appID), "", "test over")
		})
	}
	acts := *b.acts
	acts.Temporal = tc
	res, err := acts.PromoteWaitlisted(b.ctx, workflows.RoundInput{RoundID: b.round.ID})
	require.NoError(t, err)
	require.Equal(t, workflows.PromoteResult{Promoted: true, ApplicationID: fits, AwardPence: 300000}, res)
	received := func(appID string) []int64 {
		v, err := tc.QueryWorkflow(b.ctx, workflows.ApplicationWorkflowID(appID), "", "awards")
		require.NoError(t, err)
		var awards []int64
		require.NoError(t, v.Get(&awards))
		return awards
	}
	require.Equal(t, []int64{400000}, received(best), "tried first, rejected")
	require.Empty(t, received(tooBig), "does not fit: never asked")
	require.Equal(t, []int64{300000}, received(fits))
	require.Empty(t, received(unscored))

	// Once the budget is gone, nothing fits and nobody is asked.
	_, err = b.decide(b.inAssessment(t, b.round, apptest.Lead{RequestedPence: 500000}), workflows.OutcomeApprove, 500000)
	require.NoError(t, err)
	res, err = acts.PromoteWaitlisted(b.ctx, workflows.RoundInput{RoundID: b.round.ID})
	require.NoError(t, err)
	require.Equal(t, workflows.PromoteResult{}, res)
	require.Equal(t, []int64{400000}, received(best))
}
