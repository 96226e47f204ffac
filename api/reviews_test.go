package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/wftest"
)

// The ranking orders by total (unscored last, ties by submission) and
// keeps the budget's running total over what is still undecided.
func TestRankingOrderAndBudget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.Name, def.BudgetPence = "Small round", 1_500_000
	rnd := b.env.Round(t, def)
	a1, _ := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	a2, _ := b.staff(t, "assessor2@example.org", app.RoleAssessor)

	applicant := b.applicant(t, "many@example.org")
	submit := func(name string, requested int64) string {
		c := b.submitAs(t, applicant, rnd.ID, name, requested)
		b.markEligible(t, c.AppID)
		return c.AppID
	}
	// In submission order.
	rejected := submit("Delta", 100_000)
	approved := submit("Bravo", 400_000)
	waitlisted := submit("Charlie", 200_000)
	first := submit("Alpha", 500_000)
	tied := submit("Golf", 400_000)
	unscored1 := submit("Echo", 150_000)
	unscored2 := submit("Foxtrot", 100_000)
	stillSubmitted := b.submitAs(t, applicant, rnd.ID, "Hotel", 100_000).AppID
	elsewhere := b.inAssessment(t, "other-round@example.org").AppID

	b.score(t, b.assign(t, rejected, a1.ID), 9500)
	b.decide(t, rejected, "reject", 0)
	b.score(t, b.assign(t, approved, a1.ID), 9000)
	b.decide(t, approved, "approve", 400_000)
	b.score(t, b.assign(t, waitlisted, a1.ID), 6000)
	b.score(t, b.assign(t, waitlisted, a2.ID), 9000)
	_, err := b.env.Store.ApplicationSetFlags(ctx, sqlc.ApplicationSetFlagsParams{ID: waitlisted, Flags: []string{"needs_moderation"}})
	require.NoError(t, err)
	b.decide(t, waitlisted, "waitlist", 0)
	now := time.Now()
	_, err = b.env.Store.ApplicationModerate(ctx, sqlc.ApplicationModerateParams{ID: waitlisted, ModeratedTotal: ptr[int64](8000),
		Rationale: ptr("Assessor 1 misread the budget"), ModeratedBy: &b.env.Manager.ID, ModeratedAt: &now})
	require.NoError(t, err)
	b.score(t, b.assign(t, first, a1.ID), 8000)
	b.score(t, b.assign(t, first, a2.ID), 7000)
	b.score(t, b.assign(t, tied, a2.ID), 7500)
	b.assign(t, unscored1, a1.ID) // assigned, not scored
	conflicted := b.assign(t, unscored1, a2.ID)
	_, err = b.env.Store.AssessmentMarkConflict(ctx, sqlc.AssessmentMarkConflictParams{ID: conflicted, Reason: ptr("Trustee"), ReleasedAt: &now})
	require.NoError(t, err)
	b.score(t, b.assign(t, elsewhere, a1.ID), 10000)

	_, chair := b.staff(t, "chair@example.org", app.RoleChair)
	res := b.do(t, "GET", "/rounds/"+rnd.ID+"/ranking", chair, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.EqualValues(t, 1_500_000, got["budget_pence"])
	require.EqualValues(t, 400_000, got["committed_pence"])
	require.EqualValues(t, 1_100_000, got["left_pence"])
	require.Nil(t, got["next_cursor"])

	type row struct {
		id         string
		total      any
		cumulative float64
		fits       bool
	}
	want := []row{
		{rejected, 95.0, 0, false},        // rejected: adds nothing, never fits
		{approved, 90.0, 0, true},         // approved: already committed
		{waitlisted, 80.0, 200_000, true}, // moderated total wins over the mean (75)
		{first, 75.0, 700_000, true},
		{tied, 75.0, 1_100_000, true}, // same total, submitted later; exactly the budget left
		{unscored1, nil, 1_250_000, false},
		{unscored2, nil, 1_350_000, false},
	}
	items := got["items"].([]any)
	require.Len(t, items, len(want), "only assessed statuses of this round: %s", res.Body)
	for i, w := range want {
		it := items[i].(map[string]any)
		require.Equal(t, w.id, it["application_id"], "position %d", i)
		require.Equal(t, w.total, it["total"], "total at %d", i)
		require.Equal(t, w.cumulative, it["cumulative_pence"], "cumulative at %d", i)
		require.Equal(t, w.fits, it["fits_budget"], "fits at %d", i)
		require.NotEqual(t, stillSubmitted, it["application_id"])
	}

	byID := map[string]map[string]any{}
	for _, it := range items {
		byID[it.(map[string]any)["application_id"].(string)] = it.(map[string]any)
	}
	w := byID[waitlisted]
	require.Equal(t, []any{60.0, 90.0}, w["assessor_totals"])
	require.Equal(t, 30.0, w["spread"])
	require.Equal(t, 80.0, w["moderated_total"])
	require.Equal(t, []any{"moderated"}, w["flags"])
	require.Equal(t, "waitlisted", w["status"])
	require.Equal(t, "Charlie", w["organisation_name"])
	asms := w["assessments"].([]any)
	require.Len(t, asms, 2)
	require.Equal(t, "Test assessor1@example.org", asms[0].(map[string]any)["assessor_name"])
	require.Contains(t, asms[0].(map[string]any)["scores"], "need")

	f := byID[first]
	require.Equal(t, []any{80.0, 70.0}, f["assessor_totals"])
	require.Equal(t, 10.0, f["spread"])
	require.Nil(t, f["moderated_total"])
	require.Equal(t, []any{}, f["flags"])
	require.Equal(t, "micro", f["tier"])
	require.EqualValues(t, 500_000, f["requested_pence"])

	require.EqualValues(t, 400_000, byID[approved]["award_pence"])
	u := byID[unscored1]
	require.Equal(t, []any{}, u["assessor_totals"])
	require.Equal(t, 0.0, u["spread"])
	require.Len(t, u["assessments"], 2, "every assessment, conflicted ones too")

	// Pages of 3, joined, are the one page: the running total and the
	// ranks carry across; the budget figures are on every page.
	var paged []any
	path := "/rounds/" + rnd.ID + "/ranking?limit=3"
	var cursor string
	for range 5 {
		pg := b.do(t, "GET", path, chair, nil)
		require.Equal(t, http.StatusOK, pg.Status, string(pg.Body))
		body := pg.json(t)
		require.EqualValues(t, 1_100_000, body["left_pence"])
		require.LessOrEqual(t, len(body["items"].([]any)), 3)
		paged = append(paged, body["items"].([]any)...)
		if body["next_cursor"] == nil {
			break
		}
		cursor = body["next_cursor"].(string)
		path = "/rounds/" + rnd.ID + "/ranking?limit=3&cursor=" + url.QueryEscape(cursor)
	}
	require.Equal(t, items, paged)
	for i, it := range paged {
		require.EqualValues(t, i+1, it.(map[string]any)["rank"])
	}
	tampered := []byte(cursor)
	tampered[2] ^= 1

	mtok := b.login(t, "manager@example.org")
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/rounds/"+rnd.ID+"/ranking", mtok, nil).Status)
	_, atok := b.staff(t, "assessor3@example.org", app.RoleAssessor)
	b.expectRejections(t, []rejection{
		{"no token", "", "GET", "/rounds/" + rnd.ID + "/ranking", nil, 401, "unauthenticated", ""},
		{"applicant", applicant, "GET", "/rounds/" + rnd.ID + "/ranking", nil, 403, "forbidden", ""},
		{"assessor", atok, "GET", "/rounds/" + rnd.ID + "/ranking", nil, 403, "forbidden", ""},
		{"applicant, unknown round", applicant, "GET", "/rounds/rnd_nope/ranking", nil, 403, "forbidden", ""},
		{"unknown round", chair, "GET", "/rounds/rnd_00000000000000000000000000/ranking", nil, 404, "not_found", ""},
		{"tampered cursor", chair, "GET", "/rounds/" + rnd.ID + "/ranking?cursor=" + url.QueryEscape(string(tampered)), nil, 422, "validation_failed", "cursor"},
		{"an application id as cursor", chair, "GET", "/rounds/" + rnd.ID + "/ranking?cursor=" + first, nil, 422, "validation_failed", "cursor"},
		{"limit 0", chair, "GET", "/rounds/" + rnd.ID + "/ranking?limit=0", nil, 422, "validation_failed", "limit"},
		{"limit 201", mtok, "GET", "/rounds/" + rnd.ID + "/ranking?limit=201", nil, 422, "validation_failed", "limit"},
	})
}

