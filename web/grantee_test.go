package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// granteeBundle is a site with a round paid through Stripe (the default
// provider) and one paid by bank transfer.
type granteeBundle struct {
	*site
	stripe app.Round
	manual app.Round
}

func granteeSetup(t *testing.T) *granteeBundle {
	t.Helper()
	s := newSite(t)
	return &granteeBundle{site: s, stripe: s.env.Round(t, apptest.ExampleRound(t)), manual: s.env.Round(t, apptest.ManualRound(t))}
}

// granteeWorkflows is site.withWorker with a Stripe client (stripe-mock)
// for the activities, handing back the client and task queue so a test
// can start a seeded grant's workflow.
func (b *granteeBundle) granteeWorkflows(t *testing.T) (tc client.Client, queue string, dispatchOnce func()) {
	t.Helper()
	tc = wftest.Client(t)
	queue = wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	stripe := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: stripetest.APIBase(t)})
	(&activities.Activities{Store: b.env.Store, Log: log, Temporal: tc, Stripe: stripe}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	b.env.App.UseCases(app.TemporalCases(tc, 20*time.Second))
	d := &dispatch.Dispatcher{Store: b.env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	return tc, queue, func() {
		_, err := d.DispatchOnce(context.Background())
		require.NoError(t, err)
	}
}

func granteeStartGrant(t *testing.T, tc client.Client, queue string, g apptest.Grant) {
	t.Helper()
	_, err := tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(g.ID), TaskQueue: queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: g.ID, ApplicationID: g.AppID})
	require.NoError(t, err)
}

// submitted creates a complete application from org to r and submits it.
func (b *granteeBundle) submitted(t *testing.T, r app.Round, who app.Actor, orgID string) string {
	t.Helper()
	ctx := context.Background()
	a, err := b.env.App.CreateApplication(ctx, who, r.ID, orgID)
	require.NoError(t, err)
	_, err = b.env.App.SaveApplication(ctx, who, a.ID, apptest.Body(t, apptest.CompleteAnswers(a.Version)))
	require.NoError(t, err)
	_, err = b.env.App.SubmitApplication(ctx, who, a.ID, func() error { return nil })
	require.NoError(t, err)
	return a.ID
}

// setStatus moves a submitted application on as the workflow's
// activities would: eligibility, then a decision.
func (b *granteeBundle) setStatus(t *testing.T, appID, status, outcome, reason string) {
	t.Helper()
	ctx := context.Background()
	elig := `{"eligible":true,"reasons":[]}`
	st := app.StatusInAssessment
	if status == app.StatusIneligible {
		elig, st = `{"eligible":false,"reasons":["The work must be mainly in London"]}`, status
	}
	_, err := b.env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: appID, Status: st, Eligibility: []byte(elig)})
	require.NoError(t, err)
	if outcome != "" {
		now := time.Now()
		_, err = b.env.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: appID, Status: status, Outcome: &outcome,
			Reason: &reason, DecidedBy: &b.env.Manager.ID, DecidedAt: &now})
		require.NoError(t, err)
	}
}

// offer seeds an offered grant, as an approval leaves it: the decision,
// the budget commitment, the tranches and the reports (no due dates).
func (b *granteeBundle) offer(t *testing.T, r app.Round, admin app.Actor, orgID string, award int64) (grantID string) {
	t.Helper()
	ctx := context.Background()
	appID := b.submitted(t, r, admin, orgID)
	b.setStatus(t, appID, app.StatusInAssessment, "", "")
	now := time.Now().UTC().Truncate(time.Microsecond)
	g, err := b.env.Store.GrantInsert(ctx, sqlc.GrantInsertParams{ID: id.New(id.Grant), ApplicationID: appID, RoundID: r.ID,
		OrganisationID: orgID, AwardPence: award, Conditions: "Spend it well.\nTell us about any change of plan.", OfferedAt: now,
		OfferExpiresAt: now.Add(28 * 24 * time.Hour)})
	require.NoError(t, err)
	_, err = b.env.Store.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: r.ID, ApplicationID: appID, AmountPence: award})
	require.NoError(t, err)
	outcome, reason := workflows.OutcomeApprove, "Strong community case"
	_, err = b.env.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: appID, Status: app.StatusApproved, Outcome: &outcome,
		Reason: &reason, DecidedBy: &b.env.Manager.ID, DecidedAt: &now, GrantID: &g.ID, AwardPence: &award})
	require.NoError(t, err)
	for i, cond := range []string{"on_acceptance", "after_report:interim"} {
		_, err := b.env.Store.PaymentInsert(ctx, sqlc.PaymentInsertParams{ID: id.New(id.Payment), GrantID: g.ID,
			Tranche: int32(i + 1), AmountPence: award / 2, Condition: cond})
		require.NoError(t, err)
	}
	for i, kind := range []string{"interim", "final"} {
		_, err := b.env.Store.ReportInsert(ctx, sqlc.ReportInsertParams{ID: id.New(id.Report), GrantID: g.ID, Kind: kind,
			DueAfterMs: int64(i+1) * 1000 * 3600 * 24 * 180})
		require.NoError(t, err)
	}
	return g.ID
}

