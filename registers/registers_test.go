package registers_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
)

func TestCharityCommission(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCharityCommission()
	t.Cleanup(srv.Close)
	srv.Set("1187342", registerstest.Answer{JSON: registerstest.Charity(1187342, "Peckham Roots", 123456.78)})
	srv.Set("1100001", registerstest.Answer{JSON: registerstest.RemovedCharity(1100001, "Gone Trust", "2024-02-29")})
	srv.Set("1100002", registerstest.Answer{Status: http.StatusInternalServerError, Body: `{"message":"boom"}`})
	srv.Set("1100003", registerstest.Answer{Body: `<html>not json`})
	srv.Set("1100004", registerstest.Answer{Status: http.StatusTooManyRequests, RetryAfter: "30", Body: `{"statusCode":429}`})
	srv.Set("1100005", registerstest.Answer{Delay: 2 * time.Second, JSON: registerstest.Charity(1100005, "Slow", 1)})
	srv.Set("1100006", registerstest.Answer{Body: `null`})
	insolvent := registerstest.Charity(1100007, "Broke", 1)
	insolvent["insolvent"] = true
	srv.Set("1100007", registerstest.Answer{JSON: insolvent})
	srv.Set("1100008", registerstest.Answer{Status: http.StatusUnauthorized, Body: `{"statusCode":401}`})

	cc := &registers.CharityCommission{BaseURL: srv.URL, Key: "cc-key", Timeout: 300 * time.Millisecond}
	income := int64(12345678)
	tests := []struct {
		number, status, reason string
		check                  func(t *testing.T, d registers.Details)
	}{
		{"1187342", registers.StatusPassed, "", func(t *testing.T, d registers.Details) {
			require.Equal(t, "Peckham Roots", d.RegisteredName)
			require.Equal(t, "registered", d.RegisterStatus)
			require.Equal(t, &income, d.LatestIncomePence)
			require.Equal(t, "2025-03-31", d.LatestIncomeYearEnd)
			require.Equal(t, &registers.Address{Line1: "1 Market Street", Line2: "Peckham", Town: "London", Postcode: "SE15 4QF"}, d.RegisteredAddress)
		}},
		{"1100001", registers.StatusFailed, "removed from the register on 2024-02-29", func(t *testing.T, d registers.Details) {
			require.Equal(t, "2024-02-29", d.RemovedOn)
			require.Equal(t, "removed", d.RegisterStatus)
		}},
		{"1100002", registers.StatusError, "the register answered with an error (HTTP 500)", nil},
		{"1100003", registers.StatusError, "the register's answer could not be read", nil},
		{"1100004", registers.StatusError, "the register's rate limit was reached; try again later", func(t *testing.T, d registers.Details) {
			require.Equal(t, 30, d.RetryAfterSeconds)
		}},
		{"1100005", registers.StatusError, "the register did not answer within 300ms", nil},
		{"1100006", registers.StatusFailed, "not on the register", nil},
		{"1100007", registers.StatusFailed, "the charity is recorded as insolvent", nil},
		{"1100008", registers.StatusError, "the register refused the configured key", nil},
		{"9999999", registers.StatusFailed, "not on the register", nil},
	}
	for _, tc := range tests {
		t.Run(tc.number, func(t *testing.T) {
			t.Parallel()
			r := cc.Lookup(context.Background(), tc.number)
			require.Equal(t, tc.status, r.Status, r.Details.Reason)
			require.Equal(t, tc.reason, r.Details.Reason)
			require.Equal(t, registers.SourceCharityCommission, r.Source)
			if tc.check != nil {
				tc.check(t, r.Details)
			}
		})
	}
	t.Run("key header", func(t *testing.T) {
		t.Parallel()
		cc.Lookup(context.Background(), "1187342")
		reqs := srv.Requests()
		require.NotEmpty(t, reqs)
		for _, r := range reqs {
			require.Equal(t, "cc-key", r.Key)
		}
		require.Contains(t, pathsOf(reqs), "/allcharitydetailsV2/1187342/0")
	})
}

func pathsOf(reqs []registerstest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Path)
	}
	return out
}

func TestNotRun(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCharityCommission()
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name   string
		reg    registers.Register
		number string
		reason string
	}{
		{"charity without key", &registers.CharityCommission{BaseURL: srv.URL}, "1187342", registers.ReasonNoKey},
		{"company without key", &registers.CompaniesHouse{BaseURL: srv.URL}, "01234567", registers.ReasonNoKey},
		{"scottish charity", &registers.CharityCommission{BaseURL: srv.URL, Key: "k"}, "SC012345", registers.ReasonOSCR},
	} {
		r := tc.reg.Lookup(context.Background(), tc.number)
		require.Equal(t, registers.StatusNotRun, r.Status, tc.name)
		require.Equal(t, tc.reason, r.Details.Reason, tc.name)
	}
	require.Empty(t, srv.Requests(), "a lookup that is not run asks nothing")
}

