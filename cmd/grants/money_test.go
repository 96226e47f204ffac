package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/workflows"
)

// moneyStack is a stack paying through a Recorder in front of
// stripe-mock.
type moneyStack struct {
	*stack
	rec *stripetest.Recorder
}

func newMoneyStack(t *testing.T) *moneyStack {
	t.Helper()
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	stripe := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: rec.URL()})
	return &moneyStack{stack: newStack(t, stripe), rec: rec}
}

// webhook signs a Stripe event with the test secret and posts it.
func (s *moneyStack) webhook(t *testing.T, event map[string]any, want int) {
	t.Helper()
	body, err := json.Marshal(event)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", s.base+"/webhooks/stripe", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Stripe-Signature", payments.SignPayload(body, apptest.WebhookSecret, time.Now()))
	status, answer := (&httpClient{t: t}).send(req)
	require.Equal(t, want, status, string(answer))
}

// paymentView is GET /payments/{id}.
type paymentView struct {
	ID                string  `json:"id"`
	Status            string  `json:"status"`
	AmountPence       int64   `json:"amount_pence"`
	Tranche           int     `json:"tranche"`
	ProviderReference *string `json:"provider_reference"`
	Approvals         []struct {
		UserID string `json:"user_id"`
	} `json:"approvals"`
}

