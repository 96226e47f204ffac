package payments_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments"
)

const whsec = "whsec_test_secret"

// event renders a Stripe event as Stripe sends it, in an API version newer
// than stripe-go v79's.
func event(id, typ, account, object string) []byte {
	acct := "null"
	if account != "" {
		acct = strconv.Quote(account)
	}
	return fmt.Appendf(nil, `{
  "id": %q,
  "object": "event",
  "account": %s,
  "api_version": "2025-01-27.acacia",
  "created": 1737936000,
  "data": {"object": %s},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": %q
}`, id, acct, object, typ)
}

const accountObject = `{
  "id": "acct_1QmExample", "object": "account", "type": "express", "country": "GB",
  "business_profile": {"name": "The Hive"}, "capabilities": {"transfers": "active"},
  "charges_enabled": false, "payouts_enabled": true, "details_submitted": true,
  "metadata": {"organisation_id": "org_1"},
  "requirements": {"currently_due": [], "disabled_reason": null}
}`

const transferObject = `{
  "id": "tr_1QmExample", "object": "transfer", "amount": 500000, "amount_reversed": 125000,
  "currency": "gbp", "destination": "acct_1QmExample", "reversed": false, "transfer_group": "pay_1",
  "metadata": {"payment_id": "pay_1", "grant_id": "grant_1", "idempotency_key": "payment:pay_1:attempt:1"},
  "reversals": {"object": "list", "data": [{"id": "trr_1", "object": "transfer_reversal", "amount": 125000}], "has_more": false}
}`

const payoutObject = `{
  "id": "po_1QmExample", "object": "payout", "amount": 500000, "currency": "gbp", "status": "failed",
  "failure_code": "account_closed", "failure_message": "The bank account has been closed.",
  "destination": "ba_1QmExample", "method": "standard", "type": "bank_account"
}`

func TestVerifyWebhookParsesEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload []byte
		want    payments.Event
	}{
		{"account updated", event("evt_1", "account.updated", "acct_1QmExample", accountObject), payments.Event{
			ID: "evt_1", Type: "account.updated", Account: "acct_1QmExample",
			AccountUpdated: &payments.AccountUpdated{AccountID: "acct_1QmExample", OrganisationID: "org_1", PayoutsEnabled: true},
		}},
		{"account without metadata", event("evt_2", "account.updated", "acct_2", `{"id":"acct_2","object":"account","payouts_enabled":false}`), payments.Event{
			ID: "evt_2", Type: "account.updated", Account: "acct_2",
			AccountUpdated: &payments.AccountUpdated{AccountID: "acct_2"},
		}},
		{"transfer reversed", event("evt_3", "transfer.reversed", "", transferObject), payments.Event{
			ID: "evt_3", Type: "transfer.reversed",
			TransferReversed: &payments.TransferReversed{TransferID: "tr_1QmExample", PaymentID: "pay_1", GrantID: "grant_1", AmountReversedPence: 125000},
		}},
		{"payout failed", event("evt_4", "payout.failed", "acct_1QmExample", payoutObject), payments.Event{
			ID: "evt_4", Type: "payout.failed", Account: "acct_1QmExample",
			PayoutFailed: &payments.PayoutFailed{AccountID: "acct_1QmExample", PayoutID: "po_1QmExample", FailureCode: "account_closed", FailureMessage: "The bank account has been closed."},
		}},
		{"other type", event("evt_5", "charge.succeeded", "acct_9", `{"id":"ch_1","object":"charge","amount":"not read"}`), payments.Event{
			ID: "evt_5", Type: "charge.succeeded", Account: "acct_9",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			header := payments.SignPayload(tt.payload, whsec, time.Now())
			got, err := payments.VerifyWebhook(tt.payload, header, whsec, 300*time.Second)
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyWebhookRejectsBadSignatures(t *testing.T) {
	t.Parallel()
	payload := event("evt_1", "account.updated", "acct_1", accountObject)
	now := time.Now()
	tests := []struct {
		name    string
		payload []byte
		header  string
	}{
		{"tampered body", []byte(strings.Replace(string(payload), `"payouts_enabled": true`, `"payouts_enabled": false`, 1)), payments.SignPayload(payload, whsec, now)},
		{"wrong secret", payload, payments.SignPayload(payload, "whsec_other", now)},
		{"missing header", payload, ""},
		{"garbage header", payload, "nonsense"},
		{"no v1 signature", payload, "t=" + strconv.FormatInt(now.Unix(), 10)},
		{"stale timestamp", payload, payments.SignPayload(payload, whsec, now.Add(-301*time.Second))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := payments.VerifyWebhook(tt.payload, tt.header, whsec, 300*time.Second)
			require.ErrorIs(t, err, payments.ErrInvalidSignature)
		})
	}
}

func TestVerifyWebhookTolerance(t *testing.T) {
	t.Parallel()
	payload := event("evt_1", "charge.succeeded", "", `{"id":"ch_1"}`)
	old := payments.SignPayload(payload, whsec, time.Now().Add(-200*time.Second))
	_, err := payments.VerifyWebhook(payload, old, whsec, 300*time.Second)
	require.NoError(t, err, "within the tolerance")
	_, err = payments.VerifyWebhook(payload, old, whsec, 100*time.Second)
	require.ErrorIs(t, err, payments.ErrInvalidSignature, "beyond a shorter tolerance")
	_, err = payments.VerifyWebhook(payload, old, whsec, 0)
	require.NoError(t, err, "0 means the default of 300 s")
}

func TestVerifyWebhookRejectsMalformedEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload []byte
	}{
		{"not json", []byte("hello")},
		{"no id", []byte(`{"object":"event","type":"account.updated","data":{"object":{"id":"acct_1"}}}`)},
		{"wrong field type", event("evt_1", "account.updated", "acct_1", `{"id":"acct_1","object":"account","payouts_enabled":"yes"}`)},
		{"object without id", event("evt_1", "transfer.reversed", "", `{"object":"transfer","amount_reversed":5}`)},
		{"object of another kind", event("evt_1", "payout.failed", "acct_1", transferObject)},
		{"no object", event("evt_1", "transfer.reversed", "", `null`)},
		{"negative reversal", event("evt_1", "transfer.reversed", "", `{"id":"tr_1","object":"transfer","amount_reversed":-5}`)},
		{"fractional amount", event("evt_1", "transfer.reversed", "", `{"id":"tr_1","object":"transfer","amount_reversed":1.5}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := payments.VerifyWebhook(tt.payload, payments.SignPayload(tt.payload, whsec, time.Now()), whsec, time.Minute)
			require.Error(t, err)
			require.False(t, errors.Is(err, payments.ErrInvalidSignature), "a well-signed malformed event is not a signature problem: %v", err)
		})
	}
}

func TestVerifyWebhookNeedsASecret(t *testing.T) {
	t.Parallel()
	payload := event("evt_1", "charge.succeeded", "", `{"id":"ch_1"}`)
	_, err := payments.VerifyWebhook(payload, payments.SignPayload(payload, "", time.Now()), "", time.Minute)
	require.ErrorContains(t, err, "secret")
	require.False(t, errors.Is(err, payments.ErrInvalidSignature))
}

// TestSignPayloadIsStripesScheme checks the header against the scheme
// Stripe documents, computed here without stripe-go.
func TestSignPayloadIsStripesScheme(t *testing.T) {
	t.Parallel()
	payload := []byte(`{"id":"evt_1"}`)
	at := time.Unix(1737936000, 0)
	mac := hmac.New(sha256.New, []byte(whsec))
	mac.Write([]byte("1737936000."))
	mac.Write(payload)
	require.Equal(t, "t=1737936000,v1="+hex.EncodeToString(mac.Sum(nil)), payments.SignPayload(payload, whsec, at))
}