// The applicant sees the decision; managers and chairs also see the total,
// the flags and the moderation.
func TestApplicationShowsDecisionAndStaffReview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.inAssessment(t, "decided@example.org")
	a1, _ := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	a2, _ := b.staff(t, "assessor2@example.org", app.RoleAssessor)
	b.score(t, b.assign(t, c.AppID, a1.ID), 8000)
	b.score(t, b.assign(t, c.AppID, a2.ID), 7333)

	mtok := b.login(t, "manager@example.org")
	got := b.do(t, "GET", "/applications/"+c.AppID, mtok, nil).json(t)
	require.Equal(t, 76.67, got["total"], "mean of 80 and 73.33, half up")
	require.Equal(t, []any{}, got["flags"])
	require.Nil(t, got["moderation"])
	require.Nil(t, got["decision"])
	list := b.do(t, "GET", "/applications?status=in_assessment", mtok, nil).json(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, 76.67, list[0].(map[string]any)["total"])

	grantID := b.decide(t, c.AppID, "approve", 240_000)
	got = b.do(t, "GET", "/applications/"+c.AppID, c.Token, nil).json(t)
	require.Equal(t, "approved", got["status"])
	require.Equal(t, grantID, got["grant_id"])
	d := got["decision"].(map[string]any)
	require.Equal(t, "approve", d["outcome"])
	require.EqualValues(t, 240_000, d["award_pence"])
	require.Equal(t, "Panel decision: approve", d["reason"])
	require.NotNil(t, d["decided_at"])
	for _, k := range []string{"total", "flags", "moderation"} {
		require.NotContains(t, got, k, "the applicant does not see the staff view")
	}
	mine := b.do(t, "GET", "/applications", c.Token, nil).json(t)["items"].([]any)
	require.NotContains(t, mine[0], "total")
}

func TestModerationAndDecisionRejectBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.inAssessment(t, "case@example.org")
	done := b.inAssessment(t, "done@example.org")
	b.decide(t, done.AppID, "reject", 0)
	draftTok, draft := b.draft(t, "drafty@example.org")
	_ = draftTok
	mtok := b.login(t, "manager@example.org")
	_, ctok := b.staff(t, "chair@example.org", app.RoleChair)
	_, atok := b.staff(t, "assessor1@example.org", app.RoleAssessor)

	mod := "/applications/" + c.AppID + "/moderation"
	dec := "/applications/" + c.AppID + "/decision"
	b.expectRejections(t, []rejection{
		{"moderation, no token", "", "POST", mod, map[string]any{"total": 80, "rationale": "x"}, 401, "unauthenticated", ""},
		{"moderation by the applicant", c.Token, "POST", mod, `{"garbage`, 403, "forbidden", ""},
		{"moderation by the chair", ctok, "POST", mod, map[string]any{"total": 80, "rationale": "x"}, 403, "forbidden", ""},
		{"moderation by an assessor", atok, "POST", mod, map[string]any{"total": 80, "rationale": "x"}, 403, "forbidden", ""},
		{"moderation of a draft", mtok, "POST", "/applications/" + draft["id"].(string) + "/moderation", `{"garbage`, 404, "not_found", ""},
		{"moderation of a junk id", mtok, "POST", "/applications/nope/moderation", `{}`, 404, "not_found", ""},
		{"moderation after the decision", mtok, "POST", "/applications/" + done.AppID + "/moderation", `{"garbage`, 409, "invalid_state", ""},
		{"moderation, malformed", mtok, "POST", mod, `{"total":`, 400, "malformed_request", ""},
		{"moderation, total as a string", mtok, "POST", mod, `{"total":"80","rationale":"x"}`, 400, "malformed_request", "total"},
		{"moderation, total as an object", mtok, "POST", mod, `{"total":{},"rationale":"x"}`, 400, "malformed_request", "total"},
		{"moderation, unknown field", mtok, "POST", mod, map[string]any{"total": 80, "rationale": "x", "force": true}, 400, "malformed_request", "force"},
		{"moderation, three decimals", mtok, "POST", mod, `{"total":73.333,"rationale":"x"}`, 422, "validation_failed", "total"},
		{"moderation, over 100", mtok, "POST", mod, `{"total":100.01,"rationale":"x"}`, 422, "validation_failed", "total"},
		{"moderation, negative", mtok, "POST", mod, `{"total":-1,"rationale":"x"}`, 422, "validation_failed", "total"},
		{"moderation, no total", mtok, "POST", mod, `{"rationale":"x"}`, 422, "validation_failed", "total"},
		{"moderation, no rationale", mtok, "POST", mod, `{"total":80}`, 422, "validation_failed", "rationale"},
		{"decision, no token", "", "POST", dec, map[string]any{"outcome": "reject", "reason": "x"}, 401, "unauthenticated", ""},
		{"decision by the applicant", c.Token, "POST", dec, `{"garbage`, 403, "forbidden", ""},
		{"decision by a manager", mtok, "POST", dec, map[string]any{"outcome": "reject", "reason": "x"}, 403, "forbidden", ""},
		{"decision on a draft", ctok, "POST", "/applications/" + draft["id"].(string) + "/decision", `{"garbage`, 404, "not_found", ""},
		{"decision again", ctok, "POST", "/applications/" + done.AppID + "/decision", `{"garbage`, 409, "invalid_state", ""},
		{"decision, fractional award", ctok, "POST", dec, `{"outcome":"approve","award_pence":1500.5}`, 400, "malformed_request", "award_pence"},
		{"decision, unknown field", ctok, "POST", dec, map[string]any{"outcome": "reject", "score": 1}, 400, "malformed_request", "score"},
		{"decision, unknown outcome", ctok, "POST", dec, map[string]any{"outcome": "maybe"}, 422, "validation_failed", "outcome"},
		{"decision, no outcome", ctok, "POST", dec, map[string]any{"reason": "x"}, 422, "validation_failed", "outcome"},
		{"decision, award with reject", ctok, "POST", dec, map[string]any{"outcome": "reject", "award_pence": 1000}, 422, "validation_failed", "award_pence"},
		{"decision, zero award", ctok, "POST", dec, map[string]any{"outcome": "approve", "award_pence": 0}, 422, "validation_failed", "award_pence"},
		{"decision, approval without award", ctok, "POST", dec, map[string]any{"outcome": "approve"}, 422, "validation_failed", "award_pence"},
		{"decision, rejection without reason", ctok, "POST", dec, map[string]any{"outcome": "reject", "reason": " "}, 422, "validation_failed", "reason"},
	})
}

