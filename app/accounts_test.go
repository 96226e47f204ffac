package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/mailq"
)

// queued lists the kinds of e-mail queued to an address, oldest first,
// each with its outbox row.
func queued(t *testing.T, env *apptest.Env, address string) []string {
	t.Helper()
	rows, err := env.Store.Pool.Query(context.Background(), `
		SELECT e.kind FROM emails e
		WHERE lower(e.to_address) = lower($1)
		  AND EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'deliver:email' AND (o.payload->>'email_id')::bigint = e.id)
		ORDER BY e.id`, address)
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		out = append(out, k)
	}
	require.NoError(t, rows.Err())
	return out
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "validation_failed", e.Code, "%v", err)
	require.Contains(t, e.Fields, field, "%v", e.Fields)
}

// Registering answers the same for a new and a taken address; the new
// account can sign in and draft at once but not submit until it confirms
// its address by the e-mailed link, which works once.
func TestRegisterAndConfirm(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	env.User(t, "taken@example.org")
	snapshot := env.Snapshot(t, "users")

	res, err := env.App.Register(ctx, app.RegisterInput{Email: "taken@example.org", Name: "Someone Else", Password: "another password"})
	require.NoError(t, err)
	fresh, err := env.App.Register(ctx, app.RegisterInput{Email: "new@example.org", Name: "Sam Taylor", Password: apptest.Password})
	require.NoError(t, err)
	require.Equal(t, app.Accepted{Status: "confirmation_sent"}, res)
	require.Equal(t, res, fresh, "no hint of which address had an account")
	require.Equal(t, []string{mailq.EmailAccountExists}, queued(t, env, "taken@example.org"))
	require.Equal(t, []string{mailq.EmailConfirm}, queued(t, env, "new@example.org"))
	_, err = env.App.Login(ctx, "taken@example.org", "another password")
	require.True(t, isKind(err, app.KindUnauthenticated), "the taken account's password did not change: %v", err)
	require.NotEqual(t, snapshot["users"], env.Snapshot(t, "users")["users"]) // the new one only

	// Signed in at once, unconfirmed; submitting is refused.
	tok, err := env.App.Login(ctx, "new@example.org", apptest.Password)
	require.NoError(t, err)
	sam, err := env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	require.False(t, sam.EmailVerified)
	org := env.Organisation(t, sam, "Sam's Group")
	r := env.Round(t, apptest.ExampleRound(t))
	a, err := env.App.CreateApplication(ctx, sam, r.ID, org.ID)
	require.NoError(t, err, "an unconfirmed account drafts")
	_, err = env.App.SaveApplication(ctx, sam, a.ID, apptest.Body(t, apptest.CompleteAnswers(a.Version)))
	require.NoError(t, err)
	_, err = env.App.SubmitApplication(ctx, sam, a.ID, func() error { return nil })
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, app.KindConflict, e.Kind)
	require.Equal(t, "email_unverified", e.Code)

	// Malformed, unknown and reused tokens are one 422 on fields.token.
	_, err = env.App.ConfirmEmail(ctx, "not a token")
	fieldErr(t, err, "token")
	_, err = env.App.ConfirmEmail(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	fieldErr(t, err, "token")
	link := env.LinkToken(t, "new@example.org", "confirm")
	done, err := env.App.ConfirmEmail(ctx, link)
	require.NoError(t, err)
	require.True(t, done.EmailVerified)
	_, err = env.App.ConfirmEmail(ctx, link)
	fieldErr(t, err, "token")

	sam, err = env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err, "confirming ends no session")
	require.True(t, sam.EmailVerified)
	me, err := env.App.Me(ctx, sam)
	require.NoError(t, err)
	require.True(t, me.EmailVerified)
	_, err = env.App.SubmitApplication(ctx, sam, a.ID, func() error { return nil })
	require.NoError(t, err)

	// Resending to a confirmed account sends nothing.
	_, err = env.App.ResendConfirmation(ctx, sam)
	require.NoError(t, err)
	require.Equal(t, []string{mailq.EmailConfirm}, queued(t, env, "new@example.org"))
}

