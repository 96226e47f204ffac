package mailpittest_test

import (
	"net/smtp"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
)

// Without testenv's variables Shared starts a private Mailpit that catches
// what is sent to its SMTP URL; with them it hands them back.
func TestShared(t *testing.T) {
	t.Setenv(mailpittest.SMTPURLEnv, "")
	t.Setenv(mailpittest.URLEnv, "")
	smtpURL, c := mailpittest.Shared(t)
	u, err := url.Parse(smtpURL)
	require.NoError(t, err)
	require.Equal(t, "smtp", u.Scheme)
	require.Equal(t, "none", u.Query().Get("tls"))
	require.NoError(t, smtp.SendMail(u.Host, nil, "grants@localhost", []string{"shared@example.org"},
		[]byte("Subject: shared\r\n\r\nHello\r\n")))
	m, err := c.WaitForMessage(t.Context(), "shared@example.org", nil)
	require.NoError(t, err)
	require.Equal(t, "shared", m.Subject)

	t.Setenv(mailpittest.SMTPURLEnv, smtpURL)
	t.Setenv(mailpittest.URLEnv, c.BaseURL)
	again, c2 := mailpittest.Shared(t)
	require.Equal(t, smtpURL, again)
	require.Equal(t, c.BaseURL, c2.BaseURL)
}