// Withdrawal: a draft directly; submitted cases through their workflow;
// decided ones never.
func TestWithdraw(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "leaving@example.org")
	appID := draft["id"].(string)
	other := b.applicant(t, "other@example.org")
	mtok := b.login(t, "manager@example.org")
	done := b.inAssessment(t, "done@example.org")
	b.decide(t, done.AppID, "reject", 0)
	c := b.submittedIn(t, b.round.ID, "submitted@example.org")

	path := "/applications/" + appID + "/withdraw"
	b.expectRejections(t, []rejection{
		{"no token", "", "POST", path, nil, 401, "unauthenticated", ""},
		{"another applicant", other, "POST", path, `{"force":`, 404, "not_found", ""},
		{"manager, draft", mtok, "POST", path, nil, 404, "not_found", ""},
		{"manager, submitted", mtok, "POST", "/applications/" + c.AppID + "/withdraw", `{"force":`, 403, "forbidden", ""},
		{"junk id", tok, "POST", "/applications/nope/withdraw", nil, 404, "not_found", ""},
		{"decided", done.Token, "POST", "/applications/" + done.AppID + "/withdraw", `{"force":`, 409, "invalid_state", ""},
		{"with parameters", tok, "POST", path, map[string]any{"reason": "x"}, 400, "malformed_request", ""},
		{"not JSON", tok, "POST", path, `{"x`, 400, "malformed_request", ""},
		{"submitted, no workflow engine", c.Token, "POST", "/applications/" + c.AppID + "/withdraw", nil, 503, "unavailable", ""},
	})

	res := b.do(t, "POST", path, tok, "{}")
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, "withdrawn", got["status"])
	require.EqualValues(t, 2, got["version"])
	events, err := b.env.Store.AuditListByChain(context.Background(), "application:"+appID)
	require.NoError(t, err)
	require.Equal(t, "application.withdrawn", events[len(events)-1].Action)

	b.expectRejections(t, []rejection{
		{"again", tok, "POST", path, nil, 409, "invalid_state", ""},
		{"edit after withdrawal", tok, "PATCH", "/applications/" + appID, map[string]any{"version": 2}, 409, "invalid_state", ""},
	})
}