func TestCompaniesHouse(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCompaniesHouse()
	t.Cleanup(srv.Close)
	srv.Set("01234567", registerstest.Answer{JSON: registerstest.Company("01234567", "ROOTS LTD", "active", true)})
	srv.Set("02222222", registerstest.Answer{JSON: registerstest.Company("02222222", "GONE LTD", "dissolved", false)})
	srv.Set("03333333", registerstest.Answer{JSON: registerstest.Company("03333333", "SINKING LTD", "liquidation", true)})
	srv.Set("04444444", registerstest.Answer{Status: http.StatusServiceUnavailable, Body: `upstream`})
	srv.Set("05555555", registerstest.Answer{Body: `{"company_name": 12`})
	srv.Set("06666666", registerstest.Answer{Delay: 2 * time.Second, JSON: registerstest.Company("06666666", "SLOW", "active", false)})
	srv.Set("07777777", registerstest.Answer{JSON: registerstest.Company("07777777", "ODD LTD", "something-new", false)})

	ch := &registers.CompaniesHouse{BaseURL: srv.URL, Key: "ch-key", Timeout: 300 * time.Millisecond}
	overdue := true
	tests := []struct {
		number, status, reason string
		check                  func(t *testing.T, d registers.Details)
	}{
		{"01234567", registers.StatusPassed, "", func(t *testing.T, d registers.Details) {
			require.Equal(t, "ROOTS LTD", d.RegisteredName)
			require.Equal(t, &overdue, d.AccountsOverdue)
			require.Equal(t, &registers.Address{Line1: "2 Borough Road", Line2: "Unit 4", Town: "London", Postcode: "SE1 1AA"}, d.RegisteredAddress)
		}},
		{"02222222", registers.StatusFailed, "the company is dissolved (since 2026-05-01)", func(t *testing.T, d registers.Details) {
			require.Equal(t, "2026-05-01", d.DissolvedOn)
		}},
		{"03333333", registers.StatusFailed, "the company is in liquidation", nil},
		{"04444444", registers.StatusError, "the register answered with an error (HTTP 503)", nil},
		{"05555555", registers.StatusError, "the register's answer could not be read", nil},
		{"06666666", registers.StatusError, "the register did not answer within 300ms", nil},
		{"07777777", registers.StatusError, "the register gave a status this system does not know: something-new", nil},
		{"08888888", registers.StatusFailed, "not on the register", nil},
	}
	for _, tc := range tests {
		t.Run(tc.number, func(t *testing.T) {
			t.Parallel()
			r := ch.Lookup(context.Background(), tc.number)
			require.Equal(t, tc.status, r.Status, r.Details.Reason)
			require.Equal(t, tc.reason, r.Details.Reason)
			if tc.check != nil {
				tc.check(t, r.Details)
			}
		})
	}
	t.Run("basic auth", func(t *testing.T) {
		t.Parallel()
		ch.Lookup(context.Background(), "01234567")
		reqs := srv.Requests()
		require.NotEmpty(t, reqs)
		for _, r := range reqs {
			require.True(t, r.HasBasic)
			require.Equal(t, "ch-key", r.BasicUser)
			require.Empty(t, r.BasicPass)
		}
	})
}

// A 429 is an error (never passed) carrying Retry-After, and pauses the
// client: the next lookup within the pause asks nothing and is an error
// too, when its deadline is shorter than the pause.
func TestCompaniesHouseRateLimited(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCompaniesHouse()
	t.Cleanup(srv.Close)
	srv.Set("01234567", registerstest.Answer{Status: http.StatusTooManyRequests, RetryAfter: "120", Body: `{}`})
	srv.Set("02222222", registerstest.Answer{JSON: registerstest.Company("02222222", "FINE LTD", "active", false)})
	ch := &registers.CompaniesHouse{BaseURL: srv.URL, Key: "k"}
	r := ch.Lookup(context.Background(), "01234567")
	require.Equal(t, registers.StatusError, r.Status)
	require.Equal(t, 120, r.Details.RetryAfterSeconds)
	require.Equal(t, http.StatusTooManyRequests, r.Details.HTTPStatus)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r = ch.Lookup(ctx, "02222222")
	require.Equal(t, registers.StatusError, r.Status)
	require.Contains(t, r.Details.Reason, "rate limit")
	require.Len(t, srv.Requests(), 1, "the paused client asked nothing more")
}

