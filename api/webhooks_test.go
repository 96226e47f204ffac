package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/payments"
)

// stripeEvent is a Stripe event envelope around object.
func stripeEvent(t *testing.T, id, typ, account string, object map[string]any) []byte {
	t.Helper()
	ev := map[string]any{"id": id, "object": "event", "type": typ, "api_version": "2020-08-27", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object}}
	if account != "" {
		ev["account"] = account
	}
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	return raw
}

// deliver posts payload to the webhook with the given Stripe-Signature
// ("" for none).
func (f *financeBundle) deliver(t *testing.T, payload []byte, signature string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/webhooks/stripe", strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

func (f *financeBundle) deliverSigned(t *testing.T, payload []byte) response {
	t.Helper()
	return f.deliver(t, payload, payments.SignPayload(payload, apptest.WebhookSecret, time.Now()))
}

// Stripe's events are verified, kept once and turned into outbox signals
// for the grants concerned, in one transaction and without Temporal.
func TestStripeWebhook(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	ctx := context.Background()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000) // a Stripe round
	f.env.ActiveGrantOf(t, f.manual, g.Admin, g.OrgID, 100_000)    // paid by bank transfer: Stripe's events are not for it
	f.exec(t, `UPDATE organisations SET stripe_account_id = 'acct_grantee' WHERE id = $1`, g.OrgID)
	payoutReady := func() bool {
		var ready bool
		require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT payout_ready_at IS NOT NULL FROM organisations WHERE id = $1`, g.OrgID).Scan(&ready))
		return ready
	}

	ready := stripeEvent(t, "evt_ready", "account.updated", "acct_grantee", map[string]any{"id": "acct_grantee", "object": "account",
		"payouts_enabled": true, "metadata": map[string]any{"organisation_id": g.OrgID}})

	// Refused deliveries store nothing.
	other := payments.SignPayload(ready, "whsec_someone_else", time.Now())
	stale := payments.SignPayload(ready, apptest.WebhookSecret, time.Now().Add(-10*time.Minute))
	for _, tc := range []struct {
		name      string
		payload   []byte
		signature string
		status    int
		code      string
	}{
		{"no signature", ready, "", 400, "invalid_signature"},
		{"another secret", ready, other, 400, "invalid_signature"},
		{"stale timestamp", ready, stale, 400, "invalid_signature"},
		{"tampered payload", []byte(strings.Replace(string(ready), "true", "false", 1)),
			payments.SignPayload(ready, apptest.WebhookSecret, time.Now()), 400, "invalid_signature"},
		{"over 256 KiB", append(append([]byte{}, ready[:len(ready)-1]...), []byte(`,"pad":"`+strings.Repeat("x", 300<<10)+`"}`)...),
			"", 413, "too_large"},
	} {
		before := f.financeSnapshot(t)
		res := f.deliver(t, tc.payload, tc.signature)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		code, _ := res.errorCode(t)
		require.Equal(t, tc.code, code, tc.name)
		require.Equal(t, before, f.financeSnapshot(t), "%s changed something", tc.name)
	}

	// account.updated with payouts enabled: kept, the organisation is
	// payout-ready and its active Stripe grant (not the manual one) told.
	res := f.deliverSigned(t, ready)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, map[string]any{"received": true}, res.json(t))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM webhook_events WHERE id = 'evt_ready' AND type = 'account.updated'`))
	require.True(t, payoutReady())
	require.Equal(t, []map[string]any{{"grant_id": g.ID, "event": map[string]any{"kind": "payout_ready", "event_id": "evt_ready"}}},
		f.outboxSignals(t))
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM audit_events WHERE chain = $1 AND action = 'organisation.payout_ready'`, "organisation:"+g.OrgID))

	// The same event again (Stripe retries): 200, marked duplicate,
	// nothing changes.
	before := f.financeSnapshot(t)
	res = f.deliverSigned(t, ready)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, map[string]any{"received": true, "duplicate": true}, res.json(t))
	require.Equal(t, before, f.financeSnapshot(t))

	// A second "ready" event for an organisation already ready: no new signal.
	res = f.deliverSigned(t, stripeEvent(t, "evt_ready_again", "account.updated", "acct_grantee", map[string]any{"id": "acct_grantee",
		"object": "account", "payouts_enabled": true, "metadata": map[string]any{"organisation_id": g.OrgID}}))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Len(t, f.outboxSignals(t), 1)

	// transfer.reversed is matched to the payment Stripe paid by that
	// transfer (its provider reference), not to whatever the metadata
	// names: a transfer we never recorded is ignored even when its
	// metadata names one of our payments.
	f.exec(t, `UPDATE payments SET status = 'paid', provider = 'stripe', provider_reference = 'tr_1', paid_at = now() WHERE id = $1`, g.Payments[0])
	res = f.deliverSigned(t, stripeEvent(t, "evt_reversed_unknown", "transfer.reversed", "", map[string]any{"id": "tr_unknown", "object": "transfer",
		"amount": 125000, "amount_reversed": 125000, "metadata": map[string]any{"payment_id": g.Payments[0], "grant_id": g.ID}}))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Len(t, f.outboxSignals(t), 1, "a transfer id of no payment of ours signals nothing")
	res = f.deliverSigned(t, stripeEvent(t, "evt_reversed", "transfer.reversed", "", map[string]any{"id": "tr_1", "object": "transfer",
		"amount": 125000, "amount_reversed": 50000, "metadata": map[string]any{"payment_id": g.Payments[1], "grant_id": g.ID}}))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	signals := f.outboxSignals(t)
	require.Len(t, signals, 2)
	require.Equal(t, map[string]any{"grant_id": g.ID, "event": map[string]any{"kind": "transfer_reversed", "payment_id": g.Payments[0],
		"reason": "Stripe reversed transfer tr_1", "event_id": "evt_reversed", "amount_reversed_pence": float64(50000)}}, signals[1],
		"the payment of transfer tr_1, whatever the metadata says, with how much was reversed")

	// payout.failed for the account: recorded on the organisation and
	// its Stripe grant told.
	res = f.deliverSigned(t, stripeEvent(t, "evt_payout", "payout.failed", "acct_grantee", map[string]any{"id": "po_1", "object": "payout",
		"failure_code": "account_closed", "failure_message": "The bank account has been closed"}))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var failure *string
	require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT payout_failure FROM organisations WHERE id = $1 AND payout_failed_at IS NOT NULL`,
		g.OrgID).Scan(&failure))
	require.Equal(t, "The bank account has been closed", *failure)
	signals = f.outboxSignals(t)
	require.Len(t, signals, 3)
	require.Equal(t, map[string]any{"grant_id": g.ID, "event": map[string]any{"kind": "payout_failed",
		"reason": "The bank account has been closed", "event_id": "evt_payout"}}, signals[2])

	// Events about things we do not know, and types we do not act on,
	// are kept and acknowledged so Stripe stops resending them.
	for _, ev := range [][]byte{
		stripeEvent(t, "evt_unknown_payment", "transfer.reversed", "", map[string]any{"id": "tr_2", "object": "transfer",
			"amount_reversed": 10, "metadata": map[string]any{"payment_id": "pay_01jzzzzzzzzzzzzzzzzzzzzzzz"}}),
		stripeEvent(t, "evt_unknown_account", "account.updated", "acct_nobody", map[string]any{"id": "acct_nobody", "object": "account",
			"payouts_enabled": true, "metadata": map[string]any{"organisation_id": g.OrgID}}),
		stripeEvent(t, "evt_charge", "charge.succeeded", "", map[string]any{"id": "ch_1", "object": "charge"}),
	} {
		before := f.financeSnapshot(t)
		res = f.deliverSigned(t, ev)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, map[string]any{"received": true}, res.json(t))
		after := f.financeSnapshot(t)
		require.NotEqual(t, before["webhook_events"], after["webhook_events"], "the event is kept")
		delete(before, "webhook_events")
		delete(after, "webhook_events")
		require.Equal(t, before, after, "nothing else changes")
	}

	// Payouts disabled again: no longer ready, nobody signalled.
	res = f.deliverSigned(t, stripeEvent(t, "evt_disabled", "account.updated", "acct_grantee", map[string]any{"id": "acct_grantee",
		"object": "account", "payouts_enabled": false, "metadata": map[string]any{"organisation_id": g.OrgID}}))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.False(t, payoutReady())
	require.Len(t, f.outboxSignals(t), 3)
	require.Equal(t, 9, f.count(t, `SELECT count(*) FROM webhook_events`))
}

