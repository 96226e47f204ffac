package activities_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Activities trust no caller: whoever an Update names (someone who can
// reach Temporal can name anyone, with any roles) is checked against
// PostgreSQL inside the activity's transaction: the staff role, no
// interest in the case, membership of the applicant. Each refusal writes
// nothing.
func TestActivitiesCheckTheCallerAgainstPostgreSQL(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	_, err := b.score(appID, as[0], fullScores(4, 4, 4))
	require.NoError(t, err)
	application := b.application(t, appID)
	stranger := b.env.User(t, "stranger@example.org")
	chairMember := b.env.User(t, "chair-member@example.org", app.RoleChair)
	require.NoError(t, b.env.Store.OrganisationMemberAdd(b.ctx, sqlc.OrganisationMemberAddParams{OrganisationID: application.OrganisationID,
		UserID: chairMember.ID, Role: app.MemberMember}))
	managerMember := b.env.User(t, "manager-member@example.org", app.RoleManager)
	require.NoError(t, b.env.Store.OrganisationMemberAdd(b.ctx, sqlc.OrganisationMemberAddParams{OrganisationID: application.OrganisationID,
		UserID: managerMember.ID, Role: app.MemberAdmin}))
	at := b.at.Add(time.Hour)
	events := len(b.chain(t, "application:"+appID))

	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"an applicant names themself as chair", func() error {
			_, err := b.acts.Decide(b.ctx, workflows.DecideInput{ApplicationID: appID, ActorID: b.applicant.ID, Outcome: workflows.OutcomeReject,
				Reason: "Mine", At: at, OfferExpiresAt: at})
			return err
		}},
		{"a chair who is a member of the applicant decides", func() error {
			_, err := b.acts.Decide(b.ctx, workflows.DecideInput{ApplicationID: appID, ActorID: chairMember.ID, Outcome: workflows.OutcomeApprove,
				AwardPence: 250000, Reason: "Mine", At: at, OfferExpiresAt: at.Add(time.Hour)})
			return err
		}},
		{"a manager who is a member moderates", func() error {
			_, err := b.acts.Moderate(b.ctx, workflows.ModerateInput{ApplicationID: appID, ActorID: managerMember.ID, TotalHundredths: 9000,
				Rationale: "Mine", At: at})
			return err
		}},
		{"a stranger withdraws", func() error {
			_, err := b.acts.Withdraw(b.ctx, workflows.WithdrawInput{ApplicationID: appID, ActorID: stranger.ID, At: at})
			return err
		}},
		{"a chair withdraws", func() error {
			_, err := b.acts.Withdraw(b.ctx, workflows.WithdrawInput{ApplicationID: appID, ActorID: b.chair.ID, At: at})
			return err
		}},
	} {
		err := tc.run()
		requireRejection(t, err, workflows.RejectForbidden)
		require.Len(t, b.chain(t, "application:"+appID), events, "%s wrote to the audit trail", tc.name)
		require.Equal(t, workflows.StatusInAssessment, b.application(t, appID).Status, tc.name)
	}

	offeredApp, grantID := offered(t, b)
	for _, who := range []string{stranger.ID, b.chair.ID} {
		_, err := b.acts.AcceptOffer(b.ctx, workflows.AcceptInput{ApplicationID: offeredApp, GrantID: grantID, ActorID: who,
			SignatoryName: "Someone", SignatoryRole: "Trustee", At: b.at.Add(time.Hour)})
		requireRejection(t, err, workflows.RejectForbidden)
	}
	g, err := b.env.Store.GrantGet(b.ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, workflows.GrantStatusOffered, g.Status)
}
