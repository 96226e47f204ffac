package payments_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
)

// sent is a request as it left the client.
type sent struct {
	method, path, key string
	form              url.Values
}

// capture is a pass-through proxy that keeps every request it forwards,
// to check what the client sends (stripe-mock checks that it is valid).
type capture struct {
	url  string
	mu   sync.Mutex
	reqs []sent
}

func newCapture(t *testing.T, upstream string) *capture {
	t.Helper()
	c := &capture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("capture: read request: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form := r.URL.Query()
		if r.Method != http.MethodGet {
			if form, err = url.ParseQuery(string(body)); err != nil {
				t.Errorf("capture: %s %s: malformed form: %v", r.Method, r.URL.Path, err)
			}
		}
		c.mu.Lock()
		c.reqs = append(c.reqs, sent{method: r.Method, path: r.URL.Path, key: r.Header.Get("Idempotency-Key"), form: form})
		c.mu.Unlock()
		out, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

func (c *capture) last(t *testing.T) sent {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.reqs, "no request sent")
	return c.reqs[len(c.reqs)-1]
}

type bundle struct {
	rec     *stripetest.Recorder
	capture *capture // in front of rec
	client  *payments.StripeClient
}

// setup returns a client talking to stripe-mock through a capture proxy
// and a Recorder.
func setup(t *testing.T) bundle {
	t.Helper()
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	c := newCapture(t, rec.URL())
	return bundle{
		rec:     rec,
		capture: c,
		client:  payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: c.url + "/"}),
	}
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, err := b.client.CreateAccount(t.Context(), payments.AccountParams{OrganisationID: "org_1", Name: "The Hive", Email: "admin@hive.example"})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(id, "acct_"), id)

	want := sent{method: http.MethodPost, path: "/v1/accounts", key: "account:org_1", form: url.Values{
		"type": {"express"}, "country": {"GB"}, "email": {"admin@hive.example"},
		"business_profile[name]":             {"The Hive"},
		"capabilities[transfers][requested]": {"true"},
		"metadata[organisation_id]":          {"org_1"},
	}}
	if diff := cmp.Diff(want, b.capture.last(t), cmp.AllowUnexported(sent{})); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestOnboardingLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	link, err := b.client.OnboardingLink(t.Context(), "acct_1", "https://grants.example/refresh", "https://grants.example/return")
	require.NoError(t, err)
	u, err := url.Parse(link)
	require.NoError(t, err)
	require.Equal(t, "https", u.Scheme, link)

	got := b.capture.last(t)
	require.Equal(t, "/v1/account_links", got.path)
	require.Equal(t, url.Values{
		"account": {"acct_1"}, "type": {"account_onboarding"},
		"refresh_url": {"https://grants.example/refresh"}, "return_url": {"https://grants.example/return"},
	}, got.form)
}

func transfer(key string) payments.TransferParams {
	return payments.TransferParams{
		PaymentID: "pay_1", GrantID: "grant_1", AccountID: "acct_grantee", IdempotencyKey: key,
		Description: "Tranche 1", AmountPence: 1234567,
	}
}

func TestTransferIsSentOncePerKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref, err := b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(ref, "tr_"), ref)

	got := b.capture.last(t)
	require.Equal(t, "payment:pay_1:attempt:1", got.key)
	require.Equal(t, url.Values{
		"amount": {"1234567"}, "currency": {"gbp"}, "destination": {"acct_grantee"},
		"transfer_group": {"pay_1"}, "description": {"Tranche 1"},
		"metadata[payment_id]": {"pay_1"}, "metadata[grant_id]": {"grant_1"},
		"metadata[idempotency_key]": {"payment:pay_1:attempt:1"},
	}, got.form)

	// The same attempt again (a retry after a crash) gets the same transfer.
	again, err := b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.NoError(t, err)
	require.Equal(t, ref, again)
	require.Equal(t, 1, b.rec.TransferCreates())

	want := []stripetest.RecordedTransfer{{
		Key: "payment:pay_1:attempt:1", PaymentID: "pay_1", AmountPence: 1234567, Destination: "acct_grantee",
		TransferGroup: "pay_1", ID: ref,
		Metadata: map[string]string{"payment_id": "pay_1", "grant_id": "grant_1", "idempotency_key": "payment:pay_1:attempt:1"},
	}}
	if diff := cmp.Diff(want, b.rec.Transfers()); diff != "" {
		t.Errorf("transfers (-want +got):\n%s", diff)
	}
}

func TestTransferRefusesBadParamsWithoutCallingStripe(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name   string
		change func(*payments.TransferParams)
	}{
		{"zero amount", func(p *payments.TransferParams) { p.AmountPence = 0 }},
		{"negative amount", func(p *payments.TransferParams) { p.AmountPence = -1 }},
		{"no key", func(p *payments.TransferParams) { p.IdempotencyKey = "" }},
		{"no payment", func(p *payments.TransferParams) { p.PaymentID = "" }},
		{"no account", func(p *payments.TransferParams) { p.AccountID = "" }},
	}
	for _, tt := range tests {
		p := transfer("k")
		tt.change(&p)
		_, err := b.client.Transfer(t.Context(), p)
		_, ok := payments.IsPermanent(err)
		require.True(t, ok, "%s: %v", tt.name, err)
	}
	require.Zero(t, b.rec.Calls(http.MethodPost, "/v1/transfers"))
}

func TestFindTransfer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ref, err := b.client.Transfer(t.Context(), transfer("payment:pay_1:attempt:1"))
	require.NoError(t, err)
	p2 := transfer("payment:pay_2:attempt:1")
	p2.PaymentID = "pay_2"
	_, err = b.client.Transfer(t.Context(), p2)
	require.NoError(t, err)

	tests := []struct {
		payment, key string
		wantRef      string
		wantFound    bool
	}{
		{"pay_1", "payment:pay_1:attempt:1", ref, true},
		{"pay_1", "payment:pay_1:attempt:2", "", false}, // another attempt of the same payment
		{"pay_2", "payment:pay_1:attempt:1", "", false}, // the key under another payment
		{"pay_3", "payment:pay_3:attempt:1", "", false},
	}
	for _, tt := range tests {
		got, found, err := b.client.FindTransfer(t.Context(), tt.payment, tt.key)
		require.NoError(t, err)
		require.Equal(t, tt.wantFound, found, "%+v", tt)
		require.Equal(t, tt.wantRef, got, "%+v", tt)
	}
	require.Equal(t, len(tests), b.rec.Calls(http.MethodGet, "/v1/transfers"))
	require.Equal(t, 2, b.rec.TransferCreates(), "looking up creates nothing")
}

func TestFindTransferIgnoresStripeMockFixtures(t *testing.T) {
	t.Parallel()
	// Straight to stripe-mock, which lists a fixture transfer whatever the
	// group: it is not ours.
	base := stripetest.APIBase(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/transfers?transfer_group=pay_1", nil)
	require.NoError(t, err)
	req.SetBasicAuth(stripetest.SecretKey, "")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var list struct{ Data []json.RawMessage }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.NotEmpty(t, list.Data, "stripe-mock lists a fixture")

	c := newCapture(t, base)
	client := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: c.url})
	ref, found, err := client.FindTransfer(t.Context(), "pay_1", "payment:pay_1:attempt:1")
	require.NoError(t, err)
	require.False(t, found)
	require.Empty(t, ref)
	got := c.last(t)
	require.Equal(t, "/v1/transfers", got.path)
	require.Equal(t, "pay_1", got.form.Get("transfer_group"))
}
