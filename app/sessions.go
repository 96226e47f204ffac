package app

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
)

// Session is a signed-in web visitor: who, and until when the session
// lives unless they make another request.
type Session struct {
	Actor     Actor
	ExpiresAt time.Time
}

// SignIn checks a password and opens a web session (an auth token of kind
// session living SessionIdle). It shares Login's rate limit.
func (a *App) SignIn(ctx context.Context, email, password string) (Token, error) {
	return a.login(ctx, email, password, "session", a.cfg.SessionIdle)
}

// SessionIdle is how long a web session lives without a request.
func (a *App) SessionIdle() time.Duration { return a.cfg.SessionIdle }

// ResumeSession resolves a web session cookie and slides its expiry (at
// most once a minute, never past SessionMaxAge from sign-in). Unknown,
// expired and API tokens are ErrUnauthenticated.
func (a *App) ResumeSession(ctx context.Context, token string) (Session, error) {
	return a.resumeSession(ctx, token, time.Minute)
}

// ExtendSession is ResumeSession that always slides the expiry: the
// time-out warning's "stay signed in".
func (a *App) ExtendSession(ctx context.Context, token string) (Session, error) {
	return a.resumeSession(ctx, token, 0)
}

func (a *App) resumeSession(ctx context.Context, token string, minStep time.Duration) (Session, error) {
	if token == "" || len(token) > 200 {
		return Session{}, ErrUnauthenticated
	}
	now := a.now().UTC()
	row, err := a.store.AuthTokenSession(ctx, sqlc.AuthTokenSessionParams{TokenHash: hashToken(token), Now: now})
	if err != nil {
		if isNotFound(err) {
			return Session{}, ErrUnauthenticated
		}
		return Session{}, fmt.Errorf("resume session: %w", err)
	}
	s := Session{Actor: Actor{ID: row.ID, Email: row.Email, Name: row.Name, Roles: row.Roles,
		EmailVerified: row.EmailVerifiedAt != nil}, ExpiresAt: row.TokenExpiresAt}
	want := now.Add(a.cfg.SessionIdle).Truncate(time.Second)
	if minStep > 0 && want.Sub(s.ExpiresAt) < minStep {
		return s, nil
	}
	exp, err := a.store.AuthTokenExtend(ctx, sqlc.AuthTokenExtendParams{
		ExpiresAt: want, MaxAgeSeconds: a.cfg.SessionMaxAge.Seconds(), TokenHash: hashToken(token), Now: now,
	})
	if err != nil {
		if isNotFound(err) { // ended between the two statements
			return Session{}, ErrUnauthenticated
		}
		return Session{}, fmt.Errorf("extend session: %w", err)
	}
	s.ExpiresAt = exp
	return s, nil
}

// SignOutEverywhere ends every web session and API token of the actor.
func (a *App) SignOutEverywhere(ctx context.Context, actor Actor) (int64, error) {
	var n int64
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		var err error
		if n, err = q.AuthTokenDeleteForUser(ctx, actor.ID); err != nil {
			return fmt.Errorf("sign out everywhere: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + actor.ID, Actor: actor.ID, Action: "user.signed_out_everywhere",
			Entity: "user:" + actor.ID, Data: map[string]any{"ended": n}})
		return err
	})
	return n, err
}

// PublicURL is where people reach the web UI.
func (a *App) PublicURL() string { return a.cfg.PublicURL }
