//go:build faults

package main

// The fault tests (`make test-faults`, build tag faults): each runs a
// burst of real work against real parts (PostgreSQL, the Temporal dev
// server, stripe-mock, Mailpit), injects a fault into one of them (one of
// its own, never a shared one), and then counts what was lost and what
// was done twice. They assert correctness, never timings; their sizes
// keep the whole target within a few minutes on two cores.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// settleTimeout bounds how long a scenario waits for the system to catch
// up after its fault: a safety net that fails the test when work is stuck,
// not a measure.
const settleTimeout = 3 * time.Minute

// tally is what a scenario counts; report prints it on one line and fails
// the test unless nothing was lost or duplicated.
type tally struct {
	scenario   string
	requests   atomic.Int64 // HTTP requests (or provider calls) made
	refused    atomic.Int64 // of which answered 503 unavailable or cut off
	faults     int          // faults injected
	lost       int
	duplicated int
}

func (tl *tally) report(t *testing.T, extra ...string) {
	t.Helper()
	line := fmt.Sprintf("fault %s: requests=%d faults=%d lost=%d duplicated=%d", tl.scenario, tl.requests.Load(), tl.faults, tl.lost, tl.duplicated)
	if len(extra) > 0 {
		line += " " + strings.Join(extra, " ")
	}
	fmt.Println(line)
	if tl.lost != 0 || tl.duplicated != 0 {
		t.Errorf("%s: %d lost, %d duplicated", tl.scenario, tl.lost, tl.duplicated)
	}
}

// service is a server a fault test owns: the platform packages' Servers
// and Clusters.
type service interface {
	Stop(ctx context.Context) error
}

// restartable starts a service of the test's own with start, which the
// first call makes and later calls make again where the first one was
// (start's closure sees the first's ports through its options), and
// returns the first and a function that stops it (stop true) or starts
// it again (stop false). The one running is stopped when the test ends.
func restartable[S service](t *testing.T, start func(ctx context.Context) (S, error), placed func(first S)) (first S, restart func(stop bool)) {
	t.Helper()
	run := func() S {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := start(ctx)
		require.NoError(t, err)
		return s
	}
	first = run()
	placed(first)
	current := first
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return current.Stop(ctx)
	}
	t.Cleanup(func() { _ = stop() })
	return first, func(down bool) {
		if down {
			require.NoError(t, stop())
			return
		}
		current = run()
	}
}

// concurrently runs fn(i) for i in [0, n), limit at a time, and waits.
func concurrently(n, limit int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, limit)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

// faultHTTP is the HTTP client of the scenarios' clients: unlike
// httpClient it never fails the test on a transport error, which is
// what a fault produces.
var faultHTTP = &http.Client{Timeout: 30 * time.Second}

// apiCall sends one API request as c and returns the status, the body and
// the Retry-After it asked for; status 0 is a transport error.
func apiCall(c *httpClient, method, path string, body any) (int, []byte, time.Duration) {
	var rdr io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rdr)
	if err != nil {
		return 0, []byte(err.Error()), 0
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := faultHTTP.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	return res.StatusCode, b, time.Duration(secs) * time.Second
}

// errorCode is the code of an error answer in DESIGN §7's shape, "" if
// the body is not one.
func errorCode(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
		return ""
	}
	return e.Error.Code
}

// draft is an applicant signed in over the API with a complete draft
// application, ready to submit.
type draft struct {
	c     *httpClient
	appID string
}

// drafts prepares n complete drafts to round r, each of its own
// applicant and charity, prepared through the use cases beforehand (as a
// deadline's rush finds them).
func drafts(t *testing.T, s *stack, r app.Round, prefix string, n int) []draft {
	t.Helper()
	ctx := context.Background()
	out := make([]draft, n)
	concurrently(n, 4, func(i int) {
		email := fmt.Sprintf("%s-%d@example.org", prefix, i)
		c := s.as(t, email)
		who, ok, err := s.env.App.UserByEmail(ctx, email)
		require.NoError(t, err)
		require.True(t, ok)
		actor := app.Actor{ID: who.ID, Email: who.Email, Name: who.Name, Roles: who.Roles, EmailVerified: who.EmailVerified}
		org := s.env.Organisation(t, actor, "Org of "+email)
		a, err := s.env.App.CreateApplication(ctx, actor, r.ID, org.ID)
		require.NoError(t, err)
		_, err = s.env.App.SaveApplication(ctx, actor, a.ID, apptest.Body(t, apptest.CompleteAnswers(a.Version)))
		require.NoError(t, err)
		out[i] = draft{c: c, appID: a.ID}
	})
	return out
}

