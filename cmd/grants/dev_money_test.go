package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
)

// The money flow of `grants dev` itself (its own stripe-mock and its own
// development Stripe key, as `make run` starts it), not of the test stack:
// an offer decided and accepted over HTTP by the seeded users, then
// payout onboarding answers 200 with an onboarding link. With the old
// development key stripe-mock answered 401, which was retried until the
// request gave up with 503.
func TestDevStackMoneyFlow(t *testing.T) {
	t.Parallel()
	dir, cfg := devSetup(t, "grants-dev-money-")
	require.Empty(t, cfg.StripeSecretKey, "the dev default key is the one under test")
	addr := freeAddr(t)
	out := &lockedBuffer{}
	stop := startDevOut(t, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), addr, dir, out)
	defer stop()
	base := "http://" + addr + "/api/v1"
	(&httpClient{t: t, base: base}).waitReady("http://" + addr)
	as := func(email string) *httpClient {
		c := &httpClient{t: t, base: base}
		var tok struct{ Token string }
		c.do("POST", "/auth/login", map[string]any{"email": email, "password": "dev-test-password"}, 200, &tok)
		c.token = tok.Token
		return c
	}
	manager, chair := as("manager@example.org"), as("chair@example.org")
	var assessor1 struct{ ID string }
	assessor := as("assessor1@example.org")
	assessor.do("GET", "/me", nil, 200, &assessor1)

	var rnd struct{ ID string }
	manager.do("POST", "/rounds", oneAssessorRound("spaces-at-risk", "Dev money round", assessor1.ID, "stripe"), 201, &rnd)

	grantee := &httpClient{t: t, base: base}
	grantee.registerConfirmed(mailCatcher(t, out.String()).Client, "money@example.org", "money-password-1", "Money")
	var org struct{ ID string }
	grantee.do("POST", "/organisations", map[string]any{"name": "Dev money hall", "legal_form": "charity", "charity_number": "1187340",
		"borough": "Lambeth", "address": map[string]any{"line1": "1 Hall Street", "town": "London", "postcode": "SE11 5AA"},
		"annual_income_pence": 5400000}, 201, &org)
	var a appView
	grantee.do("POST", "/applications", map[string]any{"round_id": rnd.ID, "organisation_id": org.ID}, 201, &a)
	grantee.do("PATCH", "/applications/"+a.ID, map[string]any{"version": a.Version, "tier": "micro", "requested_pence": 200000,
		"answers": map[string]any{"summary": "Keep the hall open."}}, 200, &a)
	grantee.do("POST", "/applications/"+a.ID+"/submit", nil, 202, &a)

	approve(t, assessor, chair, a.ID, 200000)
	grantee.do("GET", "/applications/"+a.ID, nil, 200, &a)
	require.NotNil(t, a.GrantID)
	grantee.do("POST", "/grants/"+*a.GrantID+"/accept", map[string]any{"signatory_name": "Ada Okafor", "signatory_role": "Chair"}, 200, nil)

	var acct struct {
		AccountID     string `json:"account_id"`
		OnboardingURL string `json:"onboarding_url"`
	}
	require.Eventually(t, func() bool { // the grant's workflow starts just after the acceptance
		return grantee.try("/grants/"+*a.GrantID+"/payout-account", map[string]any{}, &acct) == http.StatusOK
	}, 20*time.Second, 100*time.Millisecond)
	require.NotEmpty(t, acct.AccountID)
	require.True(t, strings.HasPrefix(acct.OnboardingURL, "http"), acct.OnboardingURL)
}

