package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// applicantCase is an application seeded past submission, with its
// applicant's token.
type applicantCase struct {
	Token string
	AppID string
	OrgID string
}

// submittedIn registers an applicant with an organisation and submits a
// complete application asking for £2,500 (micro tier) to round.
func (b *bundle) submittedIn(t *testing.T, roundID, email string) applicantCase {
	t.Helper()
	return b.submitAs(t, b.applicant(t, email), roundID, "Org of "+email, 250_000)
}

// submitAs is submittedIn for an applicant already signed in, with a new
// organisation of the given name (one person may lead many).
func (b *bundle) submitAs(t *testing.T, tok, roundID, orgName string, requested int64) applicantCase {
	t.Helper()
	res := b.do(t, "POST", "/organisations", tok, orgBody(orgName))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	orgID := res.json(t)["id"].(string)
	res = b.do(t, "POST", "/applications", tok, map[string]any{"round_id": roundID, "organisation_id": orgID})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	appID := res.json(t)["id"].(string)
	patch := apptest.CompleteAnswers(1)
	patch["requested_pence"] = requested
	res = b.do(t, "PATCH", "/applications/"+appID, tok, patch)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	return applicantCase{Token: tok, AppID: appID, OrgID: orgID}
}

// inAssessment is submittedIn on the bundle's round, then moved to
// in_assessment as the eligibility activity would.
func (b *bundle) inAssessment(t *testing.T, email string) applicantCase {
	t.Helper()
	c := b.submittedIn(t, b.round.ID, email)
	b.markEligible(t, c.AppID)
	return c
}

func (b *bundle) markEligible(t *testing.T, appID string) {
	t.Helper()
	_, err := b.env.Store.ApplicationSetEligibility(context.Background(), sqlc.ApplicationSetEligibilityParams{
		ID: appID, Status: app.StatusInAssessment, Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
}

// staff creates a user with roles and signs them in.
func (b *bundle) staff(t *testing.T, email string, roles ...string) (app.Actor, string) {
	t.Helper()
	u := b.env.User(t, email, roles...)
	return u, b.login(t, email)
}

// assign seeds an assessment of appID by assessorID, due in a week.
func (b *bundle) assign(t *testing.T, appID, assessorID string) string {
	t.Helper()
	ctx := context.Background()
	row, err := b.env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Microsecond)
	s, err := b.env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: appID,
		RoundID: row.RoundID, AssessorID: assessorID, Deadline: now.Add(7 * 24 * time.Hour), AssignedAt: now})
	require.NoError(t, err)
	return s.ID
}

// score seeds scores on an assessment with the given stored total.
func (b *bundle) score(t *testing.T, asmID string, total int64) {
	t.Helper()
	scores, _ := json.Marshal(map[string]workflows.CriterionScore{
		"need": {Score: 4, Justification: "Clear evidence"}, "led_by": {Score: 4, Justification: "Community-led"},
		"delivery": {Score: 4, Justification: "Realistic plan"}})
	now := time.Now()
	_, err := b.env.Store.AssessmentScore(context.Background(), sqlc.AssessmentScoreParams{ID: asmID, Scores: scores,
		TotalHundredths: &total, ScoredAt: &now})
	require.NoError(t, err)
}

// decide seeds a decision as the decide activity would; approval inserts
// the grant (offered) and commits the award. It returns the grant id.
func (b *bundle) decide(t *testing.T, appID, outcome string, award int64) string {
	t.Helper()
	ctx := context.Background()
	row, err := b.env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	now := time.Now()
	reason := "Panel decision: " + outcome
	status := map[string]string{workflows.OutcomeApprove: app.StatusApproved, workflows.OutcomeReject: app.StatusRejected,
		workflows.OutcomeWaitlist: app.StatusWaitlisted}[outcome]
	p := sqlc.ApplicationDecideParams{ID: appID, Status: status, Outcome: &outcome, Reason: &reason, DecidedBy: ptr("usr_chair"), DecidedAt: &now}
	var grantID string
	if outcome == workflows.OutcomeApprove {
		g, err := b.env.Store.GrantInsert(ctx, sqlc.GrantInsertParams{ID: id.New(id.Grant), ApplicationID: appID, RoundID: row.RoundID,
			OrganisationID: row.OrganisationID, AwardPence: award, Conditions: "Spend it well", OfferedAt: now,
			OfferExpiresAt: now.Add(28 * 24 * time.Hour)})
		require.NoError(t, err)
		_, err = b.env.Store.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: row.RoundID, ApplicationID: appID, AmountPence: award})
		require.NoError(t, err)
		grantID = g.ID
		p.GrantID, p.AwardPence = &grantID, &award
	}
	_, err = b.env.Store.ApplicationDecide(ctx, p)
	require.NoError(t, err)
	return grantID
}

func ptr[T any](v T) *T { return &v }

// reviewSnapshot is what a rejected review command must leave unchanged:
// every row it could touch.
type reviewSnapshot struct {
	Applications, Assessments, Grants, Users string
	Audit, Outbox                            int
}

func (b *bundle) reviewSnapshot(t *testing.T) reviewSnapshot {
	t.Helper()
	ctx := context.Background()
	var s reviewSnapshot
	for _, q := range []struct {
		dst   *string
		table string
	}{{&s.Applications, "applications"}, {&s.Assessments, "assessments"}, {&s.Grants, "grants"}, {&s.Users, "users"}} {
		require.NoError(t, b.env.Store.Pool.QueryRow(ctx,
			`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.id), '[]')::text FROM `+q.table+` x`).Scan(q.dst))
	}
	require.NoError(t, b.env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&s.Audit))
	require.NoError(t, b.env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&s.Outbox))
	return s
}

// rejection is one request that must fail with status and code, leaving
// everything as it was.
type rejection struct {
	name   string
	token  string
	method string
	path   string
	body   any
	status int
	code   string
	field  string
}

func (b *bundle) expectRejections(t *testing.T, cases []rejection) {
	t.Helper()
	b.expectRefused(t, func(t *testing.T) any { return b.reviewSnapshot(t) }, nil, cases)
}

// expectRefused checks, each case a subtest (one failure hides none),
// that the request is refused with its status, code and (if given) field,
// that snapshot is the same after it as before, and that it sent no
// Update (rc, when given).
func (b *bundle) expectRefused(t *testing.T, snapshot func(*testing.T) any, rc *recordingCases, cases []rejection) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t)
			res := b.do(t, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
			code, fields := res.errorCode(t)
			require.Equal(t, tc.code, code, "%s: %s", tc.name, res.Body)
			if tc.field != "" {
				require.Contains(t, fields, tc.field, "%s: %s", tc.name, res.Body)
			}
			require.Equal(t, before, snapshot(t), "%s changed something", tc.name)
			if rc != nil {
				require.Empty(t, rc.take(), "%s sent an Update", tc.name)
			}
		})
	}
}
