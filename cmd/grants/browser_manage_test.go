package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
)

// A programme manager's pages, in a browser with JavaScript off (every
// journey must work without it), beside a grantee's reporting in one with
// it on; every page passes axe and is saved as a screenshot.
//
// The manager reads the dashboard's charts and their tables; edits a round
// that has not opened (a budget that is not an amount first); tries to
// create a round with nothing filled in; moderates a case whose assessors
// disagree (the rationale forgotten first) and reads its audit trail; and
// finds an overdue report. The grantee sends an interim report (an answer
// forgotten first) with a file of evidence uploaded (what was typed kept);
// the manager asks for changes (without saying which, then saying); the
// grantee sends it again with another file chosen and the manager accepts
// it.
func TestBrowserManagerAndReports(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	ctx := context.Background()
	assessor1 := s.env.User(t, "assessor1@example.org", app.RoleAssessor)
	assessor2 := s.env.User(t, "assessor2@example.org", app.RoleAssessor)
	lead := s.env.User(t, "lead@example.org")

	// A round in assessment whose one case the assessors disagree on:
	// 100 and 20, a spread over the 20 points' threshold.
	def := apptest.ManualRound(t)
	def.Name = "Roots Incubator spring round"
	r := s.env.Round(t, def)
	const caseOrg = "Peckham Youth Hub"
	appID := s.env.SubmitAs(t, r, lead, apptest.Lead{Name: caseOrg})
	for _, a := range waitAssigned(t, s, appID, 2) {
		who, score := assessor1, 5
		if a.AssessorID == assessor2.ID {
			who, score = assessor2, 1
		}
		scores := map[string]any{}
		for _, c := range def.Criteria {
			scores[c.Key] = map[string]any{"score": score, "justification": "Scored from the application."}
		}
		scoreAssessment(t, s.env, who, a.ID, scores)
	}

	// A round that opens next week, for the manager to edit.
	upcoming := apptest.ExampleRound(t)
	upcoming.Programme, upcoming.Name = "spaces-at-risk", "Spaces at Risk autumn round"
	upcoming.OpensAt, upcoming.ClosesAt = time.Now().Add(7*24*time.Hour).Truncate(time.Second), time.Now().Add(40*24*time.Hour).Truncate(time.Second)
	next := s.env.Round(t, upcoming)

	// Grants on a third round: one whose workflow runs, for the grantee
	// to report on; one whose interim report is ten days overdue.
	grantsDef := apptest.ManualRound(t)
	grantsDef.Name = "Roots Incubator winter round"
	gr := s.env.Round(t, grantsDef)
	g := s.env.ActiveGrant(t, gr, "grantee@example.org", 300_000)
	_, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(g.ID), TaskQueue: s.queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: g.ID, ApplicationID: g.AppID})
	require.NoError(t, err)
	late := s.env.ActiveGrant(t, gr, "late@example.org", 200_000)
	_, err = s.env.Store.Pool.Exec(ctx, `UPDATE reports SET status = 'overdue', due_at = now() - interval '10 days 2 hours' WHERE id = $1`, late.Reports[0])
	require.NoError(t, err)

	m := newBrowserPage(t, webRoot(s), withoutJavaScript())
	signIn(m, s.env.Manager.Email)

	// The dashboard: four charts, each an image with a name and a table
	// of its data.
	m.expectHeading("Dashboard")
	m.expectText("Budget committed and remaining by round", "Applications by status", r.Name, next.Name, gr.Name)
	charts := call[[]string](m, `() => [...document.querySelectorAll('figure svg')].map((s) =>
		s.getAttribute('role') + ':' + (s.getAttribute('aria-labelledby') || s.getAttribute('aria-label') ? 'named' : 'unnamed'))`)
	require.Len(t, charts, 4, "the dashboard's charts")
	for _, c := range charts {
		require.Equal(t, "img:named", c)
	}
	budgetRow := call[string](m, `(name) => [...document.querySelectorAll('#table-budget tbody tr')]
		.map((tr) => tr.innerText).find((t) => t.startsWith(name)) || ''`, gr.Name)
	require.Equal(t, gr.Name+" £500,000 £5,000 £495,000", normSpace(budgetRow), "the winter round's two awards, £3,000 and £2,000")

	// Edit the round that has not opened: a budget that is not an amount,
	// kept as typed, then a right one.
	m.clickLink("Rounds")
	m.expectPath("/manage/rounds")
	m.expectHeading("Rounds")
	m.clickLink("Edit " + next.Name)
	m.expectPath("/manage/rounds/" + next.ID + "/edit")
	require.Equal(t, "500,000", m.fieldValue("Budget"))
	m.fillByLabel("Budget", "lots")
	m.clickButton("Save round")
	m.expectInvalid("Enter the budget in pounds and pence, like 5,000 or 1,234.50")
	require.Equal(t, "lots", m.fieldValue("Budget"))
	m.fillByLabel("Budget", "650,000")
	m.fillByLabel("Name of the round", "Spaces at Risk autumn round 2027")
	m.clickButton("Save round")
	m.expectText("Round saved")
	got, err := s.env.App.GetRound(ctx, next.ID)
	require.NoError(t, err)
	require.Equal(t, int64(65_000_000), got.BudgetPence)
	require.Equal(t, "Spaces at Risk autumn round 2027", got.Name)

	// A new round with nothing filled in: every problem listed, nothing
	// created.
	m.clickLink("Rounds")
	m.clickButton("Create a round")
	m.expectPath("/manage/rounds/new")
	m.clickButton("Create round")
	m.expectStatus(422)
	m.expectText("There is a problem", "Choose a programme", "Enter a name", "Enter when the round opens", "Enter a budget of more than £0", "Criterion 1: Enter a weight of 1 or more")
	rounds, err := s.env.App.ListRounds(ctx, app.RoundFilter{})
	require.NoError(t, err)
	require.Len(t, rounds.Items, 3, "nothing created")

	// Moderation: the ranking flags the disagreement; the total is
	// moderated (after forgetting why) and the trail records it.
	m.clickLink("Panel")
	m.clickLink(r.Name + ": ranking")
	m.expectPath("/panel/rounds/" + r.ID)
	m.expectText("Assessors disagree")
	m.clickLink(caseOrg)
	m.expectPath("/cases/" + appID)
	m.clickButton("Moderate the total")
	m.expectPath("/cases/" + appID + "/moderate")
	m.expectText("Assessors disagree", "100, 20 (spread 80 points)")
	m.fillByLabel("Moderated total", "65")
	m.clickButton("Save moderated total")
	m.expectInvalid("Explain why you are moderating the total")
	require.Equal(t, "65", m.fieldValue("Moderated total"))
	m.fillByLabel("Why are you moderating the total?", "The second assessor misread the budget; the panel agreed 65.")
	m.clickButton("Save moderated total")
	m.expectPath("/cases/" + appID)
	m.expectText("The moderated total has been saved.", "Weighted score 65 out of 100")
	m.clickLink("View the audit trail")
	m.expectPath("/cases/" + appID + "/audit")
	m.expectHeading("Audit trail")
	m.expectText("Verified", "The second assessor misread the budget", "Test "+s.env.Manager.Email)

	// Reports: the overdue one first.
	m.clickLink("Reports")
	m.expectPath("/manage/reports")
	m.expectHeading("Reports")
	m.expectText("Overdue reports, 1", "Org of late@example.org", "10 days", "No reports are waiting for review.")

	// The grantee sends the interim report: an answer forgotten, kept what
	// was typed; evidence uploaded; sent.
	gb := newBrowserPage(t, webRoot(s))
	signIn(gb, g.Admin.Email)
	gb.clickLink("Your applications")
	gb.clickLink(gr.Name)
	gb.expectPath("/grants/" + g.ID)
	gb.clickLink("Send Interim report")
	gb.expectPath("/reports/" + g.Reports[0])
	gb.expectHeading("Interim report")
	gb.fillByLabel("How much of the grant have you spent so far?", "1,250.50")
	gb.uploadByLabel("Upload a file", writePDF(t, "attendance.pdf"))
	gb.clickButton("Upload file")
	gb.expectText("attendance.pdf has been uploaded")
	require.Equal(t, "1,250.50", gb.fieldValue("How much of the grant have you spent so far?"), "what was typed is kept")
	gb.clickButton("Send report")
	gb.expectInvalid("Answer this question: What has happened?")
	require.Equal(t, "1,250.50", gb.fieldValue("How much of the grant have you spent so far?"))
	gb.fillByLabel("What has happened?", "Six cooking clubs so far.")
	gb.clickButton("Send report")
	gb.expectText("Your interim report has been sent", "Six cooking clubs so far.", "£1,250.50", "attendance.pdf")

	// The manager asks for changes, first without saying which.
	m.clickLink("Reports")
	m.expectText("Submitted reports awaiting review, 1")
	m.clickLink("Org of grantee@example.org: review the interim report")
	m.expectHeading("Interim report")
	m.expectText("Six cooking clubs so far.", "£1,250.50", "attendance.pdf")
	m.choose("What is your decision?", "Ask for changes")
	m.clickButton("Send review")
	m.expectInvalid("Enter what the grantee needs to change")
	m.choose("What is your decision?", "Ask for changes")
	m.fillByLabel("Feedback for the grantee", "Add how many people came.")
	m.clickButton("Send review")
	m.expectText("Changes requested", "Add how many people came.")

	// The grantee changes the report and sends it again; the manager
	// accepts it.
	gb.clickLink("Return to your grant")
	gb.expectPath("/grants/" + g.ID)
	gb.clickLink("Update and send again Interim report")
	gb.expectText("The programme team asked for changes", "Add how many people came.")
	require.Equal(t, "Six cooking clubs so far.", gb.fieldValue("What has happened?"))
	gb.fillByLabel("What has happened?", "Six cooking clubs so far, with 84 attendances.")
	gb.uploadByLabel("Upload a file", writePDF(t, "register.pdf")) // chosen, and sent with the report
	gb.clickButton("Send report")
	gb.expectText("Your interim report has been sent", "with 84 attendances", "attendance.pdf", "register.pdf")

	m.clickLink("Reports")
	m.clickLink("Org of grantee@example.org: review the interim report")
	m.choose("What is your decision?", "Accept the report")
	m.clickButton("Send review")
	m.expectText("Report accepted")

	rep, err := s.env.App.GetReport(ctx, g.Admin, g.Reports[0])
	require.NoError(t, err)
	require.Equal(t, workflows.ReportAccepted, rep.Status)
	require.EqualValues(t, 125_050, *rep.SpendPence)
	require.Len(t, rep.Documents, 2)
}

// scoreAssessment scores an assessment through the use cases, trying again
// while its case's workflow is still taking the assignment in (not_ready).
func scoreAssessment(t *testing.T, env *apptest.Env, who app.Actor, asmID string, scores map[string]any) {
	t.Helper()
	deadline := time.Now().Add(workflowWait)
	for {
		_, err := env.App.Score(context.Background(), who, asmID, apptest.Body(t, map[string]any{"scores": scores}))
		if err == nil {
			return
		}
		if e, ok := app.AsError(err); !ok || e.Code != "not_ready" || time.Now().After(deadline) {
			t.Fatalf("score %s: %v", asmID, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
