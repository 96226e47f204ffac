package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// stack is the API, the outbox dispatcher and a worker that can be stopped
// and started again, on a fresh database and the real Temporal dev server,
// on a task queue of the test's own.
type stack struct {
	env    *apptest.Env
	tc     client.Client
	base   string          // the API's base URL
	queue  string          // the test's task queue
	stripe payments.Stripe // what the activities pay through; nil: none

	mu   sync.Mutex
	stop func() // stops the running worker; nil when none runs
}

// newStack starts a stack whose activities pay through stripe (nil: none).
func newStack(t *testing.T, stripe payments.Stripe) *stack {
	t.Helper()
	env := apptest.New(t)
	tc := wftest.Client(t)
	log := slog.New(slog.DiscardHandler)
	env.App.UseTemporal(tc)
	s := &stack{env: env, tc: tc, queue: wftest.TaskQueue(t), stripe: stripe}
	s.startWorker(t)
	t.Cleanup(s.stopWorker)

	ctx, cancel := context.WithCancel(context.Background())
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: log, TaskQueue: s.queue, Interval: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	h, err := httpHandler(env.App, tc, log, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.base = srv.URL + "/api/v1"
	return s
}

// startWorker starts a worker on the stack's queue.
func (s *stack) startWorker(t *testing.T) {
	t.Helper()
	w := worker.New(s.tc, s.queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: s.env.Store, Log: slog.New(slog.DiscardHandler), Temporal: s.tc, Stripe: s.stripe}).Register(w)
	require.NoError(t, w.Start())
	s.mu.Lock()
	s.stop = w.Stop
	s.mu.Unlock()
}

// stopWorker stops the running worker, if any: its activities in flight
// are cancelled and nothing they had not recorded is recorded.
func (s *stack) stopWorker() {
	s.mu.Lock()
	stop := s.stop
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// as returns a client signed in as a new user with the given roles (or
// the fixture manager for "manager@example.org").
func (s *stack) as(t *testing.T, email string, roles ...string) *httpClient {
	t.Helper()
	if email != s.env.Manager.Email {
		s.env.User(t, email, roles...)
	}
	c := &httpClient{t: t, base: s.base}
	var tok struct{ Token string }
	c.do("POST", "/auth/login", map[string]any{"email": email, "password": apptest.Password}, 200, &tok)
	c.token = tok.Token
	return c
}
