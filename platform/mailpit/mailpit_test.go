package mailpit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/platform/mailpit"
)

func start(t *testing.T, o mailpit.Options) *mailpit.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	o.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	s, err := mailpit.Start(ctx, o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

// mail is a message to send over SMTP.
type mail struct {
	from string   // envelope sender; the From header is "Grants <from>"
	to   []string // envelope recipients; the To header names the first
	name string   // the display name in the To header, if any
	subj string
	id   string // Message-ID without the brackets
}

// send sends m to s over plain SMTP, with auth if not nil, as a
// multipart/alternative message with a text and an HTML part.
func send(s *mailpit.Server, auth smtp.Auth, m mail) error {
	body := strings.Join([]string{
		"From: Grants <" + m.from + ">",
		"To: " + (&netmail.Address{Name: m.name, Address: m.to[0]}).String(),
		"Reply-To: Help desk <help@example.org>",
		"Subject: " + m.subj,
		"Message-ID: <" + m.id + ">",
		"Date: Mon, 07 Dec 2026 09:30:00 +0000",
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"Confirm: https://grants.example/confirm?token=abc",
		"--b1",
		"Content-Type: text/html; charset=utf-8",
		"",
		`<p><a href="https://grants.example/confirm?token=abc">Confirm</a></p>`,
		"--b1--",
		"",
	}, "\r\n")
	return smtp.SendMail(s.SMTPAddr(), auth, m.from, m.to, []byte(body))
}

func TestCatchesMailAndStops(t *testing.T) {
	t.Parallel()
	s := start(t, mailpit.Options{})
	// A second one runs side by side (each has its own ports and database).
	other := start(t, mailpit.Options{})
	require.NotEqual(t, s.URL(), other.URL())
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL())
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, s.SMTPAddr())
	require.Equal(t, "smtp://"+s.SMTPAddr()+"?tls=none", s.SMTPURL())

	ctx := t.Context()
	c := s.Client()
	require.NoError(t, send(s, nil, mail{from: "grants@localhost", to: []string{"alice@example.org"}, name: "Alice",
		subj: "Confirm your e-mail address", id: "m1@grants.test"}))

	got, err := c.WaitForMessage(ctx, "ALICE@example.org", nil)
	require.NoError(t, err)
	want := mailpit.Message{
		MessageID:  "m1@grants.test",
		From:       mailpit.Address{Name: "Grants", Address: "grants@localhost"},
		To:         []mailpit.Address{{Name: "Alice", Address: "alice@example.org"}},
		ReplyTo:    []mailpit.Address{{Name: "Help desk", Address: "help@example.org"}},
		ReturnPath: "grants@localhost",
		Subject:    "Confirm your e-mail address",
		Date:       time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC),
		Text:       "Confirm: https://grants.example/confirm?token=abc",
		HTML:       `<p><a href="https://grants.example/confirm?token=abc">Confirm</a></p>`,
	}
	require.Empty(t, cmp.Diff(want, got, cmpopts.IgnoreFields(mailpit.Message{}, "ID"), cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmp.Transformer("trim", strings.TrimSpace)))
	require.Equal(t, []string{"alice@example.org"}, got.Recipients())

	h, err := c.Headers(ctx, got.ID)
	require.NoError(t, err)
	require.Equal(t, "<m1@grants.test>", h.Get("Message-ID"))
	require.Equal(t, "Help desk <help@example.org>", h.Get("Reply-To"))
	raw, err := c.Raw(ctx, got.ID)
	require.NoError(t, err)
	require.Contains(t, string(raw), "\r\nSubject: Confirm your e-mail address\r\n")

	list, err := c.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, got.ID, list[0].ID)
	require.Equal(t, "m1@grants.test", list[0].MessageID)
	require.Equal(t, "Confirm your e-mail address", list[0].Subject)
	require.False(t, list[0].Created.IsZero())
	for q, n := range map[string]int{"to:alice@example.org": 1, "to:bob@example.org": 0, `subject:"your e-mail"`: 1} {
		found, err := c.Search(ctx, q)
		require.NoError(t, err)
		require.Len(t, found, n, q)
	}
	otherList, err := other.Client().Messages(ctx)
	require.NoError(t, err)
	require.Empty(t, otherList, "each Mailpit has its own database")

	require.NoError(t, c.DeleteAll(ctx))
	list, err = c.Messages(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = c.Message(ctx, got.ID)
	require.ErrorIs(t, err, mailpit.ErrNotFound)

	// The temporary database goes with the process.
	var info struct{ Database string }
	resp, err := http.Get(s.URL() + "/api/v1/info")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	resp.Body.Close()
	require.FileExists(t, info.Database)

	require.NoError(t, s.Stop(ctx))
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	require.NoError(t, s.Err())
	require.NoError(t, s.Stop(ctx), "second Stop")
	_, err = c.Messages(ctx)
	require.Error(t, err, "still answering after Stop")
	require.NoDirExists(t, filepath.Dir(info.Database))
}

