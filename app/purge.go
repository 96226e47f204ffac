package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
)

// PurgeEvery is how often `grants worker` purges ended sessions and tokens.
const PurgeEvery = 10 * time.Minute

// Purged counts what one purge deleted.
type Purged struct {
	Tokens  int64 // web sessions and API tokens past their expiry or idle time
	Logins  int64 // accounts' sign-in counts forgotten
	Clients int64 // client addresses' windows passed
}

// PurgeExpired deletes the web sessions and API tokens that have ended
// (past their expiry, or API tokens unused for tokenIdle) and the sign-in
// limits' rows that no longer hold anyone back. It needs no App: the
// worker runs it on the store alone.
func PurgeExpired(ctx context.Context, store *db.Store, tokenIdle time.Duration) (Purged, error) {
	if tokenIdle <= 0 {
		tokenIdle = DefaultTokenIdle
	}
	var p Purged
	var err error
	now := time.Now().UTC()
	if p.Tokens, err = store.AuthTokenDeleteExpired(ctx, sqlc.AuthTokenDeleteExpiredParams{Now: now, IdleSince: now.Add(-tokenIdle)}); err != nil {
		return p, fmt.Errorf("purge tokens: %w", err)
	}
	if p.Logins, err = store.LoginThrottlePurge(ctx, LoginForgetAfter.Seconds()); err != nil {
		return p, fmt.Errorf("purge sign-in limits: %w", err)
	}
	// The longest window of the counts kept there (clients', e-mails').
	if p.Clients, err = store.ClientAttemptPurge(ctx, max(ClientWindow, MailWindow).Seconds()); err != nil {
		return p, fmt.Errorf("purge client limits: %w", err)
	}
	return p, nil
}

// RunPurge calls PurgeExpired at once and then every interval until ctx
// ends. A failed purge is logged and tried again at the next tick.
func RunPurge(ctx context.Context, store *db.Store, tokenIdle, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = PurgeEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p, err := PurgeExpired(ctx, store, tokenIdle)
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, "purge ended sessions and tokens", "err", err)
		case err == nil && p != (Purged{}):
			log.InfoContext(ctx, "purged ended sessions and tokens", "tokens", p.Tokens, "logins", p.Logins, "clients", p.Clients)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
