package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mail"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
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
	base   string            // the API's base URL
	queue  string            // the test's task queue
	stripe payments.Stripe   // what the activities pay through; nil: none
	mail   activities.Mailer // sends to the shared Mailpit, links to the web UI
	mp     *mailpit.Client   // reads what was sent

	mu   sync.Mutex
	stop func() // stops the running worker; nil when none runs
}

// newStack starts a stack whose activities pay through stripe (nil: none).
func newStack(t *testing.T, stripe payments.Stripe) *stack {
	t.Helper()
	smtpURL, mp := mailpittest.Shared(t)
	return newStackOn(t, stackParts{env: apptest.New(t), tc: wftest.Client(t), stripe: stripe, smtpURL: smtpURL, mp: mp})
}

// stackParts are the services a stack runs on: newStack's shared ones, or
// a fault test's own (one it stops and starts again).
type stackParts struct {
	env     *apptest.Env
	tc      client.Client
	stripe  payments.Stripe
	smtpURL string
	mp      *mailpit.Client
}

// newStackOn starts a stack on the given parts.
func newStackOn(t *testing.T, p stackParts) *stack {
	t.Helper()
	env, tc, stripe := p.env, p.tc, p.stripe
	log := slog.New(slog.DiscardHandler)
	env.App.UseTemporal(tc)
	s := &stack{env: env, tc: tc, queue: wftest.TaskQueue(t), stripe: stripe}
	h, err := httpHandler(env.App, tc, log, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.base = srv.URL + "/api/v1"

	settings, err := mail.ParseURL(p.smtpURL)
	require.NoError(t, err)
	sender, err := mail.NewSender(settings, "Grants <grants@example.org>", "")
	require.NoError(t, err)
	key, err := linktoken.KeyFromEncryptionKey(apptest.EncryptionKey)
	require.NoError(t, err)
	s.mail = activities.Mailer{Sender: sender, LinkKey: key, PublicURL: srv.URL}
	s.mp = p.mp

	s.startWorker(t)
	t.Cleanup(s.stopWorker)

	ctx, cancel := context.WithCancel(context.Background())
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: tc, Log: log, TaskQueue: s.queue, Interval: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// startWorker starts a worker on the stack's queue.
func (s *stack) startWorker(t *testing.T) {
	t.Helper()
	w := worker.New(s.tc, s.queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: s.env.Store, Log: slog.New(slog.DiscardHandler), Temporal: s.tc, Stripe: s.stripe, Mail: s.mail}).Register(w)
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

// emailedLink waits for the newest e-mail to `to` with the given subject
// and returns its link into the web UI under path (the path with its
// query, to visit), as a person would follow it from the message.
func (s *stack) emailedLink(t *testing.T, to, subject, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	m, err := s.mp.WaitForMessage(ctx, to, func(m mailpit.Summary) bool { return m.Subject == subject })
	if err != nil {
		rows, _ := s.env.Store.Pool.Query(context.Background(), `SELECT id, kind, to_address, status, attempts, coalesce(last_error, '') FROM emails`)
		for rows.Next() {
			var id int64
			var kind, addr, status, lastErr string
			var attempts int32
			_ = rows.Scan(&id, &kind, &addr, &status, &attempts, &lastErr)
			t.Logf("e-mail %d %s to %s: %s after %d attempts %s", id, kind, addr, status, attempts, lastErr)
		}
		rows.Close()
	}
	require.NoError(t, err)
	web := s.mail.PublicURL
	i := strings.Index(m.Text, web+path)
	require.GreaterOrEqual(t, i, 0, "the e-mail %q links to %s:\n%s", subject, path, m.Text)
	link := m.Text[i+len(web):]
	if j := strings.IndexAny(link, " \n\r\t>)"); j >= 0 {
		link = link[:j]
	}
	return link
}