// member adds member@example.org to an organisation as a plain member.
func (b *granteeBundle) member(t *testing.T, orgID string) {
	t.Helper()
	u := b.env.User(t, "member@example.org")
	require.NoError(t, b.env.Store.OrganisationMemberAdd(context.Background(), sqlc.OrganisationMemberAddParams{OrganisationID: orgID,
		UserID: u.ID, Role: app.MemberMember}))
}

// snapshot is every row a refused grantee request could touch.
func (b *granteeBundle) snapshot(t *testing.T) map[string]string {
	t.Helper()
	return b.env.Snapshot(t, "applications", "grants", "payments", "reports", "documents", "bank_accounts", "organisations",
		"outbox", "audit_events")
}

func granteeRequireSignIn(t *testing.T, s *site, path string) {
	t.Helper()
	r := s.visitor(t).get(path)
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next="+url.QueryEscape(path), r.Location)
}

const granteePDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

// The list shows every application of the visitor's organisations, in
// each state with what happens next, and their grants with payments and
// reports; nobody else's.
func TestGranteeListShowsNextSteps(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	ctx := context.Background()
	r := b.stripe
	me := b.env.User(t, "applicant@example.org")
	org := func(n string) string { return b.env.Organisation(t, me, n).ID }

	draft, err := b.env.App.CreateApplication(ctx, me, r.ID, org("Draft Club"))
	require.NoError(t, err)
	submitted := b.submitted(t, r, me, org("Submitted Club"))
	ineligible := b.submitted(t, r, me, org("Ineligible Club"))
	b.setStatus(t, ineligible, app.StatusIneligible, "", "")
	assessing := b.submitted(t, r, me, org("Assessed Club"))
	b.setStatus(t, assessing, app.StatusInAssessment, "", "")
	rejected := b.submitted(t, r, me, org("Rejected Club"))
	b.setStatus(t, rejected, app.StatusRejected, workflows.OutcomeReject, "Other applications showed more need")
	waitlisted := b.submitted(t, r, me, org("Waiting Club"))
	b.setStatus(t, waitlisted, app.StatusWaitlisted, workflows.OutcomeWaitlist, "")
	withdrawn := b.submitted(t, r, me, org("Withdrawn Club"))
	_, err = b.env.Store.Pool.Exec(ctx, `UPDATE applications SET status = 'withdrawn' WHERE id = $1`, withdrawn)
	require.NoError(t, err)
	offered := b.offer(t, r, me, org("Offered Club"), 200_000)
	active := b.env.ActiveGrantOf(t, b.manual, me, org("Active Club"), 250_000)
	theirs := b.env.Submitted(t, r, "other@example.org", true)

	granteeRequireSignIn(t, b.site, "/applications")
	v := b.signedIn(t, "applicant@example.org")
	p := v.get("/applications")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	body := p.Body
	require.Contains(t, body, "<h1 class=\"govuk-heading-l\">Your applications and grants</h1>")
	require.Equal(t, 1, strings.Count(body, "<h1"))
	require.NotContains(t, body, theirs)
	for _, want := range []string{
		draft.ID, `href="/applications/` + draft.ID + `">Continue your application`,
		"Finish your application and submit it before the round closes on",
		submitted, "We are checking that your application meets the rules of the round",
		ineligible, "does not meet the rules of the round, so it will not be assessed. The work must be mainly in London.",
		assessing, "Assessors are scoring your application. We expect the panel to decide by",
		rejected, "Your application was not successful. The panel’s reason: Other applications showed more need",
		waitlisted, "Your application is on the waiting list",
		withdrawn, "You withdrew this application",
		"You have been offered a grant of £2,000. An admin of your organisation must accept the offer by",
		`href="/grants/` + offered + `/accept">Accept your offer`,
		"You accepted the grant. Set up how you will be paid",
		`href="/grants/` + active.ID + `">View your grant`,
		`govuk-tag--red">Ineligible`, `govuk-tag--yellow">Waitlisted`, `govuk-tag--grey">Draft`,
		"Draft Club", "Offered Club", // several organisations: each is named
	} {
		require.Contains(t, body, want)
	}
	// The grants: award, paid so far, the next payment and report.
	require.Contains(t, body, `href="/grants/`+active.ID+`">`+r.Name)
	require.Regexp(t, regexp.MustCompile(`£2,500</td>\s*<td[^>]*>£0</td>\s*<td[^>]*>£1,250: Scheduled`), body)
	require.Regexp(t, regexp.MustCompile(`<a class="govuk-link" href="/reports/`+active.Reports[0]+`">Interim report</a>, \d+ \w+ \d{4}`), body)
	require.Regexp(t, regexp.MustCompile(`£2,000</td>\s*<td[^>]*>£0</td>\s*<td[^>]*>£1,000: Scheduled</td>\s*<td[^>]*>Interim report, date set when you accept`), body)

	// Someone with no organisation is told to add one.
	b.env.User(t, "new@example.org")
	p = b.signedIn(t, "new@example.org").get("/applications")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "You are not a member of an organisation yet")
	require.Contains(t, p.Body, "You have no grants yet")
}

