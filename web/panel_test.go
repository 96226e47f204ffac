package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// panelFixture is a site with the example round, an applicant, three
// assessors and a chair (the manager comes with the site).
type panelFixture struct {
	s          *site
	round      app.Round
	applicant  app.Actor
	a1, a2, a3 app.Actor
	chair      app.Actor
}

func panelSetup(t *testing.T, change func(*round.Definition)) *panelFixture {
	t.Helper()
	s := newSite(t)
	def := apptest.ExampleRound(t)
	if change != nil {
		change(&def)
	}
	return &panelFixture{s: s, round: s.env.Round(t, def),
		applicant: s.env.User(t, "applicant@example.org"),
		a1:        s.env.User(t, "assessor1@example.org", app.RoleAssessor),
		a2:        s.env.User(t, "assessor2@example.org", app.RoleAssessor),
		a3:        s.env.User(t, "assessor3@example.org", app.RoleAssessor),
		chair:     s.env.User(t, "chair@example.org", app.RoleChair),
	}
}

// user is a visitor signed in as email, holding the CSRF token of their
// session (sign-in answers with a redirect, so fetch a page first).
func (p *panelFixture) user(t *testing.T, email string) *visitor {
	t.Helper()
	v := p.s.signedIn(t, email)
	require.Equal(t, http.StatusOK, v.get("/").Code)
	return v
}

// inAssessment submits an application from a new organisation named name
// and moves it to in_assessment as the eligibility activity would.
func (p *panelFixture) inAssessment(t *testing.T, name string, requested int64) string {
	t.Helper()
	appID := p.s.env.SubmitAs(t, p.round, p.applicant, apptest.Lead{Name: name, RequestedPence: requested})
	_, err := p.s.env.Store.ApplicationSetEligibility(context.Background(), sqlc.ApplicationSetEligibilityParams{
		ID: appID, Status: app.StatusInAssessment, Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	return appID
}

// assign seeds an assessment due at deadline.
func (p *panelFixture) assign(t *testing.T, appID, assessorID string, deadline time.Time) string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	a, err := p.s.env.Store.AssessmentInsert(context.Background(), sqlc.AssessmentInsertParams{ID: id.New(id.Assessment),
		ApplicationID: appID, RoundID: p.round.ID, AssessorID: assessorID, Deadline: deadline, AssignedAt: now})
	require.NoError(t, err)
	return a.ID
}

// score seeds scores (need, led_by, delivery) with a stored total.
func (p *panelFixture) score(t *testing.T, asmID string, total int64, need int) {
	t.Helper()
	scores, err := json.Marshal(map[string]workflows.CriterionScore{
		"need": {Score: need, Justification: "Clear evidence of need " + asmID}, "led_by": {Score: 4, Justification: "Community-led"},
		"delivery": {Score: 4, Justification: "Realistic plan"}})
	require.NoError(t, err)
	now := time.Now()
	_, err = p.s.env.Store.AssessmentScore(context.Background(), sqlc.AssessmentScoreParams{ID: asmID, Scores: scores,
		TotalHundredths: &total, ScoredAt: &now})
	require.NoError(t, err)
}

// approve seeds an approval with its grant and budget commitment, as the
// decide activity would.
func (p *panelFixture) approve(t *testing.T, appID string, award int64) {
	t.Helper()
	ctx := context.Background()
	row, err := p.s.env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	now := time.Now()
	g, err := p.s.env.Store.GrantInsert(ctx, sqlc.GrantInsertParams{ID: id.New(id.Grant), ApplicationID: appID, RoundID: row.RoundID,
		OrganisationID: row.OrganisationID, AwardPence: award, Conditions: "Spend it well", OfferedAt: now,
		OfferExpiresAt: now.Add(28 * 24 * time.Hour)})
	require.NoError(t, err)
	_, err = p.s.env.Store.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: row.RoundID, ApplicationID: appID, AmountPence: award})
	require.NoError(t, err)
	outcome, reason := workflows.OutcomeApprove, "Strong case"
	_, err = p.s.env.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: appID, Status: app.StatusApproved, Outcome: &outcome,
		Reason: &reason, DecidedBy: &p.chair.ID, DecidedAt: &now, GrantID: &g.ID, AwardPence: &award})
	require.NoError(t, err)
}

