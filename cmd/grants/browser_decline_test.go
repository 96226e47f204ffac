package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// An applicant's small controls, in a browser without JavaScript (every
// page passes axe): a draft deleted from its task list after the
// confirmation page; an offer declined through its case's workflow, with
// no answer chosen first, then yes and a reason; the budget is released.
func TestBrowserDeleteDraftAndDeclineOffer(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.AssessorsPerApplication = 1
	r := s.env.Round(t, def)
	assessor := s.env.User(t, "assessor1@example.org", app.RoleAssessor)
	chair := s.env.User(t, "chair@example.org", app.RoleChair)
	lead := s.env.User(t, "lead@example.org")
	appID := s.env.SubmitAs(t, r, lead, apptest.Lead{Name: "Peckham Youth Hub"})
	scores := map[string]any{}
	for _, c := range def.Criteria {
		scores[c.Key] = map[string]any{"score": 4, "justification": "Scored from the application."}
	}
	scoreAssessment(t, s.env, assessor, waitAssigned(t, s, appID, 1)[0].ID, scores)
	_, err := s.env.App.Decide(ctx, chair, appID, apptest.Body(t, map[string]any{"outcome": "approve", "award_pence": 250_000}))
	require.NoError(t, err)
	grantID := grantOf(t, s, lead, appID)
	other := s.env.Organisation(t, lead, "Peckham Youth Hub Two")
	draft, err := s.env.App.CreateApplication(ctx, lead, r.ID, other.ID)
	require.NoError(t, err)

	b := newBrowserPage(t, webRoot(s), withoutJavaScript())
	signIn(b, lead.Email)

	// The draft: deleted after confirming.
	b.visit("/applications/" + draft.ID)
	b.expectHeading("Your application")
	b.clickLink("Delete this draft")
	b.expectHeading("Are you sure you want to delete this draft?")
	b.clickButton("Delete draft")
	b.expectPath("/applications")
	b.expectText("Your draft has been deleted.")
	_, err = s.env.App.GetApplication(ctx, lead, draft.ID)
	require.Error(t, err)

	// The offer: declined, after forgetting to answer.
	b.visit("/grants/" + grantID)
	b.clickLink("Decline the offer")
	b.expectHeading("Do you want to decline this grant offer?")
	b.clickButton("Continue")
	b.expectInvalid("Select yes if you want to decline the offer")
	b.choose("Do you want to decline this grant offer?", "Yes")
	b.fillByLabel("Why are you declining the offer? (optional)", "We found other funding")
	b.clickButton("Continue")
	b.expectPath("/grants/" + grantID)
	b.expectText("You have declined the grant offer", "Status Declined")
	g, err := s.env.Store.GrantGet(ctx, grantID)
	require.NoError(t, err)
	require.Equal(t, "declined", g.Status)
	require.Equal(t, "We found other funding", *g.DeclineReason)
	left, err := s.env.Store.BudgetCommitted(ctx, r.ID)
	require.NoError(t, err)
	require.Zero(t, left)
}
