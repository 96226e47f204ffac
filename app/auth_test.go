package app_test

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
)

// retryAfter is a rate_limited error's seconds to wait; it fails the test
// for any other outcome.
func retryAfter(t *testing.T, err error) int {
	t.Helper()
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, app.KindRateLimited, e.Kind, "%v", err)
	return e.RetryAfter
}

func isKind(err error, k app.Kind) bool {
	e, ok := app.AsError(err)
	return ok && e.Kind == k
}

// letWaitPass makes the account's wait over, as if it had passed.
func letWaitPass(t *testing.T, env *apptest.Env, email string) {
	t.Helper()
	_, err := env.Store.Pool.Exec(context.Background(),
		`UPDATE login_throttle SET blocked_until = now() - interval '1 second' WHERE email = $1 AND blocked_until IS NOT NULL`, email)
	require.NoError(t, err)
}

// Guesses sent at once are counted one by one: however many arrive
// together, no more than the allowed number have their password checked.
func TestLoginLimitHoldsUnderConcurrentGuesses(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "target@example.org")
	const n = 24
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		checked, refused int
	)
	for range n {
		wg.Go(func() {
			_, err := env.App.Login(context.Background(), "target@example.org", "a wrong guess!")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case isKind(err, app.KindUnauthenticated):
				checked++
			case isKind(err, app.KindRateLimited):
				refused++
			default:
				t.Errorf("unexpected outcome: %v", err)
			}
		})
	}
	wg.Wait()
	require.Equal(t, app.LoginFreeFailures, checked, "passwords checked")
	require.Equal(t, n-app.LoginFreeFailures, refused)
	_, err := env.App.Login(context.Background(), "target@example.org", apptest.Password)
	require.Positive(t, retryAfter(t, err), "even the right password waits")
}

// Every replica shares the count: failures through one use-case layer
// hold back sign-in through another on the same database.
func TestLoginLimitSharedByReplicas(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "shared@example.org")
	docs, err := document.NewStore(t.TempDir())
	require.NoError(t, err)
	other := app.New(env.Store, docs, app.Config{EncryptionKey: apptest.EncryptionKey}, slog.New(slog.DiscardHandler))
	for range app.LoginFreeFailures {
		_, err := env.App.Login(context.Background(), "shared@example.org", "a wrong guess!")
		require.True(t, isKind(err, app.KindUnauthenticated), "%v", err)
	}
	_, err = other.Login(context.Background(), "Shared@Example.org ", apptest.Password)
	require.Positive(t, retryAfter(t, err))
	_, err = other.SignIn(context.Background(), "shared@example.org", apptest.Password)
	require.Positive(t, retryAfter(t, err), "the web's sign-in too")
}

// Failures back off (a minute after the fifth, doubled each time, at most
// 15 minutes) and never lock the owner out for good; a success forgets
// them.
func TestLoginBacksOff(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "owner@example.org")
	ctx := context.Background()
	guess := func() error {
		_, err := env.App.Login(ctx, "owner@example.org", "a wrong guess!")
		return err
	}
	for range app.LoginFreeFailures {
		require.True(t, isKind(guess(), app.KindUnauthenticated))
	}
	wait := retryAfter(t, guess())
	require.LessOrEqual(t, wait, 60)
	require.Greater(t, wait, 50)

	// Each failure after a wait doubles the next wait.
	for _, want := range []int{120, 240, 480, 900, 900, 900} {
		letWaitPass(t, env, "owner@example.org")
		require.True(t, isKind(guess(), app.KindUnauthenticated), "one more guess after the wait")
		wait := retryAfter(t, guess())
		require.LessOrEqual(t, wait, want)
		require.Greater(t, wait, want-10)
	}
	// After many more, the wait is still the cap: never a lock for good.
	_, err := env.Store.Pool.Exec(ctx, `UPDATE login_throttle SET failures = 100000 WHERE email = 'owner@example.org'`)
	require.NoError(t, err)
	letWaitPass(t, env, "owner@example.org")
	require.True(t, isKind(guess(), app.KindUnauthenticated))
	require.LessOrEqual(t, retryAfter(t, guess()), 900)

	// The owner signs in once the wait is over; the count is forgotten.
	letWaitPass(t, env, "owner@example.org")
	_, err = env.App.Login(ctx, "owner@example.org", apptest.Password)
	require.NoError(t, err)
	for range app.LoginFreeFailures {
		require.True(t, isKind(guess(), app.KindUnauthenticated), "a fresh count")
	}
}

