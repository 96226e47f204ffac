package activities_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
)

// byKind keeps a user's notifications of one kind.
func byKind(ns []sqlc.Notification, kind string) []sqlc.Notification {
	var out []sqlc.Notification
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// member adds a user to an organisation with a role.
func (b *bundle) member(t *testing.T, orgID, email, role string) app.Actor {
	t.Helper()
	u := b.env.User(t, email)
	require.NoError(t, b.env.Store.OrganisationMemberAdd(b.ctx, sqlc.OrganisationMemberAddParams{OrganisationID: orgID, UserID: u.ID, Role: role}))
	return u
}

// Every member of an organisation with a draft in the round is told once
// per reminder, with a link to the draft, even when the activity runs
// again; members of organisations whose application is submitted, drafts
// in other rounds and staff are not told. A reminder for a closing time
// the round no longer has, or after the close, tells nobody.
func TestRemindDrafts(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	orgA := b.env.Organisation(t, b.applicant, "Draft Owners")
	helper := b.member(t, orgA.ID, "helper@example.org", app.MemberMember)
	draft, err := b.env.App.CreateApplication(b.ctx, b.applicant, b.round.ID, orgA.ID)
	require.NoError(t, err)
	submitter := b.env.User(t, "submitter@example.org")
	b.env.SubmitAs(t, b.round, submitter, apptest.Lead{Name: "Submitted Already", CharityNumber: "1234567"})
	elsewhere := b.env.User(t, "elsewhere@example.org")
	other := b.newRound(t, nil)
	orgC := b.env.Organisation(t, elsewhere, "Another Round's Draft")
	_, err = b.env.App.CreateApplication(b.ctx, elsewhere, other.ID, orgC.ID)
	require.NoError(t, err)

	in := workflows.DraftReminderInput{RoundID: b.round.ID, Reminder: workflows.DraftReminder48h, ClosesAt: b.round.ClosesAt, At: b.at}
	for range 2 {
		require.NoError(t, b.acts.RemindDrafts(b.ctx, in))
	}
	closes := b.round.ClosesAt.In(workday.London).Format("Monday 2 January 2006")
	for _, u := range []app.Actor{b.applicant, helper} {
		got := byKind(b.notes(t, u.ID), "draft_reminder")
		require.Len(t, got, 1, u.ID)
		n := got[0]
		require.Equal(t, "application:"+draft.ID, n.Entity)
		require.Contains(t, n.Subject, b.round.Name)
		require.Contains(t, n.Subject, closes)
		require.True(t, strings.HasPrefix(n.Body, "Draft Owners has a draft application to "+b.round.Name), n.Body)
		require.Contains(t, n.Body, "closes on "+closes+" at ")
	}
	for _, u := range []app.Actor{submitter, elsewhere, b.env.Manager, b.chair} {
		require.Empty(t, byKind(b.notes(t, u.ID), "draft_reminder"), u.ID)
	}

	// The week's reminder is another notification; a stale closing time
	// or a reminder after the close tells nobody.
	week := in
	week.Reminder = workflows.DraftReminderWeek
	require.NoError(t, b.acts.RemindDrafts(b.ctx, week))
	stale := week
	stale.ClosesAt = stale.ClosesAt.Add(-time.Hour)
	require.NoError(t, b.acts.RemindDrafts(b.ctx, stale))
	late := in
	late.At = b.round.ClosesAt
	require.NoError(t, b.acts.RemindDrafts(b.ctx, late))
	require.Len(t, byKind(b.notes(t, b.applicant.ID), "draft_reminder"), 2)
	require.Len(t, byKind(b.notes(t, helper.ID), "draft_reminder"), 2)

	require.Error(t, b.acts.RemindDrafts(b.ctx, workflows.DraftReminderInput{RoundID: "rnd_missing", ClosesAt: b.at, At: b.at}))
}

// The admins of the applying organisation (who alone may accept) are
// reminded of an open offer once, however often the activity runs; not
// its other members, nor staff; an accepted offer or one that has expired
// is not reminded.
func TestRemindOffer(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, grantID := offered(t, b)
	orgID := b.application(t, appID).OrganisationID
	helper := b.member(t, orgID, "helper@example.org", app.MemberMember)
	in := workflows.OfferReminderInput{ApplicationID: appID, GrantID: grantID, At: b.at.Add(2 * time.Hour)}
	for range 2 {
		require.NoError(t, b.acts.RemindOffer(b.ctx, in))
	}
	got := byKind(b.notes(t, b.applicant.ID), "offer_reminder")
	require.Len(t, got, 1)
	require.Equal(t, "grant:"+grantID, got[0].Entity)
	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	expires := g.OfferExpiresAt.In(workday.London).Format("Monday 2 January 2006")
	require.Contains(t, got[0].Subject, expires)
	require.Contains(t, got[0].Body, "£2,500.00")
	for _, u := range []app.Actor{helper, b.chair, b.env.Manager} {
		require.Empty(t, byKind(b.notes(t, u.ID), "offer_reminder"), u.ID)
	}

	// Expired, then accepted: nothing more.
	expired := in
	expired.At = g.OfferExpiresAt
	require.NoError(t, b.acts.RemindOffer(b.ctx, expired))
	appID2, grantID2 := offered(t, b)
	_, err = b.acts.AcceptOffer(b.ctx, workflows.AcceptInput{ApplicationID: appID2, GrantID: grantID2, ActorID: b.applicant.ID,
		SignatoryName: "Ada", SignatoryRole: "Chair", At: b.at.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.NoError(t, b.acts.RemindOffer(b.ctx, workflows.OfferReminderInput{ApplicationID: appID2, GrantID: grantID2, At: b.at.Add(3 * time.Hour)}))
	require.Len(t, byKind(b.notes(t, b.applicant.ID), "offer_reminder"), 1)
}