// Before the dispatcher has started a case's workflow, lifecycle commands
// answer 409 not_ready with Retry-After; once the case has moved on in
// PostgreSQL, a missing workflow means the state does not allow it.
func TestNoWorkflowYet(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.env.App.UseCases(app.TemporalCases(wftest.Client(t), 10*time.Second))
	c := b.submittedIn(t, b.round.ID, "early@example.org")
	mtok := b.login(t, "manager@example.org")
	_, ctok := b.staff(t, "chair@example.org", app.RoleChair)

	for _, tc := range []struct {
		name, token, path string
		body              any
	}{
		{"withdraw", c.Token, "/withdraw", nil},
		{"moderation", mtok, "/moderation", map[string]any{"total": 73.33, "rationale": "Spread too wide"}},
		{"decision", ctok, "/decision", map[string]any{"outcome": "reject", "reason": "Not this time"}},
	} {
		before := b.reviewSnapshot(t)
		res := b.do(t, "POST", "/applications/"+c.AppID+tc.path, tc.token, tc.body)
		require.Equal(t, http.StatusConflict, res.Status, "%s: %s", tc.name, res.Body)
		code, _ := res.errorCode(t)
		require.Equal(t, "not_ready", code, tc.name)
		require.Equal(t, "1", res.Header.Get("Retry-After"), tc.name)
		require.Equal(t, before, b.reviewSnapshot(t), tc.name)
	}

	// In assessment in PostgreSQL but no workflow (it has completed):
	// the state does not allow the change.
	b.markEligible(t, c.AppID)
	res := b.do(t, "POST", "/applications/"+c.AppID+"/withdraw", c.Token, nil)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "invalid_state", code)
	require.Empty(t, res.Header.Get("Retry-After"))
}

// Temporal unreachable: 503 unavailable with Retry-After, nothing changed.
func TestWorkflowEngineUnreachable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	require.NoError(t, err)
	t.Cleanup(down.Close)
	b.env.App.UseCases(app.TemporalCases(down, 2*time.Second))
	c := b.submittedIn(t, b.round.ID, "queued@example.org")

	before := b.reviewSnapshot(t)
	start := time.Now()
	res := b.do(t, "POST", "/applications/"+c.AppID+"/withdraw", c.Token, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "unavailable", code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	require.Less(t, time.Since(start), 10*time.Second, "bounded by the update timeout")
	require.Equal(t, before, b.reviewSnapshot(t))
}

// fakeCases answers every Update with err.
type fakeCases struct{ err error }

func (f fakeCases) Update(context.Context, string, string, any, any) error { return f.err }

// Every way an Update can fail maps onto one status, in one place.
func TestUpdateErrorMapping(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.submittedIn(t, b.round.ID, "mapped@example.org")
	path := "/applications/" + c.AppID + "/withdraw"
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		code       string
		field      string
		retryAfter string
	}{
		{"forbidden", workflows.Reject(workflows.RejectForbidden, "Not yours", nil), 403, "forbidden", "", ""},
		{"not found", workflows.Reject(workflows.RejectNotFound, "No such assessment", nil), 404, "not_found", "", ""},
		{"invalid state", workflows.Reject(workflows.RejectInvalidState, "Decided", nil), 409, "invalid_state", "", ""},
		{"not ready", workflows.Reject(workflows.RejectNotReady, "Checking", nil), 409, "not_ready", "", "1"},
		{"conflict", workflows.Reject(workflows.RejectConflict, "Over budget", nil), 409, "conflict", "", ""},
		{"invalid", workflows.Reject(workflows.RejectInvalid, "Check", map[string]string{"award_pence": "Too much"}), 422, "validation_failed", "award_pence", ""},
		{"wrapped rejection", fmt.Errorf("update: %w", workflows.Reject(workflows.RejectConflict, "Over budget", nil)), 409, "conflict", "", ""},
		{"first task not done", serviceerror.NewWorkflowNotReady("not ready"), 409, "not_ready", "", "1"},
		{"no workflow while submitted", serviceerror.NewNotFound("workflow not found"), 409, "not_ready", "", "1"},
		{"timeout", context.DeadlineExceeded, 503, "unavailable", "", "5"},
		{"unreachable", serviceerror.NewUnavailable("connection refused"), 503, "unavailable", "", "5"},
		{"workflow bug", temporal.NewApplicationError("nil pointer", "PanicError"), 500, "internal", "", ""},
	} {
		b.env.App.UseCases(fakeCases{tc.err})
		res := b.do(t, "POST", path, c.Token, nil)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		code, fields := res.errorCode(t)
		require.Equal(t, tc.code, code, tc.name)
		if tc.field != "" {
			require.Contains(t, fields, tc.field, tc.name)
		}
		require.Equal(t, tc.retryAfter, res.Header.Get("Retry-After"), tc.name)
	}
	// Once PostgreSQL has moved on, a missing workflow means the state
	// does not allow the change.
	b.markEligible(t, c.AppID)
	b.env.App.UseCases(fakeCases{serviceerror.NewNotFound("workflow execution already completed")})
	res := b.do(t, "POST", path, c.Token, nil)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "invalid_state", code)
}
