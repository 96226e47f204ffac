package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workday"
)

// cwWorld is a group with support requests and the staff who handle them.
type cwWorld struct {
	s                  *site
	group              app.Actor // the organisation's admin
	org                string
	caseworker, second app.Actor
	memberCW           app.Actor // a caseworker who is a member of the organisation
	cw, mgr, grp, asr  *visitor
	memberCWV          *visitor
}

func newCWWorld(t *testing.T, s *site) *cwWorld {
	t.Helper()
	env := s.env
	w := &cwWorld{s: s, group: env.User(t, "group@example.org")}
	w.org = env.Organisation(t, w.group, "Dalston Together").ID
	w.caseworker = env.User(t, "caseworker@example.org", app.RoleCaseworker)
	w.second = env.User(t, "second.caseworker@example.org", app.RoleCaseworker)
	w.memberCW = env.User(t, "member.caseworker@example.org", app.RoleCaseworker)
	require.NoError(t, env.Store.OrganisationMemberAdd(context.Background(), sqlc.OrganisationMemberAddParams{OrganisationID: w.org,
		UserID: w.memberCW.ID, Role: app.MemberMember}))
	assessor := env.User(t, "assessor@example.org", app.RoleAssessor)
	w.cw = s.signedIn(t, w.caseworker.Email)
	w.mgr = s.signedIn(t, env.Manager.Email)
	w.grp = s.signedIn(t, w.group.Email)
	w.asr = s.signedIn(t, assessor.Email)
	w.memberCWV = s.signedIn(t, w.memberCW.Email)
	for _, v := range []*visitor{w.cw, w.mgr, w.grp, w.asr, w.memberCWV} {
		v.get("/dashboard") // the session's form token
	}
	return w
}

// request makes a support request of the group, changed by mutate.
func (w *cwWorld) request(t *testing.T, mutate func(b map[string]any)) app.SupportRequest {
	t.Helper()
	b := apptest.SupportBody(w.org)
	if mutate != nil {
		mutate(b)
	}
	r, err := w.s.env.App.CreateSupportRequest(context.Background(), w.group, apptest.Body(t, b))
	require.NoError(t, err)
	return r
}