// The limiter allows n requests per window and refuses the next when it
// would outlast the caller's deadline.
func TestLimiter(t *testing.T) {
	t.Parallel()
	l := registers.NewLimiter(3, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range 3 {
		require.NoError(t, l.Wait(ctx))
	}
	require.Error(t, l.Wait(ctx), "a fourth request within the window waits past the deadline")
}

type memCache struct {
	mu sync.Mutex
	m  map[string]registers.Result
}

func (c *memCache) Get(_ context.Context, source, number string, freshAfter time.Time) (registers.Result, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[source+number]
	if !ok || !r.FetchedAt.After(freshAfter) {
		return registers.Result{}, false, nil
	}
	return r, true, nil
}

func (c *memCache) Put(_ context.Context, r registers.Result, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.FetchedAt = at
	c.m[r.Source+r.Number] = r
	return nil
}

// The checker answers a definite result from the cache within the TTL,
// asks again after it, and never caches an error.
func TestCheckerCaches(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCompaniesHouse()
	t.Cleanup(srv.Close)
	srv.Set("01234567", registerstest.Answer{JSON: registerstest.Company("01234567", "ROOTS LTD", "active", false)})
	srv.Set("04444444", registerstest.Answer{Status: http.StatusInternalServerError})
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := &registers.Checker{CompaniesHouse: &registers.CompaniesHouse{BaseURL: srv.URL, Key: "k"},
		CharityCommission: &registers.CharityCommission{}, Cache: &memCache{m: map[string]registers.Result{}},
		Now: func() time.Time { return now }}
	ctx := context.Background()
	require.Equal(t, registers.StatusPassed, c.Check(ctx, registers.SourceCompaniesHouse, "01234567").Status)
	hit := c.Check(ctx, registers.SourceCompaniesHouse, "01234567")
	require.True(t, hit.Cached)
	require.Equal(t, "ROOTS LTD", hit.Details.RegisteredName)
	require.Len(t, srv.Requests(), 1)
	now = now.Add(registers.CacheTTL + time.Minute)
	require.False(t, c.Check(ctx, registers.SourceCompaniesHouse, "01234567").Cached)
	require.Len(t, srv.Requests(), 2)
	require.Equal(t, registers.StatusError, c.Check(ctx, registers.SourceCompaniesHouse, "04444444").Status)
	require.Equal(t, registers.StatusError, c.Check(ctx, registers.SourceCompaniesHouse, "04444444").Status)
	require.Len(t, srv.Requests(), 4, "errors are not cached")
	require.Equal(t, registers.StatusNotRun, c.Check(ctx, registers.SourceCharityCommission, "1187342").Status)
}

// brokenCache fails every read and write.
type brokenCache struct{}

func (brokenCache) Get(context.Context, string, string, time.Time) (registers.Result, bool, error) {
	return registers.Result{}, false, errors.New("cache down")
}

func (brokenCache) Put(context.Context, registers.Result, time.Time) error {
	return errors.New("cache down")
}

// A cache that fails is bypassed, and each failure is logged.
func TestCheckerLogsABrokenCache(t *testing.T) {
	t.Parallel()
	srv := registerstest.NewCompaniesHouse()
	t.Cleanup(srv.Close)
	srv.Set("01234567", registerstest.Answer{JSON: registerstest.Company("01234567", "ROOTS LTD", "active", false)})
	var logged bytes.Buffer
	c := &registers.Checker{CompaniesHouse: &registers.CompaniesHouse{BaseURL: srv.URL, Key: "k"}, Cache: brokenCache{},
		Log: slog.New(slog.NewTextHandler(&logged, nil))}
	require.Equal(t, registers.StatusPassed, c.Check(context.Background(), registers.SourceCompaniesHouse, "01234567").Status)
	require.Contains(t, logged.String(), "register cache read failed")
	require.Contains(t, logged.String(), "register cache write failed")
}

func TestDeclare(t *testing.T) {
	t.Parallel()
	latest := int64(100_000_00)
	for _, tc := range []struct {
		declared int64
		mismatch bool
	}{{100_000_00, false}, {125_000_00, false}, {125_000_01, true}, {70_000_00, true}, {0, true}} {
		d := registers.Details{LatestIncomePence: &latest}
		d.Declare(tc.declared)
		require.Equal(t, tc.mismatch, d.IncomeMismatch, tc.declared)
		require.Equal(t, tc.declared, *d.DeclaredIncomePence)
	}
	var d registers.Details
	d.Declare(5)
	require.False(t, d.IncomeMismatch, "no register income, no mismatch")
}
