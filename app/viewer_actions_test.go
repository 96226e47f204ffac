package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/workflows"
)

// actions is what a payment view says its reader may do.
type actions struct {
	CanApprove, CanCancel, CanRetry bool
	Refusal                         string
}

func actionsOf(p app.Payment) actions {
	a := actions{CanApprove: p.CanApprove, CanCancel: p.CanCancel, CanRetry: p.CanRetry}
	if p.ApproveRefusal != nil {
		a.Refusal = *p.ApproveRefusal
	}
	return a
}

// Payment views carry what their reader may do, by the two-approver rule:
// a plain finance user may approve; one with an interest in the
// application (here, a declared affiliation naming the grantee) is told
// why not, in the list, the single view and the payment run alike.
func TestPaymentViewsSayWhatTheReaderMayDo(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	r := env.Round(t, apptest.ManualRound(t))
	g := env.ActiveGrant(t, r, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderManual)

	plain := env.User(t, "finance1@example.org", app.RoleFinance)
	interested := env.User(t, "finance2@example.org", app.RoleFinance)
	_, err := env.Store.Pool.Exec(ctx, `UPDATE users SET affiliations = '[{"name": "Org of grantee@example.org"}]' WHERE id = $1`, interested.ID)
	require.NoError(t, err)
	member := env.User(t, "member@example.org", app.RoleFinance)
	_, err = env.Store.Pool.Exec(ctx, `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`, g.OrgID, member.ID)
	require.NoError(t, err)
	manager := env.Manager

	for _, tc := range []struct {
		name   string
		reader app.Actor
		want   actions
	}{
		{"a plain finance user", plain, actions{CanApprove: true, CanCancel: true}},
		{"a finance user with an interest", interested, actions{CanCancel: true,
			Refusal: interest.ReasonAffiliation + ", so you cannot approve its payments"}},
		{"a finance user who is a member of the grantee", member, actions{CanCancel: true,
			Refusal: interest.ReasonMember + ", so you cannot approve its payments"}},
		{"a manager", manager, actions{Refusal: "Only finance staff can approve payments"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one, err := env.App.GetPayment(ctx, tc.reader, pay)
			require.NoError(t, err)
			require.Empty(t, cmp.Diff(tc.want, actionsOf(one)))
			list, err := env.App.ListPayments(ctx, tc.reader, app.PaymentFilter{GrantID: g.ID, Status: workflows.PaymentAwaitingApproval})
			require.NoError(t, err)
			require.Len(t, list.Items, 1)
			require.Empty(t, cmp.Diff(tc.want, actionsOf(list.Items[0])))
		})
	}

	// After one approval: the approver is told, the other may give the
	// second; a failed payment may be retried or cancelled, not approved.
	env.Approve(t, pay, plain, "Checked")
	p, err := env.App.GetPayment(ctx, plain, pay)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(actions{CanCancel: true,
		Refusal: "You approved this payment; a different finance user must give the second approval"}, actionsOf(p)))
	env.SetPayment(t, pay, workflows.PaymentFailed, workflows.ProviderManual)
	p, err = env.App.GetPayment(ctx, interested, pay)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(actions{CanCancel: true, CanRetry: true, Refusal: "This payment failed: retry it or cancel it"}, actionsOf(p)))
}

// Home counts what waits for each role in SQL.
func TestHome(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	r := env.Round(t, apptest.ExampleRound(t))
	g := env.ActiveGrant(t, r, "grantee@example.org", 300_000)
	other := env.Round(t, apptest.ExampleRound(t))
	_, err := env.App.CreateApplication(ctx, g.Admin, other.ID, g.OrgID)
	require.NoError(t, err)
	caseID := env.Submitted(t, r, "case@example.org", true)
	_, err = env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: caseID, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	assessor := env.User(t, "assessor@example.org", app.RoleAssessor)
	early := time.Date(2031, 3, 14, 17, 0, 0, 0, time.UTC)
	second := env.Submitted(t, r, "case2@example.org", true)
	for appID, d := range map[string]time.Time{caseID: early.Add(48 * time.Hour), second: early} {
		_, err = env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: appID,
			RoundID: r.ID, AssessorID: assessor.ID, Deadline: d, AssignedAt: time.Now()})
		require.NoError(t, err)
	}
	env.SetPayment(t, g.Payments[0], workflows.PaymentAwaitingApproval, workflows.ProviderStripe)
	env.SetPayment(t, g.Payments[1], workflows.PaymentFailed, workflows.ProviderStripe)
	chair := env.User(t, "chair@example.org", app.RoleChair)
	finance := env.User(t, "finance@example.org", app.RoleFinance)

	h, err := env.App.Home(ctx, g.Admin)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(app.Home{Applicant: &app.ApplicantHome{Drafts: 1, Submitted: 1, Grants: 1, Offers: 0}}, h))
	h, err = env.App.Home(ctx, assessor)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(app.Home{Assessor: &app.AssessorHome{Waiting: 2, Next: &early}}, h, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })))
	h, err = env.App.Home(ctx, chair)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(app.Home{Chair: &app.ChairHome{Rounds: []app.RoundCases{{RoundID: r.ID, Name: r.Name, Cases: 1}}}}, h))
	h, err = env.App.Home(ctx, finance)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(app.Home{Finance: &app.FinanceHome{Awaiting: 1, Failed: 1}}, h))
	lonely := env.User(t, "assessor2@example.org", app.RoleAssessor)
	h, err = env.App.Home(ctx, lonely)
	require.NoError(t, err)
	require.Empty(t, cmp.Diff(app.Home{Assessor: &app.AssessorHome{}}, h))
}