func TestWaitForMessage(t *testing.T) {
	t.Parallel()
	s := start(t, mailpit.Options{})
	c := s.Client()
	ctx := t.Context()
	for i, m := range []mail{
		{to: []string{"bob@example.org"}, subj: "one"},
		{to: []string{"bob@example.org"}, subj: "two"},
		{to: []string{"jimbob@example.org"}, subj: "three"},                 // "to:bob@example.org" finds it too
		{to: []string{"erin@example.org", "dave@example.org"}, subj: "bcc"}, // dave is in no header
	} {
		m.from, m.id = "grants@localhost", fmt.Sprintf("w%d@grants.test", i)
		require.NoError(t, send(s, nil, m))
	}
	subject := func(subj string) func(mailpit.Summary) bool {
		return func(s mailpit.Summary) bool { return s.Subject == subj }
	}
	for _, tc := range []struct {
		to    string
		match func(mailpit.Summary) bool
		want  string
	}{
		{"bob@example.org", nil, "two"}, // the newest
		{"bob@example.org", subject("one"), "one"},
		{"jimbob@example.org", nil, "three"},
		{"dave@example.org", nil, "bcc"},
		{"", subject("one"), "one"},
	} {
		got, err := c.WaitForMessage(ctx, tc.to, tc.match)
		require.NoError(t, err, tc.to)
		require.Equal(t, tc.want, got.Subject, tc.to)
	}
	bcc, err := c.WaitForMessage(ctx, "dave@example.org", nil)
	require.NoError(t, err)
	require.Equal(t, []mailpit.Address{{Address: "dave@example.org"}}, bcc.Bcc)

	// One that arrives while it waits.
	arrived := make(chan error, 1)
	go func() {
		_, err := c.WaitForMessage(ctx, "carol@example.org", subject("late"))
		arrived <- err
	}()
	require.NoError(t, send(s, nil, mail{from: "grants@localhost", to: []string{"carol@example.org"}, subj: "late", id: "late@grants.test"}))
	require.NoError(t, <-arrived)

	// One that never arrives: the error says what did.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = c.WaitForMessage(short, "bob@example.org", subject("four"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, `"two", "one"`)
	require.NotContains(t, err.Error(), "three")
}

func TestListsEveryPage(t *testing.T) {
	t.Parallel()
	s := start(t, mailpit.Options{})
	c := s.Client().WithPageSize(2)
	for i := range 5 {
		require.NoError(t, send(s, nil, mail{from: "grants@localhost", to: []string{"page@example.org"},
			subj: fmt.Sprint("page ", i), id: fmt.Sprintf("p%d@grants.test", i)}))
	}
	all, err := c.Messages(t.Context())
	require.NoError(t, err)
	found, err := c.Search(t.Context(), "to:page@example.org")
	require.NoError(t, err)
	for _, list := range [][]mailpit.Summary{all, found} {
		var subjects []string
		for _, m := range list {
			subjects = append(subjects, m.Subject)
		}
		require.Equal(t, []string{"page 4", "page 3", "page 2", "page 1", "page 0"}, subjects)
	}
}