// accept triages a request into a case through the use case.
func (w *cwWorld) accept(t *testing.T, requestID string) string {
	t.Helper()
	res, err := w.s.env.App.TriageSupportRequest(context.Background(), w.caseworker, requestID,
		apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	require.NotNil(t, res.CaseID)
	return *res.CaseID
}

var caseHrefRE = regexp.MustCompile(`^/casework/cases/(cas_[A-Za-z0-9]+)\?done=opened$`)

// The intake queue shows each request's priority with its reasons; a
// caseworker reads a request whole and accepts, refers or declines it;
// refused input is shown again with what was typed. Only caseworkers see
// the queue, and never triage their own organisation's request.
func TestCaseworkQueueAndTriage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	w := newCWWorld(t, s)
	first := w.request(t, nil)
	calm := w.request(t, func(b map[string]any) {
		b["space"].(map[string]any)["name"] = "Ridley Road Hall"
		delete(b["risk"].(map[string]any), "key_date")
		b["urgency"], b["led_by_community"] = "low", false
	})
	third := w.request(t, func(b map[string]any) { b["space"].(map[string]any)["name"] = "Kingsland Youth Club" })

	q := w.cw.get("/casework")
	require.Equal(t, http.StatusOK, q.Code, q.Body)
	body := html.UnescapeString(q.Body)
	require.Contains(t, body, "Key date (hearing) in 20 days (+32)")
	require.Less(t, strings.Index(body, first.Space.Name), strings.Index(body, "Ridley Road Hall"), "by priority, highest first")
	for _, want := range []string{`href="/casework/requests/` + calm.ID + `"`, "Hackney", "Lease ending", "Dalston Together", "High"} {
		require.Contains(t, body, want)
	}
	require.Contains(t, q.Body, `<a class="govuk-service-navigation__link" href="/casework" aria-current="page">`)
	for _, v := range []*visitor{w.mgr, w.grp, w.asr} {
		require.Equal(t, http.StatusForbidden, v.get("/casework").Code)
		require.Equal(t, http.StatusForbidden, v.get("/casework/requests/"+first.ID).Code)
	}

	// The request whole, with the triage form (the caseworker is chosen).
	r := w.cw.get("/casework/requests/" + first.ID)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	body = html.UnescapeString(r.Body)
	for _, want := range []string{"Dalston Community Centre", "12 Ridley Road", "E8 2NR", "Lunch club for older people",
		"Older people and young people from the estate", "350", "Lease", "Council", "£12,000", "The council proposes to double the rent",
		"The lease ends and the council plans to sell the building", "Hearing", "High: the space could be lost within weeks",
		"Priority: 84", "Only 2 other community centres known in Hackney (+12)", "Community centre", "Save triage"} {
		require.Contains(t, body, want)
	}
	require.Contains(t, r.Body, `<option value="`+w.caseworker.ID+`" selected>`)

	// Refused: a referral that names nowhere, typed text kept.
	before := s.env.Snapshot(t, "support_requests", "cases", "notifications")
	bad := w.cw.post("/casework/requests/"+first.ID+"/triage", url.Values{"outcome": {"refer"}, "reason": {"Better placed elsewhere"}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, bad.Body)
	require.Contains(t, bad.Body, `<a href="#referred_to">Say where the group was referred</a>`)
	require.Contains(t, bad.Body, "Better placed elsewhere</textarea>")
	require.Contains(t, bad.Body, `value="refer" checked`)
	bad = w.cw.post("/casework/requests/"+first.ID+"/triage", url.Values{})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, bad.Body)
	require.Contains(t, bad.Body, `<a href="#outcome">`)
	// A caseworker who is a member of the organisation, and staff without
	// the role, are refused.
	require.Equal(t, http.StatusForbidden, w.memberCWV.post("/casework/requests/"+first.ID+"/triage", url.Values{"outcome": {"accept"}}).Code)
	require.Equal(t, http.StatusForbidden, w.mgr.post("/casework/requests/"+first.ID+"/triage", url.Values{"outcome": {"accept"}}).Code)
	require.Equal(t, before, s.env.Snapshot(t, "support_requests", "cases", "notifications"))

	// Refer, decline, accept (given to another caseworker).
	res := w.cw.post("/casework/requests/"+calm.ID+"/triage", url.Values{"outcome": {"refer"}, "reason": {"They run a lease clinic"},
		"referred_to": {"Hackney CVS"}, "caseworker_id": {w.caseworker.ID}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	require.Equal(t, "/casework?done=refer", res.Location)
	require.Contains(t, w.cw.get(res.Location).Body, "The request has been referred elsewhere. The group has been told.")
	res = w.cw.post("/casework/requests/"+third.ID+"/triage", url.Values{"outcome": {"decline"}, "reason": {"Not a community space"},
		"referred_to": {"typed, then decline chosen"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	res = w.cw.post("/casework/requests/"+first.ID+"/triage", url.Values{"outcome": {"accept"}, "caseworker_id": {w.second.ID},
		"referred_to": {"typed, then accept chosen"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	m := caseHrefRE.FindStringSubmatch(res.Location)
	require.NotNil(t, m, res.Location)
	c := w.cw.get(res.Location)
	require.Equal(t, http.StatusOK, c.Code, c.Body)
	require.Contains(t, c.Body, "The case has been opened. The group has been told.")
	require.Contains(t, c.Body, w.second.Name)

	// Triaged requests by status; the queue is empty.
	require.Contains(t, w.cw.get("/casework").Body, "No requests are waiting for triage.")
	ref := html.UnescapeString(w.cw.get("/casework?status=referred").Body)
	require.Contains(t, ref, "Ridley Road Hall")
	require.NotContains(t, ref, "Kingsland Youth Club")
	require.Contains(t, html.UnescapeString(w.cw.get("/casework?status=declined").Body), "Kingsland Youth Club")
	page := html.UnescapeString(w.cw.get("/casework/requests/" + calm.ID).Body)
	require.Contains(t, page, "Hackney CVS")
	require.NotContains(t, page, "Save triage")
	require.Equal(t, http.StatusNotFound, w.cw.get("/casework?status=lost").Code)
	// Triaging again is refused on the form.
	again := w.cw.post("/casework/requests/"+calm.ID+"/triage", url.Values{"outcome": {"decline"}, "reason": {"x"}})
	require.Equal(t, http.StatusConflict, again.Code, again.Body)
	require.Contains(t, again.Body, "This request has already been triaged")

	// The caseworker's dashboard leads to the queue.
	d := w.cw.get("/dashboard")
	require.Contains(t, d.Body, `href="/casework"`)
	require.Contains(t, d.Body, "No request for support is waiting for triage. 1 case is open.")
}

// casePath is a case's page.
func casePath(caseID string) string { return "/casework/cases/" + caseID }

// A case's forms refuse bad input with the GOV.UK error summary and keep
// what was typed, before any command reaches the case's workflow; a
// caseworker who is a member of the organisation and people without the
// role are refused.
func TestCaseworkCaseFormsRefuse(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	w := newCWWorld(t, s)
	caseID := w.accept(t, w.request(t, nil).ID)
	base := casePath(caseID)

	p := w.cw.get(base)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{"Dalston Community Centre", "Add action", "Log contact", "Add note", "Add key date", "Upload document",
		"Reassign case", "Close case", "Not yet", "Space secured"} {
		require.Contains(t, p.Body, want)
	}
	before := s.env.Snapshot(t, "cases", "case_actions", "case_notes", "case_contacts", "case_key_dates", "case_documents")
	yesterday := workday.DateOf(time.Now()).AddDays(-1)
	cases := []struct {
		name, path string
		form       url.Values
		errors     []string // links of the error summary
		kept       []string
	}{
		{"action", "/actions", url.Values{"action-title": {""}, "action-due-day": {"31"}, "action-due-month": {"2"}, "action-due-year": {"2027"}},
			[]string{`<a href="#action-title">Say what is to be done</a>`, `<a href="#action-due">Enter a real date, like 27 3 2027</a>`},
			[]string{`name="action-due-day" type="text" inputmode="numeric" value="31"`}},
		{"action without a date", "/actions", url.Values{"action-title": {"Write to the council"}},
			[]string{`<a href="#action-due">Enter the date it is due</a>`}, []string{`value="Write to the council"`}},
		{"contact", "/contacts", url.Values{"contact-at-day": {"1"}, "contact-at-month": {"12"}, "contact-at-year": {"2026"},
			"contact-at-time": {"25pm"}, "contact-minutes": {"half an hour"}, "contact-summary": {"Phoned the chair"}},
			[]string{`<a href="#contact-at-time">Enter a real time, like 9am or 17:30</a>`, `<a href="#contact-kind">`,
				`<a href="#contact-minutes">Enter the time spent as a whole number of minutes, like 30</a>`},
			[]string{`value="25pm"`, `value="half an hour"`, "Phoned the chair</textarea>"}},
		{"contact without a date", "/contacts", url.Values{"contact-kind": {"call"}, "contact-minutes": {"30"}, "contact-summary": {"x"}},
			[]string{`<a href="#contact-at">Enter the date of the contact</a>`}, []string{`value="call" checked`}},
		{"note", "/notes", url.Values{"note-body": {""}, "note-shared": {"yes"}},
			[]string{`<a href="#note-body">Write the note</a>`}, []string{`value="yes" checked`}},
		{"key date in the past", "/key-dates", url.Values{"keydate-kind": {"hearing"}, "keydate-on-day": {strconv.Itoa(yesterday.Day)},
			"keydate-on-month": {strconv.Itoa(int(yesterday.Month))}, "keydate-on-year": {strconv.Itoa(yesterday.Year)}, "keydate-description": {"Licensing hearing"}},
			[]string{`<a href="#keydate-on">`}, []string{`value="Licensing hearing"`, `value="hearing" selected`}},
		{"close", "/close", url.Values{"close-summary": {"Lease renewed for ten years"}},
			[]string{`<a href="#close-outcome">Outcome must be one of`}, []string{"Lease renewed for ten years</textarea>"}},
		{"reassign to the same", "/reassign", url.Values{"reassign-caseworker": {w.caseworker.ID}},
			[]string{`<a href="#reassign-caseworker">This caseworker already has the case</a>`}, nil},
		{"reassign to a member", "/reassign", url.Values{"reassign-caseworker": {w.memberCW.ID}},
			[]string{`<a href="#reassign-caseworker">This caseworker is a member of the organisation: choose another</a>`}, nil},
		{"invite to no round", "/invite-to-apply", url.Values{"invite-round": {"rnd_nope"}},
			[]string{`<a href="#invite-round">Choose a round that exists</a>`}, nil},
		{"action status", "/actions/act_nope/status", url.Values{"status": {"done"}}, nil, nil},
	}
	for _, tc := range cases {
		r := w.cw.post(base+tc.path, tc.form)
		if tc.errors == nil {
			require.Equal(t, http.StatusNotFound, r.Code, tc.name)
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, r.Code, "%s: %s", tc.name, r.Body)
		require.Contains(t, r.Body, "There is a problem", tc.name)
		for _, e := range tc.errors {
			require.Contains(t, html.UnescapeString(r.Body), html.UnescapeString(e), tc.name)
		}
		for _, k := range tc.kept {
			require.Contains(t, r.Body, k, tc.name)
		}
	}
	up := w.cw.upload(base+"/documents", url.Values{}, "doc-file", "notes.txt", []byte("plain text"))
	require.Equal(t, http.StatusUnsupportedMediaType, up.Code, up.Body)
	require.Contains(t, up.Body, `<a href="#doc-file">`)

	// Refused people: a caseworker of the organisation (403 from the use
	// case), staff without the role and the group (403 at the door).
	for _, path := range []string{"/notes", "/close", "/actions", "/contacts", "/key-dates", "/reassign", "/invite-to-apply"} {
		require.Equal(t, http.StatusForbidden, w.memberCWV.post(base+path, url.Values{"note-body": {"x"}}).Code, path)
		for _, v := range []*visitor{w.mgr, w.grp, w.asr} {
			require.Equal(t, http.StatusForbidden, v.post(base+path, url.Values{}).Code, path)
		}
	}
	for _, v := range []*visitor{w.mgr, w.grp, w.asr} {
		require.Equal(t, http.StatusForbidden, v.get(base).Code)
		require.Equal(t, http.StatusForbidden, v.get("/casework/cases").Code)
	}
	require.Equal(t, http.StatusNotFound, w.cw.get(casePath("cas_nope")).Code)
	require.Equal(t, before, s.env.Snapshot(t, "cases", "case_actions", "case_notes", "case_contacts", "case_key_dates", "case_documents"))
}

// london is where dates of the figures are counted.
var cwLondon = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}()

// The figures page shows the cases as they are: five cases in known
// states (written as the case's workflow would write them), counted by
// status, risk, borough, first contact, outcome and time given; the CSV
// has a row per case, with a formula in a name defused.
func TestCaseworkFigures(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	w := newCWWorld(t, s)
	ctx := context.Background()
	q := s.env.Store.Queries
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := s.env.Store.Pool.Exec(ctx, sql, args...)
		require.NoError(t, err)
	}
	contact := func(caseID string, at time.Time, minutes int32) {
		t.Helper()
		_, err := q.CaseContactInsert(ctx, sqlc.CaseContactInsertParams{ID: id.New(id.CaseContact), CaseID: caseID, At: at, Kind: "call",
			Minutes: minutes, Summary: "Spoke to the chair", RecordedBy: w.caseworker.ID, CreatedAt: at})
		require.NoError(t, err)
		_, err = q.CaseMarkFirstContact(ctx, sqlc.CaseMarkFirstContactParams{ID: caseID, At: &at})
		require.NoError(t, err)
	}
	closeCase := func(caseID, outcome string) {
		t.Helper()
		now, summary := time.Now(), "What changed"
		_, err := q.CaseClose(ctx, sqlc.CaseCloseParams{ID: caseID, Outcome: &outcome, OutcomeSummary: &summary, ClosedAt: &now,
			ClosedBy: &w.caseworker.ID})
		require.NoError(t, err)
	}
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cwLondon) }

	// 1: open, not yet contacted, within the promise (lease ending, Hackney).
	w.accept(t, w.request(t, nil).ID)
	// 2: open, contacted the day it opened (planning, Southwark), 90 minutes.
	planning := w.accept(t, w.request(t, func(b map[string]any) {
		b["risk"].(map[string]any)["kind"] = "planning"
		b["space"].(map[string]any)["borough"] = "southwark"
	}).ID)
	contact(planning, time.Now(), 90)
	// 3: opened Monday 2 November 2026, due Monday 9th, contacted Monday
	// 16th (10 working days, late), 45 minutes; closed, lease renewed.
	late := w.accept(t, w.request(t, func(b map[string]any) { b["space"].(map[string]any)["name"] = `=HYPERLINK("http://evil.example","x")` }).ID)
	exec(`UPDATE cases SET opened_at = $2, first_contact_due_on = '2026-11-09' WHERE id = $1`, late, day(2026, time.November, 2, 10))
	contact(late, day(2026, time.November, 16, 11), 45)
	closeCase(late, "lease_renewed")
	// 4: open, not contacted, its promise passed.
	overdue := w.accept(t, w.request(t, nil).ID)
	exec(`UPDATE cases SET opened_at = $2, first_contact_due_on = '2026-11-09' WHERE id = $1`, overdue, day(2026, time.November, 2, 10))
	// 5: closed, space lost, never contacted.
	closeCase(w.accept(t, w.request(t, nil).ID), "lost")
	// A request waiting, one declined.
	w.request(t, nil)
	_, err := s.env.App.TriageSupportRequest(ctx, w.caseworker, w.request(t, nil).ID, apptest.Body(t, map[string]any{"outcome": "decline", "reason": "No"}))
	require.NoError(t, err)

	for _, v := range []*visitor{w.cw, w.mgr} {
		p := v.get("/casework/figures")
		require.Equal(t, http.StatusOK, p.Code, p.Body)
		body := html.UnescapeString(p.Body)
		figure := func(name, want string) {
			t.Helper()
			m := regexp.MustCompile(`data-figure="` + name + `">([^<]*)<`).FindStringSubmatch(body)
			require.NotNil(t, m, name)
			require.Equal(t, want, m[1], name)
		}
		figure("open", "3")
		figure("closed", "2")
		figure("saved", "1")
		figure("hours", "2 hours 15 minutes")
		figure("on-time", "1")
		figure("late", "1")
		figure("overdue", "1")
		figure("waiting", "1")
		figure("median", "5 working days")
		row := func(table, label, want string) {
			t.Helper()
			i := strings.Index(body, `id="table-`+table+`"`)
			require.GreaterOrEqual(t, i, 0, table)
			rest := body[i:]
			rest = rest[:strings.Index(rest, "</table>")]
			require.Contains(t, rest, `<th scope="row" class="govuk-table__header">`+label+`</th><td class="govuk-table__cell govuk-table__cell--numeric">`+want+`</td>`,
				"%s: %s", table, label)
		}
		row("risk", "Lease ending", "2")
		row("risk", "Planning", "1")
		row("risk", "Funding", "0")
		row("borough", "Hackney", "2")
		row("borough", "Southwark", "1")
		row("outcomes", "Lease renewed", "1")
		row("outcomes", "Space lost", "1")
		row("outcomes", "Total", "2")
		row("requests", "Waiting for triage", "1")
		row("requests", "Accepted", "5")
		row("requests", "Declined", "1")
		// Each chart is drawn, named and described.
		for _, c := range []string{"chart-risk", "chart-borough", "chart-contact", "chart-outcomes"} {
			require.Contains(t, p.Body, `<svg class="app-chart" id="`+c+`" role="img"`)
		}
		require.Contains(t, body, "First contact against the promise of 5 working days: 1 on time, 1 late, 1 overdue and 1 still within it.")
		require.Contains(t, p.Body, `href="/casework/cases.csv"`)
	}
	require.Contains(t, w.mgr.get("/dashboard").Body, `href="/casework/figures"`)

	// The CSV: the header, a row per case, the formula defused.
	res := w.mgr.get("/casework/cases.csv")
	require.Equal(t, http.StatusOK, res.Code, res.Body)
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename=cases.csv`, res.Header.Get("Content-Disposition"))
	body, ok := strings.CutPrefix(res.Body, "\uFEFF")
	require.True(t, ok, "a UTF-8 byte-order mark first")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6)
	require.Equal(t, []string{"case_id", "organisation_id", "organisation", "space"}, rows[0][:4])
	var found bool
	for _, r := range rows[1:] {
		if r[0] == late {
			found = true
			require.Equal(t, `'=HYPERLINK("http://evil.example","x")`, r[3])
			require.Equal(t, "lease_renewed", r[17])
			require.Equal(t, "10", r[13])
			require.Equal(t, "false", r[14])
			require.Equal(t, "0.75", r[16])
		}
	}
	require.True(t, found, "the late case's row")

	for _, v := range []*visitor{w.grp, w.asr} {
		require.Equal(t, http.StatusForbidden, v.get("/casework/figures").Code)
		require.Equal(t, http.StatusForbidden, v.get("/casework/cases.csv").Code)
	}
}

var (
	actionStatusRE = regexp.MustCompile(`/actions/(cac_[A-Za-z0-9]+)/status`)
	documentRE     = regexp.MustCompile(`href="(/casework/cases/cas_[A-Za-z0-9]+/documents/doc_[A-Za-z0-9]+)"`)
)

// A caseworker works a case to its outcome from its page, each form a
// command to the case's workflow: an action (then done), a contact, notes
// private and shared, a key date, a document, an invitation to apply, a
// new caseworker, and the close, after which the page has no forms.
func TestCaseworkCaseWorkedToOutcome(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	dispatchOnce := s.withWorker(t)
	w := newCWWorld(t, s)
	rnd := s.env.Round(t, apptest.ExampleRound(t))
	r := w.request(t, nil)
	res := w.cw.post("/casework/requests/"+r.ID+"/triage", url.Values{"outcome": {"accept"}, "caseworker_id": {w.caseworker.ID}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	m := caseHrefRE.FindStringSubmatch(res.Location)
	require.NotNil(t, m, res.Location)
	caseID, base := m[1], casePath(m[1])
	dispatchOnce()

	due := workday.DateOf(time.Now()).AddDays(14)
	res = retryingPost(t, w.cw, base+"/actions", url.Values{"action-title": {"Write to the council's estates team"}, "action-owner": {w.second.ID},
		"action-due-day": {strconv.Itoa(due.Day)}, "action-due-month": {strconv.Itoa(int(due.Month))}, "action-due-year": {strconv.Itoa(due.Year)}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	require.Equal(t, base+"?done=action#plan", res.Location)
	p := w.cw.get(base + "?done=action")
	body := html.UnescapeString(p.Body)
	require.Contains(t, body, "The action has been added to the plan.")
	require.Contains(t, body, "Write to the council's estates team")
	require.Contains(t, body, w.second.Name)
	am := actionStatusRE.FindStringSubmatch(p.Body)
	require.NotNil(t, am)
	res = w.cw.post(base+"/actions/"+am[1]+"/status", url.Values{"status": {"done"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	require.Contains(t, w.cw.get(base).Body, "Reopen")

	at := time.Now().In(cwLondon).Add(-2 * time.Minute)
	res = w.cw.post(base+"/contacts", url.Values{"contact-at-day": {strconv.Itoa(at.Day())}, "contact-at-month": {strconv.Itoa(int(at.Month()))},
		"contact-at-year": {strconv.Itoa(at.Year())}, "contact-at-time": {at.Format("15:04")}, "contact-kind": {"call"},
		"contact-minutes": {"90"}, "contact-summary": {"Called the chair about the lease"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	for _, note := range []url.Values{{"note-body": {"Landlord sounds open to a renewal"}, "note-shared": {"yes"}},
		{"note-body": {"Chair seemed anxious"}}} {
		res = w.cw.post(base+"/notes", note)
		require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	}
	res = w.cw.post(base+"/key-dates", url.Values{"keydate-kind": {"hearing"}, "keydate-on-day": {strconv.Itoa(due.Day)},
		"keydate-on-month": {strconv.Itoa(int(due.Month))}, "keydate-on-year": {strconv.Itoa(due.Year)}, "keydate-description": {"Licensing hearing"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	res = w.cw.upload(base+"/documents", url.Values{"doc-shared": {"yes"}}, "doc-file", "lease.pdf", pdf)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)

	p = w.cw.get(base)
	body = html.UnescapeString(p.Body)
	for _, want := range []string{"Called the chair about the lease", "1 hour 30 minutes", "Landlord sounds open to a renewal", "Shared with the group",
		"Chair seemed anxious", "Private to staff", "Licensing hearing", "lease.pdf"} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "Not yet", "the first contact is recorded")
	dm := documentRE.FindStringSubmatch(p.Body)
	require.NotNil(t, dm)
	doc := w.cw.get(dm[1])
	require.Equal(t, http.StatusOK, doc.Code)
	require.Equal(t, string(pdf), doc.Body)
	require.Contains(t, doc.Header.Get("Content-Disposition"), "attachment")
	require.Equal(t, http.StatusForbidden, w.grp.get(dm[1]).Code, "the group's documents are on its own pages")

	// Invite to apply: the draft's id is shown.
	res = w.cw.post(base+"/invite-to-apply", url.Values{"invite-round": {rnd.ID}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	p = w.cw.get(res.Location)
	require.Contains(t, p.Body, "A draft application has been started for the group.")
	require.Regexp(t, `The draft application is <strong>app_[A-Za-z0-9]+</strong>`, p.Body)

	// Reassign, then close.
	res = w.cw.post(base+"/reassign", url.Values{"reassign-caseworker": {w.second.ID}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	res = w.cw.post(base+"/close", url.Values{"close-outcome": {"lease_renewed"}, "close-summary": {"A ten-year lease at the old rent"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	p = w.cw.get(base + "?done=closed")
	body = html.UnescapeString(p.Body)
	for _, want := range []string{"The case has been closed.", "Lease renewed", "A ten-year lease at the old rent", "Closed"} {
		require.Contains(t, body, want)
	}
	for _, form := range []string{"/actions\"", "/contacts\"", "/notes\"", "/close\"", "Mark done", "Reopen"} {
		require.NotContains(t, p.Body, form)
	}
	again := w.cw.post(base+"/close", url.Values{"close-outcome": {"secured"}, "close-summary": {"Again"}})
	require.Equal(t, http.StatusConflict, again.Code, again.Body)
	require.Contains(t, again.Body, "This case is closed")

	// The lists.
	mine := html.UnescapeString(s.signedIn(t, w.second.Email).get("/casework/cases?mine=true&status=closed").Body)
	require.Contains(t, mine, `href="/casework/cases/`+caseID+`"`)
	require.Contains(t, mine, "Lease renewed")
	require.Contains(t, w.cw.get("/casework/cases?mine=true").Body, "No cases match these filters.")
	require.Contains(t, w.cw.get("/casework/cases?status=open").Body, "No cases match these filters.")
	require.Equal(t, http.StatusNotFound, w.cw.get("/casework/cases?status=lost").Code)
}
