//go:build faults

package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/workflows/wftest"
)

// ownMailpit starts a Mailpit of the test's own whose messages survive a
// restart (a data file) and returns it and a function that stops it
// (stop true) or starts it again on the same ports (stop false).
func ownMailpit(t *testing.T) (first *mailpit.Server, restart func(stop bool)) {
	t.Helper()
	opts := mailpit.Options{DataFile: filepath.Join(t.TempDir(), "mailpit.db")}
	return restartable(t, func(ctx context.Context) (*mailpit.Server, error) { return mailpit.Start(ctx, opts) },
		func(first *mailpit.Server) { opts.SMTPPort, opts.HTTPPort = first.Ports() })
}

// The mail server down during a burst of e-mails (password resets asked
// for by many people, each sent through the outbox, the e-mail workflow
// and the SMTP activity): once it is back every e-mail arrives, exactly
// once.
func TestFaultSMTPDownDuringEmails(t *testing.T) {
	t.Parallel()
	const n = 30
	mp, restart := ownMailpit(t)
	s := newStackOn(t, stackParts{env: apptest.New(t), tc: wftest.Client(t), smtpURL: mp.SMTPURL(), mp: mp.Client()})
	anon := &httpClient{t: t, base: s.base}
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("smtp-%d@example.org", i)
		s.env.User(t, emails[i])
	}
	tl := &tally{scenario: "smtp-down", faults: 1}
	ask := func(from, to int) {
		for _, e := range emails[from:to] {
			tl.requests.Add(1)
			status, body, _ := apiCall(anon, "POST", "/auth/password-reset", map[string]any{"email": e})
			require.Equal(t, http.StatusAccepted, status, string(body))
		}
	}
	count := func(q string) int {
		var k int
		require.NoError(t, s.env.Store.Pool.QueryRow(context.Background(), q).Scan(&k))
		return k
	}
	ask(0, n/3)
	restart(true)
	ask(n/3, 2*n/3)
	// Down until the e-mail activity has found it down.
	require.Eventually(t, func() bool { return count(`SELECT count(*) FROM emails WHERE attempts > 0 AND status <> 'sent'`) > 0 },
		settleTimeout, 100*time.Millisecond, "no e-mail was tried while the mail server was down")
	restart(false)
	ask(2*n/3, n)

	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) && count(`SELECT count(*) FROM emails WHERE status = 'sent'`) < n {
		time.Sleep(200 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := map[string]int{}
	msgs, err := mp.Client().Messages(ctx)
	require.NoError(t, err)
	for _, m := range msgs {
		for _, to := range m.Recipients() {
			got[strings.ToLower(to)+"|"+m.Subject]++
		}
	}
	perRecipient := map[string]int{}
	for k, c := range got {
		to, _, _ := strings.Cut(k, "|")
		perRecipient[to] += c
		if c > 1 {
			tl.duplicated += c - 1
		}
	}
	for _, e := range emails {
		if perRecipient[e] == 0 {
			tl.lost++
		}
	}
	tl.report(t, fmt.Sprintf("retried=%d", count(`SELECT count(*) FROM emails WHERE attempts > 1`)))
	require.Len(t, perRecipient, n, "mail only to those who asked")
}
