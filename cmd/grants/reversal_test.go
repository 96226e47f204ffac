package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/payments/stripetest"
)

// transfer.reversed, signed as Stripe signs it, around the transfer object
// as stripe-mock renders it: matched to the payment by its provider
// reference (the transfer id), a partial reversal leaves the payment paid
// with the amount reversed recorded, and the rest reversed later makes it
// reversed.
func TestTransferReversedPartlyThenWholly(t *testing.T) {
	t.Parallel()
	s := newMoneyStack(t)
	finance1 := s.as(t, "finance1@example.org", app.RoleFinance)
	finance2 := s.as(t, "finance2@example.org", app.RoleFinance)
	g := s.acceptedGrant(t, "reversal", 200000, map[string]any{
		"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m", "reminder_lead": "30s",
		"reports": []any{map[string]any{"kind": "final", "due_after": "720h"}},
	}, []any{map[string]any{"percent": 100, "condition": "on_acceptance"}})
	s.payoutReady(t, g)
	gr := waitGrant(t, g.c, g.grantID, "due", func(v moneyGrant) bool { return v.Payments[0].Status == "awaiting_approval" })
	paymentID := gr.Payments[0].ID
	approveTwice(t, finance1, finance2, paymentID)
	waitGrant(t, g.c, g.grantID, "paid", func(v moneyGrant) bool { return v.Payments[0].Status == "paid" })
	var p struct {
		paymentView
		ReversedPence int64 `json:"reversed_pence"`
	}
	finance1.do("GET", "/payments/"+paymentID, nil, 200, &p)
	require.NotNil(t, p.ProviderReference)
	transferID := *p.ProviderReference

	// The transfer as stripe-mock renders it, reversed as Stripe would say.
	req, err := http.NewRequest("GET", s.rec.URL()+"/v1/transfers/"+transferID, nil)
	require.NoError(t, err)
	req.SetBasicAuth(stripetest.SecretKey, "")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(raw))
	transfer := func(reversed int64) map[string]any {
		var o map[string]any
		require.NoError(t, json.Unmarshal(raw, &o))
		require.Equal(t, "transfer", o["object"])
		o["id"], o["amount"], o["amount_reversed"], o["reversed"] = transferID, 200000, reversed, reversed == 200000
		o["metadata"] = map[string]any{"payment_id": paymentID, "grant_id": g.grantID}
		return o
	}
	event := func(id string, reversed int64) map[string]any {
		return map[string]any{"id": id, "object": "event", "type": "transfer.reversed", "api_version": "2024-06-20",
			"created": time.Now().Unix(), "livemode": false, "data": map[string]any{"object": transfer(reversed)}}
	}

	s.webhook(t, event("evt_partial", 75000), 200)
	require.Eventually(t, func() bool {
		finance1.do("GET", "/payments/"+paymentID, nil, 200, &p)
		return p.ReversedPence == 75000
	}, 20*time.Second, 100*time.Millisecond, "partial reversal recorded")
	require.Equal(t, "paid", p.Status, "partly reversed: still paid")
	gr = waitGrant(t, g.c, g.grantID, "flagged", func(v moneyGrant) bool { return len(v.Flags) > 0 })
	require.Contains(t, gr.Flags, "payment_reversed")

	s.webhook(t, event("evt_whole", 200000), 200)
	require.Eventually(t, func() bool {
		finance1.do("GET", "/payments/"+paymentID, nil, 200, &p)
		return p.Status == "reversed"
	}, 20*time.Second, 100*time.Millisecond, "whole reversal recorded")
	require.Equal(t, int64(200000), p.ReversedPence)
}
