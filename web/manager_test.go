package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/round"
)

// mgrRoundCount is how many rounds exist.
func mgrRoundCount(t *testing.T, s *site) int {
	t.Helper()
	p, err := s.env.App.ListRounds(context.Background(), app.RoundFilter{Page: app.PageQuery{Limit: "200"}})
	require.NoError(t, err)
	return len(p.Items)
}

// mgrNewRound is a complete, valid post of the new-round form.
func mgrNewRound() url.Values {
	return url.Values{
		"programme": {"spaces-at-risk"}, "name": {"Spaces at Risk 2030"},
		"opens_at-day": {"1"}, "opens_at-month": {"6"}, "opens_at-year": {"2030"}, "opens_at-time": {"9am"},
		"closes_at-day": {"31"}, "closes_at-month": {"7"}, "closes_at-year": {"2030"}, "closes_at-time": {"5:30pm"},
		"min_partners": {"1"}, "budget_pence": {"£1,234,567.89"},
		"tiers-0-key": {"micro"}, "tiers-0-title": {"Micro"}, "tiers-0-min_pence": {"1,000"}, "tiers-0-max_pence": {"5,000.50"},
		"tiers-1-key": {"growth"}, "tiers-1-min_pence": {"5,000.51"}, "tiers-1-max_pence": {"15000"},
		"eligibility-questions-0-key": {"london_work"}, "eligibility-questions-0-type": {"yes_no"},
		"eligibility-questions-0-title": {"Is your work mainly in London?"}, "eligibility-questions-0-required": {"yes"},
		"eligibility-rules-0-field": {"answers.london_work"}, "eligibility-rules-0-op": {"eq"}, "eligibility-rules-0-value": {"true"},
		"eligibility-rules-0-reason": {"The work must be mainly in London"},
		"eligibility-rules-1-field":  {"organisation.borough"}, "eligibility-rules-1-op": {"in"},
		"eligibility-rules-1-value": {`["Hackney", "Southwark"]`}, "eligibility-rules-1-reason": {"Hackney or Southwark only"},
		"form-sections-0-key": {"project"}, "form-sections-0-title": {"Your project"},
		"form-sections-1-key": {"money"}, "form-sections-1-title": {"Money"},
		"questions-0-section": {"project"}, "questions-0-key": {"summary"}, "questions-0-type": {"text"},
		"questions-0-title": {"What will you do?"}, "questions-0-required": {"yes"}, "questions-0-max_words": {"250"},
		"questions-1-section": {"money"}, "questions-1-key": {"costs"}, "questions-1-type": {"money"},
		"questions-1-title": {"What will it cost?"}, "questions-1-min": {"10"}, "questions-1-max": {"2,500.75"},
		"questions-2-section": {"project"}, "questions-2-key": {"kind"}, "questions-2-type": {"choice"},
		"questions-2-title": {"What kind of space?"}, "questions-2-options": {"hall | Community hall\nGarden"},
		"criteria-0-key": {"need"}, "criteria-0-title": {"Need"}, "criteria-0-guidance": {"Look for evidence"},
		"criteria-0-weight": {"60"}, "criteria-0-max_score": {"5"},
		"criteria-1-key": {"delivery"}, "criteria-1-title": {"Delivery"}, "criteria-1-weight": {"40"}, "criteria-1-max_score": {"10"},
		"assessors_per_application": {"2"}, "moderation_threshold": {"15"},
		"timeline-assessment_window": {"14 days"}, "timeline-decision_window": {"2 weeks"}, "timeline-offer_expiry": {"28"},
		"timeline-reminder_lead": {"48 hours"}, "timeline-report_grace": {"7 days"},
		"timeline-reports-0-kind": {"interim"}, "timeline-reports-0-due_after": {"183 days"},
		"timeline-reports-1-kind": {"final"}, "timeline-reports-1-due_after": {"365 days"},
		"payment_schedule-0-percent": {"50"}, "payment_schedule-0-condition": {"on_acceptance"},
		"payment_schedule-1-percent": {"50"}, "payment_schedule-1-condition": {"after_report:interim"},
		"payment_provider": {"manual"}, "offer_conditions": {"Spend the grant on the project."},
		"action": {"save"},
	}
}

