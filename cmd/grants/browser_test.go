package main

import (
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
)

// A visitor finds a round, fails to sign in, makes an account (after a
// mismatched password), signs out, and signs in to an account that exists.
// Every page passes axe (browser_harness_test.go).
func TestBrowserPublicAndSignIn(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	r := s.env.Round(t, apptest.ExampleRound(t))
	seeded := s.env.User(t, "seeded-applicant@example.org")
	b := newBrowserPage(t, webRoot(s))

	// The home page lists the programme's open round; its start page
	// shows every question before anyone signs in.
	b.visit("/")
	b.expectHeading("Apply for a community grant")
	b.clickLink(r.Name)
	b.expectPath("/rounds/" + r.ID)
	b.expectHeading(r.Name)
	b.expectText("Start now", "Is your work mainly in London?", "What will you do? (up to 250 words)", "Budget (optional)")

	// A wrong password: the form comes back with the error summary and
	// the email address typed, never the password.
	b.clickLink("Sign in")
	b.expectPath("/sign-in")
	b.expectHeading("Sign in")
	b.fillByLabel("Email address", seeded.Email)
	b.fillByLabel("Password", "not the password")
	b.clickButton("Sign in")
	b.expectStatus(401) // wrong credentials: unauthenticated, on both faces
	b.expectErrorSummary("Enter the email address and password of your account; one of them is not right")
	require.Equal(t, seeded.Email, b.fieldValue("Email address"))
	require.Empty(t, b.fieldValue("Password"))

	// Registration: a mismatched password keeps the name and email.
	b.clickLink("Create an account")
	b.expectPath("/register")
	b.expectHeading("Create an account")
	b.fillByLabel("Your full name", "Ada Okafor")
	b.fillByLabel("Email address", "ada@example.org")
	b.fillByLabel("Create a password", "a long enough password")
	b.fillByLabel("Enter the password again", "a different password")
	b.clickButton("Create account")
	b.expectInvalid("Enter the same password twice")
	require.Equal(t, "Ada Okafor", b.fieldValue("Your full name"))
	require.Equal(t, "ada@example.org", b.fieldValue("Email address"))
	require.Empty(t, b.fieldValue("Create a password"))
	require.Empty(t, b.fieldValue("Enter the password again"))

	// Properly: an e-mail is on its way; the new account signs in with
	// its password, and is asked to confirm its address.
	b.fillByLabel("Create a password", "a long enough password")
	b.fillByLabel("Enter the password again", "a long enough password")
	b.clickButton("Create account")
	b.expectPath("/check-email")
	b.expectHeading("Check your email")
	b.clickLink("Sign in with your new account")
	b.fillByLabel("Email address", "ada@example.org")
	b.fillByLabel("Password", "a long enough password")
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
	b.expectHeading("Dashboard")
	b.expectText("Signed in as Ada Okafor (ada@example.org)", "Confirm your email address to submit applications and accept offers.")

	// Sign out, then in as someone else.
	b.clickButton("Sign out")
	b.expectPath("/sign-in")
	b.expectText("You have signed out.")
	b.expectNoText("Ada Okafor")
	b.visit("/dashboard")
	b.expectPath("/sign-in")
	b.fillByLabel("Email address", seeded.Email)
	b.fillByLabel("Password", apptest.Password)
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
	b.expectHeading("Dashboard")
	b.expectText("Signed in as " + seeded.Name + " (" + seeded.Email + ")")
}