// A confirmation link expires after 7 days; a new one can be asked for.
func TestConfirmLinkExpires(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	_, err := env.App.Register(ctx, app.RegisterInput{Email: "late@example.org", Name: "Late", Password: apptest.Password})
	require.NoError(t, err)
	old := env.LinkToken(t, "late@example.org", "confirm")
	_, err = env.Store.Pool.Exec(ctx, `UPDATE account_tokens SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'`)
	require.NoError(t, err)
	_, err = env.App.ConfirmEmail(ctx, old)
	fieldErr(t, err, "token")

	tok, err := env.App.Login(ctx, "late@example.org", apptest.Password)
	require.NoError(t, err)
	late, err := env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	_, err = env.App.ResendConfirmation(ctx, late)
	require.NoError(t, err)
	fresh := env.LinkToken(t, "late@example.org", "confirm")
	require.NotEqual(t, old, fresh)
	_, err = env.App.ConfirmEmail(ctx, fresh)
	require.NoError(t, err)
}

// A reset asked for an unknown address answers as for a known one and
// e-mails that there is no account; the reset link works once, within
// the hour, ends every session and token and every other link, and tells
// the owner.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	env.User(t, "ada@example.org")
	api, err := env.App.Login(ctx, "ada@example.org", apptest.Password)
	require.NoError(t, err)
	web, err := env.App.SignIn(ctx, "ada@example.org", apptest.Password)
	require.NoError(t, err)

	unknown, err := env.App.RequestPasswordReset(ctx, "nobody@example.org")
	require.NoError(t, err)
	known, err := env.App.RequestPasswordReset(ctx, "ada@example.org")
	require.NoError(t, err)
	require.Equal(t, unknown, known)
	require.Equal(t, []string{mailq.EmailPasswordResetUnknown}, queued(t, env, "nobody@example.org"))
	_, err = env.App.RequestPasswordReset(ctx, "not an address")
	fieldErr(t, err, "email")

	// A sign-in link asked for before the reset ends with it.
	_, err = env.App.RequestSignInLink(ctx, "ada@example.org")
	require.NoError(t, err)
	signInLink := env.LinkToken(t, "ada@example.org", "sign_in")
	reset := env.LinkToken(t, "ada@example.org", "reset")

	_, err = env.App.CompletePasswordReset(ctx, app.PasswordReset{Token: reset, Password: "short"})
	fieldErr(t, err, "password")
	_, err = env.App.CompletePasswordReset(ctx, app.PasswordReset{Token: signInLink, Password: "a brand new password"})
	fieldErr(t, err, "token") // a link of another purpose
	u, err := env.App.CompletePasswordReset(ctx, app.PasswordReset{Token: reset, Password: "a brand new password"})
	require.NoError(t, err)
	require.Equal(t, "ada@example.org", u.Email)
	_, err = env.App.CompletePasswordReset(ctx, app.PasswordReset{Token: reset, Password: "yet another password"})
	fieldErr(t, err, "token")

	_, err = env.App.Authenticate(ctx, api.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated, "every API token ended")
	_, err = env.App.ResumeSession(ctx, web.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated, "every session ended")
	_, err = env.App.CompleteSignInLink(ctx, signInLink)
	fieldErr(t, err, "token")
	_, err = env.App.Login(ctx, "ada@example.org", apptest.Password)
	require.True(t, isKind(err, app.KindUnauthenticated), "%v", err)
	_, err = env.App.Login(ctx, "ada@example.org", "a brand new password")
	require.NoError(t, err)
	require.Equal(t, []string{mailq.EmailPasswordReset, mailq.EmailSignInLink, mailq.EmailPasswordChanged}, queued(t, env, "ada@example.org"))

	// An hour later a reset link no longer works.
	_, err = env.App.RequestPasswordReset(ctx, "ada@example.org")
	require.NoError(t, err)
	late := env.LinkToken(t, "ada@example.org", "reset")
	_, err = env.Store.Pool.Exec(ctx, `UPDATE account_tokens SET created_at = created_at - interval '61 minutes', expires_at = expires_at - interval '61 minutes' WHERE used_at IS NULL`)
	require.NoError(t, err)
	_, err = env.App.CompletePasswordReset(ctx, app.PasswordReset{Token: late, Password: "yet another password"})
	fieldErr(t, err, "token")
}