func mgrWith(v url.Values, kv ...string) url.Values {
	out := cloneValues(v)
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// mgrSignedIn is a signed-in visitor with the given roles.
func mgrSignedIn(t *testing.T, s *site, email string, roles ...string) *visitor {
	t.Helper()
	s.env.User(t, email, roles...)
	return s.signedIn(t, email)
}

func TestManagerPagesNeedAManager(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	r := s.env.Round(t, apptest.ExampleRound(t))
	paths := []string{"/manage/rounds", "/manage/rounds/new", "/manage/rounds/" + r.ID + "/edit"}

	anon := s.visitor(t)
	for _, p := range paths {
		got := anon.get(p)
		require.Equal(t, http.StatusSeeOther, got.Code, p)
		require.Equal(t, "/sign-in?next="+url.QueryEscape(p), got.Location, p)
	}
	anon.get("/sign-in")
	got := anon.post("/manage/rounds/new", mgrNewRound())
	require.Equal(t, http.StatusSeeOther, got.Code)
	require.Equal(t, "/sign-in?next=%2Fmanage%2Frounds%2Fnew", got.Location)

	for _, who := range []struct {
		email string
		roles []string
	}{{"applicant@example.org", nil}, {"chair@example.org", []string{app.RoleChair}}, {"finance@example.org", []string{app.RoleFinance}}} {
		v := mgrSignedIn(t, s, who.email, who.roles...)
		for _, p := range paths {
			got := v.get(p)
			require.Equal(t, http.StatusForbidden, got.Code, "%s %s", who.email, p)
			require.Contains(t, got.Body, "You cannot see this page")
		}
		v.get("/dashboard")
		require.Equal(t, http.StatusForbidden, v.post("/manage/rounds/new", mgrNewRound()).Code)
		require.Equal(t, http.StatusForbidden, v.post("/manage/rounds/"+r.ID+"/edit", mgrWith(mgrNewRound(), "name", "Taken over")).Code)
	}
	require.Equal(t, 1, mgrRoundCount(t, s))
	again, err := s.env.App.GetRound(context.Background(), r.ID)
	require.NoError(t, err)
	require.Equal(t, r.Name, again.Name)
}

func TestManagerRoundsList(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	open := s.env.Round(t, apptest.ExampleRound(t))
	later := apptest.ExampleRound(t)
	later.Name = "Later & greater"
	later.OpensAt, later.ClosesAt = later.OpensAt.Add(30*24*time.Hour), later.ClosesAt.Add(60*24*time.Hour)
	later.BudgetPence = 200_000_056
	upcoming := s.env.Round(t, later)
	v := s.signedIn(t, "manager@example.org")

	p := v.get("/manage/rounds")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, 1, strings.Count(p.Body, "<h1"))
	require.Contains(t, p.Body, open.Name)
	require.Contains(t, p.Body, "Later &amp; greater")
	require.Contains(t, p.Body, "£500,000")
	require.Contains(t, p.Body, "£2,000,000.56")
	require.Contains(t, p.Body, ">Open</strong>")
	require.Contains(t, p.Body, ">Upcoming</strong>")
	require.Contains(t, p.Body, `href="/manage/rounds/`+upcoming.ID+`/edit"`)
	require.Contains(t, p.Body, `href="/manage/rounds/new"`)
	require.Contains(t, p.Body, `<th scope="col" class="govuk-table__header">Status</th>`)
	require.Equal(t, http.StatusNotFound, v.get("/manage/rounds?cursor=nonsense").Code)
}

