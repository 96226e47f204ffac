package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/organisation"
)

// mgrTable is the table with the given id, up to its end.
func mgrTable(t *testing.T, body, tableID string) string {
	t.Helper()
	i := strings.Index(body, `id="`+tableID+`"`)
	require.GreaterOrEqual(t, i, 0, tableID)
	j := strings.Index(body[i:], "</table>")
	require.Greater(t, j, 0)
	return body[i : i+j]
}

// mgrRow is the table row whose header is head, squeezed to its text.
func mgrRow(t *testing.T, table, head string) string {
	t.Helper()
	i := strings.Index(table, ">"+head+"<")
	require.GreaterOrEqual(t, i, 0, "%s in %s", head, table)
	j := strings.Index(table[i:], "</tr>")
	require.Greater(t, j, 0)
	row := table[i : i+j]
	var b strings.Builder
	in := false
	for _, r := range row {
		switch {
		case r == '<':
			in = true
			b.WriteByte('|')
		case r == '>':
			in = false
		case !in && r != '\n' && r != ' ':
			b.WriteRune(r)
		}
	}
	var cells []string
	for _, c := range strings.Split(b.String(), "|") {
		if c != "" {
			cells = append(cells, c)
		}
	}
	return strings.Join(cells, " ")
}

func TestManagerDashboardCharts(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.Name = "Roots <one>"
	def.BudgetPence = 2_000_000
	def.OpensAt = def.OpensAt.Add(-time.Hour)
	r1 := s.env.Round(t, def)
	def2 := apptest.ExampleRound(t)
	def2.Name = "Roots two"
	r2 := s.env.Round(t, def2)

	s.env.ActiveGrant(t, r1, "south1@example.org", 300_000)
	s.env.ActiveGrant(t, r1, "south2@example.org", 250_050)
	admin := s.env.User(t, "hackney@example.org")
	income := int64(5_000_000)
	org, err := s.env.App.CreateOrganisation(ctx, admin, organisation.Input{Name: "Hackney Food Bank", LegalForm: "charity",
		CharityNumber: "1099999", Borough: "Hackney", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "2 Mare Street", Town: "London", Postcode: "E8 1HE"}})
	require.NoError(t, err)
	s.env.ActiveGrantOf(t, r2, admin, org.ID, 400_000)
	// Decided 10 and 20 days after submission.
	for i, days := range []int{10, 20} {
		appID := s.env.Submitted(t, r2, []string{"ten@example.org", "twenty@example.org"}[i], true)
		a, err := s.env.App.GetApplication(ctx, s.env.Manager, appID)
		require.NoError(t, err)
		_, err = s.env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: appID, Status: app.StatusInAssessment,
			Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
		require.NoError(t, err)
		at := a.SubmittedAt.Add(time.Duration(days)*24*time.Hour + time.Hour)
		outcome, reason := "reject", "Not this time"
		_, err = s.env.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: appID, Status: app.StatusRejected, Outcome: &outcome,
			Reason: &reason, DecidedBy: &s.env.Manager.ID, DecidedAt: &at})
		require.NoError(t, err)
	}
	s.env.Submitted(t, r2, "waiting@example.org", true)

	v := s.signedIn(t, "manager@example.org")
	p := v.get("/dashboard")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, 1, strings.Count(p.Body, "<h1"))
	require.Contains(t, p.Body, "Programme")
	require.NotContains(t, p.Body, "Your applications and grants")
	require.Equal(t, 4, strings.Count(p.Body, `role="img"`))
	for _, c := range []string{"chart-budget", "chart-pipeline", "chart-boroughs", "chart-days"} {
		require.Contains(t, p.Body, `aria-labelledby="`+c+`-title `+c+`-desc"`)
		require.Contains(t, p.Body, `<title id="`+c+`-title">`)
	}
	require.NotContains(t, p.Body, "Roots <one>")
	require.Contains(t, p.Body, "Roots &lt;one&gt;")
	require.NotContains(t, p.Body, ` style="`)

	budget := mgrTable(t, p.Body, "table-budget")
	require.Contains(t, budget, "<caption")
	require.Contains(t, budget, `<th scope="col"`)
	require.Equal(t, "Roots&lt;one&gt; £20,000 £5,500.50 £14,499.50", mgrRow(t, budget, "Roots &lt;one&gt;"))
	require.Equal(t, "Rootstwo £500,000 £4,000 £496,000", mgrRow(t, budget, "Roots two"))
	require.Equal(t, "Total £520,000 £9,500.50 £510,499.50", mgrRow(t, budget, "Total"))
	require.Contains(t, p.Body, "£5,500.50 committed, £14,499.50 left") // the chart's own label

	pipeline := mgrTable(t, p.Body, "table-pipeline")
	require.Equal(t, "Approved 3", mgrRow(t, pipeline, "Approved"))
	require.Equal(t, "Rejected 2", mgrRow(t, pipeline, "Rejected"))
	require.Equal(t, "Submitted 1", mgrRow(t, pipeline, "Submitted"))
	require.Equal(t, "Draft 0", mgrRow(t, pipeline, "Draft"))
	require.Equal(t, "Total 6", mgrRow(t, pipeline, "Total"))

	boroughs := mgrTable(t, p.Body, "table-boroughs")
	require.Equal(t, "Southwark 2 £5,500.50", mgrRow(t, boroughs, "Southwark"))
	require.Equal(t, "Hackney 1 £4,000", mgrRow(t, boroughs, "Hackney"))
	require.Less(t, strings.Index(boroughs, "Southwark"), strings.Index(boroughs, "Hackney"))
	require.Contains(t, p.Body, "£5,500.50, 2 grants")

	days := mgrTable(t, p.Body, "table-days")
	require.Equal(t, "0to7days 3", mgrRow(t, days, "0 to 7 days"))
	require.Equal(t, "8to14days 1", mgrRow(t, days, "8 to 14 days"))
	require.Equal(t, "15to28days 1", mgrRow(t, days, "15 to 28 days"))
	require.Equal(t, "57ormoredays 0", mgrRow(t, days, "57 or more days"))
	require.Contains(t, days, "median 0 days") // 0, 0, 0, 10, 20
	require.Contains(t, p.Body, "Median: 0 days")
}

