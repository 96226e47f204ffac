package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
)

// decideAfter records a decision on a submitted application days (plus an
// hour) after its submission, as the decision activity would.
func decideAfter(t *testing.T, env *apptest.Env, appID, outcome, status string, days int) {
	t.Helper()
	ctx := context.Background()
	a, err := env.App.GetApplication(ctx, env.Manager, appID)
	require.NoError(t, err)
	require.NotNil(t, a.SubmittedAt)
	_, err = env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: appID, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	at := a.SubmittedAt.Add(time.Duration(days)*24*time.Hour + time.Hour)
	reason := "Decided in a test"
	_, err = env.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: appID, Status: status, Outcome: &outcome,
		Reason: &reason, DecidedBy: &env.Manager.ID, DecidedAt: &at})
	require.NoError(t, err)
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()

	older := apptest.ExampleRound(t)
	older.Name = "Older round"
	older.OpensAt = older.OpensAt.Add(-48 * time.Hour)
	older.BudgetPence = 2_000_000
	r1 := env.Round(t, older)
	newer := apptest.ExampleRound(t)
	newer.Name = "Newer round"
	r2 := env.Round(t, newer)

	// Grants: two in Southwark, one in Hackney, one lapsed (left out).
	g1 := env.ActiveGrant(t, r1, "south1@example.org", 300_000)
	env.ActiveGrant(t, r1, "south2@example.org", 250_050)
	hackneyAdmin := env.User(t, "hackney@example.org")
	income := int64(5_000_000)
	hackney, err := env.App.CreateOrganisation(ctx, hackneyAdmin, organisation.Input{Name: "Hackney Food Bank",
		LegalForm: "charity", CharityNumber: "1099999", Borough: "hackney", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "2 Mare Street", Town: "London", Postcode: "E8 1HE"}})
	require.NoError(t, err)
	env.ActiveGrantOf(t, r2, hackneyAdmin, hackney.ID, 400_000)
	lapsed := env.ActiveGrant(t, r2, "lapsed@example.org", 100_000)
	_, err = env.Store.Pool.Exec(ctx, `UPDATE grants SET status = 'lapsed', lapsed_at = now() WHERE id = $1`, lapsed.ID)
	require.NoError(t, err)
	_, err = env.Store.BudgetRelease(ctx, lapsed.AppID)
	require.NoError(t, err)
	_ = g1

	// Decisions 10, 20 and 60 days after submission, a submitted case, a
	// draft and an ineligible one.
	decideAfter(t, env, env.Submitted(t, r1, "ten@example.org", true), "reject", app.StatusRejected, 10)
	decideAfter(t, env, env.Submitted(t, r1, "twenty@example.org", true), "waitlist", app.StatusWaitlisted, 20)
	decideAfter(t, env, env.Submitted(t, r2, "sixty@example.org", true), "reject", app.StatusRejected, 60)
	env.Submitted(t, r2, "waiting@example.org", true)
	drafter := env.User(t, "draft@example.org")
	_, err = env.App.CreateApplication(ctx, drafter, r2.ID, env.Organisation(t, drafter, "Drafting Org").ID)
	require.NoError(t, err)
	inel := env.Submitted(t, r2, "inel@example.org", false)
	_, err = env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: inel, Status: app.StatusIneligible,
		Eligibility: []byte(`{"eligible":false,"reasons":["The work must be mainly in London"]}`)})
	require.NoError(t, err)

	d, err := env.App.Dashboard(ctx, env.Manager)
	require.NoError(t, err)

	wantBudget := []app.RoundBudget{
		{RoundID: r2.ID, Name: "Newer round", BudgetPence: 50_000_000, CommittedPence: 400_000, RemainingPence: 49_600_000},
		{RoundID: r1.ID, Name: "Older round", BudgetPence: 2_000_000, CommittedPence: 550_050, RemainingPence: 1_449_950},
	}
	require.Empty(t, cmp.Diff(wantBudget, d.Budget, cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".OpensAt" || n == ".ClosesAt"
	}, cmp.Ignore())))
	require.True(t, d.Budget[1].OpensAt.Equal(older.OpensAt))

	require.Equal(t, []app.StatusCount{
		{Status: "draft", Applications: 1}, {Status: "submitted", Applications: 1}, {Status: "ineligible", Applications: 1},
		{Status: "in_assessment", Applications: 0}, {Status: "waitlisted", Applications: 1},
		{Status: "approved", Applications: 4}, {Status: "rejected", Applications: 2}, {Status: "withdrawn", Applications: 0},
	}, d.Pipeline)

	require.Equal(t, []app.BoroughAwards{
		{Borough: "Southwark", GSSCode: "E09000028", Grants: 2, AwardPence: 550_050},
		{Borough: "Hackney", GSSCode: "E09000012", Grants: 1, AwardPence: 400_000},
	}, d.Boroughs)

	// Days: 0 ×4 (the grants, decided on submission), 10, 20, 60; the
	// median of 7 values is the fourth, 0.
	require.Equal(t, app.DecisionDuration{Decided: 7, MedianHalfDays: 0, Buckets: []app.DayBucket{
		{MinDays: 0, MaxDays: 7, Applications: 4}, {MinDays: 8, MaxDays: 14, Applications: 1},
		{MinDays: 15, MaxDays: 28, Applications: 1}, {MinDays: 29, MaxDays: 56, Applications: 0},
		{MinDays: 57, MaxDays: -1, Applications: 1},
	}}, d.DecisionDays)

	for _, who := range []app.Actor{env.User(t, "chair@example.org", app.RoleChair), env.User(t, "fin@example.org", app.RoleFinance), drafter} {
		_, err := env.App.Dashboard(ctx, who)
		e, ok := app.AsError(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, app.KindForbidden, e.Kind)
	}
}

func TestDecisionDistribution(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		hist       []app.DayCount
		decided    int64
		medianHalf int64
		counts     []int64
	}{
		{"none", nil, 0, 0, []int64{0, 0, 0, 0, 0}},
		{"one", []app.DayCount{{Days: 9, Applications: 1}}, 1, 18, []int64{0, 1, 0, 0, 0}},
		{"even count between days", []app.DayCount{{Days: 7, Applications: 1}, {Days: 8, Applications: 1}}, 2, 15, []int64{1, 1, 0, 0, 0}},
		{"odd count", []app.DayCount{{Days: 3, Applications: 2}, {Days: 90, Applications: 1}}, 3, 6, []int64{2, 0, 0, 0, 1}},
		{"even count", []app.DayCount{{Days: 3, Applications: 2}, {Days: 90, Applications: 2}}, 4, 93, []int64{2, 0, 0, 0, 2}},
		{"edges", []app.DayCount{{Days: 0, Applications: 1}, {Days: 14, Applications: 1}, {Days: 15, Applications: 1}, {Days: 28, Applications: 1},
			{Days: 29, Applications: 1}, {Days: 56, Applications: 1}, {Days: 57, Applications: 2}}, 8, 28 + 29, []int64{1, 1, 2, 2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := app.DecisionDistribution(tc.hist)
			require.Equal(t, tc.decided, d.Decided)
			require.Equal(t, tc.medianHalf, d.MedianHalfDays)
			got := make([]int64, len(d.Buckets))
			for i, b := range d.Buckets {
				got[i] = b.Applications
			}
			require.Equal(t, tc.counts, got)
		})
	}
}
