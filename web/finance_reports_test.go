package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// The managers' reports queue and a report's page: overdue first, then
// submitted ones with their answers, spend and evidence; the review
// form's own checks; other roles refused.
func TestFinanceReportPages(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	ctx := context.Background()
	late := b.env.ActiveGrant(t, b.manual, "late@example.org", 250_000)
	b.exec(t, `UPDATE reports SET status = 'overdue', due_at = now() - interval '10 days 2 hours' WHERE id = $1`, late.Reports[0])
	done := b.env.ActiveGrant(t, b.manual, "done@example.org", 250_000)
	report := done.Reports[0]
	doc, err := b.env.App.UploadReportDocument(ctx, done.Admin, report, finPDF)
	require.NoError(t, err)
	b.exec(t, `UPDATE reports SET status = 'submitted', answers = '{"progress": "Six clubs so far, 84 attendances."}',
		spend_pence = 30050, submitted_at = now(), submitted_by = $2 WHERE id = $1`, report, done.Admin.ID)

	anon := b.visitor(t)
	r := anon.get("/manage/reports")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fmanage%2Freports", r.Location)
	require.Equal(t, http.StatusSeeOther, anon.get("/manage/reports/"+report).Code)
	for _, email := range []string{"finance1@example.org", "done@example.org"} {
		v := b.signedIn(t, email)
		require.Equal(t, http.StatusForbidden, v.get("/manage/reports").Code, email)
		require.Equal(t, http.StatusForbidden, v.get("/manage/reports/"+report).Code, email)
		require.Equal(t, http.StatusForbidden, v.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"accept"}}).Code, email)
	}

	mgr := b.signedIn(t, "manager@example.org")
	r = mgr.get("/manage/reports")
	require.Equal(t, http.StatusOK, r.Code)
	overdue := strings.Index(r.Body, "Org of late@example.org")
	submitted := strings.Index(r.Body, "Org of done@example.org")
	require.Positive(t, overdue)
	require.Greater(t, submitted, overdue, "overdue reports come first")
	require.Contains(t, r.Body, "10 days")
	require.Contains(t, r.Body, `href="/manage/reports/`+late.Reports[0]+`"`)
	require.Contains(t, r.Body, `href="/manage/reports/`+report+`"`)

	r = mgr.get("/manage/reports/" + report)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Interim report")
	require.Contains(t, r.Body, "Org of done@example.org")
	require.Contains(t, r.Body, "What has happened?")
	require.Contains(t, r.Body, "Six clubs so far, 84 attendances.")
	require.Contains(t, r.Body, "£300.50")
	require.Contains(t, r.Body, `href="/documents/`+doc.ID+`">evidence.pdf`)
	require.Contains(t, r.Body, `action="/manage/reports/`+report+`/review"`)
	require.Equal(t, 1, strings.Count(r.Body, "<h1"))

	// An overdue report has no answers to review yet.
	r = mgr.get("/manage/reports/" + late.Reports[0])
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "The grantee has not submitted this report yet.")
	require.NotContains(t, r.Body, "/review\"")

	// The form's own checks: nothing chosen; changes asked for without
	// saying what, with the choice kept.
	before := b.snapshot(t)
	r = mgr.post("/manage/reports/"+report+"/review", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `<a href="#outcome">Select whether to accept the report or ask for changes</a>`)
	r = mgr.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"request_changes"}, "comment": {" "}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#comment">Enter what the grantee needs to change</a>`)
	require.Contains(t, r.Body, `value="request_changes" checked`)
	r = mgr.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"accept"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	// A valid review with no workflows answering: the page says so and
	// keeps the feedback.
	r = mgr.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"request_changes"}, "comment": {"Add the attendance figures"}})
	require.Equal(t, http.StatusServiceUnavailable, r.Code)
	require.Contains(t, r.Body, ">Add the attendance figures</textarea>")
	require.Equal(t, before, b.snapshot(t))

	require.Equal(t, http.StatusNotFound, mgr.get("/manage/reports/"+id.New(id.Report)).Code)
	require.Equal(t, http.StatusNotFound, mgr.post("/manage/reports/"+id.New(id.Report)+"/review", url.Values{"outcome": {"accept"}}).Code)
}

// A manager asks for changes and then accepts a resubmitted report,
// through the grant's real workflow.
func TestFinanceReportReviewThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := finSetup(t)
	tc, queue, _ := b.finWorkflows(t)
	ctx := context.Background()
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	finStartGrant(t, tc, queue, g)
	report := g.Reports[0]
	submit := func(progress string) {
		body := map[string]any{"answers": map[string]any{"progress": progress}, "spend_pence": 30_000}
		require.Eventually(t, func() bool {
			_, err := b.env.App.SubmitReport(ctx, g.Admin, report, apptest.Body(t, body))
			if err != nil && strings.Contains(err.Error(), "not_ready") {
				return false
			}
			require.NoError(t, err)
			return true
		}, 20*time.Second, 100*time.Millisecond)
	}
	submit("Six clubs so far.")

	mgr := b.signedIn(t, "manager@example.org")
	mgr.get("/manage/reports/" + report)
	r := retryingPost(t, mgr, "/manage/reports/"+report+"/review",
		url.Values{"outcome": {"request_changes"}, "comment": {"Add the attendance figures"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/manage/reports/"+report+"?reviewed=request_changes", r.Location)
	r = mgr.get(r.Location)
	require.Contains(t, r.Body, "Changes requested")
	require.Contains(t, r.Body, `govuk-tag--yellow">Changes requested`)
	require.Contains(t, r.Body, "Add the attendance figures")
	require.NotContains(t, r.Body, "/review\"", "nothing to review until it is submitted again")

	// Reviewing it again now is refused by the use case and changes
	// nothing.
	before := b.snapshot(t)
	r = mgr.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"accept"}})
	require.Equal(t, http.StatusConflict, r.Code)
	require.Contains(t, r.Body, "Only a submitted report can be reviewed")
	require.Equal(t, before, b.snapshot(t))

	submit("Six clubs so far, 84 attendances.")
	r = mgr.get("/manage/reports")
	require.Contains(t, r.Body, `href="/manage/reports/`+report+`"`)
	mgr.get("/manage/reports/" + report)
	r = mgr.post("/manage/reports/"+report+"/review", url.Values{"outcome": {"accept"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	r = mgr.get(r.Location)
	require.Contains(t, r.Body, "Report accepted")
	require.Contains(t, r.Body, `govuk-tag--green">Accepted`)
	got, err := b.env.App.GetReport(ctx, b.env.Manager, report)
	require.NoError(t, err)
	require.Equal(t, workflows.ReportAccepted, got.Status)
}
