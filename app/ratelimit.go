package app

import (
	"context"
	"strings"
	"sync"
	"time"
)

// limiter counts events per key (failed logins per email address,
// attempts per client address): after max of them within window, further
// attempts are refused until the window has passed since the first. It is
// per process; behind several API replicas each keeps its own count, which
// still bounds the rate by the number of replicas.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	events map[string][]time.Time
}

// Limits: password guesses at one account, and sign-in and registration
// attempts from one client address (many accounts tried from one place).
const (
	loginMaxFailures  = 5
	loginWindow       = 15 * time.Minute
	clientMaxAttempts = 60
	clientWindow      = 10 * time.Minute
)

func newLimiter(maxEvents int, window time.Duration) *limiter {
	return &limiter{max: maxEvents, window: window, events: map[string][]time.Time{}}
}

// check returns the seconds to wait, or 0 when an attempt may go ahead.
func (l *limiter) check(key string, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	key = strings.ToLower(strings.TrimSpace(key))
	recent := l.events[key][:0]
	for _, t := range l.events[key] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		delete(l.events, key)
		return 0
	}
	l.events[key] = recent
	if len(recent) < l.max {
		return 0
	}
	return int(l.window-now.Sub(recent[0]))/int(time.Second) + 1
}

// maxTracked bounds the memory a flood of events for many keys can
// take: past it, entries whose window has passed are swept.
const maxTracked = 10000

// record counts an event (a failed login, an attempt) for key.
func (l *limiter) record(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) >= maxTracked {
		for k, ts := range l.events {
			if now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.events, k)
			}
		}
	}
	key = strings.ToLower(strings.TrimSpace(key))
	l.events[key] = append(l.events[key], now)
}

// forget clears key's count (a login that succeeded).
func (l *limiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.events, strings.ToLower(strings.TrimSpace(key)))
}

type clientKey struct{}

// WithClient tells the use cases, through ctx, the address a request came
// from; sign-in and registration then count against its limit
// (clientMaxAttempts within clientWindow).
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
	now := a.now()
	if wait := a.clients.check(addr, now); wait > 0 {
		return RateLimited(wait)
	}
	a.clients.record(addr, now)
	return nil
}
