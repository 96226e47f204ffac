package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/wftest"
)

type appView struct {
	ID       string  `json:"id"`
	Status   string  `json:"status"`
	Version  int     `json:"version"`
	GrantID  *string `json:"grant_id"`
	Decision *struct {
		Outcome string `json:"outcome"`
	} `json:"decision"`
}

type grantView struct {
	ID             string    `json:"id"`
	Status         string    `json:"status"`
	AwardPence     int64     `json:"award_pence"`
	OfferExpiresAt time.Time `json:"offer_expires_at"`
	Payments       []struct {
		AmountPence int64  `json:"amount_pence"`
		Status      string `json:"status"`
	} `json:"payments"`
	Reports []struct {
		Kind  string     `json:"kind"`
		DueAt *time.Time `json:"due_at"`
	} `json:"reports"`
}

// A round with second-long windows, through the HTTP API and the real
// Temporal dev server: three applications submitted, assigned and scored;
// the chair ranks them, approves two (the budget is then spent, so a third
// approval is refused) and waitlists the third; one offer is accepted and
// the grant's workflow starts; the other lapses, its budget is released and
// the round promotes the waitlisted application automatically, telling the
// chair; that offer is accepted too.
func TestReviewToAcceptedOfferThroughTheDevServer(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	ctx := context.Background()
	manager := s.as(t, s.env.Manager.Email)
	chair := s.as(t, "chair@example.org", app.RoleChair)
	assessors := map[string]*httpClient{}
	for i := 1; i <= 3; i++ {
		email := fmt.Sprintf("assessor%d@example.org", i)
		assessors[email] = s.as(t, email, app.RoleAssessor)
	}

	now := time.Now().UTC()
	var rnd struct{ ID string }
	manager.do("POST", "/rounds", map[string]any{
		"programme": "roots-incubator", "name": "Quick round",
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(30 * time.Second),
		"budget_pence": 500000, "min_partners": 0,
		"tiers":                     []any{map[string]any{"key": "micro", "min_pence": 100000, "max_pence": 300000}},
		"form":                      map[string]any{"sections": []any{map[string]any{"key": "p", "title": "Project", "questions": []any{map[string]any{"key": "summary", "type": "text", "title": "What will you do?", "required": true, "max_words": 100}}}}},
		"criteria":                  []any{map[string]any{"key": "need", "title": "Need", "weight": 60, "max_score": 5}, map[string]any{"key": "delivery", "title": "Delivery", "weight": 40, "max_score": 5}},
		"assessors_per_application": 2,
		"timeline": map[string]any{"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "15s", "reminder_lead": "30s",
			"reports": []any{map[string]any{"kind": "final", "due_after": "720h"}}},
		"payment_schedule": []any{map[string]any{"percent": 100, "condition": "on_acceptance"}},
	}, 201, &rnd)

	type applicant struct {
		c     *httpClient
		app   appView
		score int
	}
	applicants := map[string]*applicant{}
	for i, name := range []string{"alpha", "bravo", "charlie"} {
		a := &applicant{c: s.as(t, name+"@example.org"), score: 5 - i}
		var org struct{ ID string }
		a.c.do("POST", "/organisations", map[string]any{"name": name + " community kitchen", "legal_form": "charity",
			"charity_number": fmt.Sprintf("118734%d", i), "borough": "Southwark",
			"address": map[string]any{"line1": "1 Example Street", "town": "London", "postcode": "SE1 7PB"}, "annual_income_pence": 8400000}, 201, &org)
		a.c.do("POST", "/applications", map[string]any{"round_id": rnd.ID, "organisation_id": org.ID}, 201, &a.app)
		a.c.do("PATCH", "/applications/"+a.app.ID, map[string]any{"version": a.app.Version, "tier": "micro",
			"requested_pence": 250000, "answers": map[string]any{"summary": "Weekly cooking clubs."}}, 200, &a.app)
		a.c.do("POST", "/applications/"+a.app.ID+"/submit", nil, 202, &a.app)
		applicants[name] = a
	}
	for _, a := range applicants {
		require.Eventually(t, func() bool {
			a.c.do("GET", "/applications/"+a.app.ID, nil, 200, &a.app)
			return a.app.Status == "in_assessment"
		}, 20*time.Second, 100*time.Millisecond)
	}

	// Every assessor scores what they were given; load is balanced 2/2/2.
	byApp := map[string]int{}
	for _, a := range applicants {
		byApp[a.app.ID] = a.score
	}
	for email, c := range assessors {
		var queue struct {
			Items []struct {
				ID            string `json:"id"`
				ApplicationID string `json:"application_id"`
				Status        string `json:"status"`
			} `json:"items"`
		}
		require.Eventually(t, func() bool {
			c.do("GET", "/assessments", nil, 200, &queue)
			return len(queue.Items) == 2
		}, 10*time.Second, 100*time.Millisecond, email)
		for _, item := range queue.Items {
			sc := byApp[item.ApplicationID]
			c.do("GET", "/applications/"+item.ApplicationID, nil, 200, nil)
			c.do("POST", "/assessments/"+item.ID+"/scores", map[string]any{"scores": map[string]any{
				"need":     map[string]any{"score": sc, "justification": "Evidence of need"},
				"delivery": map[string]any{"score": sc, "justification": "A credible plan"},
			}}, 200, nil)
		}
	}

	var ranking struct {
		LeftPence int64 `json:"left_pence"`
		Items     []struct {
			ApplicationID   string    `json:"application_id"`
			Total           float64   `json:"total"`
			AssessorTotals  []float64 `json:"assessor_totals"`
			CumulativePence int64     `json:"cumulative_pence"`
			FitsBudget      bool      `json:"fits_budget"`
		} `json:"items"`
	}
	chair.do("GET", "/rounds/"+rnd.ID+"/ranking", nil, 200, &ranking)
	require.Len(t, ranking.Items, 3)
	order := []string{ranking.Items[0].ApplicationID, ranking.Items[1].ApplicationID, ranking.Items[2].ApplicationID}
	require.Equal(t, []string{applicants["alpha"].app.ID, applicants["bravo"].app.ID, applicants["charlie"].app.ID}, order)
	require.Equal(t, float64(100), ranking.Items[0].Total)
	require.Equal(t, []float64{80, 80}, ranking.Items[1].AssessorTotals)
	require.Equal(t, int64(500000), ranking.Items[1].CumulativePence)
	require.True(t, ranking.Items[1].FitsBudget)
	require.False(t, ranking.Items[2].FitsBudget)

	award := map[string]any{"outcome": "approve", "award_pence": 250000}
	chair.do("POST", "/applications/"+applicants["alpha"].app.ID+"/decision", award, 200, nil)
	chair.do("POST", "/applications/"+applicants["bravo"].app.ID+"/decision", award, 200, nil)
	chair.do("POST", "/applications/"+applicants["charlie"].app.ID+"/decision", map[string]any{"outcome": "approve", "award_pence": 200000}, 409, nil)
	chair.do("POST", "/applications/"+applicants["charlie"].app.ID+"/decision", map[string]any{"outcome": "waitlist"}, 200, nil)
	manager.do("POST", "/applications/"+applicants["charlie"].app.ID+"/decision", map[string]any{"outcome": "reject", "reason": "x"}, 403, nil)

	// Alpha accepts; the grant becomes active and its workflow runs.
	alpha := applicants["alpha"]
	alpha.c.do("GET", "/applications/"+alpha.app.ID, nil, 200, &alpha.app)
	require.Equal(t, "approved", alpha.app.Status)
	require.NotNil(t, alpha.app.GrantID)
	var g grantView
	applicants["bravo"].c.do("POST", "/grants/"+*alpha.app.GrantID+"/accept", map[string]any{"signatory_name": "X", "signatory_role": "Y"}, 404, nil)
	alpha.c.do("POST", "/grants/"+*alpha.app.GrantID+"/accept", map[string]any{"signatory_name": "Ada Okafor", "signatory_role": "Chair of trustees"}, 200, &g)
	require.Equal(t, "active", g.Status)
	require.Equal(t, int64(250000), g.Payments[0].AmountPence)
	require.NotNil(t, g.Reports[0].DueAt)
	require.Eventually(t, func() bool {
		desc, err := s.tc.DescribeWorkflowExecution(ctx, workflows.GrantWorkflowID(g.ID), "")
		return err == nil && desc.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}, 10*time.Second, 100*time.Millisecond, "the grant's workflow runs")

	// Bravo lets the offer lapse; Charlie is promoted into the released budget.
	bravo, charlie := applicants["bravo"], applicants["charlie"]
	require.Eventually(t, func() bool {
		charlie.c.do("GET", "/applications/"+charlie.app.ID, nil, 200, &charlie.app)
		return charlie.app.Status == "approved"
	}, 60*time.Second, 200*time.Millisecond, "promoted from the waiting list")
	bravo.c.do("GET", "/applications/"+bravo.app.ID, nil, 200, &bravo.app)
	bravo.c.do("GET", "/grants/"+*bravo.app.GrantID, nil, 200, &g)
	require.Equal(t, "lapsed", g.Status)
	bravo.c.do("POST", "/grants/"+g.ID+"/accept", map[string]any{"signatory_name": "Late", "signatory_role": "Too"}, 409, nil)
	var notes struct {
		Items []struct{ Kind string } `json:"items"`
	}
	chair.do("GET", "/notifications", nil, 200, &notes)
	kinds := []string{}
	for _, n := range notes.Items {
		kinds = append(kinds, n.Kind)
	}
	require.Contains(t, kinds, "promotion", "the chair is told")
	charlie.c.do("POST", "/grants/"+*charlie.app.GrantID+"/accept", map[string]any{"signatory_name": "Chi", "signatory_role": "Secretary"}, 200, &g)
	require.Equal(t, "active", g.Status)
	require.Equal(t, int64(250000), g.AwardPence, "promoted with its request")

	committed, err := s.env.Store.BudgetCommitted(ctx, rnd.ID)
	require.NoError(t, err)
	require.Equal(t, int64(500000), committed)

	if os.Getenv("GRANTS_RECORD_HISTORY") != "" {
		for name, id := range map[string]string{
			"application_accepted.json": workflows.ApplicationWorkflowID(alpha.app.ID),
			"application_lapsed.json":   workflows.ApplicationWorkflowID(bravo.app.ID),
			"application_promoted.json": workflows.ApplicationWorkflowID(charlie.app.ID),
		} {
			recordHistory(t, s.tc, id, name, true)
		}
		// The round's workflow runs on past the test; its history so far
		// (opening, closing, a promotion) replays as well.
		recordHistory(t, s.tc, workflows.RoundWorkflowID(rnd.ID), "round_promotion.json", false)
	}
}

