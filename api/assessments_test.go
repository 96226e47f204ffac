package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
)

// An assessor reads their own live assessments and the applications behind
// them, read-only; after a conflict they can read neither.
func TestAssessorQueueAndScope(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// The document is uploaded while the application is a draft.
	tok, draft := b.draft(t, "assessed@example.org")
	appID := draft["id"].(string)
	res := b.upload(t, appID, tok, "plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	docID := res.json(t)["id"].(string)
	require.Equal(t, http.StatusOK, b.do(t, "PATCH", "/applications/"+appID, tok, completeAnswersAt(t, b, appID, tok)).Status)
	require.Equal(t, http.StatusAccepted, b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil).Status)
	b.markEligible(t, appID)
	other := b.inAssessment(t, "other@example.org")

	a1, a1tok := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	a2, a2tok := b.staff(t, "assessor2@example.org", app.RoleAssessor)
	mine := b.assign(t, appID, a1.ID)
	theirs := b.assign(t, appID, a2.ID)
	scored := b.assign(t, other.AppID, a1.ID)
	b.score(t, scored, 8000)

	// The queue: both of mine, filterable by status.
	list := b.do(t, "GET", "/assessments", a1tok, nil)
	require.Equal(t, http.StatusOK, list.Status, string(list.Body))
	items := list.json(t)["items"].([]any)
	require.Len(t, items, 2)
	require.Nil(t, list.json(t)["next_cursor"])
	page := b.do(t, "GET", "/assessments?limit=1", a1tok, nil).json(t)
	require.Len(t, page["items"], 1)
	require.NotNil(t, page["next_cursor"])
	onlyScored := b.do(t, "GET", "/assessments?status=scored", a1tok, nil).json(t)["items"].([]any)
	require.Len(t, onlyScored, 1)
	s := onlyScored[0].(map[string]any)
	require.Equal(t, scored, s["id"])
	require.EqualValues(t, 80, s["total"])
	require.Equal(t, "Org of other@example.org", s["organisation_name"])
	require.Contains(t, s["scores"], "need")

	// One assessment, with the application, its documents and the criteria.
	res = b.do(t, "GET", "/assessments/"+mine, a1tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, "assigned", got["status"])
	require.Equal(t, appID, got["application_id"])
	require.Nil(t, got["scores"])
	require.Nil(t, got["total"])
	require.Equal(t, appID, got["application"].(map[string]any)["id"])
	require.NotContains(t, got["application"], "total", "assessors do not see the staff view")
	require.Len(t, got["documents"], 1)
	require.Len(t, got["criteria"], 3)

	// The assigned assessor reads the application and downloads its
	// documents, but cannot change anything.
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/applications/"+appID, a1tok, nil).Status)
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/applications/"+appID+"/documents", a1tok, nil).Status)
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/documents/"+docID, a1tok, nil).Status)
	require.Equal(t, http.StatusForbidden, b.do(t, "PATCH", "/applications/"+appID, a1tok, map[string]any{"version": 1}).Status)

	// An assessor who is not assigned sees nothing.
	_, a3tok := b.staff(t, "assessor3@example.org", app.RoleAssessor)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/applications/"+appID, a3tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/documents/"+docID, a3tok, nil).Status)

	b.expectRejections(t, []rejection{
		{"no token", "", "GET", "/assessments", nil, 401, "unauthenticated", ""},
		{"applicant's queue", tok, "GET", "/assessments", nil, 403, "forbidden", ""},
		{"applicant reading one", tok, "GET", "/assessments/" + mine, nil, 403, "forbidden", ""},
		{"unknown status", a1tok, "GET", "/assessments?status=conflict", nil, 422, "validation_failed", "status"},
		{"bad cursor", a1tok, "GET", "/assessments?cursor=nope", nil, 422, "validation_failed", "cursor"},
		{"another assessor's assessment", a1tok, "GET", "/assessments/" + theirs, nil, 404, "not_found", ""},
		{"junk id", a1tok, "GET", "/assessments/asm_nope", nil, 404, "not_found", ""},
	})
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/assessments/"+theirs, a2tok, nil).Status)

	// After a declared conflict the assessor can read neither the
	// assessment nor the application.
	now := time.Now()
	_, err := b.env.Store.AssessmentMarkConflict(context.Background(), sqlc.AssessmentMarkConflictParams{ID: mine,
		Reason: ptr("My sister runs it"), ReleasedAt: &now})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/assessments/"+mine, a1tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/applications/"+appID, a1tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/applications/"+appID+"/documents", a1tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/documents/"+docID, a1tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "POST", "/assessments/"+mine+"/scores", a1tok, `{"scores":`).Status)
	require.Len(t, b.do(t, "GET", "/assessments", a1tok, nil).json(t)["items"], 1)
}

