package stripetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Failure is a failure Recorder.FailTransfers injects.
type Failure int

// The failures FailTransfers can inject.
const (
	// Transient answers 500 with an api_error, as if Stripe had failed
	// before doing anything: retrying with the same key is safe.
	Transient Failure = iota + 1
	// Permanent answers 400 with an invalid_request_error (code
	// balance_insufficient, PermanentMessage), as Stripe does when the
	// platform balance cannot cover a transfer.
	Permanent
)

// PermanentMessage is the message of an injected Permanent failure.
const PermanentMessage = "You have insufficient available funds in your Stripe account."

// RecordedTransfer is a transfer created through a Recorder.
type RecordedTransfer struct {
	Key           string            // the Idempotency-Key header ("" if none)
	PaymentID     string            // metadata[payment_id]
	AmountPence   int64             // amount
	Destination   string            // destination
	TransferGroup string            // transfer_group
	Metadata      map[string]string // every metadata[...] sent
	ID            string            // the id stripe-mock answered with
}

// recorded is a successful create, kept to answer repeats of its key and
// list requests.
type recorded struct {
	transfer RecordedTransfer
	form     string // the request's parameters, canonically encoded
	status   int
	header   http.Header
	body     []byte // the response, with metadata and transfer_group as sent
}

// Recorder is an HTTP server in front of stripe-mock that models what
// stripe-mock does not, so tests can prove that a payment is never sent
// twice:
//
//   - POST /v1/transfers is forwarded once per Idempotency-Key: a repeat of
//     a key answers the recorded response (header Idempotent-Replayed:
//     true) without forwarding; a repeat with other parameters answers 400
//     idempotency_error, and one while the first is still in flight 409,
//     as Stripe does. The recorded response carries the metadata and
//     transfer_group sent, which stripe-mock leaves out.
//   - GET /v1/transfers?transfer_group=X lists the recorded transfers of
//     that group, newest first, without forwarding.
//   - Everything else is forwarded unchanged.
//
// Only successful creates are recorded; an injected failure (FailTransfers)
// records nothing, as if the request had never reached Stripe.
type Recorder struct {
	upstream string
	srv      *httptest.Server
	client   *http.Client

	mu         sync.Mutex
	calls      map[string]int
	creates    int
	transfers  []*recorded
	byKey      map[string]*recorded
	inFlight   map[string]bool
	failures   []Failure
	onTransfer func(key string)
	injected   int
}

// NewRecorder starts a Recorder forwarding to the stripe-mock at upstream
// (a base URL such as APIBase returns), closed when t ends.
func NewRecorder(t testing.TB, upstream string) *Recorder {
	t.Helper()
	r := &Recorder{
		upstream: strings.TrimRight(upstream, "/"),
		client: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		calls:    map[string]int{},
		byKey:    map[string]*recorded{},
		inFlight: map[string]bool{},
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL returns the Recorder's base URL, for payments.StripeConfig.APIBase.
func (r *Recorder) URL() string { return r.srv.URL }

// Calls returns how many requests for method and path (without the query)
// reached the Recorder, whether forwarded or answered by it.
func (r *Recorder) Calls(method, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[method+" "+path]
}

// TransferCreates returns how many transfer creates were forwarded to
// stripe-mock: the number of transfers Stripe would have made.
func (r *Recorder) TransferCreates() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.creates
}

// Transfers returns the transfers created through the Recorder, oldest
// first.
func (r *Recorder) Transfers() []RecordedTransfer {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]RecordedTransfer, 0, len(r.transfers))
	for _, rec := range r.transfers {
		t := rec.transfer
		t.Metadata = maps.Clone(t.Metadata)
		out = append(out, t)
	}
	return out
}

// OnTransfer sets a hook called with the idempotency key of each forwarded
// transfer create once stripe-mock has answered (and the transfer is
// recorded) and before the answer is written back: a test uses it to stop
// a worker between the provider call and its recording. nil removes it.
func (r *Recorder) OnTransfer(hook func(key string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onTransfer = hook
}

// FailTransfers makes the next n transfer creates (repeats of a key
// included) answer failure f without being forwarded or recorded.
func (r *Recorder) FailTransfers(n int, f Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.failures = append(r.failures, f)
	}
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "", "read body: "+err.Error())
		return
	}
	r.mu.Lock()
	r.calls[req.Method+" "+req.URL.Path]++
	r.mu.Unlock()

	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/v1/transfers":
		r.createTransfer(w, req, body)
	case req.Method == http.MethodGet && req.URL.Path == "/v1/transfers" && req.URL.Query().Has("transfer_group"):
		r.listTransfers(w, req.URL.Query().Get("transfer_group"))
	default:
		status, header, respBody, err := r.forward(req, body)
		if err != nil {
			writeError(w, http.StatusBadGateway, "", "api_error", "", err.Error())
			return
		}
		write(w, status, header, respBody)
	}
}

