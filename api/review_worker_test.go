package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// withWorker runs the workflows and activities on a task queue of the
// test's own against the real Temporal dev server, and sends the bundle's
// Updates there. dispatch starts the workflows queued in the outbox.
func (b *bundle) withWorker(t *testing.T) (tc client.Client, dispatchOnce func()) {
	t.Helper()
	tc = wftest.Client(t)
	queue := wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: b.env.Store, Log: log, Temporal: tc}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	b.env.App.UseCases(app.TemporalCases(tc, 20*time.Second))
	d := &dispatch.Dispatcher{Store: b.env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	return tc, func() {
		_, err := d.DispatchOnce(context.Background())
		require.NoError(t, err)
	}
}

// The review commands through the real workflow: a conflict takes the
// assessor off the case (they can read it no more) and brings in another;
// scores are recorded and revised; the validator's rejections come back
// as 403/409/422; a manager moderates; the applicant withdraws.
func TestReviewCommandsThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tc, dispatchOnce := b.withWorker(t)
	assessors := map[string]string{} // id → token
	for _, email := range []string{"assessor1@example.org", "assessor2@example.org", "assessor3@example.org"} {
		u, tok := b.staff(t, email, app.RoleAssessor)
		assessors[u.ID] = tok
	}
	c := b.submittedIn(t, b.round.ID, "applicant@example.org")
	logTaskFailures(t, tc, workflows.ApplicationWorkflowID(c.AppID))
	dispatchOnce()
	require.Eventually(t, func() bool {
		return b.do(t, "GET", "/applications/"+c.AppID, c.Token, nil).json(t)["status"] == "in_assessment"
	}, 20*time.Second, 100*time.Millisecond)

	// The example round wants two assessors.
	queueOf := func(tok string) []any {
		return b.do(t, "GET", "/assessments", tok, nil).json(t)["items"].([]any)
	}
	var assigned []string // assessor ids with an assessment
	require.Eventually(t, func() bool {
		assigned = assigned[:0]
		for uid, tok := range assessors {
			if len(queueOf(tok)) == 1 {
				assigned = append(assigned, uid)
			}
		}
		return len(assigned) == 2
	}, 20*time.Second, 100*time.Millisecond)
	first, second := assigned[0], assigned[1]
	asmFirst := queueOf(assessors[first])[0].(map[string]any)["id"].(string)
	asmSecond := queueOf(assessors[second])[0].(map[string]any)["id"].(string)

	// The first declares a conflict: the answer is the conflicted
	// assessment, after which they can read neither it nor the application.
	// Until the workflow has taken in the assignment it just made, the
	// API answers 409 not_ready (Retry-After): a client tries again.
	var res response
	require.Eventually(t, func() bool {
		res = b.do(t, "POST", "/assessments/"+asmFirst+"/conflict", assessors[first], map[string]any{"reason": "I am a trustee of the lead organisation"})
		return !(res.Status == http.StatusConflict && strings.Contains(string(res.Body), `"not_ready"`))
	}, 10*time.Second, 100*time.Millisecond)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "conflict", res.json(t)["status"])
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/assessments/"+asmFirst, assessors[first], nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/applications/"+c.AppID, assessors[first], nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "POST", "/assessments/"+asmFirst+"/conflict", assessors[first], map[string]any{"reason": "again"}).Status)
	var third string
	for uid := range assessors {
		if uid != first && uid != second {
			third = uid
		}
	}
	require.Len(t, queueOf(assessors[third]), 1, "the case was reassigned")

	// The second scores, then revises.
	scores := func(need int) map[string]any {
		return map[string]any{"scores": map[string]any{
			"need":     map[string]any{"score": need, "justification": "Evidence of need"},
			"led_by":   map[string]any{"score": 4, "justification": "Led by members"},
			"delivery": map[string]any{"score": 3, "justification": "A credible plan"}}}
	}
	res = b.do(t, "POST", "/assessments/"+asmSecond+"/scores", assessors[second], scores(5))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, "scored", got["status"])
	require.Equal(t, 82.0, got["total"], "(5/5×40 + 4/5×30 + 3/5×30) / 100 × 100")
	res = b.do(t, "POST", "/assessments/"+asmSecond+"/scores", assessors[second], scores(0))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, 42.0, res.json(t)["total"])

	// Rejections from the workflow's validator keep their meaning.
	_, chair := b.staff(t, "chair@example.org", app.RoleChair)
	mtok := b.login(t, "manager@example.org")
	before := b.reviewSnapshot(t)
	res = b.do(t, "POST", "/applications/"+c.AppID+"/decision", chair, map[string]any{"outcome": "approve", "award_pence": 250_000})
	require.Equal(t, http.StatusConflict, res.Status, "one assessment is not scored yet: %s", res.Body)
	code, _ := res.errorCode(t)
	require.Equal(t, "invalid_state", code)
	require.Equal(t, before, b.reviewSnapshot(t))

	// A manager moderates; the assessors' scores stay.
	res = b.do(t, "POST", "/applications/"+c.AppID+"/moderation", mtok, map[string]any{"total": 73.33, "rationale": "Second opinion"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got = res.json(t)
	require.Equal(t, 73.33, got["total"])
	require.Equal(t, "Second opinion", got["moderation"].(map[string]any)["rationale"])
	require.Contains(t, got["flags"], "moderated")

	// The applicant withdraws; the assessors lose access.
	res = b.do(t, "POST", "/applications/"+c.AppID+"/withdraw", c.Token, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "withdrawn", res.json(t)["status"])
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/assessments/"+asmSecond, assessors[second], nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/applications/"+c.AppID, assessors[second], nil).Status)
	res = b.do(t, "POST", "/applications/"+c.AppID+"/withdraw", c.Token, nil)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
}

// logTaskFailures logs, if the test fails, why the workflow's tasks failed
// (a 503 from an Update often means the workflow code did).
func logTaskFailures(t *testing.T, tc client.Client, workflowID string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		iter := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				return
			}
			if f := ev.GetWorkflowTaskFailedEventAttributes(); f != nil {
				t.Logf("%s: workflow task failed: %s", workflowID, f.GetFailure().GetMessage())
			}
		}
	})
}

// awaitSettled waits until the workflow has finished a workflow task after
// its first activity (it has read its state and acted on it), so a test can
// then check what it did not do without waiting a fixed time.
func awaitSettled(t *testing.T, tc client.Client, workflowID string) {
	t.Helper()
	require.Eventually(t, func() bool {
		iter := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
		activityDone := false
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				return false
			}
			switch {
			case ev.GetActivityTaskCompletedEventAttributes() != nil:
				activityDone = true
			case activityDone && ev.GetWorkflowTaskCompletedEventAttributes() != nil:
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond)
}