// snapshot is every row a panel form could change.
func (p *panelFixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, table := range []string{"applications", "assessments", "assessor_conflicts", "users", "grants", "budget_commitments"} {
		var js string
		require.NoError(t, p.s.env.Store.Pool.QueryRow(ctx,
			`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]')::text FROM `+table+` x`).Scan(&js))
		b.WriteString(table + ":" + js + "\n")
	}
	for _, table := range []string{"audit_events", "outbox"} {
		var n int
		require.NoError(t, p.s.env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		b.WriteString(table + ":" + strings.Repeat("|", n) + "\n")
	}
	return b.String()
}

func (p *panelFixture) application(t *testing.T, appID string) app.Application {
	t.Helper()
	a, err := p.s.env.App.GetApplication(context.Background(), p.s.env.Manager, appID)
	require.NoError(t, err)
	return a
}

// panelRequireSignIn checks that a visitor without a session is sent to
// sign-in with the page as next.
func panelRequireSignIn(t *testing.T, s *site, path string) {
	t.Helper()
	r := s.visitor(t).get(path)
	require.Equal(t, http.StatusSeeOther, r.Code, path)
	require.Equal(t, "/sign-in?next="+url.QueryEscape(path), r.Location, path)
}

// panelRow is the table row of the ranking that links to the case.
func panelRow(t *testing.T, body, appID string) string {
	t.Helper()
	for _, row := range strings.Split(body, `<tr class="govuk-table__row">`) {
		if strings.Contains(row, `href="/cases/`+appID+`"`) {
			return row[:strings.Index(row, "</tr>")]
		}
	}
	t.Fatalf("no row for %s", appID)
	return ""
}

// panelRetry posts until the case's workflow is ready for the command
// (right after an assignment the workflow answers "try again in a moment").
func panelRetry(t *testing.T, v *visitor, path string, form url.Values) page {
	t.Helper()
	var r page
	require.Eventually(t, func() bool {
		r = v.post(path, form)
		return !(r.Code == http.StatusConflict && strings.Contains(r.Body, "try again in a moment"))
	}, 20*time.Second, 200*time.Millisecond)
	return r
}

func panelScores(need, ledBy, delivery string) url.Values {
	return url.Values{
		"score_need": {need}, "justification_need": {"Evidence of need from the local survey"},
		"score_led_by": {ledBy}, "justification_led_by": {"Led by its members"},
		"score_delivery": {delivery}, "justification_delivery": {"A credible plan"},
	}
}

func TestPanelAssessorQueue(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	mine := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	theirs := p.inAssessment(t, "Peckham Allotment Society", 250_000)
	later := p.inAssessment(t, "Walworth Youth Choir", 250_000)
	now := time.Now().UTC().Truncate(time.Microsecond)
	overdue := p.assign(t, mine, p.a1.ID, now.Add(-time.Hour))
	soon := p.assign(t, later, p.a1.ID, now.Add(48*time.Hour))
	other := p.assign(t, theirs, p.a2.ID, now.Add(24*time.Hour))

	v := p.user(t, "assessor1@example.org")
	r := v.get("/assessments")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "<h1 class=\"govuk-heading-l\">Your assessments</h1>")
	require.Contains(t, r.Body, `href="/assessments/`+overdue+`"`)
	require.Contains(t, r.Body, `href="/assessments/`+soon+`"`)
	require.Contains(t, r.Body, "Bermondsey Cooking Club")
	require.Contains(t, r.Body, mine, "the application's reference")
	require.Contains(t, r.Body, p.round.Name)
	require.Contains(t, r.Body, "Overdue")
	require.Less(t, strings.Index(r.Body, overdue), strings.Index(r.Body, soon), "sorted by deadline")
	require.NotContains(t, r.Body, other, "only the assessor's own queue")
	require.NotContains(t, r.Body, "Peckham Allotment Society")
	require.Contains(t, r.Body, `href="/assessments/affiliations"`)

	// Another assessor's assessment, and one that does not exist: 404.
	require.Equal(t, http.StatusNotFound, v.get("/assessments/"+other).Code)
	require.Equal(t, http.StatusNotFound, v.get("/assessments/asm_nope").Code)
	require.Equal(t, http.StatusNotFound, v.get("/assessments/"+other+"/conflict").Code)

	// Not an assessor: 403; no session: sign in.
	for _, email := range []string{"applicant@example.org", "chair@example.org", "manager@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get("/assessments").Code, email)
		require.Equal(t, http.StatusForbidden, w.get("/assessments/"+overdue).Code, email)
	}
	for _, path := range []string{"/assessments", "/assessments/" + overdue, "/assessments/" + overdue + "/conflict", "/assessments/affiliations"} {
		panelRequireSignIn(t, p.s, path)
	}
}