// recordHistory writes a workflow's history for the replay tests, once it
// has finished if finished.
func recordHistory(t *testing.T, tc client.Client, workflowID, name string, finished bool) {
	t.Helper()
	wftest.RecordHistory(t, tc, workflowID, filepath.Join("..", "..", "workflows", "testdata", name), finished)
}

// A conflict declared on one application covers the organisation
// everywhere: the assessor's assessment of the same organisation's
// application in another round is released too, by that case's workflow.
func TestConflictIsCarriedToTheAssessorsOtherCases(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	assessor := s.as(t, "assessor1@example.org", app.RoleAssessor)
	s.as(t, "assessor2@example.org", app.RoleAssessor)
	applicant := s.env.User(t, "lead@example.org")
	var appIDs []string
	lead := apptest.Lead{Name: "Same Charity", CharityNumber: "1099555"}
	for range 2 {
		r := s.env.Round(t, apptest.ExampleRound(t))
		appIDs = append(appIDs, s.env.SubmitAs(t, r, applicant, lead))
		// The same organisation applies to the second round (a number
		// belongs to one organisation).
		first, err := s.env.Store.ApplicationGet(context.Background(), appIDs[0])
		require.NoError(t, err)
		lead.OrganisationID = first.OrganisationID
	}
	type item struct {
		ID            string `json:"id"`
		ApplicationID string `json:"application_id"`
	}
	var queue struct{ Items []item }
	require.Eventually(t, func() bool {
		assessor.do("GET", "/assessments", nil, 200, &queue)
		return len(queue.Items) == 2
	}, 20*time.Second, 100*time.Millisecond)
	first := queue.Items[0]
	require.Eventually(t, func() bool {
		return assessor.try("/assessments/"+first.ID+"/conflict", map[string]any{"reason": "I am a trustee"}, &map[string]any{}) == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond, "conflict declared")
	require.Eventually(t, func() bool {
		assessor.do("GET", "/assessments", nil, 200, &queue)
		return len(queue.Items) == 0
	}, 20*time.Second, 100*time.Millisecond, "the other case released the assessor too")
	other := appIDs[0]
	if other == first.ApplicationID {
		other = appIDs[1]
	}
	assessor.do("GET", "/applications/"+other, nil, 404, nil)
}
