package registers

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Companies House's published rate limit: 600 requests per 5 minutes.
const (
	CompaniesHouseRequests = 600
	CompaniesHouseWindow   = 5 * time.Minute
)

// Limiter allows at most n requests in any window (a sliding log of the
// last n start times), and can be paused (a 429's Retry-After). It is
// per process; with several workers each keeps its own count, so give
// each a share of the limit if that matters.
type Limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	starts []time.Time // ring of the last n starts
	next   int
	paused time.Time
	now    func() time.Time
}

// NewLimiter allows n requests per window.
func NewLimiter(n int, window time.Duration) *Limiter {
	return &Limiter{n: n, window: window, now: time.Now}
}

// PauseFor makes every request wait d from now.
func (l *Limiter) PauseFor(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.now().Add(d); until.After(l.paused) {
		l.paused = until
	}
}

// Wait takes a slot, waiting for one while ctx allows. It returns an
// error at once when the wait would outlast ctx's deadline.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		wait := l.reserve()
		if wait <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && l.now().Add(wait).After(dl) {
			return fmt.Errorf("the register's rate limit allows no request for another %s", wait.Round(time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for the register's rate limit: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// reserve takes a slot and returns 0, or returns how long to wait.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Before(l.paused) {
		return l.paused.Sub(now)
	}
	if l.starts == nil {
		l.starts = make([]time.Time, l.n)
	}
	oldest := l.starts[l.next]
	if !oldest.IsZero() && now.Sub(oldest) < l.window {
		return l.window - now.Sub(oldest)
	}
	l.starts[l.next] = now
	l.next = (l.next + 1) % l.n
	return 0
}