// submitClients is how many clients submit at once.
const submitClients = 8

// submitAll submits every draft concurrently (submitClients at a time),
// each retrying as a client would: after a 503 or a transport error it
// waits (Retry-After, if given) and tries again; a 409 invalid_state
// after such a failure means an earlier try went through, which it reads
// back. It returns the ids of the submissions accepted (2xx, or found
// submitted) and counts every request in tl; any other answer fails t.
func submitAll(t *testing.T, tl *tally, ds []draft) []string {
	t.Helper()
	var (
		mu       sync.Mutex
		accepted []string
	)
	concurrently(len(ds), submitClients, func(i int) {
		if submit(t, tl, ds[i]) {
			mu.Lock()
			accepted = append(accepted, ds[i].appID)
			mu.Unlock()
		}
	})
	return accepted
}

// submit submits one draft, retrying as submitAll says; it reports
// whether the submission was accepted.
func submit(t *testing.T, tl *tally, d draft) bool {
	failed := false
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		tl.requests.Add(1)
		status, body, retry := apiCall(d.c, "POST", "/applications/"+d.appID+"/submit", nil)
		switch {
		case status == http.StatusAccepted:
			return true
		case status == 0 || status == http.StatusServiceUnavailable:
			if status == http.StatusServiceUnavailable && errorCode(body) != "unavailable" {
				t.Errorf("submit %s: 503 not in the error shape: %s", d.appID, body)
				return false
			}
			failed = true
			tl.refused.Add(1)
			time.Sleep(min(max(retry, 100*time.Millisecond), 2*time.Second))
		case status == http.StatusConflict && failed && errorCode(body) == "invalid_state":
			// An earlier try was committed but its answer lost: read it.
			tl.requests.Add(1)
			var a struct{ Status string }
			st, b, _ := apiCall(d.c, "GET", "/applications/"+d.appID, nil)
			if st != http.StatusOK || json.Unmarshal(b, &a) != nil || a.Status == app.StatusDraft {
				t.Errorf("submit %s: 409 after a failed try, but it reads %d %s", d.appID, st, b)
				return false
			}
			return true
		default:
			t.Errorf("submit %s: %d %s", d.appID, status, body)
			return false
		}
	}
	t.Errorf("submit %s: still failing after %s", d.appID, settleTimeout)
	return false
}

// countBy runs a query of (key, count) rows and returns the counts by
// key.
func countBy(t *testing.T, s *stack, query string, args ...any) map[string]int {
	t.Helper()
	rows, err := s.env.Store.Pool.Query(context.Background(), query, args...)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		require.NoError(t, rows.Scan(&k, &n))
		out[k] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// submissionCounts counts, for the accepted submissions, those lost (not
// at least submitted, or never moved on to in_assessment when want says
// so) and those duplicated (more than one submission event, outbox row or
// eligibility check).
func submissionCounts(t *testing.T, s *stack, accepted []string, want string) (lost, duplicated int) {
	t.Helper()
	status := countBy(t, s, `SELECT id || ':' || status, 1 FROM applications WHERE id = ANY($1)`, accepted)
	submitted := countBy(t, s, `SELECT substr(entity, 13), count(*) FROM audit_events WHERE action = 'application.submitted' AND substr(entity, 13) = ANY($1) GROUP BY 1`, accepted)
	outbox := countBy(t, s, `SELECT payload->>'application_id', count(*) FROM outbox WHERE kind = 'start:application' AND payload->>'application_id' = ANY($1) GROUP BY 1`, accepted)
	checked := countBy(t, s, `SELECT substr(entity, 13), count(*) FROM audit_events WHERE action = 'application.eligibility_checked' AND substr(entity, 13) = ANY($1) GROUP BY 1`, accepted)
	for _, id := range accepted {
		ok := status[id+":"+want] == 1 || (want == app.StatusSubmitted && status[id+":"+app.StatusInAssessment] == 1)
		if !ok {
			lost++
			t.Logf("lost: %s (%v)", id, status)
		}
		if submitted[id] > 1 || outbox[id] > 1 || checked[id] > 1 {
			duplicated++
			t.Logf("duplicated: %s: %d submitted, %d outbox rows, %d eligibility checks", id, submitted[id], outbox[id], checked[id])
		}
	}
	return lost, duplicated
}

// waitInAssessment waits until every accepted submission is in
// assessment (its workflow started and ran its eligibility check), or
// settleTimeout passes.
func waitInAssessment(t *testing.T, s *stack, accepted []string) {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		var n int
		require.NoError(t, s.env.Store.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM applications WHERE id = ANY($1) AND status = 'in_assessment'`, accepted).Scan(&n))
		if n == len(accepted) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