func TestPanelScoringPage(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	asm := p.assign(t, appID, p.a1.ID, time.Now().Add(72*time.Hour))
	v := p.user(t, "assessor1@example.org")

	r := v.get("/assessments/" + asm)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	for _, want := range []string{
		"Assess the application from Bermondsey Cooking Club",
		"We will run weekly cooking clubs for isolated older people in Bermondsey.", // an answer
		"What will you do?", "Is your work mainly in London?", "Yes",
		"£2,500", "Southwark Pensioners Centre",
		"Need and evidence", "Led by and for the community", "Deliverability", "Weight 40",
		`name="score_need" type="radio" value="5"`, `id="justification_need"`, `data-maxlength="5000"`,
		"Save scores", `href="/assessments/` + asm + `/conflict"`, "No documents were uploaded.",
	} {
		require.Contains(t, r.Body, want)
	}
	require.Equal(t, 1, strings.Count(r.Body, "<h1"), "one h1")

	// Missing scores and justifications: 422, every problem listed, what
	// was typed kept, nothing changed.
	before := p.snapshot(t)
	form := panelScores("4", "", "3")
	form.Set("justification_need", "Strong local evidence")
	form.Set("justification_delivery", " ")
	r = v.post("/assessments/"+asm, form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#score_led_by">Choose a score for led by and for the community</a>`)
	require.Contains(t, r.Body, `<a href="#justification_delivery">Explain your score for deliverability</a>`)
	require.Contains(t, r.Body, "Strong local evidence")
	require.Regexp(t, `id="score_need-5" name="score_need" type="radio" value="4" checked`, r.Body)
	require.Contains(t, r.Body, "<title>Error: ")
	require.Equal(t, before, p.snapshot(t))

	// A score out of range is refused too.
	r = v.post("/assessments/"+asm, panelScores("9", "4", "3"))
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, "Choose a score from 0 to 5 for need and evidence")
	require.Equal(t, before, p.snapshot(t))

	// Without a valid CSRF token: 403, nothing changed.
	for _, tok := range []string{"", "forged"} {
		form := panelScores("4", "4", "3")
		form.Set("csrf_token", tok)
		r = v.post("/assessments/"+asm, form)
		require.Equal(t, http.StatusForbidden, r.Code, r.Body)
	}
	require.Equal(t, before, p.snapshot(t))

	// Valid scores go to the case's workflow; with no workflow engine the
	// service is unavailable and nothing changes.
	r = v.post("/assessments/"+asm, panelScores("4", "4", "3"))
	require.Equal(t, http.StatusServiceUnavailable, r.Code, r.Body)
	require.Equal(t, before, p.snapshot(t))

	// Scores saved earlier fill the form in.
	p.score(t, asm, 8800, 5)
	r = v.get("/assessments/" + asm)
	require.Equal(t, http.StatusOK, r.Code)
	require.Regexp(t, `id="score_need-6" name="score_need" type="radio" value="5" checked`, r.Body)
	require.Contains(t, r.Body, "Clear evidence of need "+asm)
	require.Contains(t, r.Body, "88 out of 100")

	// Another assessor: 404 for the page and the form.
	scored := p.snapshot(t)
	w := p.user(t, "assessor2@example.org")
	require.Equal(t, http.StatusNotFound, w.get("/assessments/"+asm).Code)
	require.Equal(t, http.StatusNotFound, w.post("/assessments/"+asm, panelScores("0", "0", "0")).Code)
	require.Equal(t, scored, p.snapshot(t))
}

