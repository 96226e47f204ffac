package workflows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// An admin of the applicant declines the offer: refusals first (a member
// who is not an admin, a reason too long, another grant), then the
// decline, which releases the budget; the case tells the round exactly as
// for a lapse and ends without waiting for the expiry. A second decline
// and a late acceptance queued behind it are refused.
func TestOfferDeclined(t *testing.T) {
	t.Parallel()
	f := newCase(t, 2)
	member := f.env.User(t, "member@example.org")
	require.NoError(t, f.env.Store.OrganisationMemberAdd(context.Background(), sqlc.OrganisationMemberAddParams{
		OrganisationID: f.application().OrganisationID, UserID: member.ID, Role: app.MemberMember}))
	f.scoreAll(minute, 4)
	f.send(2*minute, "approve", workflows.UpdateDecide, func() any {
		return workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(200000))}
	})
	admin := func() workflows.Caller { return workflows.Caller{ID: f.applicant.ID} }
	f.at(3*minute, func() {
		grantID := *f.application().GrantID
		f.sendNow("decline-member", workflows.UpdateDecline, workflows.DeclineUpdate{Caller: workflows.Caller{ID: member.ID}, GrantID: grantID})
		f.sendNow("decline-long", workflows.UpdateDecline, workflows.DeclineUpdate{Caller: admin(), GrantID: grantID,
			Reason: strings.Repeat("x", workflows.MaxReasonRunes+1)})
		f.sendNow("decline-other", workflows.UpdateDecline, workflows.DeclineUpdate{Caller: admin(), GrantID: "gnt_other"})
	})
	f.at(4*minute, func() {
		grantID := *f.application().GrantID
		require.Equal(t, "offered", f.grant(grantID).Status, "refusals changed nothing")
		f.sendNow("decline", workflows.UpdateDecline, workflows.DeclineUpdate{Caller: admin(), GrantID: grantID, Reason: " Plans changed "})
		f.sendNow("decline-again", workflows.UpdateDecline, workflows.DeclineUpdate{Caller: admin(), GrantID: grantID})
		f.sendNow("accept-late", workflows.UpdateAccept, workflows.AcceptUpdate{Caller: admin(), GrantID: grantID, SignatoryName: "A", SignatoryRole: "B"})
	})
	f.wenv.OnSignalExternalWorkflow(mock.Anything, workflows.RoundWorkflowID(f.round.ID), "", workflows.SignalBudgetReleased,
		workflows.LapseResult{ReleasedPence: 200000}).Return(nil).Once()
	res := f.run()

	f.requireOK("approve", "decline")
	f.requireRejected("decline-member", workflows.RejectForbidden)
	f.requireRejected("decline-long", workflows.RejectInvalid, "reason")
	f.requireRejected("decline-other", workflows.RejectInvalidState)
	f.requireRejected("decline-again", workflows.RejectInvalidState)
	f.requireRejected("accept-late", workflows.RejectInvalidState)
	require.Equal(t, workflows.GrantDeclined, res.Grant)
	require.Less(t, f.wenv.Now().Sub(f.start), expiry, "the case ended at the decline, not at the expiry")
	g := f.grant(res.GrantID)
	require.Equal(t, workflows.GrantStatusDeclined, g.Status)
	require.Equal(t, "Plans changed", *g.DeclineReason)
	n, err := f.env.Store.BudgetCommitted(context.Background(), f.round.ID)
	require.NoError(t, err)
	require.Zero(t, n, "the declined offer's budget is released")
	require.Equal(t, 1, f.notifications(f.chair.ID, "offer_declined"))
	require.Equal(t, 1, f.notifications(f.manager.ID, "offer_declined"))
	f.wenv.AssertExpectations(t)
	f.verifyAudit()
}

func (f *caseFixture) grant(id string) sqlc.Grant {
	f.t.Helper()
	g, err := f.env.Store.GrantGet(context.Background(), id)
	require.NoError(f.t, err)
	return g
}
