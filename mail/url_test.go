package mail_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/mail"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]mail.Settings{
		"smtp://mail.example.org": {Host: "mail.example.org", Port: 587, TLS: mail.TLSStartTLS},
		"smtp://grants%40example.org:p%40ss@mail.example.org:2525": {Host: "mail.example.org", Port: 2525, TLS: mail.TLSStartTLS,
			Username: "grants@example.org", Password: "p@ss"},
		"smtps://u:p@mail.example.org":         {Host: "mail.example.org", Port: 465, TLS: mail.TLSImplicit, Username: "u", Password: "p"},
		"smtp://127.0.0.1:1025?tls=none":       {Host: "127.0.0.1", Port: 1025, TLS: mail.TLSNone},
		"smtp://u:p@localhost:1025?tls=none":   {Host: "localhost", Port: 1025, TLS: mail.TLSNone, Username: "u", Password: "p"},
		"smtp://relay.internal:25?tls=none":    {Host: "relay.internal", Port: 25, TLS: mail.TLSNone},
		"smtp://mail.example.org?tls=starttls": {Host: "mail.example.org", Port: 587, TLS: mail.TLSStartTLS},
		"smtp://[::1]:1025?tls=none":           {Host: "::1", Port: 1025, TLS: mail.TLSNone},
	} {
		got, err := mail.ParseURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, got, raw)
	}
	for raw, says := range map[string]string{
		"":                                          "scheme",
		"http://mail.example.org":                   "scheme",
		"smtp://":                                   "no host",
		"smtp://mail.example.org:0":                 "port",
		"smtp://mail.example.org:99999":             "port",
		"smtp://mail.example.org/path":              "path",
		"smtp://mail.example.org?tls=maybe":         "tls=",
		"smtp://mail.example.org?verify=no":         "unknown setting",
		"smtps://mail.example.org?tls=none":         "contradicts",
		"smtp://:secret@mail.example.org":           "without a user name",
		"smtp://u:secret@mail.example.org?tls=none": "in clear",
	} {
		_, err := mail.ParseURL(raw)
		require.ErrorContains(t, err, says, raw)
		require.ErrorContains(t, err, "GRANTS_SMTP_URL", raw)
		require.NotContains(t, err.Error(), "secret", "%s: the password is never repeated", raw)
	}
}

func TestSettingsStringHidesThePassword(t *testing.T) {
	s, err := mail.ParseURL("smtps://grants:hunter22@mail.example.org")
	require.NoError(t, err)
	require.Equal(t, "smtps://grants@mail.example.org:465", s.String())
	s, err = mail.ParseURL("smtp://127.0.0.1:1025?tls=none")
	require.NoError(t, err)
	require.Equal(t, "smtp://127.0.0.1:1025?tls=none", s.String())
}

func FuzzParseURL(f *testing.F) {
	f.Add("smtp://u:p@mail.example.org:587")
	f.Add("smtps://mail.example.org")
	f.Add("smtp://127.0.0.1:1025?tls=none")
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := mail.ParseURL(raw)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "GRANTS_SMTP_URL"), err.Error())
			return
		}
		require.NotEmpty(t, s.Host)
		require.True(t, s.Port >= 1 && s.Port <= 65535)
		require.Contains(t, []mail.TLSMode{mail.TLSStartTLS, mail.TLSImplicit, mail.TLSNone}, s.TLS)
		if s.TLS == mail.TLSNone && s.Username != "" {
			require.True(t, s.Loopback(), "a password in clear only to this machine")
		}
	})
}

func TestRenderWrapsAndEscapes(t *testing.T) {
	text, html, err := mail.Render(mail.Content{Service: "Grants", Heading: "A <heading>",
		Paras:  []string{strings.Repeat("word ", 40)},
		Action: &mail.Action{Label: "Go", URL: "https://grants.example.org/x?a=1&b=2"}, Footer: "Footer"})
	require.NoError(t, err)
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "https://") {
			require.LessOrEqual(t, len(line), 72, line)
		}
	}
	require.Contains(t, text, "https://grants.example.org/x?a=1&b=2\n", "the link whole on its own line")
	require.Contains(t, html, "A &lt;heading&gt;")
	require.Contains(t, html, `href="https://grants.example.org/x?a=1&amp;b=2"`)
}