func TestPanelConflictForm(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	asm := p.assign(t, appID, p.a1.ID, time.Now().Add(72*time.Hour))
	v := p.user(t, "assessor1@example.org")

	r := v.get("/assessments/" + asm + "/conflict")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "Declare a conflict of interest</h1>")
	require.Contains(t, r.Body, "Bermondsey Cooking Club")
	require.Contains(t, r.Body, `id="reason"`)
	require.Contains(t, r.Body, "Declare conflict of interest</button>")

	before := p.snapshot(t)
	r = v.post("/assessments/"+asm+"/conflict", url.Values{"reason": {"   "}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#reason">Say what the conflict of interest is</a>`)
	long := strings.Repeat("x", 2001)
	r = v.post("/assessments/"+asm+"/conflict", url.Values{"reason": {long}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, "Keep the reason to 2000 characters or fewer")
	require.Contains(t, r.Body, long, "the typed reason is kept")
	r = v.post("/assessments/"+asm+"/conflict", url.Values{"reason": {"I am a trustee"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, before, p.snapshot(t))

	// Another assessor cannot declare on it.
	w := p.user(t, "assessor2@example.org")
	require.Equal(t, http.StatusNotFound, w.post("/assessments/"+asm+"/conflict", url.Values{"reason": {"x"}}).Code)
	require.Equal(t, before, p.snapshot(t))
}

func TestPanelAffiliations(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	v := p.user(t, "assessor1@example.org")
	r := v.get("/assessments/affiliations")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "Your affiliations</h1>")
	require.Contains(t, r.Body, `id="name-0"`)
	require.Contains(t, r.Body, `id="company_number-2"`)

	before := p.snapshot(t)
	r = v.post("/assessments/affiliations", url.Values{"name-0": {"Peckham Allotment Society"}, "charity_number-0": {"12"},
		"name-1": {""}, "charity_number-1": {""}, "company_number-1": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#charity_number-0">Enter a charity number of 6 to 8 digits, or SC and 6 digits</a>`)
	require.Contains(t, r.Body, `value="Peckham Allotment Society"`)
	require.Equal(t, before, p.snapshot(t))
	r = v.post("/assessments/affiliations", url.Values{"name-0": {"Peckham Allotment Society"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, before, p.snapshot(t))

	// A blank row is skipped; the second row's number is checked under its own field.
	r = v.post("/assessments/affiliations", url.Values{"name-0": {""}, "name-1": {"Walworth Youth Choir"}, "company_number-2": {"0123"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code, r.Body)
	require.Contains(t, r.Body, `<a href="#company_number-2">`)

	r = v.post("/assessments/affiliations", url.Values{"name-0": {"Peckham Allotment Society"}, "charity_number-0": {"1187342"},
		"name-1": {""}, "name-2": {"Walworth Youth Choir"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/assessments?affiliations=1", r.Location)
	me, err := p.s.env.App.Me(context.Background(), p.a1)
	require.NoError(t, err)
	require.Equal(t, []app.Affiliation{{Name: "Peckham Allotment Society", CharityNumber: "1187342"}, {Name: "Walworth Youth Choir"}}, me.Affiliations)
	r = v.get(r.Location)
	require.Contains(t, r.Body, "Your affiliations have been saved.")
	r = v.get("/assessments/affiliations")
	require.Contains(t, r.Body, `value="Walworth Youth Choir"`)
	require.Contains(t, r.Body, `id="name-4"`, "two filled rows and three empty ones")

	w := p.user(t, "chair@example.org")
	require.Equal(t, http.StatusForbidden, w.get("/assessments/affiliations").Code)
	require.Equal(t, http.StatusForbidden, w.post("/assessments/affiliations", url.Values{"name-0": {"x"}}).Code)
}

func TestPanelRanking(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, func(d *round.Definition) {
		d.Name, d.BudgetPence = "Small round", 1_000_000
		d.Tiers = d.Tiers[:1] // micro, up to £5,000
	})
	approved := p.inAssessment(t, "Bravo Bakers", 400_000)
	split := p.inAssessment(t, "Charlie Choir", 300_000)
	top := p.inAssessment(t, "Alpha Allotments", 500_000)
	unscored := p.inAssessment(t, "Echo Eaters", 150_000)
	deadline := time.Now().Add(72 * time.Hour)
	p.score(t, p.assign(t, approved, p.a1.ID, deadline), 9000, 5)
	p.approve(t, approved, 400_000)
	p.score(t, p.assign(t, split, p.a1.ID, deadline), 6000, 3)
	p.score(t, p.assign(t, split, p.a2.ID, deadline), 9000, 5)
	_, err := p.s.env.Store.ApplicationSetFlags(context.Background(), sqlc.ApplicationSetFlagsParams{ID: split, Flags: []string{"needs_moderation"}})
	require.NoError(t, err)
	p.score(t, p.assign(t, top, p.a1.ID, deadline), 8000, 4)
	p.score(t, p.assign(t, top, p.a2.ID, deadline), 7000, 4)
	p.assign(t, unscored, p.a3.ID, deadline)

	for _, email := range []string{"chair@example.org", "manager@example.org"} {
		v := p.user(t, email)
		r := v.get("/panel")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		require.Contains(t, r.Body, `href="/panel/rounds/`+p.round.ID+`"`)
		require.Contains(t, r.Body, "Small round")
		require.Contains(t, r.Body, "£10,000")

		r = v.get("/panel/rounds/" + p.round.ID)
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		body := r.Body
		for _, want := range []string{
			"Small round</h1>", "Running total</th>", "Committed to awards", "Remaining",
			"£10,000", "£4,000", "£6,000", // budget, committed, remaining
			"Assessors disagree", "spread 30 points", "Agree (spread 10 points)",
			"Awarded £4,000", "0 of 1 scored", "2 of 2 scored", "Not scored",
			"Over budget",
		} {
			require.Contains(t, body, want, email)
		}
		// Best first: Bravo (90), Charlie (75, submitted first), Alpha
		// (75), Echo (not scored).
		order := []string{approved, split, top, unscored}
		for i := 1; i < len(order); i++ {
			require.Less(t, strings.Index(body, `href="/cases/`+order[i-1]+`"`), strings.Index(body, `href="/cases/`+order[i]+`"`))
		}
		row := panelRow(t, body, approved)
		require.Contains(t, row, "Awarded £4,000")
		require.Contains(t, row, "Committed")
		row = panelRow(t, body, split)
		require.Contains(t, row, "Assessors disagree")
		require.Contains(t, row, "£3,000</td>", "running total: its own request")
		require.NotContains(t, row, "Over budget")
		row = panelRow(t, body, top)
		require.Contains(t, row, "Agree (spread 10 points)")
		require.Contains(t, row, "£8,000")
		require.Contains(t, row, "Over budget", "£8,000 of the £6,000 left")
		row = panelRow(t, body, unscored)
		require.Contains(t, row, "Not scored")
		require.Contains(t, row, "0 of 1 scored")
		require.Contains(t, row, "£9,500")
	}
	v := p.user(t, "chair@example.org")
	require.Equal(t, http.StatusNotFound, v.get("/panel/rounds/rnd_nope").Code)
	require.Equal(t, http.StatusNotFound, v.get("/panel/rounds/"+id.New(id.Round)).Code)
	for _, email := range []string{"assessor1@example.org", "applicant@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get("/panel").Code, email)
		require.Equal(t, http.StatusForbidden, w.get("/panel/rounds/"+p.round.ID).Code, email)
	}
	panelRequireSignIn(t, p.s, "/panel")
	panelRequireSignIn(t, p.s, "/panel/rounds/"+p.round.ID)
}

// The ranking shows fifty applications a page with GOV.UK pagination; the
// second page continues the ranks and the running total of the first, and
// leads back to it.
func TestPanelRankingPages(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	ctx := context.Background()
	const n = 52
	for _, q := range []string{
		`INSERT INTO organisations (id, name, legal_form, charity_number, borough_name, borough_gss, address, annual_income_pence, created_by)
SELECT 'org_' || lpad(i::text, 26, '0'), 'Paged group ' || i, 'charity', (3100000 + i)::text, 'Camden', 'E09000007',
       '{"line1": "1 Road", "town": "London", "postcode": "NW1 8NH"}', 100000, $2
FROM generate_series(1, $1::int) i WHERE $3::text <> ''`,
		`INSERT INTO applications (id, round_id, organisation_id, status, requested_pence, created_by, submitted_at)
SELECT 'app_' || lpad(i::text, 26, '0'), $3, 'org_' || lpad(i::text, 26, '0'), 'in_assessment', 100000, $2,
       now() - make_interval(secs => $1 - i)
FROM generate_series(1, $1::int) i`,
	} {
		_, err := p.s.env.Store.Pool.Exec(ctx, q, n, p.applicant.ID, p.round.ID)
		require.NoError(t, err)
	}
	appAt := func(i int) string { return fmt.Sprintf("app_%026d", i) }
	chair := p.user(t, "chair@example.org")
	here := "/panel/rounds/" + p.round.ID
	r := chair.get(here)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "best first: ranks 1 to 50")
	require.Contains(t, panelRow(t, r.Body, appAt(50)), "£50,000</td>")
	require.NotContains(t, r.Body, appAt(51))
	require.NotContains(t, r.Body, `rel="prev"`)
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	require.Len(t, next, 2, "a next page link")

	r = chair.get(html.UnescapeString(next[1]))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "best first: ranks 51 to 52")
	require.Contains(t, panelRow(t, r.Body, appAt(51)), "£51,000</td>", "the running total carries on")
	require.Contains(t, panelRow(t, r.Body, appAt(52)), "£52,000</td>")
	require.NotContains(t, r.Body, `href="/cases/`+appAt(50)+`"`)
	require.NotContains(t, r.Body, `rel="next"`)
	require.Contains(t, r.Body, `href="`+here+`" rel="prev"`)

	u, err := url.Parse(html.UnescapeString(next[1]))
	require.NoError(t, err)
	cursor := []byte(u.Query().Get("cursor"))
	cursor[1] ^= 1
	bad := chair.get(here + "?cursor=" + url.QueryEscape(string(cursor)))
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
}

func TestPanelCasePage(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	deadline := time.Now().Add(72 * time.Hour)
	asm := p.assign(t, appID, p.a1.ID, deadline)
	p.score(t, asm, 8000, 4)
	p.assign(t, appID, p.a2.ID, deadline)
	org := p.s.env.Organisation(t, p.applicant, "Draft Dancers")
	draft, err := p.s.env.App.CreateApplication(context.Background(), p.applicant, p.round.ID, org.ID)
	require.NoError(t, err)

	chair := p.user(t, "chair@example.org")
	r := chair.get("/cases/" + appID)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	for _, want := range []string{
		"Application from Bermondsey Cooking Club</h1>", appID, "In assessment",
		"We will run weekly cooking clubs", "Eligible", "£2,500", "Southwark Pensioners Centre",
		"Test assessor1@example.org", "Test assessor2@example.org", "4 out of 5", "Clear evidence of need " + asm,
		"80 out of 100", `href="/cases/` + appID + `/decide"`,
	} {
		require.Contains(t, r.Body, want)
	}
	require.NotContains(t, r.Body, `/moderate"`, "only managers moderate")
	require.NotContains(t, r.Body, `/audit"`, "only managers read the audit trail")
	require.Equal(t, 1, strings.Count(r.Body, "<h1"))

	m := p.user(t, "manager@example.org")
	r = m.get("/cases/" + appID)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, `href="/cases/`+appID+`/moderate"`)
	require.Contains(t, r.Body, `href="/cases/`+appID+`/audit"`)
	require.NotContains(t, r.Body, `/decide"`, "only the chair decides")

	require.Equal(t, http.StatusNotFound, chair.get("/cases/"+draft.ID).Code, "a draft is the applicant's own")
	require.Equal(t, http.StatusNotFound, chair.get("/cases/app_nope").Code)
	for _, email := range []string{"assessor1@example.org", "applicant@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get("/cases/"+appID).Code, email)
	}
	panelRequireSignIn(t, p.s, "/cases/"+appID)
}

func TestPanelDecideForm(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	done := p.inAssessment(t, "Bravo Bakers", 250_000)
	p.approve(t, done, 200_000)
	chair := p.user(t, "chair@example.org")
	path := "/cases/" + appID + "/decide"

	r := chair.get(path)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	for _, want := range []string{"Decide on the application from Bermondsey Cooking Club</h1>", `id="outcome"`, `value="approve"`,
		`value="reject"`, `value="waitlist"`, `id="award"`, `value="2500"`, `id="reason"`, "Record decision", "£500,000"} {
		require.Contains(t, r.Body, want)
	}

	before := p.snapshot(t)
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
		kept  string
	}{
		{"no outcome", url.Values{"reason": {"Lovely"}}, "outcome", "Choose whether to approve, reject or put the application on the waiting list", "Lovely"},
		{"approve without an award", url.Values{"outcome": {"approve"}, "award": {""}, "reason": {"Strong case"}}, "award", "Enter the amount to award", "Strong case"},
		{"a fraction of a penny", url.Values{"outcome": {"approve"}, "award": {"2,000.555"}}, "award", "Enter the award in pounds, like 2500 or 2,500.50", `value="2,000.555"`},
		{"negative", url.Values{"outcome": {"approve"}, "award": {"-5"}}, "award", "Enter the award in pounds", `value="-5"`},
		{"more than requested", url.Values{"outcome": {"approve"}, "award": {"2,500.01"}}, "award", "The award cannot be more than the £2,500 requested", `value="2,500.01"`},
		{"below the tier", url.Values{"outcome": {"approve"}, "award": {"999.99"}}, "award", "The award must be within the tier, £1,000 to £5,000", `value="999.99"`},
		{"reject without a reason", url.Values{"outcome": {"reject"}, "reason": {"  "}}, "reason", "Give the reason for rejecting the application", `value="reject" aria-describedby="outcome-2-item-hint" checked`},
	} {
		r := chair.post(path, tc.form)
		require.Equal(t, http.StatusUnprocessableEntity, r.Code, "%s: %s", tc.name, r.Body)
		require.Contains(t, r.Body, "There is a problem", tc.name)
		require.Contains(t, r.Body, `<a href="#`+tc.field+`">`+tc.msg, tc.name)
		require.Contains(t, r.Body, `id="`+tc.field+`-error"`, tc.name)
		require.Contains(t, r.Body, tc.kept, tc.name)
		require.Equal(t, before, p.snapshot(t), tc.name)
	}
	// Without a valid CSRF token: 403 and nothing changed.
	r = chair.post(path, url.Values{"outcome": {"reject"}, "reason": {"No"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	r = chair.post(path, url.Values{"outcome": {"reject"}, "reason": {"No"}, "csrf_token": {""}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, before, p.snapshot(t))

	// A decided case: the form says so.
	r = chair.get("/cases/" + done + "/decide")
	require.Equal(t, http.StatusConflict, r.Code)
	require.Contains(t, r.Body, "not awaiting a decision")
	r = chair.post("/cases/"+done+"/decide", url.Values{"outcome": {"reject"}, "reason": {"No"}})
	require.Equal(t, http.StatusConflict, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, "This application is not awaiting a decision")
	require.Equal(t, before, p.snapshot(t))

	// Only the chair decides.
	for _, email := range []string{"manager@example.org", "assessor1@example.org", "applicant@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get(path).Code, email)
		require.Equal(t, http.StatusForbidden, w.post(path, url.Values{"outcome": {"reject"}, "reason": {"No"}}).Code, email)
	}
	require.Equal(t, before, p.snapshot(t))
	panelRequireSignIn(t, p.s, path)
	r = p.s.visitor(t).post(path, url.Values{"outcome": {"reject"}, "reason": {"No"}})
	require.Equal(t, http.StatusSeeOther, r.Code, "no session: sign in")
	require.Equal(t, "/sign-in?next="+url.QueryEscape(path), r.Location)
	require.Equal(t, before, p.snapshot(t))
}

func TestPanelModerateForm(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	deadline := time.Now().Add(72 * time.Hour)
	p.score(t, p.assign(t, appID, p.a1.ID, deadline), 9000, 5)
	p.score(t, p.assign(t, appID, p.a2.ID, deadline), 4000, 1)
	m := p.user(t, "manager@example.org")
	path := "/cases/" + appID + "/moderate"

	r := m.get(path)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	for _, want := range []string{"Moderate the total for Bermondsey Cooking Club</h1>", "90, 40 (spread 50 points)", "65 out of 100",
		"Assessors disagree", `id="total"`, `id="rationale"`, "Save moderated total"} {
		require.Contains(t, r.Body, want)
	}

	before := p.snapshot(t)
	for _, tc := range []struct {
		name, total, rationale, field, msg string
	}{
		{"no total", "", "Second opinion", "total", "Enter the moderated total, from 0 to 100"},
		{"not a number", "seventy", "Second opinion", "total", "Enter the total as a number from 0 to 100, like 72 or 72.5"},
		{"three decimals", "73.333", "Second opinion", "total", "Enter a total from 0 to 100 with at most two decimal places"},
		{"over 100", "100.5", "Second opinion", "total", "Give a total from 0 to 100"},
		{"no rationale", "70", " ", "rationale", "Explain why you are moderating the total"},
	} {
		r := m.post(path, url.Values{"total": {tc.total}, "rationale": {tc.rationale}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Code, "%s: %s", tc.name, r.Body)
		require.Contains(t, r.Body, `<a href="#`+tc.field+`">`+tc.msg, tc.name)
		require.Contains(t, r.Body, `value="`+tc.total+`"`, tc.name)
		require.Equal(t, before, p.snapshot(t), tc.name)
	}
	r = m.post(path, url.Values{"total": {"70"}, "rationale": {"Second opinion"}, "csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	// With no workflow engine: unavailable, nothing changed.
	r = m.post(path, url.Values{"total": {"070.5"}, "rationale": {"Second opinion"}})
	require.Equal(t, http.StatusServiceUnavailable, r.Code, r.Body)
	require.Equal(t, before, p.snapshot(t))

	for _, email := range []string{"chair@example.org", "assessor1@example.org", "applicant@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get(path).Code, email)
		require.Equal(t, http.StatusForbidden, w.post(path, url.Values{"total": {"70"}, "rationale": {"x"}}).Code, email)
	}
	require.Equal(t, before, p.snapshot(t))
	panelRequireSignIn(t, p.s, path)
}

func TestPanelAuditTrail(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Bermondsey Cooking Club", 250_000)
	m := p.user(t, "manager@example.org")
	r := m.get("/cases/" + appID + "/audit")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	for _, want := range []string{"Audit trail</h1>", "Bermondsey Cooking Club", "application.created", "application.submitted",
		"Verified", "<td class=\"govuk-table__cell\">" + p.applicant.Name + "</td>", "Events, oldest first"} {
		require.Contains(t, r.Body, want)
	}
	require.Less(t, strings.Index(r.Body, "application.created"), strings.Index(r.Body, "application.submitted"))

	// A tampered event breaks the chain and the page says so.
	ctx := context.Background()
	_, err := p.s.env.Store.Pool.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
	require.NoError(t, err)
	_, err = p.s.env.Store.Pool.Exec(ctx,
		`UPDATE audit_events SET data = '{"tampered": true}' WHERE chain = $1 AND action = 'application.created'`, "application:"+appID)
	require.NoError(t, err)
	r = m.get("/cases/" + appID + "/audit")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "This trail does not verify")
	require.Contains(t, r.Body, `Tampered: <span class="app-answer">true</span>`)

	require.Equal(t, http.StatusNotFound, m.get("/cases/app_nope/audit").Code)
	for _, email := range []string{"chair@example.org", "assessor1@example.org", "applicant@example.org"} {
		w := p.user(t, email)
		require.Equal(t, http.StatusForbidden, w.get("/cases/"+appID+"/audit").Code, email)
	}
	panelRequireSignIn(t, p.s, "/cases/"+appID+"/audit")
}

// A draft's audit trail is the applicant's: the case's audit page is not
// found for a manager while the application is a draft.
func TestPanelAuditTrailOfDraftNotFound(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	org := p.s.env.Organisation(t, p.applicant, "Drafting Club")
	draft, err := p.s.env.App.CreateApplication(context.Background(), p.applicant, p.round.ID, org.ID)
	require.NoError(t, err)
	m := p.user(t, "manager@example.org")
	require.Equal(t, http.StatusNotFound, m.get("/cases/"+draft.ID+"/audit").Code)
}

// The review through the real workflows, from the browser: an assessor
// declares a conflict and loses the case, which goes to another; the two
// assessors score; a manager moderates; the chair's award over the budget
// comes back on the form, and an award that fits is recorded in pence.
func TestPanelReviewThroughWorkflows(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	ctx := context.Background()
	// Leave £1,999.99 of the £500,000 budget: commit the rest to another
	// organisation's (draft) application.
	other := p.s.env.Organisation(t, p.applicant, "Earlier Grantee")
	draft, err := p.s.env.App.CreateApplication(ctx, p.applicant, p.round.ID, other.ID)
	require.NoError(t, err)
	_, err = p.s.env.Store.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: p.round.ID, ApplicationID: draft.ID,
		AmountPence: p.round.BudgetPence - 199_999})
	require.NoError(t, err)
	dispatchOnce := p.s.withWorker(t)
	appID := p.s.env.SubmitAs(t, p.round, p.applicant, apptest.Lead{Name: "Bermondsey Cooking Club"})
	dispatchOnce()
	require.Eventually(t, func() bool {
		row, err := p.s.env.Store.ApplicationGet(ctx, appID)
		require.NoError(t, err)
		return row.Status == app.StatusInAssessment
	}, 20*time.Second, 100*time.Millisecond)

	emails := map[string]string{p.a1.ID: "assessor1@example.org", p.a2.ID: "assessor2@example.org", p.a3.ID: "assessor3@example.org"}
	queue := func(a app.Actor) []app.Assessment {
		pg, err := p.s.env.App.ListAssessments(ctx, a, app.AssessmentFilter{})
		require.NoError(t, err)
		return pg.Items
	}
	assigned := map[string]string{} // assessor id → assessment id
	require.Eventually(t, func() bool {
		clear(assigned)
		for _, a := range []app.Actor{p.a1, p.a2, p.a3} {
			if q := queue(a); len(q) == 1 {
				assigned[a.ID] = q[0].ID
			}
		}
		return len(assigned) == 2
	}, 20*time.Second, 100*time.Millisecond)
	var first, second, third string
	for _, a := range []app.Actor{p.a1, p.a2, p.a3} {
		switch _, ok := assigned[a.ID]; {
		case !ok:
			third = a.ID
		case first == "":
			first = a.ID
		default:
			second = a.ID
		}
	}

	// The first declares a conflict: back to the queue with a banner, and
	// the application is gone for them.
	v1 := p.user(t, emails[first])
	asm1 := assigned[first]
	r := v1.get("/assessments/" + asm1 + "/conflict")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	r = panelRetry(t, v1, "/assessments/"+asm1+"/conflict", url.Values{"reason": {"I am a trustee of the lead organisation"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/assessments?conflict=1", r.Location)
	r = v1.get(r.Location)
	require.Contains(t, r.Body, "You declared a conflict of interest")
	require.NotContains(t, r.Body, asm1)
	require.Equal(t, http.StatusNotFound, v1.get("/assessments/"+asm1).Code)
	require.Equal(t, http.StatusNotFound, v1.get("/assessments/"+asm1+"/conflict").Code)

	// The case goes to the third assessor.
	require.Eventually(t, func() bool { return len(queue(app.Actor{ID: third, Roles: []string{app.RoleAssessor}})) == 1 },
		20*time.Second, 100*time.Millisecond)
	asm3 := queue(app.Actor{ID: third, Roles: []string{app.RoleAssessor}})[0].ID

	// The second and third score, far apart.
	v2 := p.user(t, emails[second])
	r = panelRetry(t, v2, "/assessments/"+assigned[second], panelScores("5", "4", "3"))
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/assessments/"+assigned[second]+"?saved=1", r.Location)
	r = v2.get(r.Location)
	require.Contains(t, r.Body, "Your scores have been saved.")
	require.Contains(t, r.Body, "82 out of 100")
	v3 := p.user(t, emails[third])
	r = panelRetry(t, v3, "/assessments/"+asm3, panelScores("1", "1", "1"))
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)

	// The ranking shows the disagreement.
	chair := p.user(t, "chair@example.org")
	require.Eventually(t, func() bool {
		return strings.Contains(chair.get("/panel/rounds/"+p.round.ID).Body, "Assessors disagree")
	}, 10*time.Second, 100*time.Millisecond)

	// A manager moderates.
	m := p.user(t, "manager@example.org")
	r = m.get("/cases/" + appID + "/moderate")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	r = panelRetry(t, m, "/cases/"+appID+"/moderate", url.Values{"total": {"55.5"}, "rationale": {"The third assessor misread the budget"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/cases/"+appID+"?moderated=1", r.Location)
	r = m.get(r.Location)
	require.Contains(t, r.Body, "The moderated total has been saved.")
	require.Contains(t, r.Body, "55.5 out of 100")
	require.Contains(t, r.Body, "The third assessor misread the budget")
	a := p.application(t, appID)
	require.Contains(t, a.Flags, "moderated")

	// The chair: an award over the budget left comes back on the form.
	before := p.snapshot(t)
	r = panelRetry(t, chair, "/cases/"+appID+"/decide", url.Values{"outcome": {"approve"}, "award": {"2,500"}, "reason": {"Strong case"}})
	require.Equal(t, http.StatusConflict, r.Code, r.Body)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `value="2,500"`)
	require.Contains(t, r.Body, "Strong case")
	require.Equal(t, before, p.snapshot(t))

	r = chair.post("/cases/"+appID+"/decide", url.Values{"outcome": {"approve"}, "award": {"£1,999.99"}, "reason": {"Strong case"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/cases/"+appID+"?decided=1", r.Location)
	r = chair.get(r.Location)
	require.Contains(t, r.Body, "Your decision has been recorded.")
	require.Contains(t, r.Body, "£1,999.99 awarded")
	a = p.application(t, appID)
	require.Equal(t, app.StatusApproved, a.Status)
	require.NotNil(t, a.Decision)
	require.NotNil(t, a.Decision.AwardPence)
	require.EqualValues(t, 199_999, *a.Decision.AwardPence)
	require.NotContains(t, r.Body, `/decide"`, "decided: no more decision")

	// The ranking commits the award; the audit trail has it all and verifies.
	r = chair.get("/panel/rounds/" + p.round.ID)
	require.Contains(t, r.Body, "Awarded £1,999.99")
	r = m.get("/cases/" + appID + "/audit")
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	require.Contains(t, r.Body, "Verified")
	require.Contains(t, r.Body, "<td class=\"govuk-table__cell\">"+p.chair.Name+"</td>", "the chair is named")
	require.Contains(t, r.Body, "Test "+emails[second], "assessors are named")
	require.Contains(t, r.Body, "I am a trustee of the lead organisation")
	require.Contains(t, r.Body, "The third assessor misread the budget")
}