// When Stripe refuses the platform's own key, payout onboarding is not
// retried for ever: Stripe is asked once, the refusal is recorded on the
// payee's audit chain, finance is told, and the grantee gets a clear 503
// at once.
func TestPayoutWithARefusedStripeKey(t *testing.T) {
	t.Parallel()
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	stripe := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_grants_dev", APIBase: rec.URL()})
	s := &moneyStack{stack: newStack(t, stripe), rec: rec}
	finance := s.as(t, "finance-keys@example.org", app.RoleFinance)
	g := s.acceptedGrant(t, "keys", 200000, map[string]any{
		"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m", "reminder_lead": "30s",
		"reports": []any{map[string]any{"kind": "final", "due_after": "720h"}},
	}, []any{map[string]any{"percent": 100, "condition": "on_acceptance"}})

	var status int
	var answer []byte
	require.Eventually(t, func() bool { // the grant's workflow starts just after the acceptance
		status, answer = g.c.request("POST", "/grants/"+g.grantID+"/payout-account", map[string]any{})
		return !strings.Contains(string(answer), `"not_ready"`)
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, http.StatusServiceUnavailable, status, string(answer))
	require.Contains(t, string(answer), `"unavailable"`)
	require.Contains(t, string(answer), "Finance staff have been told")
	require.NotContains(t, string(answer), "Authorization", "Stripe's message is for finance, not the grantee")
	require.Equal(t, 1, rec.Calls(http.MethodPost, "/v1/accounts"), "asked once, never retried")

	var notes struct {
		Items []struct{ Kind, Body string } `json:"items"`
	}
	finance.do("GET", "/notifications", nil, 200, &notes)
	found := false
	for _, n := range notes.Items {
		found = found || (n.Kind == "provider_credentials_refused" && strings.Contains(n.Body, "STRIPE_SECRET_KEY"))
	}
	require.True(t, found, "finance is told: %+v", notes.Items)
	events, err := s.env.Store.AuditListByChain(context.Background(), "organisation:"+g.orgID)
	require.NoError(t, err)
	actions := []string{}
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	require.Contains(t, actions, "payout.provider_refused_credentials")
}

// approve takes a submitted application through review over HTTP: it
// waits for the worker to assign it to the assessor, who scores it, and
// the chair approves the award.
func approve(t *testing.T, assessor, chair *httpClient, appID string, award int64) {
	t.Helper()
	var queue struct {
		Items []struct {
			ID            string `json:"id"`
			ApplicationID string `json:"application_id"`
		} `json:"items"`
	}
	assessmentID := ""
	require.Eventually(t, func() bool {
		assessor.do("GET", "/assessments", nil, 200, &queue)
		for _, it := range queue.Items {
			if it.ApplicationID == appID {
				assessmentID = it.ID
			}
		}
		return assessmentID != ""
	}, time.Minute, 100*time.Millisecond, "the worker assigns the assessor")
	scores := map[string]any{"scores": map[string]any{"need": map[string]any{"score": 4, "justification": "Clear need"}}}
	require.Eventually(t, func() bool {
		return assessor.try("/assessments/"+assessmentID+"/scores", scores, &map[string]any{}) == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "scored")
	chair.do("POST", "/applications/"+appID+"/decision", map[string]any{"outcome": "approve", "award_pence": award}, 200, nil)
}

// oneAssessorRound is a round open now, of one question and one criterion,
// scored by one assessor, with windows short enough to run through over
// HTTP in a test, paid in full on acceptance by provider.
func oneAssessorRound(programme, name, assessorID, provider string) map[string]any {
	now := time.Now().UTC()
	return map[string]any{
		"programme": programme, "name": name,
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour),
		"budget_pence": 1000000, "min_partners": 0,
		"tiers": []any{map[string]any{"key": "micro", "min_pence": 100000, "max_pence": 500000}},
		"form": map[string]any{"sections": []any{map[string]any{"key": "p", "title": "Project", "questions": []any{
			map[string]any{"key": "summary", "type": "text", "title": "What will you do?", "required": true, "max_words": 100}}}}},
		"criteria":                  []any{map[string]any{"key": "need", "title": "Need", "weight": 1, "max_score": 5}},
		"assessors_per_application": 1, "assessor_ids": []string{assessorID},
		"timeline": map[string]any{"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m", "reminder_lead": "30s",
			"reports": []any{map[string]any{"kind": "final", "due_after": "720h"}}},
		"payment_schedule": []any{map[string]any{"percent": 100, "condition": "on_acceptance"}},
		"payment_provider": provider,
	}
}
