package app_test

import (
	"context"
	"encoding/json"
	"slices"
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

// notifiedKinds are the notification kinds a user has, oldest first.
func notifiedKinds(t *testing.T, env *apptest.Env, userID string) []string {
	t.Helper()
	rows, err := env.Store.Pool.Query(context.Background(), `SELECT kind FROM notifications WHERE user_id = $1 ORDER BY id`, userID)
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		out = append(out, k)
	}
	return out
}

func count(t *testing.T, env *apptest.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.Store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// A member asks for support: the request is stored, explained by its
// priority, its caseworkers told. Bad input changes nothing.
func TestCreateSupportRequest(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org")
	org := env.Organisation(t, admin, "Dalston Together")
	caseworker := env.User(t, "caseworker@example.org", app.RoleCaseworker)

	r := env.SupportRequest(t, admin, org.ID)
	require.Equal(t, "new", r.Status)
	require.Equal(t, "Hackney", r.Space.Borough)
	require.Equal(t, "E8 2NR", r.Space.Address.Postcode)
	// Key date in 20 days (32) + high urgency (15) + led by community (15)
	// + turnover under £1m (10) + no other community centre known in
	// Hackney (20).
	require.Equal(t, 92, r.Priority.Score, "%v", r.Priority.Reasons)
	require.Contains(t, r.Priority.Reasons, "Key date (hearing) in 20 days (+32)")
	require.Contains(t, r.Priority.Reasons, "No other community centre known in Hackney (+20)")
	require.Equal(t, []string{"support_request"}, notifiedKinds(t, env, caseworker.ID))

	stranger := env.User(t, "stranger@example.org")
	before := env.Snapshot(t, "support_requests", "notifications")
	bad := func(mutate func(b map[string]any), field string) {
		t.Helper()
		b := apptest.SupportBody(org.ID)
		mutate(b)
		_, err := env.App.CreateSupportRequest(ctx, admin, apptest.Body(t, b))
		fieldErr(t, err, field)
	}
	yesterday := workday.DateOf(time.Now()).AddDays(-1).String()
	bad(func(b map[string]any) { b["risk"].(map[string]any)["key_date"] = yesterday }, "risk.key_date")
	bad(func(b map[string]any) { b["space"].(map[string]any)["tenure_ends_on"] = yesterday }, "space.tenure_ends_on")
	bad(func(b map[string]any) { b["space"].(map[string]any)["uses"] = []string{strings.Repeat("x", 101)} }, "space.uses[0]")
	bad(func(b map[string]any) { b["space"].(map[string]any)["borough"] = "Narnia" }, "space.borough")
	bad(func(b map[string]any) { b["space"].(map[string]any)["landlord_type"] = "dragon" }, "space.landlord_type")
	bad(func(b map[string]any) { b["risk"].(map[string]any)["kind"] = "meteor" }, "risk.kind")
	bad(func(b map[string]any) { delete(b, "consent_to_share") }, "consent_to_share")
	bad(func(b map[string]any) { b["urgency"] = "yesterday" }, "urgency")
	bad(func(b map[string]any) {
		b["space"].(map[string]any)["address"].(map[string]any)["postcode"] = "nowhere"
	}, "space.address.postcode")
	// A request for another organisation.
	_, err := env.App.CreateSupportRequest(ctx, stranger, apptest.Body(t, apptest.SupportBody(org.ID)))
	fieldErr(t, err, "organisation_id")
	// Text PostgreSQL cannot store.
	b := apptest.SupportBody(org.ID)
	b["space"].(map[string]any)["name"] = "Hall\u0000"
	_, err = env.App.CreateSupportRequest(ctx, admin, apptest.Body(t, b))
	fieldErr(t, err, "space.name")
	require.Equal(t, before, env.Snapshot(t, "support_requests", "notifications"))
}

// The intake queue is ordered by priority, explained; members see only
// their organisations' requests.
func TestIntakeQueueByPriority(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org")
	org := env.Organisation(t, admin, "Dalston Together")
	other := env.User(t, "other@example.org")
	otherOrg := env.Organisation(t, other, "Hackney Arts")
	caseworker := env.User(t, "caseworker@example.org", app.RoleCaseworker)

	calm := apptest.SupportBody(otherOrg.ID)
	delete(calm["risk"].(map[string]any), "key_date")
	calm["urgency"], calm["led_by_community"] = "low", false
	low, err := env.App.CreateSupportRequest(ctx, other, apptest.Body(t, calm))
	require.NoError(t, err)
	high := env.SupportRequest(t, admin, org.ID)

	q, err := env.App.ListSupportRequests(ctx, caseworker, app.SupportRequestFilter{})
	require.NoError(t, err)
	require.Len(t, q.Items, 2)
	require.Equal(t, high.ID, q.Items[0].ID)
	require.Equal(t, low.ID, q.Items[1].ID)
	require.Greater(t, q.Items[0].Priority.Score, q.Items[1].Priority.Score)
	// Two community centres in Hackney now: each knows one other.
	require.Contains(t, q.Items[1].Priority.Reasons, "Only 1 other community centre known in Hackney (+12)")
	require.Contains(t, q.Items[1].Priority.Reasons, "No key date given (+0)")

	// Paged: the cursor continues today's order.
	p1, err := env.App.ListSupportRequests(ctx, caseworker, app.SupportRequestFilter{Page: app.PageQuery{Limit: "1"}})
	require.NoError(t, err)
	require.Equal(t, high.ID, p1.Items[0].ID)
	require.NotNil(t, p1.NextCursor)
	p2, err := env.App.ListSupportRequests(ctx, caseworker, app.SupportRequestFilter{Page: app.PageQuery{Limit: "1", Cursor: *p1.NextCursor}})
	require.NoError(t, err)
	require.Equal(t, low.ID, p2.Items[0].ID)

	mine, err := env.App.ListSupportRequests(ctx, admin, app.SupportRequestFilter{})
	require.NoError(t, err)
	require.Len(t, mine.Items, 1)
	require.Equal(t, high.ID, mine.Items[0].ID)
	_, err = env.App.GetSupportRequest(ctx, other, high.ID)
	requireKind(t, err, app.KindNotFound)
	_, err = env.App.ListSupportRequests(ctx, caseworker, app.SupportRequestFilter{Status: "lost"})
	fieldErr(t, err, "status")
}

// Triage: caseworkers only, never on their own organisation's request;
// refer names where, decline gives a reason; accept opens a case whose
// workflow start is queued with it; the group is told; twice is 409.
func TestTriage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org")
	org := env.Organisation(t, admin, "Dalston Together")
	caseworker := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	insider := env.User(t, "insider@example.org", app.RoleCaseworker)
	_, err := env.Store.Pool.Exec(ctx, `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`,
		org.ID, insider.ID)
	require.NoError(t, err)
	r := env.SupportRequest(t, admin, org.ID)
	body := func(v map[string]any) app.Body { return apptest.Body(t, v) }

	before := env.Snapshot(t, "support_requests", "cases", "outbox")
	_, err = env.App.TriageSupportRequest(ctx, admin, r.ID, body(map[string]any{"outcome": "accept"}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.TriageSupportRequest(ctx, insider, r.ID, body(map[string]any{"outcome": "accept"}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "refer", "reason": "Planning specialists"}))
	fieldErr(t, err, "referred_to")
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "decline"}))
	fieldErr(t, err, "reason")
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "maybe"}))
	fieldErr(t, err, "outcome")
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "accept", "caseworker_id": insider.ID}))
	fieldErr(t, err, "caseworker_id")
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "accept", "caseworker_id": admin.ID}))
	fieldErr(t, err, "caseworker_id")
	require.Equal(t, before, env.Snapshot(t, "support_requests", "cases", "outbox"))

	res, err := env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "accept", "reason": "A clear case"}))
	require.NoError(t, err)
	require.NotNil(t, res.CaseID)
	require.Equal(t, "accepted", res.Status)
	require.Equal(t, "accept", res.Triage.Outcome)
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM outbox WHERE kind = 'start:case' AND payload->>'case_id' = $1`, *res.CaseID))
	require.Contains(t, notifiedKinds(t, env, admin.ID), "support_accepted")
	// The promise: 5 working days from today.
	k, err := env.App.GetCase(ctx, admin, *res.CaseID)
	require.NoError(t, err)
	require.Equal(t, workday.AddWorkingDays(workday.DateOf(time.Now()), 5).String(), k.FirstContactDueOn)
	require.Equal(t, caseworker.ID, k.CaseworkerID)
	require.Nil(t, k.Contacts, "members never see contacts")
	require.Nil(t, k.Minutes)
	n := count(t, env, `SELECT count(*) FROM audit_events WHERE chain = $1 AND action = 'case.opened'`, "case:"+*res.CaseID)
	require.Equal(t, 1, n)

	_, err = env.App.TriageSupportRequest(ctx, caseworker, r.ID, body(map[string]any{"outcome": "decline", "reason": "No"}))
	requireKind(t, err, app.KindConflict)

	// Referred elsewhere: the group hears where.
	r2 := env.SupportRequest(t, admin, org.ID)
	_, err = env.App.TriageSupportRequest(ctx, caseworker, r2.ID, body(map[string]any{"outcome": "refer", "reason": "They handle licensing",
		"referred_to": "Hackney Council licensing team"}))
	require.NoError(t, err)
	got, err := env.App.GetSupportRequest(ctx, admin, r2.ID)
	require.NoError(t, err)
	require.Equal(t, "referred", got.Status)
	require.Equal(t, "Hackney Council licensing team", *got.Triage.ReferredTo)
	require.Contains(t, notifiedKinds(t, env, admin.ID), "support_referred")

	// Case commands need a caseworker, answer 404 out of scope.
	stranger := env.User(t, "stranger@example.org")
	_, err = env.App.GetCase(ctx, stranger, *res.CaseID)
	requireKind(t, err, app.KindNotFound)
	_, err = env.App.AddCaseAction(ctx, admin, *res.CaseID, body(map[string]any{"title": "x", "due_on": "2099-01-01"}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.AddCaseKeyDate(ctx, insider, *res.CaseID, body(map[string]any{"kind": "hearing", "on": "2099-01-01", "description": "x"}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.AddCaseKeyDate(ctx, caseworker, *res.CaseID, body(map[string]any{"kind": "hearing",
		"on": workday.DateOf(time.Now()).AddDays(-1).String(), "description": "Last week's hearing"}))
	fieldErr(t, err, "on")
	_, err = env.App.AddCaseNote(ctx, caseworker, *res.CaseID, body(map[string]any{"body": strings.Repeat("x", 5001), "shared": true}))
	fieldErr(t, err, "body")
	_, err = env.App.CloseCase(ctx, caseworker, *res.CaseID, body(map[string]any{"outcome": "won", "summary": ""}))
	fieldErr(t, err, "outcome")
}

// A Spaces at Risk application's support question opens a request linked
// to it at submission; its assessors see the case's summary only where
// the group consented.
func TestSupportFromApplication(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	rnd, _ := env.SpacesAtRiskRound(t)
	now := time.Now()
	admin := env.User(t, "admin@example.org")
	org := env.Organisation(t, admin, "Dalston Together")
	a, err := env.App.CreateApplication(ctx, admin, rnd.ID, org.ID)
	require.NoError(t, err)
	risk := workday.DateOf(now).AddDays(60).String()
	answers := map[string]any{
		"runs_london_space": true, "space_at_risk": true, "not_for_profit": true,
		"space_name": "Ridley Road Hall", "space_type": []string{"community_centre", "youth_space"},
		"space_description": "Lunch clubs and a youth club", "weekly_users": 300, "owns_or_leases": true,
		"risk_description": "The lease ends", "risk_date": risk, "annual_running_costs": 1_500_000,
		"plan": "Legal advice", "sustainability": "Hire income", "support_needs": []string{"lease_negotiation"},
		"support_consent": true,
	}
	_, err = env.App.SaveApplication(ctx, admin, a.ID, apptest.Body(t, map[string]any{"version": a.Version, "tier": "standard",
		"requested_pence": 1_000_000, "answers": answers}))
	require.NoError(t, err)
	_, err = env.App.SubmitApplication(ctx, admin, a.ID, func() error { return nil })
	require.NoError(t, err)

	list, err := env.App.ListSupportRequests(ctx, admin, app.SupportRequestFilter{})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	r := list.Items[0]
	require.Equal(t, a.ID, *r.ApplicationID)
	require.Equal(t, "Ridley Road Hall", r.Space.Name)
	require.Equal(t, "community_centre", r.Space.Kind)
	require.Equal(t, []string{"Community centre", "Youth club or youth space"}, r.Space.Uses)
	require.Equal(t, risk, *r.Risk.KeyDate)
	require.Equal(t, "high", r.Urgency)
	require.True(t, r.ConsentToShare)
	require.Contains(t, r.Risk.Description, "Negotiating a lease or rent")

	// Managers read the application with the case's summary (consented).
	caseworker := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	tri, err := env.App.TriageSupportRequest(ctx, caseworker, r.ID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	got, err := env.App.GetApplication(ctx, env.Manager, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.SupportCase)
	require.Equal(t, *tri.CaseID, *got.SupportCase.CaseID)
	require.Equal(t, "open", *got.SupportCase.Status)
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "notes")
	// Without consent, staff see nothing of it; the group still does.
	_, err = env.Store.Pool.Exec(ctx, `UPDATE support_requests SET consent_to_share = false WHERE id = $1`, r.ID)
	require.NoError(t, err)
	got, err = env.App.GetApplication(ctx, env.Manager, a.ID)
	require.NoError(t, err)
	require.Nil(t, got.SupportCase)
	got, err = env.App.GetApplication(ctx, admin, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.SupportCase)
	// Caseworkers see cases, not applications (nor scores).
	_, err = env.App.GetApplication(ctx, caseworker, a.ID)
	requireKind(t, err, app.KindNotFound)
}

// openCase makes a support request of a new organisation and accepts it,
// returning the case's id, the group's admin and the organisation.
func openCase(t *testing.T, env *apptest.Env, caseworker app.Actor, email, borough string) (string, app.Actor, app.Organisation) {
	t.Helper()
	admin := env.User(t, email)
	org := env.Organisation(t, admin, "Org of "+email)
	b := apptest.SupportBody(org.ID)
	b["space"].(map[string]any)["borough"] = borough
	r, err := env.App.CreateSupportRequest(context.Background(), admin, apptest.Body(t, b))
	require.NoError(t, err)
	res, err := env.App.TriageSupportRequest(context.Background(), caseworker, r.ID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	return *res.CaseID, admin, org
}

// The casework figures and the CSV, checked against cases in known
// states (rows written as the case's activities write them).
func TestCaseworkFiguresAndCSV(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cw := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	contacted, _, _ := openCase(t, env, cw, "a@example.org", "Hackney")
	late, _, _ := openCase(t, env, cw, "b@example.org", "Hackney")
	overdue, _, _ := openCase(t, env, cw, "c@example.org", "Lambeth")
	openCase(t, env, cw, "d@example.org", "Camden") // waiting: opened today, no contact yet
	closed, _, _ := openCase(t, env, cw, "e@example.org", "Lambeth")
	lost, _, _ := openCase(t, env, cw, "f@example.org", "Lambeth")
	q := env.Store.Queries
	contact := func(caseID string, at time.Time, minutes int32, summary string) {
		t.Helper()
		_, err := q.CaseContactInsert(ctx, sqlc.CaseContactInsertParams{ID: id.New(id.CaseContact), CaseID: caseID, At: at,
			Kind: "call", Minutes: minutes, Summary: summary, RecordedBy: cw.ID, CreatedAt: at})
		require.NoError(t, err)
		_, err = q.CaseMarkFirstContact(ctx, sqlc.CaseMarkFirstContactParams{ID: caseID, At: &at})
		require.NoError(t, err)
	}
	now := time.Now()
	contact(contacted, now, 30, "First call")
	contact(closed, now, 90, "=HYPERLINK(\"http://evil\")")
	contact(lost, now, 15, "Visit")
	// late: opened three weeks ago, contacted today; overdue: opened three
	// weeks ago, never contacted.
	for _, c := range []string{late, overdue} {
		_, err := env.Store.Pool.Exec(ctx, `UPDATE cases SET opened_at = now() - interval '21 days', first_contact_due_on = current_date - 14 WHERE id = $1`, c)
		require.NoError(t, err)
	}
	contact(late, now, 60, "At last")
	closeAs := func(caseID, outcome string) {
		t.Helper()
		_, err := q.CaseClose(ctx, sqlc.CaseCloseParams{ID: caseID, Outcome: &outcome, OutcomeSummary: ptr("What changed"), ClosedAt: &now, ClosedBy: &cw.ID})
		require.NoError(t, err)
	}
	closeAs(closed, "secured")
	closeAs(lost, "lost")

	d, err := env.App.CaseworkFigures(ctx, env.Manager)
	require.NoError(t, err)
	require.Equal(t, 4, d.Open)
	require.Equal(t, 2, d.Closed)
	require.Equal(t, 1, d.SpacesSaved)
	require.Equal(t, int64(195), d.Minutes)
	require.Equal(t, app.FirstContactFigures{OnTime: 3, Late: 1, Overdue: 1, Waiting: 1, PromisedDays: 5},
		withoutMedian(d.FirstContact))
	byBorough := map[string]int{}
	for _, c := range d.OpenByBorough {
		byBorough[c.Key] = c.Cases
	}
	require.Equal(t, map[string]int{"Hackney": 2, "Lambeth": 1, "Camden": 1}, byBorough)
	require.Equal(t, app.CaseCount{Key: "lease_ending", Label: "Lease ending", Cases: 4}, d.OpenByRisk[0])
	outcomes := map[string]int{}
	for _, c := range d.Outcomes {
		outcomes[c.Key] = c.Cases
	}
	require.Equal(t, 1, outcomes["secured"])
	require.Equal(t, 1, outcomes["lost"])
	require.Equal(t, 0, outcomes["relocated"])

	_, err = env.App.CaseworkFigures(ctx, env.User(t, "assessor@example.org", app.RoleAssessor))
	requireKind(t, err, app.KindForbidden)
	write, err := env.App.ExportCases(ctx, cw)
	require.NoError(t, err)
	var buf strings.Builder
	require.NoError(t, write(&buf))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 7)
	var closedLine string
	for _, l := range lines {
		if strings.HasPrefix(l, closed) {
			closedLine = l
		}
	}
	require.Contains(t, closedLine, ",secured,")
	require.Contains(t, closedLine, ",1.50,")
	require.Contains(t, closedLine, ",true,")
}

// withoutMedian zeroes the median, checked on its own.
func withoutMedian(f app.FirstContactFigures) app.FirstContactFigures {
	f.MedianHalfWorkingDays = 0
	return f
}

func ptr[T any](v T) *T { return &v }

// A caseworker invites the group to apply: a draft of the group's in an
// open round, pre-filled from the case; the group is told. A closed
// round or a second draft in the round is refused.
func TestInviteToApply(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cw := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	caseID, admin, org := openCase(t, env, cw, "group@example.org", "Hackney")
	rnd, _ := env.SpacesAtRiskRound(t)

	_, err := env.App.InviteToApply(ctx, admin, caseID, apptest.Body(t, map[string]any{"round_id": rnd.ID}))
	requireKind(t, err, app.KindForbidden)
	_, err = env.App.InviteToApply(ctx, cw, caseID, apptest.Body(t, map[string]any{"round_id": "rnd_nope"}))
	fieldErr(t, err, "round_id")

	a, err := env.App.InviteToApply(ctx, cw, caseID, apptest.Body(t, map[string]any{"round_id": rnd.ID}))
	require.NoError(t, err)
	require.Equal(t, "draft", a.Status)
	require.Equal(t, org.ID, a.OrganisationID)
	require.JSONEq(t, `"Dalston Community Centre"`, string(a.Answers["space_name"]))
	require.JSONEq(t, `["community_centre"]`, string(a.Answers["space_type"]))
	require.JSONEq(t, `350`, string(a.Answers["weekly_users"]))
	require.JSONEq(t, `true`, string(a.Answers["owns_or_leases"]))
	require.Contains(t, string(a.Answers["space_description"]), "Lunch club for older people")
	require.Contains(t, notifiedKinds(t, env, admin.ID), "case_invited_to_apply")
	// The group can carry on with it.
	got, err := env.App.GetApplication(ctx, admin, a.ID)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)

	_, err = env.App.InviteToApply(ctx, cw, caseID, apptest.Body(t, map[string]any{"round_id": rnd.ID}))
	requireKind(t, err, app.KindConflict)
	cases, err := env.App.OrganisationCases(ctx, admin, org.ID)
	require.NoError(t, err)
	require.Len(t, cases, 1)
	require.Equal(t, caseID, cases[0].ID)
	stranger := env.User(t, "stranger@example.org")
	cases, err = env.App.OrganisationCases(ctx, stranger, org.ID)
	require.NoError(t, err)
	require.Empty(t, cases)
}

// A programme's own first-contact promise wins over the service's.
func TestProgrammeFirstContactPromise(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	_, err := env.App.EnsureProgramme(ctx, app.Programme{Code: "spaces-at-risk", Name: "Community Spaces at Risk Fund", FunderName: "City Hall"})
	require.NoError(t, err)
	_, err = env.App.UpdateProgramme(ctx, env.Manager, "spaces-at-risk", apptest.Body(t, map[string]any{"case_first_contact_days": 0}))
	fieldErr(t, err, "case_first_contact_days")
	p, err := env.App.UpdateProgramme(ctx, env.Manager, "spaces-at-risk", apptest.Body(t, map[string]any{"case_first_contact_days": 2}))
	require.NoError(t, err)
	require.Equal(t, int32(2), *p.CaseFirstContactDays)
	cw := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	caseID, admin, _ := openCase(t, env, cw, "group@example.org", "Hackney")
	k, err := env.App.GetCase(ctx, admin, caseID)
	require.NoError(t, err)
	require.Equal(t, workday.AddWorkingDays(workday.DateOf(time.Now()), 2).String(), k.FirstContactDueOn)
	// null restores the service's default.
	p, err = env.App.UpdateProgramme(ctx, env.Manager, "spaces-at-risk", apptest.Body(t, map[string]any{"case_first_contact_days": nil}))
	require.NoError(t, err)
	require.Nil(t, p.CaseFirstContactDays)
}

// A caseworker's home counts the requests waiting and the open cases.
func TestCaseworkToDo(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cw := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	openCase(t, env, cw, "a@example.org", "Hackney")
	admin := env.User(t, "b@example.org")
	env.SupportRequest(t, admin, env.Organisation(t, admin, "Waiting Group").ID)
	w, err := env.App.CaseworkToDo(ctx, cw)
	require.NoError(t, err)
	require.Equal(t, app.CaseworkWaiting{Requests: 1, Open: 1}, w)
	_, err = env.App.CaseworkToDo(ctx, admin)
	requireKind(t, err, app.KindForbidden)
}

// A page of cases carries each case's own lists (read for the whole page
// at once), and a member's page only the shared notes and no contacts.
func TestListCasesCarriesEachCasesParts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cw := env.User(t, "caseworker@example.org", app.RoleCaseworker)
	q := env.Store.Queries
	now := time.Now()
	type made struct {
		id     string
		member app.Actor
	}
	var cases []made
	for i, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		caseID, member, _ := openCase(t, env, cw, email, "Hackney")
		cases = append(cases, made{caseID, member})
		for j := 0; j <= i; j++ { // case i has i+1 contacts and notes, the first note shared
			_, err := q.CaseContactInsert(ctx, sqlc.CaseContactInsertParams{ID: id.New(id.CaseContact), CaseID: caseID, At: now,
				Kind: "call", Minutes: 10, Summary: caseID, RecordedBy: cw.ID, CreatedAt: now})
			require.NoError(t, err)
			_, err = q.CaseNoteInsert(ctx, sqlc.CaseNoteInsertParams{ID: id.New(id.CaseNote), CaseID: caseID, Body: caseID,
				Shared: j == 0, AuthorID: cw.ID, CreatedAt: now})
			require.NoError(t, err)
		}
	}
	seen := map[string]bool{}
	cursor := ""
	for {
		page, err := env.App.ListCases(ctx, cw, app.CaseFilter{Page: app.PageQuery{Cursor: cursor, Limit: "2"}})
		require.NoError(t, err)
		for _, c := range page.Items {
			n := slices.IndexFunc(cases, func(m made) bool { return m.id == c.ID }) + 1
			require.Len(t, c.Contacts, n, c.ID)
			require.Len(t, c.Notes, n, c.ID)
			require.Equal(t, int64(10*n), *c.Minutes)
			for _, x := range c.Contacts {
				require.Equal(t, c.ID, x.Summary, "a contact of another case")
			}
			for _, x := range c.Notes {
				require.Equal(t, c.ID, x.Body, "a note of another case")
			}
			require.Empty(t, c.Actions)
			seen[c.ID] = true
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	require.Len(t, seen, 3)

	page, err := env.App.ListCases(ctx, cases[2].member, app.CaseFilter{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Len(t, page.Items[0].Notes, 1, "members see the shared note only")
	require.Nil(t, page.Items[0].Contacts)
	require.Nil(t, page.Items[0].Minutes)
}
