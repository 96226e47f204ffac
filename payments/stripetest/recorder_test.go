package stripetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments/stripetest"
)

type response struct {
	status int
	header http.Header
	body   map[string]any
	err    error
}

// send makes a request as stripe-go would; it is safe in any goroutine.
func send(method, rawURL, key string, form url.Values) response {
	req, err := http.NewRequest(method, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		return response{err: err}
	}
	req.SetBasicAuth(stripetest.SecretKey, "")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{err: err}
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		return response{err: fmt.Errorf("%w: %s", err, b)}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

func do(t *testing.T, method, rawURL, key string, form url.Values) response {
	t.Helper()
	res := send(method, rawURL, key, form)
	require.NoError(t, res.err)
	return res
}

func transferForm(payment string, amount string) url.Values {
	return url.Values{
		"amount": {amount}, "currency": {"gbp"}, "destination": {"acct_grantee"},
		"transfer_group":        {payment},
		"metadata[payment_id]":  {payment},
		"metadata[attempt_key]": {"k"},
	}
}

func setup(t *testing.T) *stripetest.Recorder {
	t.Helper()
	return stripetest.NewRecorder(t, stripetest.APIBase(t))
}

func TestRecorderAnswersARepeatedKeyWithoutForwarding(t *testing.T) {
	t.Parallel()
	r := setup(t)
	first := do(t, http.MethodPost, r.URL()+"/v1/transfers", "payment:p1:attempt:1", transferForm("p1", "5000"))
	require.Equal(t, http.StatusOK, first.status, first.body)
	require.Equal(t, "p1", first.body["transfer_group"])
	require.Equal(t, map[string]any{"payment_id": "p1", "attempt_key": "k"}, first.body["metadata"])
	require.Empty(t, first.header.Get("Idempotent-Replayed"))

	again := do(t, http.MethodPost, r.URL()+"/v1/transfers", "payment:p1:attempt:1", transferForm("p1", "5000"))
	require.Equal(t, http.StatusOK, again.status)
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	require.Equal(t, first.body, again.body)

	// Same key, other parameters: refused, as Stripe does.
	changed := do(t, http.MethodPost, r.URL()+"/v1/transfers", "payment:p1:attempt:1", transferForm("p1", "6000"))
	require.Equal(t, http.StatusBadRequest, changed.status)
	require.Equal(t, "idempotency_error", changed.body["error"].(map[string]any)["type"])

	// Another key is another transfer.
	second := do(t, http.MethodPost, r.URL()+"/v1/transfers", "payment:p1:attempt:2", transferForm("p1", "5000"))
	require.Equal(t, http.StatusOK, second.status)
	require.NotEqual(t, first.body["id"], second.body["id"])

	require.Equal(t, 2, r.TransferCreates())
	require.Equal(t, 4, r.Calls(http.MethodPost, "/v1/transfers"))
	want := []stripetest.RecordedTransfer{
		{Key: "payment:p1:attempt:1", PaymentID: "p1", AmountPence: 5000, Destination: "acct_grantee", TransferGroup: "p1",
			Metadata: map[string]string{"payment_id": "p1", "attempt_key": "k"}, ID: first.body["id"].(string)},
		{Key: "payment:p1:attempt:2", PaymentID: "p1", AmountPence: 5000, Destination: "acct_grantee", TransferGroup: "p1",
			Metadata: map[string]string{"payment_id": "p1", "attempt_key": "k"}, ID: second.body["id"].(string)},
	}
	if diff := cmp.Diff(want, r.Transfers()); diff != "" {
		t.Errorf("Transfers() (-want +got):\n%s", diff)
	}
}

func TestRecorderListsTransfersByGroup(t *testing.T) {
	t.Parallel()
	r := setup(t)
	var ids []any
	for i, p := range []string{"p1", "p2", "p1"} {
		res := do(t, http.MethodPost, r.URL()+"/v1/transfers", "key-"+string(rune('a'+i)), transferForm(p, "100"))
		require.Equal(t, http.StatusOK, res.status)
		ids = append(ids, res.body["id"])
	}
	tests := []struct {
		group string
		want  []any
	}{
		{"p1", []any{ids[2], ids[0]}}, // newest first
		{"p2", []any{ids[1]}},
		{"p3", nil},
	}
	for _, tt := range tests {
		res := do(t, http.MethodGet, r.URL()+"/v1/transfers?limit=100&transfer_group="+tt.group, "", nil)
		require.Equal(t, http.StatusOK, res.status)
		require.Equal(t, "list", res.body["object"])
		require.Equal(t, false, res.body["has_more"])
		var got []any
		for _, item := range res.body["data"].([]any) {
			tr := item.(map[string]any)
			require.Equal(t, tt.group, tr["transfer_group"])
			got = append(got, tr["id"])
		}
		require.Equal(t, tt.want, got, tt.group)
	}
	require.Equal(t, 3, r.Calls(http.MethodGet, "/v1/transfers"))
	require.Equal(t, 3, r.TransferCreates(), "lists are not forwarded as creates")
}

func TestRecorderInjectsFailures(t *testing.T) {
	t.Parallel()
	r := setup(t)
	r.FailTransfers(1, stripetest.Transient)
	r.FailTransfers(1, stripetest.Permanent)

	res := do(t, http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100"))
	require.Equal(t, http.StatusInternalServerError, res.status)
	require.Equal(t, "api_error", res.body["error"].(map[string]any)["type"])
	require.NotEmpty(t, res.header.Get("Request-Id"))

	res = do(t, http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100"))
	require.Equal(t, http.StatusBadRequest, res.status)
	require.Equal(t, map[string]any{"type": "invalid_request_error", "code": "balance_insufficient", "message": stripetest.PermanentMessage}, res.body["error"])
	require.Zero(t, r.TransferCreates(), "injected failures are not forwarded")
	require.Empty(t, r.Transfers())

	// Nothing was recorded for the key, so the next try goes through.
	res = do(t, http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100"))
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, 1, r.TransferCreates())
	require.Equal(t, 3, r.Calls(http.MethodPost, "/v1/transfers"))
}

func TestRecorderHookRunsBeforeTheAnswer(t *testing.T) {
	t.Parallel()
	r := setup(t)
	entered, release := make(chan string, 1), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server closes
	r.OnTransfer(func(key string) {
		if key != "k1" {
			return
		}
		entered <- key
		<-release
	})
	answered := make(chan response, 1)
	go func() { answered <- send(http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100")) }()

	select {
	case key := <-entered:
		require.Equal(t, "k1", key)
	case res := <-answered:
		t.Fatalf("answered without calling the hook: %d %v %v", res.status, res.body, res.err)
	}
	require.Len(t, r.Transfers(), 1, "recorded before the hook runs")
	select {
	case res := <-answered:
		t.Fatalf("answered before the hook returned: %v", res.status)
	case <-time.After(100 * time.Millisecond):
	}
	// Stripe has made the transfer: a retry by a new worker gets it back.
	dup := do(t, http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100"))
	require.Equal(t, http.StatusOK, dup.status)
	require.Equal(t, "true", dup.header.Get("Idempotent-Replayed"))

	once.Do(func() { close(release) })
	res := <-answered
	require.NoError(t, res.err)
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, res.body["id"], dup.body["id"])
	require.Equal(t, 1, r.TransferCreates())

	r.OnTransfer(nil)
	require.Equal(t, http.StatusOK, do(t, http.MethodPost, r.URL()+"/v1/transfers", "k2", transferForm("p1", "100")).status)
	require.Equal(t, 2, r.TransferCreates())
}

func TestRecorderRefusesAKeyInFlight(t *testing.T) {
	t.Parallel()
	// An upstream that holds transfer creates until released.
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"tr_slow","object":"transfer","metadata":{}}`))
	}))
	t.Cleanup(upstream.Close)
	r := stripetest.NewRecorder(t, upstream.URL)
	t.Cleanup(func() { once.Do(func() { close(release) }) })

	answered := make(chan response, 1)
	go func() { answered <- send(http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100")) }()
	select {
	case <-arrived:
	case res := <-answered:
		t.Fatalf("answered without reaching the upstream: %d %v %v", res.status, res.body, res.err)
	}
	dup := do(t, http.MethodPost, r.URL()+"/v1/transfers", "k1", transferForm("p1", "100"))
	require.Equal(t, http.StatusConflict, dup.status)
	require.Equal(t, "idempotency_key_in_use", dup.body["error"].(map[string]any)["code"])

	once.Do(func() { close(release) })
	res := <-answered
	require.NoError(t, res.err)
	require.Equal(t, "tr_slow", res.body["id"])
	require.Equal(t, 1, r.TransferCreates())
	require.Equal(t, 2, r.Calls(http.MethodPost, "/v1/transfers"))
}

func TestRecorderForwardsEverythingElse(t *testing.T) {
	t.Parallel()
	r := setup(t)
	res := do(t, http.MethodPost, r.URL()+"/v1/accounts", "", url.Values{"type": {"express"}, "country": {"GB"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Equal(t, "account", res.body["object"])
	res = do(t, http.MethodGet, r.URL()+"/v1/transfers", "", nil)
	require.Equal(t, http.StatusOK, res.status)
	require.NotEmpty(t, res.body["data"], "a list without transfer_group is stripe-mock's")
	require.Equal(t, 1, r.Calls(http.MethodPost, "/v1/accounts"))
	require.Equal(t, 1, r.Calls(http.MethodGet, "/v1/transfers"))
	require.Zero(t, r.Calls(http.MethodPost, "/v1/transfers"))
}
