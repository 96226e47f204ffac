package app

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
)

// Sign-in limits, kept in PostgreSQL so every replica shares them: the
// numbers are here, and the queries (queries/login_throttle.sql,
// queries/client_attempts.sql) take them as parameters; times are the
// database clock.
//
// Per account (the e-mail address as typed, lower-cased, known or not):
// every attempt is counted before the password is checked, in one
// statement under the lock of the row, so guesses sent at once are counted
// one by one; a success forgets the count. The fifth attempt in a row
// without success makes the account wait LoginBackoffBase before the next,
// and each further one doubles the wait, up to LoginBackoffMax: a back-off,
// never a lock for good, so nobody can keep the owner out for longer than
// that. The count is forgotten after LoginForgetAfter without an attempt.
//
// Per client address: at most ClientMaxAttempts sign-in and registration
// attempts in a window of ClientWindow (DESIGN §10: at least 60 per 10
// minutes).
const (
	LoginFreeFailures = 5
	LoginBackoffBase  = time.Minute
	LoginBackoffMax   = 15 * time.Minute
	LoginForgetAfter  = time.Hour
	ClientMaxAttempts = 60
	ClientWindow      = 10 * time.Minute
)

// E-mail limits: at most MailMaxPerAddress account e-mails (registration,
// confirmation, reset and sign-in links) to one address within
// MailWindow, whether or not it has an account, so nobody can flood an
// inbox through the service and the limit tells nothing about accounts.
const (
	MailMaxPerAddress = 5
	MailWindow        = time.Hour
)

// limitKey is the form a limit's key is counted under.
func limitKey(key string) string { return strings.ToLower(strings.TrimSpace(key)) }

// waitSeconds is secs rounded up to whole seconds, at least 1.
func waitSeconds(secs float64) int { return max(1, int(math.Ceil(secs))) }

// beginLogin counts a sign-in attempt at email, or refuses it
// (rate_limited, with the seconds to wait) while the account must wait.
func (a *App) beginLogin(ctx context.Context, email string) error {
	key := limitKey(email)
	_, err := a.store.LoginThrottleAttempt(ctx, sqlc.LoginThrottleAttemptParams{Email: key, FreeFailures: LoginFreeFailures,
		BackoffBaseSeconds: LoginBackoffBase.Seconds(), BackoffMaxSeconds: LoginBackoffMax.Seconds(),
		ForgetAfterSeconds: LoginForgetAfter.Seconds()})
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return fmt.Errorf("count sign-in attempt: %w", err)
	}
	wait, err := a.store.LoginThrottleWait(ctx, key)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("sign-in wait: %w", err)
	}
	return RateLimited(waitSeconds(wait))
}

// loginSucceeded forgets email's failures.
func (a *App) loginSucceeded(ctx context.Context, email string) error {
	if err := a.store.LoginThrottleReset(ctx, limitKey(email)); err != nil {
		return fmt.Errorf("reset sign-in attempts: %w", err)
	}
	return nil
}

// throttleMail counts an account e-mail to address, or refuses it
// (rate_limited) past MailMaxPerAddress within MailWindow. It shares the
// table of per-client counts, under keys of their own.
func (a *App) throttleMail(ctx context.Context, address string) error {
	row, err := a.store.ClientAttemptCount(ctx, sqlc.ClientAttemptCountParams{Client: "mail:" + limitKey(address),
		WindowSeconds: MailWindow.Seconds()})
	if err != nil {
		return fmt.Errorf("count e-mails to address: %w", err)
	}
	if row.Attempts > MailMaxPerAddress {
		return RateLimited(waitSeconds(row.SecondsLeft))
	}
	return nil
}

type clientKey struct{}

// WithClient tells the use cases, through ctx, the address a request came
// from; sign-in and registration then count against its limit
// (ClientMaxAttempts within ClientWindow).
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// throttleClient counts an attempt from ctx's client, if known, and
// refuses it (rate_limited) past the client's limit.
func (a *App) throttleClient(ctx context.Context) error {
	addr, _ := ctx.Value(clientKey{}).(string)
	if addr == "" {
		return nil
	}
	row, err := a.store.ClientAttemptCount(ctx, sqlc.ClientAttemptCountParams{Client: limitKey(addr),
		WindowSeconds: ClientWindow.Seconds()})
	if err != nil {
		return fmt.Errorf("count client attempt: %w", err)
	}
	if row.Attempts > ClientMaxAttempts {
		return RateLimited(waitSeconds(row.SecondsLeft))
	}
	return nil
}
