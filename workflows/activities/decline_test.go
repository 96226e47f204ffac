package activities_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// A decline by an admin of the applicant releases the award's budget as a
// lapse does, keeps the reason, and tells the admins, the managers and
// the chairs; a re-run releases nothing; it cannot then be accepted.
func TestDeclineOffer(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, grantID := offered(t, b)
	require.Equal(t, int64(250000), b.committed(t, b.round.ID))
	at := b.at.Add(time.Hour)
	in := workflows.DeclineInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID, Reason: "We found other funding", At: at}
	res, err := b.acts.DeclineOffer(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, int64(250000), res.ReleasedPence)
	require.Zero(t, b.committed(t, b.round.ID))
	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, workflows.GrantStatusDeclined, g.Status)
	require.Equal(t, "We found other funding", *g.DeclineReason)
	require.True(t, at.Equal(*g.DeclinedAt))
	require.Equal(t, []string{"offer_declined"}, kinds(b.notes(t, b.chair.ID)))
	require.Equal(t, []string{"offer_declined"}, kinds(b.notes(t, b.env.Manager.ID)))
	require.Equal(t, []string{"decision", "offer_declined"}, kinds(b.notes(t, b.applicant.ID)))
	require.Equal(t, []string{"grant.offered", "grant.declined"}, b.actions(t, "grant:"+grantID))

	events := b.chain(t, "grant:"+grantID)
	again, err := b.acts.DeclineOffer(b.ctx, in)
	require.NoError(t, err)
	require.Zero(t, again.ReleasedPence)
	require.Len(t, b.chain(t, "grant:"+grantID), len(events))

	later := in
	later.At = at.Add(time.Minute)
	_, err = b.acts.DeclineOffer(b.ctx, later)
	requireRejection(t, err, workflows.RejectInvalidState)
	_, err = b.acts.AcceptOffer(b.ctx, workflows.AcceptInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID,
		SignatoryName: "A", SignatoryRole: "B", At: at})
	requireRejection(t, err, workflows.RejectInvalidState)
	_, err = b.acts.LapseOffer(b.ctx, workflows.LapseInput{ApplicationID: appID, GrantID: grantID, At: b.at.Add(673 * time.Hour)})
	requireRejection(t, err, workflows.RejectInvalidState)
}

// Only an admin of the applicant, as PostgreSQL says now, may decline; an
// expired offer or another case's grant cannot be; a refusal writes
// nothing.
func TestDeclineOfferRejects(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, grantID := offered(t, b)
	otherApp, _ := offered(t, b)
	member := b.env.User(t, "member@example.org")
	require.NoError(t, b.env.Store.OrganisationMemberAdd(b.ctx, sqlc.OrganisationMemberAddParams{
		OrganisationID: b.application(t, appID).OrganisationID, UserID: member.ID, Role: app.MemberMember}))
	events := len(b.chain(t, "grant:"+grantID))
	ok := workflows.DeclineInput{ApplicationID: appID, GrantID: grantID, ActorID: b.applicant.ID, At: b.at.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(*workflows.DeclineInput)
		kind string
	}{
		{"a member who is not an admin", func(in *workflows.DeclineInput) { in.ActorID = member.ID }, workflows.RejectForbidden},
		{"the chair", func(in *workflows.DeclineInput) { in.ActorID = b.chair.ID }, workflows.RejectForbidden},
		{"expired", func(in *workflows.DeclineInput) { in.At = b.at.Add(673 * time.Hour) }, workflows.RejectInvalidState},
		{"another case's grant", func(in *workflows.DeclineInput) { in.ApplicationID = otherApp }, workflows.RejectNotFound},
	} {
		in := ok
		tc.edit(&in)
		_, err := b.acts.DeclineOffer(b.ctx, in)
		requireRejection(t, err, tc.kind)
		require.Len(t, b.chain(t, "grant:"+grantID), events, tc.name)
	}
	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, workflows.GrantStatusOffered, g.Status)
	require.Equal(t, int64(500000), b.committed(t, b.round.ID))
}