// The session time-out warning, with JavaScript: the modal dialog passes
// axe, takes the focus, and "Stay signed in" keeps the visitor on the page;
// "Sign out" in it signs out. On a site whose sessions idle out after a few
// seconds, the warning opens by itself and, left alone, the page goes to
// sign-in saying why, with the session ended.
func TestBrowserSessionTimeout(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	who := s.env.User(t, "timeout@example.org")

	// The stack's own site: sessions last 30 minutes without a request, so
	// the warning (two minutes before the end) is opened as its timer
	// would open it.
	t.Run("buttons", func(t *testing.T) {
		b := newBrowserPage(t, webRoot(s))
		signIn(b, who.Email)
		remaining, warn := sessionTimes(b)
		require.InDelta(t, app.DefaultSessionIdle.Seconds(), remaining, 60)
		require.Equal(t, 120, warn)
		require.False(t, dialogOpen(b), "the warning opened 28 minutes early")

		b.setMark() // to tell that "Stay signed in" loads no page
		openTimeoutDialog(b)
		b.pressButton("Stay signed in")
		b.waitFor("the warning to close", `!document.getElementById('app-timeout-dialog').open`, 10*time.Second)
		stayed := call[bool](b, `() => window.__testOldDocument === true && location.pathname === '/dashboard'`)
		require.True(t, stayed, "staying signed in loaded a page: the script's request failed")

		openTimeoutDialog(b)
		b.clickButton("Sign out")
		b.expectPath("/sign-in")
		b.expectText("You have signed out.")
	})

	// A site on the same database whose sessions end after ten seconds
	// without a request: less than the two minutes' warning, so the
	// warning opens as soon as the page has loaded.
	t.Run("time-out", func(t *testing.T) {
		docs, err := document.NewStore(s.env.Docs)
		require.NoError(t, err)
		const idle = 10 * time.Second
		short := app.New(s.env.Store, docs, app.Config{SessionIdle: idle, EncryptionKey: apptest.EncryptionKey}, slog.New(slog.DiscardHandler))
		h, err := httpHandler(short, s.tc, slog.New(slog.DiscardHandler), nil)
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)

		b := newBrowserPage(t, srv.URL)
		signIn(b, who.Email)
		start := time.Now()
		remaining, _ := sessionTimes(b)
		require.LessOrEqual(t, remaining, int(idle.Seconds()))
		b.waitFor("the time-out warning", `document.getElementById('app-timeout-dialog').open`, 5*time.Second)
		b.checkPageAs("timeout-warning")
		requireFocusInDialog(t, b)

		// Left alone, the page goes to sign-in when the session ends.
		b.waitFor("the time-out to reach sign-in", `location.pathname === '/sign-in' && document.readyState === 'complete'`, idle+10*time.Second)
		t.Logf("signed out by the time-out %s after the dashboard loaded; %d pages in the tab's history",
			time.Since(start).Round(100*time.Millisecond), call[int](b, `() => history.length`))
		b.checkPage()
		b.expectPath("/sign-in")
		b.expectText("We signed you out because you had not done anything for a while.")
		b.visit("/dashboard")
		b.expectPath("/sign-in") // the session is over on the server too
	})
}

// signIn signs in through the sign-in page and lands on the dashboard.
func signIn(b *browserPage, email string) {
	b.t.Helper()
	b.visit("/sign-in")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", apptest.Password)
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
}

// sessionTimes are the seconds of session left and of warning the page was
// rendered with.
func sessionTimes(b *browserPage) (remaining, warn int) {
	b.t.Helper()
	v := call[[]string](b, `() => [document.body.dataset.sessionRemaining, document.body.dataset.sessionWarn]`)
	remaining, err := strconv.Atoi(v[0])
	require.NoError(b.t, err, "data-session-remaining")
	warn, err = strconv.Atoi(v[1])
	require.NoError(b.t, err, "data-session-warn")
	return remaining, warn
}

func dialogOpen(b *browserPage) bool {
	b.t.Helper()
	return call[bool](b, `() => document.getElementById('app-timeout-dialog').open`)
}

// openTimeoutDialog opens the warning as app.js's timer does, and checks
// the page with it open.
func openTimeoutDialog(b *browserPage) {
	b.t.Helper()
	call[bool](b, `() => { document.getElementById('app-timeout-dialog').showModal(); return true; }`)
	b.checkPageAs("timeout-warning")
	requireFocusInDialog(b.t, b)
}

func requireFocusInDialog(t *testing.T, b *browserPage) {
	t.Helper()
	in := call[bool](b, `() => document.getElementById('app-timeout-dialog').contains(document.activeElement)`)
	require.True(t, in, "the focus is not in the time-out warning")
}
