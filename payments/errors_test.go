package payments_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v79"

	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/platform/config"
)

func TestRecorderFailuresMapToPermanentAndTransient(t *testing.T) {
	t.Parallel()
	b := setup(t)

	b.rec.FailTransfers(1, stripetest.Permanent)
	_, err := b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	pe, ok := payments.IsPermanent(err)
	require.True(t, ok, "%v", err)
	want := &payments.PermanentError{Op: "transfer", Reason: stripetest.PermanentMessage, Code: "balance_insufficient", Status: 400, RequestID: "req_recorder_1"}
	if diff := cmp.Diff(want, pe, cmpopts.IgnoreUnexported(payments.PermanentError{})); diff != "" {
		t.Errorf("PermanentError (-want +got):\n%s", diff)
	}
	require.ErrorContains(t, err, "req_recorder_1")
	var se *stripe.Error
	require.ErrorAs(t, err, &se, "the stripe error stays in the chain")

	b.rec.FailTransfers(1, stripetest.Transient)
	_, err = b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.Error(t, err)
	_, ok = payments.IsPermanent(err)
	require.False(t, ok, "%v", err)
	require.ErrorContains(t, err, "req_recorder_2")
	require.ErrorContains(t, err, "status 500")

	// The retry with the same key goes through, once.
	ref, err := b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.NoError(t, err)
	require.NotEmpty(t, ref)
	require.Equal(t, 1, b.rec.TransferCreates())
}

func TestClientRetriesTransientFailuresWithTheSameKey(t *testing.T) {
	t.Parallel()
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	client := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: rec.URL(), MaxNetworkRetries: 2})
	rec.FailTransfers(2, stripetest.Transient)
	ref, err := client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.NoError(t, err)
	require.Equal(t, 3, rec.Calls(http.MethodPost, "/v1/transfers"))
	require.Equal(t, []stripetest.RecordedTransfer{{
		Key: "payment:pay_1:attempt:1", PaymentID: "pay_1", AmountPence: 1234567, Destination: "acct_grantee", TransferGroup: "pay_1", ID: ref,
		Metadata: map[string]string{"payment_id": "pay_1", "grant_id": "grant_1", "idempotency_key": "payment:pay_1:attempt:1"},
	}}, rec.Transfers())
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
		code      string
	}{
		{"insufficient balance", 400, `{"error":{"type":"invalid_request_error","code":"balance_insufficient","message":"Insufficient funds in the platform balance"}}`, true, "balance_insufficient"},
		{"account not onboarded", 400, `{"error":{"type":"invalid_request_error","message":"Your destination account needs to have at least one of the following capabilities enabled: transfers"}}`, true, ""},
		{"card error", 402, `{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`, true, "card_declined"},
		{"forbidden", 403, `{"error":{"type":"invalid_request_error","message":"The provided key does not have access"}}`, true, ""},
		{"no such account", 404, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such destination: 'acct_x'"}}`, true, "resource_missing"},
		{"bad key", 401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}`, true, ""},
		{"authentication error", 401, `{"error":{"type":"authentication_error","message":"Invalid API Key provided"}}`, true, ""},
		{"permission error", 403, `{"error":{"type":"permission_error","message":"The provided key does not have the required permissions"}}`, true, ""},
		{"key in flight", 409, `{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"There is currently another in-progress request"}}`, false, ""},
		{"conflict", 409, `{"error":{"type":"invalid_request_error","message":"A conflicting request is in progress"}}`, false, ""},
		{"rate limited", 429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, false, ""},
		{"lock timeout", 429, `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now"}}`, false, ""},
		{"server error", 500, `{"error":{"type":"api_error","message":"An unknown error occurred"}}`, false, ""},
		{"unavailable", 503, `{"error":{"type":"api_error","message":"Service unavailable"}}`, false, ""},
		{"not json", 502, `<html>bad gateway</html>`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Request-Id", "req_"+strings.ReplaceAll(tt.name, " ", "_"))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			client := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: srv.URL})
			_, err := client.Transfer(t.Context(), transfer("k"))
			require.Error(t, err)
			pe, permanent := payments.IsPermanent(err)
			require.Equal(t, tt.permanent, permanent, "%v", err)
			if tt.permanent {
				require.Equal(t, tt.status == 401 || tt.status == 403, pe.Credentials, "a refused key is the platform's fault")
				require.Equal(t, tt.code, pe.Code)
				require.Equal(t, tt.status, pe.Status)
				require.Equal(t, "req_"+strings.ReplaceAll(tt.name, " ", "_"), pe.RequestID)
			}
			if tt.status != 502 {
				require.ErrorContains(t, err, "req_"+strings.ReplaceAll(tt.name, " ", "_"), "the request id is in the message")
			}
		})
	}
}

func TestNetworkFailureIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens any more
	client := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: base})
	_, err := client.Transfer(t.Context(), transfer("k"))
	require.Error(t, err)
	_, permanent := payments.IsPermanent(err)
	require.False(t, permanent, "%v", err)
	require.ErrorContains(t, err, "transfer")
}

func TestIsPermanentLooksThroughWrapping(t *testing.T) {
	t.Parallel()
	pe := &payments.PermanentError{Op: "transfer", Reason: "no idempotency key"}
	got, ok := payments.IsPermanent(errors.Join(errors.New("activity"), pe))
	require.True(t, ok)
	require.Same(t, pe, got)
	_, ok = payments.IsPermanent(errors.New("timeout"))
	require.False(t, ok)
	_, ok = payments.IsPermanent(nil)
	require.False(t, ok)
	require.Equal(t, "transfer: permanent: no idempotency key", pe.Error())
}

// stripe-mock refuses a key that does not look like a test key (the old
// development key sk_test_grants_dev among them) with 401: that is
// permanent, marked as the platform's credentials, and never retried;
// the development key it is given now is accepted.
func TestRefusedKeyIsPermanentAndTheDevKeyIsAccepted(t *testing.T) {
	t.Parallel()
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	bad := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_grants_dev", APIBase: rec.URL(), MaxNetworkRetries: 2})
	_, err := bad.CreateAccount(t.Context(), payments.AccountParams{OrganisationID: "org_1", Name: "Kitchen", Email: "a@example.org"})
	pe, ok := payments.IsPermanent(err)
	require.True(t, ok, "%v", err)
	require.True(t, pe.Credentials)
	require.Equal(t, 401, pe.Status)
	require.Equal(t, 1, rec.Calls(http.MethodPost, "/v1/accounts"), "not retried")

	good := payments.NewStripe(payments.StripeConfig{SecretKey: config.DevStripeSecretKey, APIBase: rec.URL()})
	acct, err := good.CreateAccount(t.Context(), payments.AccountParams{OrganisationID: "org_1", Name: "Kitchen", Email: "a@example.org"})
	require.NoError(t, err)
	require.NotEmpty(t, acct)
}
