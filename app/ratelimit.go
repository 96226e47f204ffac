package app

import (
	"strings"
	"sync"
	"time"
)

// loginLimiter slows password guessing: after maxFailures failed logins for
// one email address within window, further attempts are refused until the
// window has passed since the first failure. It is per process; behind
// several API replicas each keeps its own count, which still bounds the
// guessing rate by the number of replicas.
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

const (
	loginMaxFailures = 5
	loginWindow      = 15 * time.Minute
)

func newLoginLimiter() *loginLimiter { return &loginLimiter{failures: map[string][]time.Time{}} }

// check returns the seconds to wait, or 0 when an attempt may go ahead.
func (l *loginLimiter) check(email string, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := strings.ToLower(strings.TrimSpace(email))
	recent := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if now.Sub(t) < loginWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		delete(l.failures, key)
		return 0
	}
	l.failures[key] = recent
	if len(recent) < loginMaxFailures {
		return 0
	}
	return int(loginWindow-now.Sub(recent[0]))/int(time.Second) + 1
}

// maxTracked bounds the memory a flood of failures for many addresses can
// take: past it, entries whose window has passed are swept.
const maxTracked = 10000

func (l *loginLimiter) fail(email string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= maxTracked {
		for k, ts := range l.failures {
			if now.Sub(ts[len(ts)-1]) >= loginWindow {
				delete(l.failures, k)
			}
		}
	}
	key := strings.ToLower(strings.TrimSpace(email))
	l.failures[key] = append(l.failures[key], now)
}

func (l *loginLimiter) succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, strings.ToLower(strings.TrimSpace(email)))
}