// A web session's token is no API bearer token; an API token is.
func TestSessionIsNotABearerToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "someone@example.org")
	ctx := context.Background()
	session, err := env.App.SignIn(ctx, "someone@example.org", apptest.Password)
	require.NoError(t, err)
	_, err = env.App.Authenticate(ctx, session.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated)
	_, err = env.App.ResumeSession(ctx, session.Token)
	require.NoError(t, err, "still a web session")

	tok, err := env.App.Login(ctx, "someone@example.org", apptest.Password)
	require.NoError(t, err)
	who, err := env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	require.Equal(t, "someone@example.org", who.Email)
	_, err = env.App.ResumeSession(ctx, tok.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated, "and an API token is no session")
}

// An API token ends after TokenIdle without use; a use is noted at most
// once a minute.
func TestAPITokenIdleExpiry(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "idle@example.org")
	ctx := context.Background()
	tok, err := env.App.Login(ctx, "idle@example.org", apptest.Password)
	require.NoError(t, err)
	setLastUsed := func(ago string) {
		t.Helper()
		_, err := env.Store.Pool.Exec(ctx, `UPDATE auth_tokens SET last_used_at = now() - $1::interval WHERE kind = 'api'`, ago)
		require.NoError(t, err)
	}
	lastUsedAgo := func() float64 {
		t.Helper()
		var secs float64
		require.NoError(t, env.Store.Pool.QueryRow(ctx,
			`SELECT extract(epoch FROM now() - last_used_at)::float8 FROM auth_tokens WHERE kind = 'api'`).Scan(&secs))
		return secs
	}

	setLastUsed("30 seconds")
	_, err = env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	require.Greater(t, lastUsedAgo(), 25.0, "used within the minute: not written again")

	setLastUsed("6 days")
	_, err = env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	require.Less(t, lastUsedAgo(), 60.0, "the use is noted")

	setLastUsed("7 days 1 minute")
	_, err = env.App.Authenticate(ctx, tok.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated, "unused for longer than the idle time")
}

// The purge deletes ended sessions, expired and idle API tokens and the
// sign-in limits that hold nobody back, and keeps the rest.
func TestPurgeExpired(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "p@example.org")
	ctx := context.Background()
	var toks []string
	for range 4 {
		tok, err := env.App.Login(ctx, "p@example.org", apptest.Password)
		require.NoError(t, err)
		toks = append(toks, tok.Token)
	}
	ended, err := env.App.SignIn(ctx, "p@example.org", apptest.Password)
	require.NoError(t, err)
	live, err := env.App.SignIn(ctx, "p@example.org", apptest.Password)
	require.NoError(t, err)
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := env.Store.Pool.Exec(ctx, sql, args...)
		require.NoError(t, err)
	}
	hash := func(tok string) []byte { h := sha256.Sum256([]byte(tok)); return h[:] } // as tokens are stored
	exec(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, hash(toks[0]))
	exec(`UPDATE auth_tokens SET last_used_at = now() - interval '8 days' WHERE token_hash = $1`, hash(toks[1]))
	exec(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, hash(ended.Token))
	// Sign-in limits: one forgotten, one waiting, one recent.
	exec(`INSERT INTO login_throttle (email, failures, last_attempt_at, blocked_until) VALUES
		('old@example.org', 3, now() - interval '2 hours', NULL),
		('waiting@example.org', 9, now() - interval '2 hours', now() + interval '5 minutes'),
		('recent@example.org', 2, now(), NULL)`)
	// Client and e-mail counts are kept until the longest window (an
	// address's e-mails, an hour) has passed.
	exec(`INSERT INTO client_attempts (client, attempts, window_started_at) VALUES
		('192.0.2.1', 60, now() - interval '61 minutes'), ('192.0.2.2', 3, now()),
		('mail:recent@example.org', 5, now() - interval '30 minutes')`)

	got, err := app.PurgeExpired(ctx, env.Store, app.DefaultTokenIdle)
	require.NoError(t, err)
	require.Equal(t, app.Purged{Tokens: 3, Logins: 1, Clients: 1}, got)

	for _, tok := range toks[2:] {
		_, err := env.App.Authenticate(ctx, tok)
		require.NoError(t, err, "live API tokens kept")
	}
	_, err = env.App.ResumeSession(ctx, live.Token)
	require.NoError(t, err, "the live session kept")
	var left []string
	rows, err := env.Store.Pool.Query(ctx, `SELECT email FROM login_throttle UNION ALL SELECT client FROM client_attempts ORDER BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		left = append(left, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"192.0.2.2", "mail:recent@example.org", "recent@example.org", "waiting@example.org"}, left)
}

// An address no account can have (too long, a NUL, not UTF-8) is a wrong
// sign-in (401), not a database error.
func TestLoginWithImpossibleAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	for _, email := range []string{"a\x00@example.org", "\xff@example.org", strings.Repeat("a", 5000) + "@example.org"} {
		_, err := env.App.Login(context.Background(), email, "a wrong guess!")
		require.True(t, isKind(err, app.KindUnauthenticated), "%q: %v", email, err)
	}
}