// A grant's page: award, conditions, tranches, reports and how it is
// paid, for each provider; scoped to the organisation.
func TestGranteeGrantPage(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	path := "/grants/" + g.ID
	granteeRequireSignIn(t, b.site, path)

	v := b.signedIn(t, "grantee@example.org")
	p := v.get(path)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		"Your grant to Org of grantee@example.org", "£2,500", "Spend it well", `govuk-tag--green">Active`,
		"Accepted</dt>", "by Ada Lovelace (Chair of trustees)",
		"When you have accepted the offer and can be paid", "After your interim report is accepted",
		`href="/reports/` + g.Reports[0] + `">Send<span class="govuk-visually-hidden"> Interim report`,
		"We pay grants by bank transfer", "Not ready to be paid",
		`href="/organisations/` + g.OrgID + `/bank-account?grant=` + g.ID + `"`, "Add bank details",
	} {
		require.Contains(t, p.Body, want)
	}
	require.Equal(t, 1, strings.Count(p.Body, "<h1"))

	// Asking for a Stripe account for a bank-transfer grant is refused on
	// the page and changes nothing.
	before := b.snapshot(t)
	p = v.post(path+"/payout-account", nil)
	require.Equal(t, http.StatusConflict, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	require.Contains(t, p.Body, "paid by bank transfer")
	require.Equal(t, before, b.snapshot(t))

	// A plain member reads it but is not offered the admin's actions.
	b.member(t, g.OrgID)
	p = b.signedIn(t, "member@example.org").get(path)
	require.Equal(t, http.StatusOK, p.Code)
	require.NotContains(t, p.Body, "Add bank details")
	require.Contains(t, p.Body, "an admin of your organisation must add the bank details")

	// A Stripe grant of another organisation: 404 to this grantee; its
	// own admin is offered Stripe onboarding, and told where it stands
	// back from Stripe.
	other := b.env.ActiveGrant(t, b.stripe, "stripe@example.org", 200_000)
	require.Equal(t, http.StatusNotFound, v.get("/grants/"+other.ID).Code)
	require.Equal(t, http.StatusNotFound, v.get("/grants/gnt_nope").Code)
	sv := b.signedIn(t, "stripe@example.org")
	p = sv.get("/grants/" + other.ID)
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `action="/grants/`+other.ID+`/payout-account"`)
	require.Contains(t, p.Body, "Set up payouts with Stripe")
	require.Contains(t, sv.get("/grants/"+other.ID+"?payout=done").Body, "Stripe is checking the details you gave")
	require.Contains(t, sv.get("/grants/"+other.ID+"?payout=refresh").Body, "The link to Stripe expired")

	// Staff read it, without the grantee's forms.
	p = b.signedIn(t, "manager@example.org").get(path)
	require.Equal(t, http.StatusOK, p.Code)
	require.NotContains(t, p.Body, "<form method=\"post\" action=\"/grants/")
}