// completeAnswersAt is CompleteAnswers at the application's current version.
func completeAnswersAt(t *testing.T, b *bundle, appID, tok string) map[string]any {
	t.Helper()
	v := b.do(t, "GET", "/applications/"+appID, tok, nil).json(t)["version"].(float64)
	return apptest.CompleteAnswers(int32(v))
}

// Scores and conflicts: every check that comes before the workflow.
func TestAssessmentCommandsRejectBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.inAssessment(t, "scored@example.org")
	decided := b.inAssessment(t, "decided@example.org")
	a1, a1tok := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	a2, _ := b.staff(t, "assessor2@example.org", app.RoleAssessor)
	mine := b.assign(t, c.AppID, a1.ID)
	theirs := b.assign(t, c.AppID, a2.ID)
	late := b.assign(t, decided.AppID, a1.ID)
	b.score(t, late, 7000)
	b.decide(t, decided.AppID, "reject", 0)
	_, ctok := b.staff(t, "chair@example.org", app.RoleChair)

	good := map[string]any{"scores": map[string]any{
		"need":     map[string]any{"score": 4, "justification": "Strong evidence"},
		"led_by":   map[string]any{"score": 3, "justification": "Partly"},
		"delivery": map[string]any{"score": 5, "justification": "Solid plan"}}}
	scores := "/assessments/" + mine + "/scores"
	conflict := "/assessments/" + mine + "/conflict"
	b.expectRejections(t, []rejection{
		{"no token", "", "POST", scores, good, 401, "unauthenticated", ""},
		{"applicant scoring", c.Token, "POST", scores, `{"garbage`, 403, "forbidden", ""},
		{"chair scoring", ctok, "POST", scores, good, 403, "forbidden", ""},
		{"another assessor's", a1tok, "POST", "/assessments/" + theirs + "/scores", `{"garbage`, 404, "not_found", ""},
		{"another assessor's conflict", a1tok, "POST", "/assessments/" + theirs + "/conflict", map[string]any{"reason": "x"}, 404, "not_found", ""},
		{"junk id", a1tok, "POST", "/assessments/nope/scores", good, 404, "not_found", ""},
		{"decided application", a1tok, "POST", "/assessments/" + late + "/scores", `{"garbage`, 409, "invalid_state", ""},
		{"decided application, conflict", a1tok, "POST", "/assessments/" + late + "/conflict", map[string]any{"reason": "x"}, 409, "invalid_state", ""},
		{"malformed", a1tok, "POST", scores, `{"scores":`, 400, "malformed_request", ""},
		{"fractional score", a1tok, "POST", scores, `{"scores":{"need":{"score":3.5,"justification":"x"}}}`, 400, "malformed_request", ""},
		{"score as a string", a1tok, "POST", scores, `{"scores":{"need":{"score":"3","justification":"x"}}}`, 400, "malformed_request", ""},
		{"unknown field", a1tok, "POST", scores, map[string]any{"scores": good["scores"], "total": 80}, 400, "malformed_request", "total"},
		{"no scores", a1tok, "POST", scores, `{}`, 422, "validation_failed", "scores"},
		{"missing criterion", a1tok, "POST", scores, map[string]any{"scores": map[string]any{
			"need": map[string]any{"score": 4, "justification": "x"}, "led_by": map[string]any{"score": 3, "justification": "x"}}}, 422, "validation_failed", "scores.delivery"},
		{"out of range", a1tok, "POST", scores, map[string]any{"scores": map[string]any{
			"need": map[string]any{"score": 6, "justification": "x"}, "led_by": map[string]any{"score": -1, "justification": "x"},
			"delivery": map[string]any{"score": 5, "justification": " "}, "vibes": map[string]any{"score": 1, "justification": "x"}}}, 422, "validation_failed", "scores.need.score"},
		{"conflict without reason", a1tok, "POST", conflict, map[string]any{"reason": "  "}, 422, "validation_failed", "reason"},
		{"conflict with unknown field", a1tok, "POST", conflict, map[string]any{"reason": "x", "why": "y"}, 400, "malformed_request", "why"},
		{"conflict, not JSON", a1tok, "POST", conflict, `nope`, 400, "malformed_request", ""},
	})

	// Every problem is listed at once.
	res := b.do(t, "POST", scores, a1tok, map[string]any{"scores": map[string]any{
		"need": map[string]any{"score": 6, "justification": "x"}, "led_by": map[string]any{"score": -1, "justification": "x"},
		"delivery": map[string]any{"score": 5, "justification": " "}, "vibes": map[string]any{"score": 1, "justification": "x"}}})
	_, fields := res.errorCode(t)
	require.ElementsMatch(t, []string{"scores.need.score", "scores.led_by.score", "scores.delivery.justification", "scores.vibes"}, keys(fields))

	// Valid scores with no workflow engine configured: 503, nothing changed.
	before := b.reviewSnapshot(t)
	res = b.do(t, "POST", scores, a1tok, good)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "unavailable", code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	require.Equal(t, before, b.reviewSnapshot(t))
}