func TestDashboardPerRole(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	r := s.env.Round(t, apptest.ExampleRound(t))

	// An applicant with a grant (its application approved) and a draft.
	g := s.env.ActiveGrant(t, r, "grantee@example.org", 300_000)
	other := s.env.Round(t, apptest.ExampleRound(t))
	_, err := s.env.App.CreateApplication(ctx, g.Admin, other.ID, g.OrgID)
	require.NoError(t, err)
	// A case in assessment, assigned to an assessor.
	caseID := s.env.Submitted(t, r, "case@example.org", true)
	_, err = s.env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: caseID, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	assessor := s.env.User(t, "assessor@example.org", app.RoleAssessor)
	deadline := time.Date(2031, 3, 14, 17, 0, 0, 0, time.UTC)
	_, err = s.env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: caseID,
		RoundID: r.ID, AssessorID: assessor.ID, Deadline: deadline, AssignedAt: time.Now()})
	require.NoError(t, err)
	// Payments: one awaiting approval, one failed.
	s.env.SetPayment(t, g.Payments[0], "awaiting_approval", "stripe")
	s.env.SetPayment(t, g.Payments[1], "failed", "stripe")
	s.env.User(t, "chair@example.org", app.RoleChair)
	s.env.User(t, "finance@example.org", app.RoleFinance)

	sections := []string{"Your applications and grants", "Assessments</h2>", "Rounds to decide", "Payments</h2>", "Programme</h2>"}
	for _, tc := range []struct {
		email string
		want  int // index in sections
		has   []string
	}{
		{"grantee@example.org", 0, []string{`data-count="drafts">1<`, `data-count="submitted">1<`, `data-count="grants">1<`, `href="/applications"`}},
		{"assessor@example.org", 1, []string{"You have 1 assessment waiting to be scored.", "The next deadline is 14 March 2031 at 5:00pm.", `href="/assessments"`}},
		{"chair@example.org", 2, []string{`href="/panel/rounds/` + r.ID + `"`, r.Name + `</a></th>`, `govuk-table__cell--numeric">1</td>`}},
		{"finance@example.org", 3, []string{`data-count="awaiting">1<`, `data-count="failed">1<`, `href="/payments?status=failed"`}},
		{"manager@example.org", 4, []string{`role="img"`}},
	} {
		v := s.signedIn(t, tc.email)
		p := v.get("/dashboard")
		require.Equal(t, http.StatusOK, p.Code, tc.email)
		require.Equal(t, 1, strings.Count(p.Body, "<h1"), tc.email)
		for i, sec := range sections {
			if i == tc.want {
				require.Contains(t, p.Body, sec, tc.email)
			} else {
				require.NotContains(t, p.Body, sec, tc.email)
			}
		}
		for _, h := range tc.has {
			require.Contains(t, p.Body, h, tc.email)
		}
	}

	// Signed out: to sign-in, coming back here.
	p := s.visitor(t).get("/dashboard")
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/sign-in?next=%2Fdashboard", p.Location)
}

func TestDashboardEmpty(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	v := s.signedIn(t, "manager@example.org")
	p := v.get("/dashboard")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "There are no rounds yet.")
	require.Contains(t, p.Body, "No grants have been awarded yet.")
	require.Contains(t, p.Body, "No application has been decided yet.")
	require.Equal(t, 1, strings.Count(p.Body, `role="img"`)) // the pipeline, all zero
}