// moneyGrant is GET /grants/{id} with what these tests look at.
type moneyGrant struct {
	ID         string   `json:"id"`
	Status     string   `json:"status"`
	AwardPence int64    `json:"award_pence"`
	Flags      []string `json:"flags"`
	Payments   []struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		AmountPence int64  `json:"amount_pence"`
		Condition   string `json:"condition"`
	} `json:"payments"`
	Reports []struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"reports"`
}

// grantee is an accepted grant and its organisation's admin.
type grantee struct {
	c       *httpClient
	orgID   string
	grantID string
}

// acceptedGrant runs one application through a round with the given
// timeline and schedule, over HTTP: submitted, scored by one assessor,
// approved for award, accepted.
func (s *moneyStack) acceptedGrant(t *testing.T, name string, award int64, timeline map[string]any, schedule []any) grantee {
	t.Helper()
	manager := s.as(t, s.env.Manager.Email)
	chair := s.as(t, "chair-"+name+"@example.org", app.RoleChair)
	assessor := s.as(t, "assessor-"+name+"@example.org", app.RoleAssessor)
	now := time.Now().UTC()
	var rnd struct{ ID string }
	manager.do("POST", "/rounds", map[string]any{
		"programme": "spaces-at-risk", "name": "Money round " + name,
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour),
		"budget_pence": 1000000, "min_partners": 0,
		"tiers":                     []any{map[string]any{"key": "micro", "min_pence": 100000, "max_pence": 500000}},
		"form":                      map[string]any{"sections": []any{map[string]any{"key": "p", "title": "Project", "questions": []any{map[string]any{"key": "summary", "type": "text", "title": "What will you do?", "required": true, "max_words": 100}}}}},
		"criteria":                  []any{map[string]any{"key": "need", "title": "Need", "weight": 1, "max_score": 5}},
		"assessors_per_application": 1, "assessor_ids": []string{s.userID(t, "assessor-"+name+"@example.org")},
		"timeline":         timeline,
		"payment_schedule": schedule,
	}, 201, &rnd)

	g := grantee{c: s.as(t, name+"@example.org")}
	var org struct{ ID string }
	g.c.do("POST", "/organisations", map[string]any{"name": name + " community hall", "legal_form": "charity",
		"charity_number": "1187340", "borough": "Lambeth",
		"address": map[string]any{"line1": "1 Hall Street", "town": "London", "postcode": "SE11 5AA"}, "annual_income_pence": 5400000}, 201, &org)
	g.orgID = org.ID
	var a appView
	g.c.do("POST", "/applications", map[string]any{"round_id": rnd.ID, "organisation_id": org.ID}, 201, &a)
	g.c.do("PATCH", "/applications/"+a.ID, map[string]any{"version": a.Version, "tier": "micro",
		"requested_pence": award, "answers": map[string]any{"summary": "Keep the hall open."}}, 200, &a)
	g.c.do("POST", "/applications/"+a.ID+"/submit", nil, 202, &a)

	var queue struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	require.Eventually(t, func() bool {
		assessor.do("GET", "/assessments", nil, 200, &queue)
		return len(queue.Items) == 1
	}, 20*time.Second, 100*time.Millisecond, "assigned")
	scores := map[string]any{"scores": map[string]any{"need": map[string]any{"score": 4, "justification": "Clear need"}}}
	require.Eventually(t, func() bool {
		return assessor.try("/assessments/"+queue.Items[0].ID+"/scores", scores, &map[string]any{}) == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond, "scored")
	chair.do("POST", "/applications/"+a.ID+"/decision", map[string]any{"outcome": "approve", "award_pence": award}, 200, nil)
	g.c.do("GET", "/applications/"+a.ID, nil, 200, &a)
	require.NotNil(t, a.GrantID)
	g.grantID = *a.GrantID
	g.c.do("POST", "/grants/"+g.grantID+"/accept", map[string]any{"signatory_name": "Ada Okafor", "signatory_role": "Chair"}, 200, nil)
	return g
}

// userID is the id of a user created by as.
func (s *moneyStack) userID(t *testing.T, email string) string {
	t.Helper()
	u, ok, err := s.env.App.UserByEmail(context.Background(), email)
	require.NoError(t, err)
	require.True(t, ok)
	return u.ID
}

// payoutReady onboards the grantee's Stripe account and sends the
// account.updated event that makes it payout-ready.
func (s *moneyStack) payoutReady(t *testing.T, g grantee) {
	t.Helper()
	var acct struct {
		AccountID     string `json:"account_id"`
		OnboardingURL string `json:"onboarding_url"`
	}
	require.Eventually(t, func() bool { // the grant's workflow starts just after the acceptance
		return g.c.try("/grants/"+g.grantID+"/payout-account", map[string]any{}, &acct) == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond)
	require.NotEmpty(t, acct.AccountID)
	require.True(t, strings.HasPrefix(acct.OnboardingURL, "http"), acct.OnboardingURL)
	s.webhook(t, map[string]any{"id": "evt_ready_" + g.grantID, "object": "event", "type": "account.updated",
		"api_version": "2024-06-20", "created": time.Now().Unix(), "account": acct.AccountID,
		"data": map[string]any{"object": map[string]any{"id": acct.AccountID, "object": "account", "payouts_enabled": true,
			"charges_enabled": true, "metadata": map[string]string{"organisation_id": g.orgID}}}}, 200)
}

// waitGrant polls the grant until ok.
func waitGrant(t *testing.T, c *httpClient, grantID, what string, ok func(moneyGrant) bool) moneyGrant {
	t.Helper()
	var g moneyGrant
	require.Eventually(t, func() bool {
		c.do("GET", "/grants/"+grantID, nil, 200, &g)
		return ok(g)
	}, 30*time.Second, 100*time.Millisecond, what)
	return g
}

// approveTwice approves a payment as two finance users; the first's
// repeat is refused.
func approveTwice(t *testing.T, f1, f2 *httpClient, paymentID string) {
	t.Helper()
	var p paymentView
	// A payment can be seen due a moment before its workflow has started:
	// then the API answers 409 not_ready with Retry-After, as a client
	// would, the test tries again.
	require.Eventually(t, func() bool {
		return f1.try("/payments/"+paymentID+"/approve", map[string]any{"note": "Checked against the offer"}, &p) != http.StatusConflict
	}, 10*time.Second, 100*time.Millisecond)
	require.Len(t, p.Approvals, 1)
	f1.do("POST", "/payments/"+paymentID+"/approve", map[string]any{"note": "again"}, 409, nil)
	f2.do("POST", "/payments/"+paymentID+"/approve", map[string]any{}, 200, &p)
	require.Len(t, p.Approvals, 2)
}

// From acceptance to a completed grant through the real Temporal dev
// server, over HTTP: payout onboarding and the signed account.updated
// webhook make the first tranche due; two finance approvals pay it through
// Stripe (stripe-mock behind a Recorder); the interim report falls
// overdue and, after the grace, holds the second tranche; its submission
// lifts the hold and its acceptance releases the tranche, which is
// approved and paid; the final report is submitted and accepted and the
// grant completes. Exactly two transfers, exact pence.
func TestMoneyFlowThroughTheDevServer(t *testing.T) {
	t.Parallel()
	s := newMoneyStack(t)
	finance1 := s.as(t, "finance1@example.org", app.RoleFinance)
	finance2 := s.as(t, "finance2@example.org", app.RoleFinance)
	manager := s.as(t, s.env.Manager.Email)
	g := s.acceptedGrant(t, "flow", 300001, map[string]any{
		"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m", "reminder_lead": "2s", "report_grace": "2s",
		"reports": []any{map[string]any{"kind": "interim", "due_after": "15s"}, map[string]any{"kind": "final", "due_after": "600s"}},
	}, []any{map[string]any{"percent": 50, "condition": "on_acceptance"}, map[string]any{"percent": 50, "condition": "after_report:interim"}})

	gr := waitGrant(t, g.c, g.grantID, "active", func(v moneyGrant) bool { return v.Status == "active" })
	require.Equal(t, []int64{150000, 150001}, []int64{gr.Payments[0].AmountPence, gr.Payments[1].AmountPence}, "exact pence, remainder last")
	require.Equal(t, "scheduled", gr.Payments[0].Status, "not due before the payee can be paid")
	s.payoutReady(t, g)
	gr = waitGrant(t, g.c, g.grantID, "tranche 1 due", func(v moneyGrant) bool { return v.Payments[0].Status == "awaiting_approval" })
	first, second := gr.Payments[0].ID, gr.Payments[1].ID
	approveTwice(t, finance1, finance2, first)
	waitGrant(t, g.c, g.grantID, "tranche 1 paid", func(v moneyGrant) bool { return v.Payments[0].Status == "paid" })

	// The interim report falls overdue, then past the grace holds tranche 2.
	gr = waitGrant(t, g.c, g.grantID, "tranche 2 held", func(v moneyGrant) bool { return v.Payments[1].Status == "held" })
	require.Equal(t, "overdue", gr.Reports[0].Status)
	require.Contains(t, gr.Flags, "report_overdue")
	interim, final := gr.Reports[0].ID, gr.Reports[1].ID
	finance1.do("POST", "/payments/"+second+"/approve", map[string]any{}, 409, nil)
	g.c.do("POST", "/reports/"+interim+"/submit", map[string]any{"answers": map[string]any{"progress": "The hall reopened."},
		"spend_pence": 120000}, 200, nil)
	gr = waitGrant(t, g.c, g.grantID, "hold lifted", func(v moneyGrant) bool { return v.Payments[1].Status == "scheduled" })
	require.NotContains(t, gr.Flags, "report_overdue")
	manager.do("POST", "/reports/"+interim+"/review", map[string]any{"outcome": "accept", "comment": "Good progress"}, 200, nil)
	waitGrant(t, g.c, g.grantID, "tranche 2 due", func(v moneyGrant) bool { return v.Payments[1].Status == "awaiting_approval" })
	approveTwice(t, finance2, finance1, second)
	waitGrant(t, g.c, g.grantID, "tranche 2 paid", func(v moneyGrant) bool { return v.Payments[1].Status == "paid" })

	g.c.do("POST", "/reports/"+final+"/submit", map[string]any{"answers": map[string]any{"progress": "Open all year."},
		"spend_pence": 300001}, 200, nil)
	manager.do("POST", "/reports/"+final+"/review", map[string]any{"outcome": "request_changes", "comment": "Add the accounts"}, 200, nil)
	g.c.do("POST", "/reports/"+final+"/submit", map[string]any{"answers": map[string]any{"progress": "Open all year; accounts attached."},
		"spend_pence": 300001}, 200, nil)
	manager.do("POST", "/reports/"+final+"/review", map[string]any{"outcome": "accept"}, 200, nil)
	waitGrant(t, g.c, g.grantID, "completed", func(v moneyGrant) bool { return v.Status == "completed" })

	transfers := s.rec.Transfers()
	require.Len(t, transfers, 2)
	require.Equal(t, 2, s.rec.TransferCreates())
	got := map[string]int64{}
	for _, tr := range transfers {
		got[tr.Key] = tr.AmountPence
	}
	require.Equal(t, map[string]int64{workflows.IdempotencyKey(first, 1): 150000, workflows.IdempotencyKey(second, 1): 150001}, got)

	var p paymentView
	finance1.do("GET", "/payments/"+second, nil, 200, &p)
	require.Equal(t, "paid", p.Status)
	require.NotNil(t, p.ProviderReference)
	var audit struct {
		Items []struct{ Action string } `json:"items"`
	}
	manager.do("GET", "/audit?entity=grant:"+g.grantID, nil, 200, &audit)
	actions := map[string]int{}
	for _, e := range audit.Items {
		actions[e.Action]++
	}
	require.Equal(t, 2, actions["payment.paid"], fmt.Sprint(actions))
	require.Equal(t, 1, actions["grant.completed"], fmt.Sprint(actions))
	require.Equal(t, 1, actions["payments.held"], fmt.Sprint(actions))

	if os.Getenv("GRANTS_RECORD_HISTORY") != "" {
		recordHistory(t, s.tc, workflows.GrantWorkflowID(g.grantID), "grant_completed.json", true)
		recordHistory(t, s.tc, workflows.PaymentWorkflowID(first), "payment_paid.json", true)
	}
}

// A worker stopped between the provider call and its recording (the
// transfer exists at Stripe, PostgreSQL still says sending) pays exactly
// once: the next worker resumes the attempt, finds the transfer by its
// group and key, and records it without creating another.
func TestWorkerKilledMidPaymentPaysOnce(t *testing.T) {
	t.Parallel()
	s := newMoneyStack(t)
	finance1 := s.as(t, "finance1@example.org", app.RoleFinance)
	finance2 := s.as(t, "finance2@example.org", app.RoleFinance)
	g := s.acceptedGrant(t, "kill", 200000, map[string]any{
		"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m", "reminder_lead": "30s",
		"reports": []any{map[string]any{"kind": "final", "due_after": "720h"}},
	}, []any{map[string]any{"percent": 100, "condition": "on_acceptance"}})

	killed := make(chan string, 1)
	s.rec.OnTransfer(func(key string) {
		s.rec.OnTransfer(nil)
		s.stopWorker() // the transfer is made; its answer never reaches the activity
		killed <- key
	})
	s.payoutReady(t, g)
	gr := waitGrant(t, g.c, g.grantID, "tranche due", func(v moneyGrant) bool { return v.Payments[0].Status == "awaiting_approval" })
	pay := gr.Payments[0].ID
	approveTwice(t, finance1, finance2, pay)

	var key string
	select {
	case key = <-killed:
	case <-time.After(30 * time.Second):
		t.Fatal("the transfer was never sent")
	}
	require.Equal(t, workflows.IdempotencyKey(pay, 1), key)
	var p paymentView
	finance1.do("GET", "/payments/"+pay, nil, 200, &p)
	require.Equal(t, "sending", p.Status, "recorded as sending, with no reference, when the worker died")
	require.Nil(t, p.ProviderReference)

	s.startWorker(t)
	require.Eventually(t, func() bool {
		finance1.do("GET", "/payments/"+pay, nil, 200, &p)
		return p.Status == "paid"
	}, 40*time.Second, 200*time.Millisecond, "paid after the worker came back")
	require.Equal(t, 1, s.rec.TransferCreates(), "one transfer created at the provider")
	require.Len(t, s.rec.Transfers(), 1)
	require.GreaterOrEqual(t, s.rec.Calls("GET", "/v1/transfers"), 1, "the resumed attempt looked the transfer up first")
	require.Equal(t, s.rec.Transfers()[0].ID, *p.ProviderReference)

	if os.Getenv("GRANTS_RECORD_HISTORY") != "" {
		recordHistory(t, s.tc, workflows.PaymentWorkflowID(pay), "payment_resumed.json", true)
	}
}