// The offer's confirmation page: the declaration must be ticked, the
// name and role given; refusals change nothing.
func TestGranteeAcceptOfferRefusals(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	admin := b.env.User(t, "grantee@example.org")
	org := b.env.Organisation(t, admin, "Bermondsey Kitchen")
	grantID := b.offer(t, b.stripe, admin, org.ID, 300_000)
	path := "/grants/" + grantID + "/accept"
	granteeRequireSignIn(t, b.site, path)

	v := b.signedIn(t, "grantee@example.org")
	p := v.get("/grants/" + grantID)
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `href="`+path+`"`)
	p = v.get(path)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{"Accept your grant offer", "£3,000", "Spend it well.</p>", "Tell us about any change of plan.",
		"£1,500: After your interim report is accepted", "Interim report: due 182 days after you accept",
		"I accept the terms and conditions of this grant on behalf of Bermondsey Kitchen",
		`name="signatory_name" type="text" value="Test grantee@example.org"`} {
		require.Contains(t, p.Body, want)
	}

	before := b.snapshot(t)
	p = v.post(path, url.Values{"signatory_name": {"Ada Lovelace"}, "signatory_role": {" "}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	require.Contains(t, p.Body, `<a href="#signatory_role">Enter their role in the organisation</a>`)
	require.Contains(t, p.Body, `<a href="#confirm">Confirm that you accept the terms of the grant</a>`)
	require.Contains(t, p.Body, `id="confirm-error"`)
	require.Contains(t, p.Body, `value="Ada Lovelace"`)
	require.Contains(t, p.Body, "<title>Error: Accept your grant offer")
	require.Equal(t, before, b.snapshot(t))

	ticked := url.Values{"signatory_name": {"Ada Lovelace"}, "signatory_role": {"Chair"}, "confirm": {"yes"}}
	for _, token := range []string{"nope", ""} {
		form := cloneValues(ticked)
		form.Set("csrf_token", token)
		require.Equal(t, http.StatusForbidden, v.post(path, form).Code)
	}
	require.Equal(t, before, b.snapshot(t))

	// A plain member may not accept; another organisation cannot see it.
	b.member(t, org.ID)
	mv := b.signedIn(t, "member@example.org")
	require.Equal(t, http.StatusForbidden, mv.get(path).Code)
	require.Equal(t, http.StatusForbidden, mv.post(path, ticked).Code)
	b.env.User(t, "rival@example.org")
	rv := b.signedIn(t, "rival@example.org")
	require.Equal(t, http.StatusNotFound, rv.get(path).Code)
	require.Equal(t, http.StatusNotFound, rv.post(path, ticked).Code)
	require.Equal(t, http.StatusNotFound, rv.get("/grants/"+grantID).Code)
	require.Equal(t, before, b.snapshot(t))

	// Once the grant is not on offer, the page goes back to the grant.
	active := b.env.ActiveGrant(t, b.stripe, "active@example.org", 200_000)
	p = b.signedIn(t, "active@example.org").get("/grants/" + active.ID + "/accept")
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/grants/"+active.ID, p.Location)
}

// From a real decision to an accepted grant through the workflows: the
// admin ticks the declaration and the grant becomes active.
func TestGranteeAcceptThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	_, _, dispatchOnce := b.granteeWorkflows(t)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.Name = "Quick round"
	def.AssessorsPerApplication = 1
	r := b.env.Round(t, def)
	assessor := b.env.User(t, "assessor@example.org", app.RoleAssessor)
	chair := b.env.User(t, "chair@example.org", app.RoleChair)
	applicant := b.env.User(t, "grantee@example.org")
	appID := b.env.SubmitAs(t, r, applicant, apptest.Lead{Name: "Bermondsey Kitchen"})
	dispatchOnce()

	var asm string
	require.Eventually(t, func() bool {
		q, err := b.env.App.ListAssessments(ctx, assessor, app.AssessmentFilter{})
		require.NoError(t, err)
		if len(q.Items) == 1 {
			asm = q.Items[0].ID
		}
		return asm != ""
	}, 20*time.Second, 100*time.Millisecond)
	notReady := func(err error) bool { e, ok := app.AsError(err); return ok && e.Code == "not_ready" }
	scores := map[string]any{"scores": map[string]any{
		"need":     map[string]any{"score": 4, "justification": "Clear need"},
		"led_by":   map[string]any{"score": 4, "justification": "Led by members"},
		"delivery": map[string]any{"score": 4, "justification": "A credible plan"}}}
	require.Eventually(t, func() bool {
		_, err := b.env.App.Score(ctx, assessor, asm, apptest.Body(t, scores))
		require.False(t, err != nil && !notReady(err), "%v", err)
		return err == nil
	}, 20*time.Second, 100*time.Millisecond)
	_, err := b.env.App.Decide(ctx, chair, appID, apptest.Body(t, map[string]any{"outcome": "approve", "award_pence": 250_000}))
	require.NoError(t, err)
	a, err := b.env.App.GetApplication(ctx, applicant, appID)
	require.NoError(t, err)
	require.NotNil(t, a.GrantID)
	grantID := *a.GrantID

	v := b.signedIn(t, "grantee@example.org")
	require.Contains(t, v.get("/applications").Body, `href="/grants/`+grantID+`/accept">Accept your offer`)
	v.get("/grants/" + grantID + "/accept")
	p := retryingPost(t, v, "/grants/"+grantID+"/accept",
		url.Values{"signatory_name": {"Ada Lovelace"}, "signatory_role": {"Chair of trustees"}, "confirm": {"yes"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/grants/"+grantID+"?accepted=1", p.Location)
	p = v.get(p.Location)
	require.Contains(t, p.Body, "You have accepted the grant")
	require.Contains(t, p.Body, `govuk-tag--green">Active`)
	require.Contains(t, p.Body, "by Ada Lovelace (Chair of trustees)")
	g, err := b.env.App.GetGrant(ctx, applicant, grantID)
	require.NoError(t, err)
	require.Equal(t, app.GrantActive, g.Status)
	require.Equal(t, "Ada Lovelace", *g.SignatoryName)
	require.Contains(t, v.get("/applications").Body, "You accepted the grant")

	// Accepting again is refused on the form.
	p = v.post("/grants/"+grantID+"/accept", url.Values{"signatory_name": {"Ada Lovelace"}, "signatory_role": {"Chair of trustees"}, "confirm": {"yes"}})
	require.Equal(t, http.StatusConflict, p.Code, p.Body)
	require.Contains(t, p.Body, "This offer is no longer open for acceptance")
}

// Bank details for a bank-transfer grant: an admin adds them, sees them
// masked; mistakes re-render; others are refused.
func TestGranteeBankAccount(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	path := "/organisations/" + g.OrgID + "/bank-account"
	granteeRequireSignIn(t, b.site, path)

	v := b.signedIn(t, "grantee@example.org")
	p := v.get(path + "?grant=" + g.ID)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Add bank details")
	require.Contains(t, p.Body, `class="govuk-back-link">Back`)
	require.Contains(t, p.Body, `href="/grants/`+g.ID+`"`)
	require.Contains(t, p.Body, `<label class="govuk-label" for="sort_code">Sort code</label>`)

	before := b.snapshot(t)
	bad := url.Values{"account_name": {"Bermondsey Kitchen"}, "sort_code": {"12-34"}, "account_number": {""}, "grant": {g.ID}}
	p = v.post(path, bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	require.Contains(t, p.Body, `<a href="#sort_code">Sort code must be 6 digits, like 30-94-30</a>`)
	require.Contains(t, p.Body, `<a href="#account_number">Enter an account number</a>`)
	require.Contains(t, p.Body, `value="12-34"`)
	require.Contains(t, p.Body, `value="Bermondsey Kitchen"`)
	require.Less(t, strings.Index(p.Body, "#sort_code"), strings.Index(p.Body, "#account_number"), "errors in the form's order")
	require.Equal(t, before, b.snapshot(t))

	good := url.Values{"account_name": {"Bermondsey Kitchen"}, "sort_code": {"20-00-00"}, "account_number": {"55779911"}, "grant": {g.ID}}
	form := cloneValues(good)
	form.Set("csrf_token", "nope")
	require.Equal(t, http.StatusForbidden, v.post(path, form).Code)
	require.Equal(t, before, b.snapshot(t))

	// Others: another organisation's admin 404, a plain member 403.
	b.env.User(t, "rival@example.org")
	rv := b.signedIn(t, "rival@example.org")
	require.Equal(t, http.StatusNotFound, rv.get(path).Code)
	require.Equal(t, http.StatusNotFound, rv.post(path, good).Code)
	b.member(t, g.OrgID)
	mv := b.signedIn(t, "member@example.org")
	require.Equal(t, http.StatusForbidden, mv.get(path).Code)
	require.Equal(t, http.StatusForbidden, mv.post(path, good).Code)
	require.Equal(t, before, b.snapshot(t))

	p = v.post(path, good)
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, path+"?saved=1&grant="+g.ID, p.Location)
	p = v.get(p.Location)
	require.Contains(t, p.Body, "Bank details saved")
	require.Contains(t, p.Body, "****9911")
	require.Contains(t, p.Body, "Replace the bank details")
	require.NotContains(t, p.Body, "55779911")
	acct, err := b.env.App.GetBankAccount(context.Background(), g.Admin, g.OrgID)
	require.NoError(t, err)
	require.Equal(t, "Bermondsey Kitchen", acct.AccountName)

	p = v.get("/grants/" + g.ID)
	require.Contains(t, p.Body, "Ready to be paid")
	require.Contains(t, p.Body, "Change bank details")
}

// A report's page and its refusals: bad amounts and missing answers
// re-render with what was typed; evidence is uploaded; others get 404.
func TestGranteeReportPage(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	rep := g.Reports[0]
	path := "/reports/" + rep
	granteeRequireSignIn(t, b.site, path)

	v := b.signedIn(t, "grantee@example.org")
	p := v.get(path)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{"<h1 class=\"govuk-heading-l\">Interim report</h1>", ">Upcoming</strong>",
		"What has happened?", `name="answers.progress"`, `name="spend"`, "Upload a file", `enctype="multipart/form-data"`,
		"No files uploaded yet", "Send report", `href="/grants/` + g.ID + `"`} {
		require.Contains(t, p.Body, want)
	}

	before := b.snapshot(t)
	p = v.post(path, url.Values{"answers.progress": {"  "}, "spend": {"12.345"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	require.Contains(t, p.Body, `<a href="#answers.progress">Answer this question: What has happened?</a>`)
	require.Contains(t, p.Body, `<a href="#spend">Enter an amount to the nearest penny, like 1,250.50</a>`)
	require.Contains(t, p.Body, `id="spend-error"`)
	require.Contains(t, p.Body, `value="12.345"`)
	p = v.post(path, url.Values{"answers.progress": {"Six clubs so far."}, "spend": {"1,2345"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "Enter an amount in pounds, like 1250 or 1,250.50")
	require.Contains(t, p.Body, ">Six clubs so far.</textarea>")
	require.Contains(t, p.Body, `value="1,2345"`)
	p = v.post(path, url.Values{"answers.progress": {"Six clubs so far."}, "spend": {"-5"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "Enter an amount of £0 or more")
	require.Equal(t, before, b.snapshot(t))

	// Evidence: no file, a file of the wrong type, a wrong token.
	p = v.upload(path+"/documents", nil, "other", "x.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="#file">Select a file to upload</a>`)
	p = v.upload(path+"/documents", nil, "file", "notes.txt", []byte("just some notes"))
	require.Equal(t, http.StatusUnsupportedMediaType, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="#file">Upload a PDF`)
	p = v.upload(path+"/documents", url.Values{"csrf_token": {"nope"}}, "file", "evidence.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Equal(t, before, b.snapshot(t))

	// Another organisation sees none of it.
	b.env.User(t, "rival@example.org")
	rv := b.signedIn(t, "rival@example.org")
	require.Equal(t, http.StatusNotFound, rv.get(path).Code)
	require.Equal(t, http.StatusNotFound, rv.post(path, url.Values{"answers.progress": {"x"}, "spend": {"1"}}).Code)
	require.Equal(t, http.StatusNotFound, rv.upload(path+"/documents", nil, "file", "evidence.pdf", []byte(granteePDF)).Code)
	require.Equal(t, http.StatusNotFound, rv.get("/reports/rpt_nope").Code)
	require.Equal(t, before, b.snapshot(t))

	// Staff read it but cannot send it.
	p = b.signedIn(t, "manager@example.org").get(path)
	require.Equal(t, http.StatusOK, p.Code)
	require.NotContains(t, p.Body, "Send report")
	require.Contains(t, p.Body, "Only members of the organisation can send this report")

	p = v.upload(path+"/documents", nil, "file", "evidence.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.True(t, strings.HasPrefix(p.Location, path+"?uploaded=doc_"), p.Location)
	r, err := b.env.App.GetReport(context.Background(), g.Admin, rep)
	require.NoError(t, err)
	require.Len(t, r.Documents, 1)
	p = v.get(p.Location)
	require.Contains(t, p.Body, "evidence.pdf has been uploaded")
	require.Contains(t, p.Body, `href="/documents/`+r.Documents[0].ID+`">evidence.pdf</a>`)

	// From the report's own form the file goes up with what was typed, and
	// the page comes back with it, after a wrong file too.
	typed := url.Values{"with_answers": {"1"}, "answers.progress": {"Two clubs so far."}, "spend": {"310.20"}}
	p = v.upload(path+"/documents", typed, "file", "register.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "register.pdf has been uploaded")
	require.Contains(t, p.Body, ">register.pdf</a>")
	require.Contains(t, p.Body, ">Two clubs so far.</textarea>")
	require.Contains(t, p.Body, `value="310.20"`)
	p = v.upload(path+"/documents", typed, "file", "notes.txt", []byte("just some notes"))
	require.Equal(t, http.StatusUnsupportedMediaType, p.Code)
	require.Contains(t, p.Body, ">Two clubs so far.</textarea>")
	p = v.upload(path+"/documents", typed, "other", "x.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, `<a href="#file">Select a file to upload</a>`)
	require.Contains(t, p.Body, ">Two clubs so far.</textarea>")

	// Sent with a file chosen but not uploaded: the file goes up first and
	// is kept though an answer is missing; nothing is sent. A wrong file
	// stops it before anything.
	p = v.upload(path, url.Values{"with_answers": {"1"}, "answers.progress": {""}, "spend": {"310.20"}}, "file", "photo.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, "photo.pdf has been uploaded")
	require.Contains(t, p.Body, ">photo.pdf</a>")
	require.Contains(t, p.Body, "Answer this question: What has happened?")
	require.Contains(t, p.Body, `value="310.20"`)
	p = v.upload(path, typed, "file", "notes.txt", []byte("just some notes"))
	require.Equal(t, http.StatusUnsupportedMediaType, p.Code)
	require.Contains(t, p.Body, ">Two clubs so far.</textarea>")
	r, err = b.env.App.GetReport(context.Background(), g.Admin, rep)
	require.NoError(t, err)
	var names []string
	for _, d := range r.Documents {
		names = append(names, d.Filename)
	}
	require.ElementsMatch(t, []string{"evidence.pdf", "register.pdf", "photo.pdf"}, names)
	require.NotEqual(t, workflows.ReportSubmitted, r.Status, "nothing sent")
}

// A report sent through the real grant workflow, exact pence; then the
// reviewer's feedback and the form to send it again, filled in.
func TestGranteeReportThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	tc, queue, _ := b.granteeWorkflows(t)
	ctx := context.Background()
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	granteeStartGrant(t, tc, queue, g)
	rep := g.Reports[0]
	path := "/reports/" + rep

	v := b.signedIn(t, "grantee@example.org")
	v.get(path)
	p := retryingPost(t, v, path, url.Values{"answers.progress": {"Six clubs so far."}, "spend": {"£1,250.50"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, path+"?submitted=1", p.Location)
	p = v.get(p.Location)
	require.Contains(t, p.Body, "Your interim report has been sent")
	require.Contains(t, p.Body, `govuk-tag--blue">Submitted`)
	require.Contains(t, p.Body, "Six clubs so far.")
	require.Contains(t, p.Body, "£1,250.50")
	require.NotContains(t, p.Body, "Send report")
	r, err := b.env.App.GetReport(ctx, g.Admin, rep)
	require.NoError(t, err)
	require.Equal(t, workflows.ReportSubmitted, r.Status)
	require.EqualValues(t, 125_050, *r.SpendPence)
	var answers map[string]string
	require.NoError(t, json.Unmarshal(r.Answers, &answers))
	require.Equal(t, map[string]string{"progress": "Six clubs so far."}, answers)

	// Sending it again while it waits for review is refused.
	before := b.snapshot(t)
	p = v.post(path, url.Values{"answers.progress": {"More."}, "spend": {"1"}})
	require.Equal(t, http.StatusConflict, p.Code, p.Body)
	require.Contains(t, p.Body, "waiting for review")
	require.Equal(t, before, b.snapshot(t))

	_, err = b.env.App.ReviewReport(ctx, b.env.Manager, rep, apptest.Body(t, map[string]any{"outcome": "request_changes",
		"comment": "Add the attendance figures"}))
	require.NoError(t, err)
	p = v.get(path)
	require.Contains(t, p.Body, "The programme team asked for changes")
	require.Contains(t, p.Body, "Add the attendance figures")
	require.Contains(t, p.Body, ">Six clubs so far.</textarea>")
	require.Contains(t, p.Body, `value="1250.50"`)
	require.Contains(t, v.get("/grants/"+g.ID).Body, "Update and send again")
}

// Stripe onboarding through the grant's workflow (stripe-mock): the page
// links to Stripe rather than redirecting there.
func TestGranteePayoutThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	tc, queue, _ := b.granteeWorkflows(t)
	g := b.env.ActiveGrant(t, b.stripe, "grantee@example.org", 250_000)
	granteeStartGrant(t, tc, queue, g)
	path := "/grants/" + g.ID + "/payout-account"

	b.member(t, g.OrgID)
	mv := b.signedIn(t, "member@example.org")
	mv.get("/grants/" + g.ID)
	require.Equal(t, http.StatusForbidden, mv.post(path, nil).Code)

	v := b.signedIn(t, "grantee@example.org")
	v.get("/grants/" + g.ID)
	p := retryingPost(t, v, path, nil)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "<h1 class=\"govuk-heading-l\">Set up payouts with Stripe</h1>")
	require.Regexp(t, regexp.MustCompile(`<a href="https?://[^"]+" role="button"[^>]*>\s*Continue to Stripe`), p.Body)
	org, err := b.env.Store.OrganisationGet(context.Background(), g.OrgID)
	require.NoError(t, err)
	require.NotNil(t, org.StripeAccountID, "the payee has its Stripe account")

	p = v.get("/grants/" + g.ID + "?payout=done")
	require.Contains(t, p.Body, "Stripe is checking the details you gave")
}

// granteeCases stands in for the workflows: it records each Update and
// answers success, changing nothing.
type granteeCases struct {
	mu   sync.Mutex
	sent []any
}

func (c *granteeCases) Update(_ context.Context, _, _ string, arg, _ any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, arg)
	return nil
}

// Every question type of a report form: asked with its GOV.UK pattern,
// read back exactly (pounds to pence, dates, choices), problems shown
// in the form's order with what was typed.
func TestGranteeReportFormTypes(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	def := apptest.ManualRound(t)
	def.Name = "Spaces round"
	minPence := int64(100)
	maxWords := 50
	def.ReportForm = &form.Form{Sections: []form.Section{{Key: "r", Title: "Report", Questions: []form.Question{
		{Key: "summary", Type: form.TypeText, Title: "What has happened?", Required: true, MaxWords: &maxWords},
		{Key: "match", Type: form.TypeMoney, Title: "Match funding raised", Required: true, Min: &minPence},
		{Key: "people", Type: form.TypeNumber, Title: "People reached", Required: true},
		{Key: "started", Type: form.TypeDate, Title: "When did the work start?", Required: true},
		{Key: "areas", Type: form.TypeChoice, Title: "Areas of work", Required: true, Multiple: true,
			Options: []form.Option{{Value: "food", Label: "Food"}, {Value: "arts", Label: "Arts"}}},
		{Key: "stage", Type: form.TypeChoice, Title: "Stage", Options: []form.Option{{Value: "early", Label: "Early"}, {Value: "late", Label: "Late"}}},
		{Key: "on_track", Type: form.TypeYesNo, Title: "Is the work on track?", Required: true},
		{Key: "photo", Type: form.TypeFile, Title: "A photo of the work"},
	}}}}
	r := b.env.Round(t, def)
	g := b.env.ActiveGrant(t, r, "grantee@example.org", 250_000)
	path := "/reports/" + g.Reports[0]
	v := b.signedIn(t, "grantee@example.org")
	p := v.get(path)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<label class="govuk-label govuk-label--s" for="answers.summary">What has happened?</label>`, "You can enter up to 50 words",
		`<label class="govuk-label" for="answers.match">Match funding raised</label>`, `<div class="govuk-input__prefix" aria-hidden="true">£</div>`,
		`for="answers.people">People reached</label>`, `inputmode="numeric"`,
		`<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">When did the work start?</legend>`, `name="answers.started-day"`,
		`id="answers.areas" name="answers.areas" type="checkbox" value="food"`, `id="answers.areas-2" name="answers.areas" type="checkbox" value="arts"`,
		"Stage (optional)", `id="answers.stage" name="answers.stage" type="radio" value="early"`,
		`govuk-radios--inline`, `id="answers.on_track" name="answers.on_track" type="radio" value="yes"`,
		"A photo of the work (optional)", "Upload it under Evidence above first",
	} {
		require.Contains(t, p.Body, want)
	}

	before := b.snapshot(t)
	bad := url.Values{"answers.summary": {"Done"}, "answers.match": {"abc"}, "answers.people": {"12.5"},
		"answers.started-day": {"31"}, "answers.started-month": {"2"}, "answers.started-year": {"2026"},
		"answers.stage": {"late"}, "spend": {"10"}}
	p = v.post(path, bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	var at []int
	for _, want := range []string{
		`<a href="#answers.match">Enter an amount in pounds, like 1250 or 1,250.50</a>`,
		`<a href="#answers.people">Enter a whole number, like 12</a>`,
		`<a href="#answers.started">Enter a real date, like 27 3 2027</a>`,
		`<a href="#answers.areas">Answer this question: Areas of work</a>`,
		`<a href="#answers.on_track">Answer this question: Is the work on track?</a>`,
	} {
		require.Contains(t, p.Body, want)
		at = append(at, strings.Index(p.Body, want))
	}
	require.IsIncreasing(t, at, "errors in the form's order")
	for _, kept := range []string{">Done</textarea>", `value="abc"`, `value="12.5"`, `name="answers.started-day" type="text" inputmode="numeric" value="31"`,
		`value="late" checked`} {
		require.Contains(t, p.Body, kept)
	}
	p = v.post(path, url.Values{"answers.match": {"0.50"}, "spend": {"1"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, p.Body, "Enter an amount of £1 or more")
	require.Equal(t, before, b.snapshot(t))

	p = v.upload(path+"/documents", nil, "file", "photo.pdf", []byte(granteePDF))
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	rep, err := b.env.App.GetReport(context.Background(), g.Admin, g.Reports[0])
	require.NoError(t, err)
	require.Len(t, rep.Documents, 1)
	doc := rep.Documents[0].ID
	p = v.get(path)
	require.Contains(t, p.Body, `id="answers.photo" name="answers.photo" type="radio" value="`+doc+`"`)

	cases := &granteeCases{}
	b.env.App.UseCases(cases)
	p = v.post(path, url.Values{"answers.summary": {" Six clubs so far. "}, "answers.match": {"£1,000.05"}, "answers.people": {"1,200"},
		"answers.started-day": {"5"}, "answers.started-month": {"03"}, "answers.started-year": {"2026"},
		"answers.areas": {"food", "arts"}, "answers.on_track": {"yes"}, "answers.photo": {doc}, "spend": {".5"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Len(t, cases.sent, 1)
	sub, ok := cases.sent[0].(workflows.ReportSubmission)
	require.True(t, ok)
	require.EqualValues(t, 50, sub.SpendPence)
	require.JSONEq(t, `{"summary":"Six clubs so far.","match":100005,"people":1200,"started":"2026-03-05","areas":["food","arts"],
		"on_track":true,"photo":"`+doc+`"}`, string(sub.Answers))
}

// Stored answers that cannot be decoded are an error on every page that
// shows them (500, logged), never shown as no answers.
func TestReportPagesRefuseUndecodableAnswers(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	g := b.env.ActiveGrant(t, b.manual, "grantee@example.org", 250_000)
	rep := g.Reports[0]
	grantee, manager := b.signedIn(t, "grantee@example.org"), b.signedIn(t, "manager@example.org")
	require.Equal(t, http.StatusOK, grantee.get("/reports/"+rep).Code)
	require.Equal(t, http.StatusOK, manager.get("/manage/reports/"+rep).Code)
	_, err := b.env.Store.Pool.Exec(context.Background(), `UPDATE reports SET answers = '["not", "an object"]' WHERE id = $1`, rep)
	require.NoError(t, err)
	for _, p := range []page{grantee.get("/reports/" + rep), manager.get("/manage/reports/" + rep)} {
		require.Equal(t, http.StatusInternalServerError, p.Code)
		require.NotContains(t, p.Body, "an object")
	}
}