// One case's place in the ranking is the row the whole ranking gives it,
// and says whether the reader may decide or moderate: a chair with an
// interest in the case may not.
func TestCaseRanking(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	r := env.Round(t, apptest.ExampleRound(t))
	var assessors []app.Actor
	for i := range 3 {
		assessors = append(assessors, env.User(t, fmt.Sprintf("assessor%d@example.org", i), app.RoleAssessor))
	}
	assessor := assessors[0]
	var cases []string
	for i, totals := range [][]int64{{5000}, {8000, 6000}, nil, {9000}} {
		caseID := env.Submitted(t, r, "case"+string(rune('a'+i))+"@example.org", true)
		_, err := env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: caseID, Status: app.StatusInAssessment,
			Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
		require.NoError(t, err)
		for j, total := range append(totals, -1) { // -1: one still assigned
			s, err := env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: caseID,
				RoundID: r.ID, AssessorID: assessors[j].ID, Deadline: time.Now().Add(time.Hour), AssignedAt: time.Now()})
			require.NoError(t, err)
			if total >= 0 {
				now := time.Now()
				_, err = env.Store.AssessmentScore(ctx, sqlc.AssessmentScoreParams{ID: s.ID, Scores: []byte(`{}`), TotalHundredths: &total, ScoredAt: &now})
				require.NoError(t, err)
			}
		}
		cases = append(cases, caseID)
	}
	chair := env.User(t, "chair@example.org", app.RoleChair)
	interested := env.User(t, "chair2@example.org", app.RoleChair)
	_, err := env.Store.Pool.Exec(ctx, `UPDATE users SET affiliations = '[{"name": "Org of casea@example.org"}]' WHERE id = $1`, interested.ID)
	require.NoError(t, err)

	whole, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Limit: "200"})
	require.NoError(t, err)
	require.Len(t, whole.Items, len(cases))
	for i, it := range whole.Items {
		place, err := env.App.CaseRanking(ctx, chair, it.ApplicationID)
		require.NoError(t, err)
		require.NotNil(t, place.Item)
		require.Empty(t, cmp.Diff(it, *place.Item), it.ApplicationID)
		require.Equal(t, i+1, place.Rank)
		require.Equal(t, len(whole.Items), place.Ranked)
		require.Equal(t, whole.LeftPence, place.LeftPence)
		require.True(t, place.CanDecide)
		require.False(t, place.CanModerate, "a chair does not moderate")
		require.True(t, place.AwaitingDecision)
	}
	place, err := env.App.CaseRanking(ctx, interested, cases[0])
	require.NoError(t, err)
	require.False(t, place.CanDecide, "an interested chair")
	require.True(t, place.AwaitingDecision)
	place, err = env.App.CaseRanking(ctx, interested, cases[1])
	require.NoError(t, err)
	require.True(t, place.CanDecide)
	place, err = env.App.CaseRanking(ctx, env.Manager, cases[1])
	require.NoError(t, err)
	require.True(t, place.CanModerate)
	require.False(t, place.CanDecide)

	// Not ranked yet: no row; not for an assessor at all.
	draft := env.Submitted(t, r, "late@example.org", true)
	place, err = env.App.CaseRanking(ctx, chair, draft)
	require.NoError(t, err)
	require.Nil(t, place.Item)
	require.Equal(t, len(cases), place.Ranked)
	_, err = env.App.CaseRanking(ctx, assessor, cases[0])
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, app.KindForbidden, e.Kind)
}