func TestChaos(t *testing.T) {
	t.Parallel()
	s := start(t, mailpit.Options{})
	c := s.Client()
	ctx := t.Context()
	off := mailpit.Chaos{
		Sender:         mailpit.Trigger{ErrorCode: 451},
		Recipient:      mailpit.Trigger{ErrorCode: 451},
		Authentication: mailpit.Trigger{ErrorCode: 535},
	}
	got, err := c.GetChaos(ctx)
	require.NoError(t, err)
	require.Equal(t, off, got, "enabled, and off")

	// Credentials are accepted without TLS, and recorded.
	auth := smtp.PlainAuth("", "grants", "secret", "127.0.0.1")
	require.NoError(t, send(s, auth, mail{from: "grants@localhost", to: []string{"a@example.org"}, subj: "auth", id: "a@grants.test"}))
	m, err := c.WaitForMessage(ctx, "a@example.org", nil)
	require.NoError(t, err)
	require.Equal(t, "grants", m.Username)

	for _, tc := range []struct {
		name  string
		chaos mailpit.Chaos
		auth  smtp.Auth
		code  int
	}{
		{"recipient", mailpit.Chaos{Recipient: mailpit.Refuse(550)}, nil, 550},
		{"sender", mailpit.Chaos{Sender: mailpit.Refuse(421)}, nil, 421},
		{"authentication", mailpit.Chaos{Authentication: mailpit.Refuse(535)}, auth, 535},
	} {
		set, err := c.SetChaos(ctx, tc.chaos)
		require.NoError(t, err, tc.name)
		require.Equal(t, 100, set.Sender.Probability+set.Recipient.Probability+set.Authentication.Probability, tc.name)
		err = send(s, tc.auth, mail{from: "grants@localhost", to: []string{"refused@example.org"}, subj: tc.name, id: tc.name + "@grants.test"})
		var smtpErr *textproto.Error
		require.True(t, errors.As(err, &smtpErr), "%s: %v", tc.name, err)
		require.Equal(t, tc.code, smtpErr.Code, tc.name)
	}
	found, err := c.Search(ctx, "to:refused@example.org")
	require.NoError(t, err)
	require.Empty(t, found, "nothing refused was caught")

	require.NoError(t, c.ClearChaos(ctx))
	got, err = c.GetChaos(ctx)
	require.NoError(t, err)
	require.Equal(t, off, got)
	require.NoError(t, send(s, nil, mail{from: "grants@localhost", to: []string{"refused@example.org"}, subj: "again", id: "again@grants.test"}))

	_, err = c.SetChaos(ctx, mailpit.Chaos{Recipient: mailpit.Refuse(250)})
	require.ErrorContains(t, err, "400 Bad Request")
	require.ErrorContains(t, err, "between 400 and 599")
}

// With a DataFile, what was caught survives a restart; given the first
// start's ports, Mailpit comes back where senders and readers look.
func TestKeepsMailInItsDataFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "mailpit.db")
	s := start(t, mailpit.Options{DataFile: file})
	require.NoError(t, send(s, nil, mail{from: "grants@localhost", to: []string{"kept@example.org"}, subj: "kept", id: "k@grants.test"}))
	_, err := s.Client().WaitForMessage(t.Context(), "kept@example.org", nil)
	require.NoError(t, err)
	require.NoError(t, s.Stop(t.Context()))
	require.FileExists(t, file)

	smtpPort, httpPort := s.Ports()
	again := start(t, mailpit.Options{DataFile: file, SMTPPort: smtpPort, HTTPPort: httpPort})
	require.Equal(t, s.SMTPAddr(), again.SMTPAddr())
	require.Equal(t, s.URL(), again.URL())
	list, err := again.Client().Messages(t.Context())
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "kept", list[0].Subject)
}

func TestStartFailsWithABadBinary(t *testing.T) {
	t.Parallel()
	notMailpit := filepath.Join(t.TempDir(), "not-mailpit")
	require.NoError(t, os.WriteFile(notMailpit, []byte("#!/bin/sh\necho 'not mailpit' >&2\nexit 3\n"), 0o755))
	_, err := mailpit.Start(t.Context(), mailpit.Options{Binary: notMailpit})
	require.ErrorContains(t, err, "mailpit exited unexpectedly")
	require.ErrorContains(t, err, "not mailpit", "the output tail is in the error")
}

// Mailpit's own MP_* settings do not reach it.
func TestIgnoresMailpitEnvironment(t *testing.T) {
	t.Setenv("MP_UI_AUTH", "user:password") // would make the API answer 401
	s := start(t, mailpit.Options{})
	_, err := s.Client().Messages(t.Context())
	require.NoError(t, err)
}

func TestFindBinaryHonoursEnv(t *testing.T) {
	bin, err := mailpit.FindBinary()
	require.NoError(t, err, "run make bin/mailpit")
	t.Setenv(mailpit.BinaryEnv, bin)
	got, err := mailpit.FindBinary()
	require.NoError(t, err)
	require.Equal(t, bin, got)
	t.Setenv(mailpit.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	_, err = mailpit.FindBinary()
	require.ErrorContains(t, err, mailpit.BinaryEnv)
	require.ErrorContains(t, err, "make bin/mailpit")
}
