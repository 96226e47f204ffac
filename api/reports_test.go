package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

func (f *financeBundle) uploadToReport(t *testing.T, reportID, token, filename string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, "/api/v1/reports/"+reportID+"/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// Reports are read by the grantee's members and staff; members submit
// them (with evidence) and managers review them, each through the grant's
// workflow. Content is checked before the Update: the round's report form
// and whole, non-negative pence.
func TestReports(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	ctx := context.Background()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	other := f.activeGrant(t, f.round, "other@example.org", 200_000)
	member, memberTok := f.staff(t, "member@example.org")
	require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: g.OrgID,
		UserID: member.ID, Role: app.MemberMember}))
	_, assessorTok := f.staff(t, "assessor@example.org", app.RoleAssessor)
	interim := g.Reports[0]

	// Reads are scoped.
	mine := f.do(t, "GET", "/reports", g.Token, nil).json(t)
	require.Len(t, mine["items"], 2)
	var first map[string]any // the interim report
	for _, it := range mine["items"].([]any) {
		if it.(map[string]any)["id"] == interim {
			first = it.(map[string]any)
		}
	}
	require.NotNil(t, first)
	require.Equal(t, "interim", first["kind"])
	require.Equal(t, map[string]any{}, first["answers"])
	require.Equal(t, []any{}, first["documents"])
	require.NotNil(t, first["due_at"])
	require.Len(t, f.do(t, "GET", "/reports", memberTok, nil).json(t)["items"], 2)
	require.Len(t, f.do(t, "GET", "/reports", assessorTok, nil).json(t)["items"], 0)
	require.Len(t, f.do(t, "GET", "/reports", f.fin1Tok, nil).json(t)["items"], 4)
	require.Len(t, f.do(t, "GET", "/reports?grant_id="+other.ID, f.managerToken, nil).json(t)["items"], 2)
	require.Len(t, f.do(t, "GET", "/reports?status=submitted", f.managerToken, nil).json(t)["items"], 0)
	require.Equal(t, first, f.do(t, "GET", "/reports/"+interim, f.managerToken, nil).json(t))

	submit := "/reports/" + interim + "/submit"
	good := map[string]any{"answers": map[string]any{"progress": "Twelve cooking clubs have run."}, "spend_pence": 40_000}
	f.expectRefusals(t, rc, []rejection{
		{"list, unknown status", g.Token, "GET", "/reports?status=late", nil, 422, "validation_failed", "status"},
		{"read, someone else's", other.Token, "GET", "/reports/" + interim, nil, 404, "not_found", ""},
		{"read, junk id", g.Token, "GET", "/reports/nope", nil, 404, "not_found", ""},
		{"submit, someone else's", other.Token, "POST", submit, `{"garbage`, 404, "not_found", ""},
		{"submit, an assessor", assessorTok, "POST", submit, good, 404, "not_found", ""},
		{"submit, finance", f.fin1Tok, "POST", submit, good, 403, "forbidden", ""},
		{"submit, manager", f.managerToken, "POST", submit, good, 403, "forbidden", ""},
		{"submit, fractional pence", g.Token, "POST", submit, `{"answers":{"progress":"ok"},"spend_pence":12.5}`, 400, "malformed_request", "spend_pence"},
		{"submit, unknown field", g.Token, "POST", submit, map[string]any{"answers": map[string]any{}, "spend_pence": 1, "late": true}, 400, "malformed_request", "late"},
		{"submit, negative spend", g.Token, "POST", submit, map[string]any{"answers": map[string]any{"progress": "ok"}, "spend_pence": -1}, 422, "validation_failed", "spend_pence"},
		{"submit, no spend", g.Token, "POST", submit, map[string]any{"answers": map[string]any{"progress": "ok"}}, 422, "validation_failed", "spend_pence"},
		{"submit, no answers", g.Token, "POST", submit, map[string]any{"spend_pence": 0}, 422, "validation_failed", "answers"},
		{"submit, answers not an object", g.Token, "POST", submit, map[string]any{"answers": []any{"x"}, "spend_pence": 0}, 422, "validation_failed", "answers"},
		{"submit, required answer missing", g.Token, "POST", submit, map[string]any{"answers": map[string]any{}, "spend_pence": 0}, 422, "validation_failed", "answers.progress"},
		{"submit, unknown question", g.Token, "POST", submit, map[string]any{"answers": map[string]any{"progress": "ok", "mood": "fine"}, "spend_pence": 0}, 422, "validation_failed", "answers.mood"},
		{"review, finance", f.fin1Tok, "POST", "/reports/" + interim + "/review", map[string]any{"outcome": "accept"}, 403, "forbidden", ""},
		{"review, grantee", g.Token, "POST", "/reports/" + interim + "/review", map[string]any{"outcome": "accept"}, 403, "forbidden", ""},
		{"review, not submitted", f.managerToken, "POST", "/reports/" + interim + "/review", `{"garbage`, 409, "invalid_state", ""},
		{"review, junk id", f.managerToken, "POST", "/reports/nope/review", map[string]any{"outcome": "accept"}, 404, "not_found", ""},
	})
	// Every problem at once.
	res := f.do(t, "POST", submit, g.Token, map[string]any{"answers": map[string]any{"mood": 1}, "spend_pence": -5})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields := res.errorCode(t)
	require.ElementsMatch(t, []string{"answers.progress", "answers.mood", "spend_pence"}, keys(fields))

	// Evidence first.
	before := f.financeSnapshot(t)
	for _, tc := range []struct {
		name, token string
		status      int
	}{{"someone else", other.Token, 404}, {"manager", f.managerToken, 403}, {"a fake pdf", g.Token, 415}} {
		content := pdfBytes
		if tc.status == 415 {
			content = []byte("MZ not a pdf")
		}
		res := f.uploadToReport(t, interim, tc.token, "receipts.pdf", content)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
	}
	require.Equal(t, before, f.financeSnapshot(t))
	res = f.uploadToReport(t, interim, memberTok, "receipts.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	doc := res.json(t)
	require.Equal(t, interim, doc["report_id"])
	require.Equal(t, g.AppID, doc["application_id"])
	require.Equal(t, "application/pdf", doc["content_type"])
	docs := f.do(t, "GET", "/reports/"+interim, g.Token, nil).json(t)["documents"].([]any)
	require.Len(t, docs, 1)
	require.Equal(t, doc["id"], docs[0].(map[string]any)["id"])
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/documents/"+doc["id"].(string), g.Token, nil).Status)

	// Submission goes to the grant's workflow; the activity's write is
	// what the answer shows.
	rc.answer(func(u sentUpdate) (any, error) {
		s := u.Arg.(workflows.ReportSubmission)
		f.exec(t, `UPDATE reports SET status = 'submitted', answers = $2, spend_pence = $3, submitted_by = $4, submitted_at = now() WHERE id = $1`,
			s.ReportID, []byte(s.Answers), s.SpendPence, s.Caller.ID)
		return workflows.ReportResult{ReportID: s.ReportID, Status: workflows.ReportSubmitted}, nil
	})
	res = f.do(t, "POST", submit, memberTok, map[string]any{"answers": map[string]any{"progress": "Twelve cooking clubs have run.", "extra": nil},
		"spend_pence": 40_000})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	sent := rc.take()
	require.Len(t, sent, 1)
	require.Equal(t, "grant:"+g.ID, sent[0].WorkflowID)
	require.Equal(t, workflows.UpdateSubmitReport, sent[0].Name)
	sub := sent[0].Arg.(workflows.ReportSubmission)
	require.Equal(t, workflows.Caller{ID: member.ID, Roles: []string{}}, sub.Caller)
	require.Equal(t, interim, sub.ReportID)
	require.EqualValues(t, 40_000, sub.SpendPence)
	require.JSONEq(t, `{"progress":"Twelve cooking clubs have run."}`, string(sub.Answers), "nulls dropped")
	view := res.json(t)
	require.Equal(t, "submitted", view["status"])
	require.EqualValues(t, 40_000, view["spend_pence"])
	require.Equal(t, member.ID, view["submitted_by"])
	require.NotNil(t, view["submitted_at"])
	require.Len(t, view["documents"], 1)
	grant := f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)
	require.NotNil(t, grant["reports"].([]any)[0].(map[string]any)["submitted_at"])
	f.expectRefusals(t, rc, []rejection{{"submit again", g.Token, "POST", submit, good, 409, "invalid_state", ""}})

	// Review.
	review := "/reports/" + interim + "/review"
	f.expectRefusals(t, rc, []rejection{
		{"review, unknown outcome", f.managerToken, "POST", review, map[string]any{"outcome": "maybe"}, 422, "validation_failed", "outcome"},
		{"review, changes without a comment", f.managerToken, "POST", review, map[string]any{"outcome": "request_changes", "comment": " "}, 422, "validation_failed", "comment"},
	})
	rc.answer(func(u sentUpdate) (any, error) {
		rv := u.Arg.(workflows.ReportReview)
		f.exec(t, `UPDATE reports SET status = 'accepted', reviewed_by = $2, reviewed_at = now(), review_comment = $3 WHERE id = $1`,
			rv.ReportID, rv.Caller.ID, rv.Comment)
		return workflows.ReportResult{ReportID: rv.ReportID, Status: workflows.ReportAccepted}, nil
	})
	res = f.do(t, "POST", review, f.managerToken, map[string]any{"outcome": "accept", "comment": " Thorough "})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, []sentUpdate{{WorkflowID: "grant:" + g.ID, Name: workflows.UpdateReviewReport, Arg: workflows.ReportReview{
		Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, ReportID: interim, Outcome: "accept", Comment: "Thorough"}}}, rc.take())
	view = res.json(t)
	require.Equal(t, "accepted", view["status"])
	require.Equal(t, "Thorough", view["review_comment"])

	// An accepted report takes no more evidence.
	before = f.financeSnapshot(t)
	res = f.uploadToReport(t, interim, g.Token, "late.pdf", pdfBytes)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	require.Equal(t, before, f.financeSnapshot(t))

	// A grant whose workflow has ended cannot take a report; one whose
	// workflow is still starting asks to retry.
	rc.answer(func(sentUpdate) (any, error) { return nil, serviceerror.NewNotFound("workflow not found") })
	f.expectRefusals(t, nil, []rejection{{"grant starting", g.Token, "POST", "/reports/" + g.Reports[1] + "/submit", good, 409, "not_ready", ""}})
	require.Len(t, rc.take(), 1)
	f.exec(t, `UPDATE grants SET status = 'completed', completed_at = now() WHERE id = $1`, g.ID)
	rc.answer(func(sentUpdate) (any, error) { return nil, serviceerror.NewNotFound("workflow not found") })
	final := "/reports/" + g.Reports[1] + "/submit"
	f.expectRefusals(t, nil, []rejection{{"grant completed", g.Token, "POST", final, good, 409, "invalid_state", ""}})
	require.Len(t, rc.take(), 1)
	var raw json.RawMessage
	require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT answers FROM reports WHERE id = $1`, g.Reports[1]).Scan(&raw))
	require.JSONEq(t, `{}`, string(raw))
}