func TestManagerCreateRound(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	v := s.signedIn(t, "manager@example.org")

	form := v.get("/manage/rounds/new")
	require.Equal(t, http.StatusOK, form.Code)
	require.Equal(t, 1, strings.Count(form.Body, "<h1"))
	require.Contains(t, form.Body, `name="tiers-0-key"`)
	require.Contains(t, form.Body, `id="opens_at"`)
	require.Contains(t, form.Body, `name="opens_at-time"`)
	require.Contains(t, form.Body, `value="14 days"`) // the usual timeline is filled in

	// Problems the form sees itself (not pounds and pence, no such date)
	// come with everything the definition's own validation finds.
	bad := mgrWith(mgrNewRound(), "name", "", "budget_pence", "12.345", "criteria-1-weight", "0",
		"questions-1-min", "ten pounds", "closes_at-day", "32")
	p := v.post("/manage/rounds/new", bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	for _, link := range []string{"#name", "#budget_pence", "#criteria-1-weight", "#questions-1-min", "#closes_at"} {
		require.Contains(t, p.Body, `href="`+link+`"`, link)
	}
	require.Contains(t, p.Body, "Enter the budget in pounds and pence")
	require.Contains(t, p.Body, "Enter a weight of 1 or more")
	require.Contains(t, p.Body, `value="12.345"`)
	require.Contains(t, p.Body, `value="ten pounds"`)
	require.Contains(t, p.Body, `value="What will it cost?"`)
	require.Contains(t, p.Body, "hall | Community hall\nGarden</textarea>")
	require.Contains(t, p.Body, `<title>Error: Create a round`)
	require.Equal(t, 0, mgrRoundCount(t, s))

	// Problems only the use case finds land on their inputs too: a form
	// question's path (form.sections[1].questions[0].max) on its row.
	bad = mgrWith(mgrNewRound(), "questions-1-min", "3,000", "payment_schedule-1-percent", "40", "tiers-1-max_pence", "2,000,000")
	p = v.post("/manage/rounds/new", bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, `href="#questions-1-max"`)
	require.Contains(t, p.Body, `id="questions-1-max-error"`)
	require.Contains(t, p.Body, "Enter a maximum that is at least the minimum")
	require.Contains(t, p.Body, `href="#payment_schedule"`)
	require.Contains(t, p.Body, "they add up to 90")
	require.Contains(t, p.Body, `href="#tiers-1-max_pence"`)
	require.Contains(t, p.Body, "Enter a maximum no more than the budget")
	require.Contains(t, p.Body, `value="2,000,000"`)
	require.Equal(t, 0, mgrRoundCount(t, s))

	// "Add another" shows one more row and saves nothing; a row ticked
	// "Remove" goes.
	added := v.post("/manage/rounds/new", mgrWith(mgrNewRound(), "action", "add:tiers", "tiers-0-remove", "yes"))
	require.Equal(t, http.StatusOK, added.Code)
	require.NotContains(t, added.Body, "There is a problem")
	require.Contains(t, added.Body, `name="tiers-0-key" type="text" value="growth"`)
	require.Contains(t, added.Body, `name="tiers-1-key" type="text" value=""`)
	require.NotContains(t, added.Body, `name="tiers-2-key"`)
	require.Contains(t, added.Body, `value="Spaces at Risk 2030"`)
	require.Equal(t, 0, mgrRoundCount(t, s))
	added = v.post("/manage/rounds/new", mgrWith(mgrNewRound(), "action", "add:questions"))
	require.Equal(t, http.StatusOK, added.Code)
	require.Contains(t, added.Body, `name="questions-3-key"`)

	// The whole definition, exactly.
	p = v.post("/manage/rounds/new", mgrNewRound())
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	m := regexp.MustCompile(`^/manage/rounds/([^/]+)/edit\?saved=created$`).FindStringSubmatch(p.Location)
	require.NotNil(t, m, p.Location)
	r, err := s.env.App.GetRound(ctx, m[1])
	require.NoError(t, err)
	require.Equal(t, "spaces-at-risk", r.Programme)
	require.Equal(t, "Spaces at Risk 2030", r.Name)
	require.Equal(t, time.Date(2030, 6, 1, 8, 0, 0, 0, time.UTC), r.OpensAt.UTC()) // 9am British Summer Time
	require.Equal(t, time.Date(2030, 7, 31, 16, 30, 0, 0, time.UTC), r.ClosesAt.UTC())
	require.Equal(t, int64(123456789), r.BudgetPence)
	require.Equal(t, []round.Tier{{Key: "micro", Title: "Micro", MinPence: 100000, MaxPence: 500050},
		{Key: "growth", MinPence: 500051, MaxPence: 1500000}}, r.Tiers)
	require.Equal(t, 1, r.MinPartners)
	require.Equal(t, []round.Criterion{{Key: "need", Title: "Need", Guidance: "Look for evidence", Weight: 60, MaxScore: 5},
		{Key: "delivery", Title: "Delivery", Weight: 40, MaxScore: 10}}, r.Criteria)
	require.Len(t, r.Form.Sections, 2)
	require.Equal(t, []string{"summary", "kind"}, []string{r.Form.Sections[0].Questions[0].Key, r.Form.Sections[0].Questions[1].Key})
	costs := r.Form.Sections[1].Questions[0]
	require.Equal(t, "money", costs.Type)
	require.Equal(t, int64(1000), *costs.Min)
	require.Equal(t, int64(250075), *costs.Max)
	require.False(t, costs.Required)
	require.Equal(t, 250, *r.Form.Sections[0].Questions[0].MaxWords)
	kind := r.Form.Sections[0].Questions[1]
	require.Equal(t, "hall", kind.Options[0].Value)
	require.Equal(t, "Community hall", kind.Options[0].Label)
	require.Equal(t, "Garden", kind.Options[1].Value)
	require.Len(t, r.Eligibility.Questions, 1)
	require.JSONEq(t, `true`, string(r.Eligibility.Rules[0].Value))
	require.JSONEq(t, `["Hackney","Southwark"]`, string(r.Eligibility.Rules[1].Value))
	require.Equal(t, 2, r.AssessorsPerApplication)
	require.Equal(t, 15, *r.ModerationThreshold)
	require.Equal(t, round.Timeline{AssessmentWindow: round.Hours(336), DecisionWindow: round.Hours(336), OfferExpiry: round.Hours(672),
		ReminderLead: round.Hours(48), ReportGrace: round.Hours(168),
		Reports: []round.ReportDue{{Kind: "interim", DueAfter: round.Hours(183 * 24)}, {Kind: "final", DueAfter: round.Hours(365 * 24)}}}, r.Timeline)
	require.Equal(t, []round.Instalment{{Percent: 50, Condition: "on_acceptance"}, {Percent: 50, Condition: "after_report:interim"}}, r.PaymentSchedule)
	require.Equal(t, "manual", r.PaymentProvider)
	require.Equal(t, "Spend the grant on the project.", r.OfferConditions)

	edit := v.get(p.Location)
	require.Equal(t, http.StatusOK, edit.Code)
	require.Contains(t, edit.Body, "Round created")
	require.Contains(t, edit.Body, `value="1,234,567.89"`)
	require.Contains(t, edit.Body, `value="9:00am"`)
}

func TestManagerEditRound(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.OpensAt, def.ClosesAt = def.OpensAt.Add(10*24*time.Hour), def.ClosesAt.Add(40*24*time.Hour)
	upcoming := s.env.Round(t, def)
	v := s.signedIn(t, "manager@example.org")

	p := v.get("/manage/rounds/" + upcoming.ID + "/edit")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, 1, strings.Count(p.Body, "<h1"))
	require.Contains(t, p.Body, `value="`+def.Name+`"`)
	require.Contains(t, p.Body, `value="500,000"`)
	require.Contains(t, p.Body, `value="Need and evidence"`)
	require.Contains(t, p.Body, `value="4380 hours"`)
	require.NotContains(t, p.Body, "This round has opened")
	page := mgrFormOf(t, p.Body)

	// Bad input changes nothing and keeps what was typed.
	bad := mgrWith(page, "budget_pence", "lots", "name", "Renamed")
	got := v.post("/manage/rounds/"+upcoming.ID+"/edit", bad)
	require.Equal(t, http.StatusUnprocessableEntity, got.Code)
	require.Contains(t, got.Body, `href="#budget_pence"`)
	require.Contains(t, got.Body, `value="lots"`)
	require.Contains(t, got.Body, `value="Renamed"`)

	// A wrong CSRF token changes nothing.
	got = v.post("/manage/rounds/"+upcoming.ID+"/edit", mgrWith(page, "name", "Renamed", "csrf_token", "forged"))
	require.Equal(t, http.StatusForbidden, got.Code)
	require.Contains(t, got.Body, "Your form could not be sent")
	same, err := s.env.App.GetRound(ctx, upcoming.ID)
	require.NoError(t, err)
	require.Equal(t, def.Name, same.Name)
	require.Equal(t, def.BudgetPence, same.BudgetPence)

	// Before it opens anything can change.
	v.get("/manage/rounds/" + upcoming.ID + "/edit")
	got = v.post("/manage/rounds/"+upcoming.ID+"/edit", mgrWith(page, "name", "Renamed", "budget_pence", "400,000.01",
		"criteria-2-weight", "35", "criteria-2-remove", "yes"))
	require.Equal(t, http.StatusSeeOther, got.Code, got.Body)
	require.Equal(t, "/manage/rounds/"+upcoming.ID+"/edit?saved=1", got.Location)
	after, err := s.env.App.GetRound(ctx, upcoming.ID)
	require.NoError(t, err)
	require.Equal(t, "Renamed", after.Name)
	require.Equal(t, int64(40_000_001), after.BudgetPence)
	require.Len(t, after.Criteria, 2)
	require.True(t, after.OpensAt.Equal(def.OpensAt), "an unchanged date keeps its seconds")
	require.Equal(t, def.ReportForm, after.ReportForm) // not on the form: left as it was
	require.Contains(t, v.get(got.Location).Body, "Round saved")

	// Once open, only the closing date, timeline and budget may grow.
	open := s.env.Round(t, apptest.ExampleRound(t))
	p = v.get("/manage/rounds/" + open.ID + "/edit")
	require.Contains(t, p.Body, "This round has opened")
	page = mgrFormOf(t, p.Body)
	got = v.post("/manage/rounds/"+open.ID+"/edit", mgrWith(page, "budget_pence", "100", "criteria-0-weight", "41"))
	require.Equal(t, http.StatusConflict, got.Code, got.Body)
	require.Contains(t, got.Body, "There is a problem")
	require.Contains(t, got.Body, "This round has opened: only")
	require.Contains(t, got.Body, `href="#budget_pence"`)
	require.Contains(t, got.Body, "The budget can only be raised")
	require.Contains(t, got.Body, `href="#criteria"`)
	require.Contains(t, got.Body, `value="100"`)
	same, err = s.env.App.GetRound(ctx, open.ID)
	require.NoError(t, err)
	require.Equal(t, open.BudgetPence, same.BudgetPence)

	// Unchanged fields pass as unchanged, to the second.
	got = v.post("/manage/rounds/"+open.ID+"/edit", mgrWith(page, "budget_pence", "600,000", "timeline-decision_window", "21 days"))
	require.Equal(t, http.StatusSeeOther, got.Code, got.Body)
	same, err = s.env.App.GetRound(ctx, open.ID)
	require.NoError(t, err)
	require.Equal(t, int64(60_000_000), same.BudgetPence)
	require.Equal(t, round.Hours(21*24), same.Timeline.DecisionWindow)
	require.True(t, same.ClosesAt.Equal(open.ClosesAt))

	require.Equal(t, http.StatusNotFound, v.get("/manage/rounds/rnd_nope/edit").Code)
	require.Equal(t, http.StatusNotFound, v.post("/manage/rounds/rnd_nope/edit", page).Code)
}

func TestManagerCreateRoundNeedsCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	v := s.signedIn(t, "manager@example.org")
	v.get("/manage/rounds/new")
	for _, tok := range []string{"", "forged"} {
		p := v.post("/manage/rounds/new", mgrWith(mgrNewRound(), "csrf_token", tok))
		require.Equal(t, http.StatusForbidden, p.Code)
	}
	require.Equal(t, 0, mgrRoundCount(t, s))
	require.Equal(t, http.StatusSeeOther, v.post("/manage/rounds/new", mgrNewRound()).Code)
	require.Equal(t, 1, mgrRoundCount(t, s))
}

var (
	mgrInputRE    = regexp.MustCompile(`<input [^>]*>`)
	mgrTextareaRE = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	mgrSelectRE   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	mgrAttrRE     = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

// mgrFormOf is what a browser would post from the page's form unchanged:
// every text input, checked box, textarea and selected option.
func mgrFormOf(t *testing.T, body string) url.Values {
	t.Helper()
	out := url.Values{"action": {"save"}}
	unescape := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace
	for _, in := range mgrInputRE.FindAllString(body, -1) {
		attrs := map[string]string{}
		for _, a := range mgrAttrRE.FindAllStringSubmatch(in, -1) {
			attrs[a[1]] = unescape(a[2])
		}
		name := attrs["name"]
		if name == "" || name == "csrf_token" || name == "next" {
			continue
		}
		switch attrs["type"] {
		case "checkbox", "radio":
			if strings.Contains(in, " checked") {
				out.Add(name, attrs["value"])
			}
		default:
			out.Add(name, attrs["value"])
		}
	}
	for _, m := range mgrTextareaRE.FindAllStringSubmatch(body, -1) {
		out.Add(m[1], unescape(strings.TrimPrefix(m[2], "\n")))
	}
	for _, m := range mgrSelectRE.FindAllStringSubmatch(body, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); sel != nil {
			out.Add(m[1], unescape(sel[1]))
		}
	}
	require.NotEmpty(t, out.Get("name"))
	return out
}
