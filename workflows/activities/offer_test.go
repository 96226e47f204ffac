package activities_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
)

// offered is an approved case and its grant.
func offered(t *testing.T, b *bundle) (string, string) {
	t.Helper()
	appID := b.inAssessment(t, b.round, apptest.Lead{})
	res, err := b.decide(appID, workflows.OutcomeApprove, 250000)
	require.NoError(t, err)
	return appID, res.GrantID
}

// Acceptance makes the grant active and sets the reports' due dates from
// the acceptance; accepting again the same way changes nothing.
func TestAcceptOffer(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, grantID := offered(t, b)
	acceptedAt := b.at.Add(48 * time.Hour)
	in := workflows.AcceptInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID, SignatoryName: "Ada Lovelace",
		SignatoryRole: "Chair of trustees", At: acceptedAt}
	st, err := b.acts.AcceptOffer(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, workflows.CaseState{Status: "approved", GrantID: grantID}, st)

	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, "active", g.Status)
	require.Equal(t, "Ada Lovelace", *g.SignatoryName)
	require.Equal(t, b.applicant.ID, *g.AcceptedBy)
	require.True(t, acceptedAt.Equal(*g.AcceptedAt))
	reports, err := b.env.Store.ReportListByGrant(b.ctx, grantID)
	require.NoError(t, err)
	require.Len(t, reports, 2)
	require.True(t, acceptedAt.Add(4380*time.Hour).Equal(*reports[0].DueAt), "interim due %v", reports[0].DueAt)
	require.True(t, acceptedAt.Add(8760*time.Hour).Equal(*reports[1].DueAt), "final due %v", reports[1].DueAt)
	require.Equal(t, []string{"grant.offered", "grant.accepted"}, b.actions(t, "grant:"+grantID))
	require.Equal(t, []string{"decision", "offer_accepted"}, kinds(b.notes(t, b.applicant.ID)))
	require.Equal(t, []string{"offer_accepted"}, kinds(b.notes(t, b.env.Manager.ID)))

	events := b.chain(t, "application:"+appID)
	again, err := b.acts.AcceptOffer(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, st, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))

	other := in
	other.SignatoryName = "Someone Else"
	_, err = b.acts.AcceptOffer(b.ctx, other)
	requireRejection(t, err, workflows.RejectInvalidState)
	_, err = b.acts.LapseOffer(b.ctx, workflows.LapseInput{ApplicationID: appID, GrantID: grantID, At: acceptedAt})
	requireRejection(t, err, workflows.RejectInvalidState)
}

// An offer past its expiry cannot be accepted; a grant of another case is
// not found.
func TestAcceptOfferRejects(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, grantID := offered(t, b)
	otherApp, _ := offered(t, b)
	in := workflows.AcceptInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID, SignatoryName: "A", SignatoryRole: "B",
		At: b.at.Add(673 * time.Hour)}
	_, err := b.acts.AcceptOffer(b.ctx, in)
	requireRejection(t, err, workflows.RejectInvalidState)
	in.ApplicationID, in.At = otherApp, b.at
	_, err = b.acts.AcceptOffer(b.ctx, in)
	requireRejection(t, err, workflows.RejectNotFound)
}

// A lapse releases the award's budget and tells admins and chairs; a
// re-run releases nothing.
func TestLapseOffer(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	chair := b.chair
	appID, grantID := offered(t, b)
	require.Equal(t, int64(250000), b.committed(t, b.round.ID))
	in := workflows.LapseInput{ApplicationID: appID, GrantID: grantID, At: b.at.Add(673 * time.Hour)}
	res, err := b.acts.LapseOffer(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, int64(250000), res.ReleasedPence)
	require.Zero(t, b.committed(t, b.round.ID))
	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, "lapsed", g.Status)
	require.Equal(t, []string{"offer_lapsed"}, kinds(b.notes(t, chair.ID)))

	events := b.chain(t, "grant:"+grantID)
	again, err := b.acts.LapseOffer(b.ctx, in)
	require.NoError(t, err)
	require.Zero(t, again.ReleasedPence)
	require.Len(t, b.chain(t, "grant:"+grantID), len(events))
	require.Equal(t, []string{"grant.offered", "grant.lapsed"}, b.actions(t, "grant:"+grantID))

	_, err = b.acts.AcceptOffer(b.ctx, workflows.AcceptInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID,
		SignatoryName: "A", SignatoryRole: "B", At: b.at})
	requireRejection(t, err, workflows.RejectInvalidState)
}

// Withdrawal releases every live assessment (scored too) and tells the
// assessors; a re-run changes nothing; a decided case cannot be withdrawn.
func TestWithdraw(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	_, err := b.score(appID, as[0], fullScores(3, 3, 3))
	require.NoError(t, err)
	in := workflows.WithdrawInput{ApplicationID: appID, ActorID: b.applicant.ID, At: b.at.Add(time.Hour)}
	st, err := b.acts.Withdraw(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, workflows.CaseState{Status: "withdrawn"}, st)
	rows, err := b.env.Store.AssessmentListByApplication(b.ctx, appID)
	require.NoError(t, err)
	for _, r := range rows {
		require.Equal(t, "released", r.Status)
		require.Equal(t, "withdrawn", *r.ReleaseReason)
		require.Equal(t, []string{"assigned", "released"}, kinds(b.notes(t, r.AssessorID)))
	}
	events := b.chain(t, "application:"+appID)
	require.Equal(t, "application.withdrawn", events[len(events)-1].Action)
	again, err := b.acts.Withdraw(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, st, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))

	decided, _ := offered(t, b)
	_, err = b.acts.Withdraw(b.ctx, workflows.WithdrawInput{ApplicationID: decided, ActorID: b.applicant.ID, At: b.at})
	requireRejection(t, err, workflows.RejectInvalidState)
}