// Changing a password needs the current one and ends every other session
// and token, not the caller's.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	ada := env.User(t, "ada@example.org")
	mine, err := env.App.SignIn(ctx, "ada@example.org", apptest.Password)
	require.NoError(t, err)
	other, err := env.App.Login(ctx, "ada@example.org", apptest.Password)
	require.NoError(t, err)

	err = env.App.ChangePassword(ctx, ada, mine.Token, app.PasswordChange{CurrentPassword: "wrong password", Password: "a brand new password"})
	fieldErr(t, err, "current_password")
	err = env.App.ChangePassword(ctx, ada, mine.Token, app.PasswordChange{CurrentPassword: apptest.Password, Password: "short"})
	fieldErr(t, err, "password")
	_, err = env.App.Authenticate(ctx, other.Token)
	require.NoError(t, err, "nothing changed yet")

	require.NoError(t, env.App.ChangePassword(ctx, ada, mine.Token, app.PasswordChange{CurrentPassword: apptest.Password, Password: "a brand new password"}))
	_, err = env.App.ResumeSession(ctx, mine.Token)
	require.NoError(t, err, "the caller's session carries on")
	_, err = env.App.Authenticate(ctx, other.Token)
	require.ErrorIs(t, err, app.ErrUnauthenticated)
	_, err = env.App.Login(ctx, "ada@example.org", "a brand new password")
	require.NoError(t, err)
	require.Equal(t, []string{mailq.EmailPasswordChanged}, queued(t, env, "ada@example.org"))
}

// A sign-in link signs in once, confirms the address, and is refused
// after its hour; an unknown address is told there is no account.
func TestSignInLink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	_, err := env.App.Register(ctx, app.RegisterInput{Email: "shared@example.org", Name: "Shared Inbox", Password: apptest.Password})
	require.NoError(t, err)
	_, err = env.App.RequestSignInLink(ctx, "Shared@Example.org")
	require.NoError(t, err)
	link := env.LinkToken(t, "shared@example.org", "sign_in")
	tok, err := env.App.CompleteSignInLink(ctx, link)
	require.NoError(t, err)
	who, err := env.App.Authenticate(ctx, tok.Token)
	require.NoError(t, err)
	require.Equal(t, "shared@example.org", who.Email)
	require.True(t, who.EmailVerified, "following an e-mailed link proves the address")
	_, err = env.App.CompleteSignInLink(ctx, link)
	fieldErr(t, err, "token")

	_, err = env.App.RequestSignInLink(ctx, "stranger@example.org")
	require.NoError(t, err)
	require.Equal(t, []string{mailq.EmailSignInLinkUnknown}, queued(t, env, "stranger@example.org"))
}

// At most five account e-mails go to one address in an hour, whether or
// not it has an account: the sixth request is 429 for both alike.
func TestMailLimitPerAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	env.User(t, "known@example.org")
	for _, addr := range []string{"known@example.org", "unknown@example.org"} {
		for range app.MailMaxPerAddress {
			_, err := env.App.RequestPasswordReset(ctx, addr)
			require.NoError(t, err)
		}
		_, err := env.App.RequestPasswordReset(ctx, addr)
		e, ok := app.AsError(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, app.KindRateLimited, e.Kind, addr)
		require.Positive(t, e.RetryAfter)
		require.Len(t, queued(t, env, addr), app.MailMaxPerAddress, addr)
	}
}
