//go:build faults

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows/wftest"
)

// 200 concurrent approvals against one round whose budget covers a fifth
// of them, by the chair over the API (each an Update to its case's
// workflow, whose activity commits the budget under the round's lock):
// exactly the budget's worth are approved, every other one is refused
// with a clear 409, nothing is committed twice, and the awards add up to
// what the budget ledger says.
func TestFaultConcurrentApprovalsAgainstOneRound(t *testing.T) {
	t.Parallel()
	const (
		n      = 200
		award  = int64(250_000)
		budget = 40 * award
	)
	ctx := context.Background()
	env := apptest.New(t)
	def := apptest.ExampleRound(t)
	def.BudgetPence = budget
	def.Timeline.AssessmentWindow = round.Duration{Duration: time.Second}
	def.Timeline.ReminderLead = round.Duration{Duration: 500 * time.Millisecond}
	r := env.Round(t, def)
	ids := make([]string, n)
	concurrently(n, 4, func(i int) { ids[i] = env.Submitted(t, r, fmt.Sprintf("approvals-%d@example.org", i), true) })
	// The round closes before the cases start: with no assessor in the
	// pool, each case may be decided a second after it starts.
	_, err := env.Store.Pool.Exec(ctx, `UPDATE rounds SET closes_at = now() WHERE id = $1`, r.ID)
	require.NoError(t, err)
	smtpURL, mp := mailpittest.Shared(t)
	s := newStackOn(t, stackParts{env: env, tc: wftest.Client(t), smtpURL: smtpURL, mp: mp})
	waitInAssessment(t, s, ids)
	chair := s.as(t, "chair@example.org", app.RoleChair)

	tl := &tally{scenario: "concurrent-approvals"}
	var (
		mu       sync.Mutex
		approved = map[string]bool{}
		refused  = map[string]bool{}
		answers  = map[int]int{}
		start    = make(chan struct{})
		wg       sync.WaitGroup
	)
	for _, id := range ids {
		wg.Go(func() {
			<-start
			status, ok := decide(t, tl, chair, id, award)
			mu.Lock()
			defer mu.Unlock()
			answers[status]++
			if ok {
				approved[id] = true
			} else if status != 0 {
				refused[id] = true
			}
		})
	}
	close(start)
	wg.Wait()

	var committed, awarded int64
	var commitments, grants int
	require.NoError(t, s.env.Store.Pool.QueryRow(ctx, `SELECT coalesce(sum(amount_pence), 0), count(*) FROM budget_commitments
		WHERE round_id = $1 AND released_at IS NULL`, r.ID).Scan(&committed, &commitments))
	require.NoError(t, s.env.Store.Pool.QueryRow(ctx, `SELECT coalesce(sum(award_pence), 0) FROM applications WHERE round_id = $1 AND status = 'approved'`,
		r.ID).Scan(&awarded))
	require.NoError(t, s.env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM grants WHERE round_id = $1`, r.ID).Scan(&grants))
	dbApproved := countBy(t, s, `SELECT id, 1 FROM applications WHERE round_id = $1 AND status = 'approved'`, r.ID)
	perApp := countBy(t, s, `SELECT application_id, count(*) FROM budget_commitments WHERE round_id = $1 GROUP BY 1`, r.ID)
	for id := range approved {
		if dbApproved[id] == 0 {
			tl.lost++ // answered approved, not approved
		}
	}
	for id := range dbApproved {
		if !approved[id] {
			tl.duplicated++ // approved behind a refusal
		}
	}
	for _, c := range perApp {
		if c > 1 {
			tl.duplicated += c - 1
		}
	}
	tl.report(t, fmt.Sprintf("approved=%d refused=%d committed=%d budget=%d answers=%v", len(approved), len(refused), committed, budget, answers))
	require.Equal(t, n, len(approved)+len(refused), "every decision got an answer")
	require.LessOrEqual(t, committed, budget, "never over budget")
	require.Equal(t, committed, awarded, "the awards add up to the budget ledger")
	require.Equal(t, int(budget/award), len(approved), "the budget is used exactly: as many approvals as it covers")
	require.Equal(t, len(approved), commitments)
	require.Equal(t, len(approved), grants, "one offer per approval")
}

// decide sends the chair's approval of one application, retrying as a
// client would while the case cannot take it yet (409 not_ready, or
// assessment still under way) or the service is briefly unavailable; it
// returns the final status and whether it approved. A refusal must be a
// 409 conflict (over the budget left) or a 422; anything else fails t.
func decide(t *testing.T, tl *tally, chair *httpClient, appID string, award int64) (int, bool) {
	failed := false
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		tl.requests.Add(1)
		status, body, retry := apiCall(chair, "POST", "/applications/"+appID+"/decision", map[string]any{"outcome": "approve", "award_pence": award})
		code := errorCode(body)
		switch {
		case status == http.StatusOK:
			return status, true
		case status == http.StatusConflict && code == "not_ready",
			status == http.StatusConflict && code == "invalid_state" && strings.Contains(string(body), "still under way"):
			time.Sleep(max(retry, 200*time.Millisecond))
		case status == 0 || status == http.StatusServiceUnavailable:
			failed = true
			time.Sleep(min(max(retry, 200*time.Millisecond), 2*time.Second))
		case status == http.StatusConflict && code == "invalid_state" && failed:
			// An earlier try went through but its answer was lost.
			var a struct{ Status string }
			st, b, _ := apiCall(chair, "GET", "/applications/"+appID, nil)
			require.Equal(t, http.StatusOK, st, string(b))
			require.NoError(t, json.Unmarshal(b, &a))
			return status, a.Status == app.StatusApproved
		case status == http.StatusConflict && code == "conflict", status == http.StatusUnprocessableEntity:
			if status == http.StatusUnprocessableEntity {
				t.Logf("decide %s: %s", appID, body)
			}
			return status, false
		default:
			t.Errorf("decide %s: %d %s", appID, status, body)
			return 0, false
		}
	}
	t.Errorf("decide %s: no answer after %s", appID, settleTimeout)
	return 0, false
}