// A signed event holding text PostgreSQL cannot store (a NUL, which jsonb
// refuses) is still kept and acknowledged, with U+FFFD in its place, so
// Stripe does not resend it for days; an unsigned one changes nothing.
func TestStripeWebhookWithUnstorableText(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	payload := stripeEvent(t, "evt_nul", "account.updated", "acct_unknown", map[string]any{
		"id": "acct_unknown", "object": "account", "payouts_enabled": true,
		"business_profile": map[string]any{"name": "Kitchen\x00Co", "mcc\x00": "8398"}})
	require.Contains(t, string(payload), `\u0000`)
	before := f.financeSnapshot(t)
	res := f.deliver(t, payload, "t=1,v1=bad")
	require.Equal(t, http.StatusBadRequest, res.Status, string(res.Body))
	require.Equal(t, before, f.financeSnapshot(t))

	res = f.deliverSigned(t, payload)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var stored string
	require.NoError(t, f.env.Store.Pool.QueryRow(context.Background(),
		`SELECT payload::text FROM webhook_events WHERE id = 'evt_nul'`).Scan(&stored))
	require.Contains(t, stored, "Kitchen\uFFFDCo")
	require.Contains(t, stored, "mcc\uFFFD")
	require.Equal(t, http.StatusOK, f.deliverSigned(t, payload).Status, "a duplicate")
}
