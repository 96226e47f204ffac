// Package mailpittest gives tests a Mailpit to send mail to and read it
// back from: the one cmd/testenv started, shared by every test of the
// run, or a private one.
package mailpittest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/civicgrants/grants/platform/mailpit"
)

// Environment variables cmd/testenv sets to its Mailpit.
const (
	// SMTPURLEnv is its SMTP server as a GRANTS_SMTP_URL (Server.SMTPURL).
	SMTPURLEnv = "GRANTS_TEST_SMTP_URL"
	// URLEnv is its web address (Server.URL), for mailpit.Client.
	URLEnv = "GRANTS_TEST_MAILPIT_URL"
)

// Shared returns the SMTP URL and an API client of testenv's Mailpit
// ($GRANTS_TEST_SMTP_URL and $GRANTS_TEST_MAILPIT_URL) if set, else of a
// private one (Start). Other tests send to it too: send to addresses of
// the test's own and wait with Client.WaitForMessage, and leave its chaos
// triggers and its messages alone (use Start to change them).
func Shared(t testing.TB) (smtpURL string, c *mailpit.Client) {
	t.Helper()
	smtpURL, base := os.Getenv(SMTPURLEnv), os.Getenv(URLEnv)
	if smtpURL != "" && base != "" {
		return smtpURL, &mailpit.Client{BaseURL: base}
	}
	s := Start(t)
	return s.SMTPURL(), s.Client()
}

// Start starts a private Mailpit for t, with a temporary database, stopped
// when t ends. A missing binary fails the test: it is never skipped.
func Start(t testing.TB) *mailpit.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := mailpit.Start(ctx, mailpit.Options{})
	if err != nil {
		t.Fatalf("start Mailpit for tests: %v (run make bin/mailpit, or set %s)", err, mailpit.BinaryEnv)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("stop Mailpit: %v", err)
		}
	})
	return s
}