func (r *Recorder) createTransfer(w http.ResponseWriter, req *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "invalid_request_error", "", "malformed form: "+err.Error())
		return
	}
	key := req.Header.Get("Idempotency-Key")
	canonical := form.Encode()

	r.mu.Lock()
	if len(r.failures) > 0 {
		f := r.failures[0]
		r.failures = r.failures[1:]
		r.injected++
		reqID := "req_recorder_" + strconv.Itoa(r.injected)
		r.mu.Unlock()
		if f == Permanent {
			writeError(w, http.StatusBadRequest, reqID, "invalid_request_error", "balance_insufficient", PermanentMessage)
		} else {
			writeError(w, http.StatusInternalServerError, reqID, "api_error", "", "An unknown error occurred (injected by stripetest.Recorder).")
		}
		return
	}
	if key != "" {
		if rec, ok := r.byKey[key]; ok {
			r.mu.Unlock()
			if rec.form != canonical {
				writeError(w, http.StatusBadRequest, "", "idempotency_error", "",
					"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '"+key+"' if you meant to execute a different request.")
				return
			}
			h := rec.header.Clone()
			h.Set("Idempotent-Replayed", "true")
			write(w, rec.status, h, rec.body)
			return
		}
		if r.inFlight[key] {
			r.mu.Unlock()
			writeError(w, http.StatusConflict, "", "idempotency_error", "idempotency_key_in_use",
				"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): "+key+". Please try again later.")
			return
		}
		r.inFlight[key] = true
	}
	r.mu.Unlock()

	status, header, respBody, err := r.forward(req, body)
	r.mu.Lock()
	delete(r.inFlight, key)
	if err != nil {
		r.mu.Unlock()
		writeError(w, http.StatusBadGateway, "", "api_error", "", err.Error())
		return
	}
	r.creates++
	if status/100 == 2 {
		rec, err := newRecorded(key, form, canonical, status, header, respBody)
		if err != nil {
			r.mu.Unlock()
			writeError(w, http.StatusBadGateway, "", "api_error", "", err.Error())
			return
		}
		r.transfers = append(r.transfers, rec)
		if key != "" {
			r.byKey[key] = rec
		}
		respBody = rec.body
	}
	hook := r.onTransfer
	r.mu.Unlock()

	if hook != nil {
		hook(key)
	}
	write(w, status, header, respBody)
}

// newRecorded records a successful create, setting metadata and
// transfer_group in the response as they were sent.
func newRecorded(key string, form url.Values, canonical string, status int, header http.Header, body []byte) (*recorded, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("stripe-mock transfer response: %w", err)
	}
	meta := map[string]string{}
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 {
			meta[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	amount, err := strconv.ParseInt(form.Get("amount"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("transfer amount %q: %w", form.Get("amount"), err)
	}
	t := RecordedTransfer{
		Key:           key,
		PaymentID:     meta["payment_id"],
		AmountPence:   amount,
		Destination:   form.Get("destination"),
		TransferGroup: form.Get("transfer_group"),
		Metadata:      meta,
	}
	if err := json.Unmarshal(obj["id"], &t.ID); err != nil || t.ID == "" {
		return nil, fmt.Errorf("stripe-mock transfer response has no id: %s", body)
	}
	obj["metadata"], _ = json.Marshal(meta)
	if form.Has("transfer_group") {
		obj["transfer_group"], _ = json.Marshal(t.TransferGroup)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return &recorded{transfer: t, form: canonical, status: status, header: header.Clone(), body: out}, nil
}

func (r *Recorder) listTransfers(w http.ResponseWriter, group string) {
	r.mu.Lock()
	data := []json.RawMessage{}
	for _, rec := range slices.Backward(r.transfers) {
		if rec.transfer.TransferGroup == group {
			data = append(data, rec.body)
		}
	}
	r.mu.Unlock()
	body, err := json.Marshal(map[string]any{"object": "list", "data": data, "has_more": false, "url": "/v1/transfers"})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "", "api_error", "", err.Error())
		return
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Request-Id", "req_recorder_list")
	write(w, http.StatusOK, h, body)
}

// forward sends the request to stripe-mock as it came and returns the
// answer.
func (r *Recorder) forward(req *http.Request, body []byte) (int, http.Header, []byte, error) {
	out, err := http.NewRequestWithContext(req.Context(), req.Method, r.upstream+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	out.Header = req.Header.Clone()
	out.Header.Del("Connection")
	resp, err := r.client.Do(out)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("forward to stripe-mock: %w", err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read stripe-mock's answer: %w", err)
	}
	return resp.StatusCode, resp.Header, respBody, nil
}

func write(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, vs := range header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Connection", "Transfer-Encoding", "Date":
			continue
		}
		w.Header()[k] = slices.Clone(vs)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers a Stripe error object.
func writeError(w http.ResponseWriter, status int, requestID, typ, code, message string) {
	e := map[string]string{"type": typ, "message": message}
	if code != "" {
		e["code"] = code
	}
	body, _ := json.Marshal(map[string]any{"error": e})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if requestID != "" {
		h.Set("Request-Id", requestID)
	}
	write(w, status, h, body)
}
