package registers

import (
	"context"
	"log/slog"
	"time"
)

// CacheTTL is how long a register's answer is reused.
const CacheTTL = 24 * time.Hour

// Cache keeps registers' definite answers (passed, failed) by source and
// number; errors and not_run are never cached.
type Cache interface {
	// Get returns the answer fetched after freshAfter, if any.
	Get(ctx context.Context, source, number string, freshAfter time.Time) (Result, bool, error)
	// Put stores an answer fetched at.
	Put(ctx context.Context, r Result, at time.Time) error
}

// Checker asks the right register about a number, through the cache.
type Checker struct {
	CharityCommission Register
	CompaniesHouse    Register
	Cache             Cache            // optional
	TTL               time.Duration    // default CacheTTL
	Now               func() time.Time // default time.Now
	Log               *slog.Logger     // where a failing cache is reported; default slog.Default()
}

// Register returns the register of source, or nil.
func (c *Checker) Register(source string) Register {
	if c == nil {
		return nil
	}
	switch source {
	case SourceCharityCommission:
		return c.CharityCommission
	case SourceCompaniesHouse:
		return c.CompaniesHouse
	}
	return nil
}

// Configured reports whether source's register has a key.
func (c *Checker) Configured(source string) bool {
	r := c.Register(source)
	return r != nil && r.Configured()
}

// Check answers for number at source: from the cache when fresh, else
// from the register (a definite answer is cached). A cache that fails is
// bypassed: the register is asked.
func (c *Checker) Check(ctx context.Context, source, number string) Result {
	r := c.Register(source)
	if r == nil || !r.Configured() {
		return notRun(source, number, ReasonNoKey)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = CacheTTL
	}
	if c.Cache != nil {
		hit, ok, err := c.Cache.Get(ctx, source, number, now().Add(-ttl))
		if err != nil {
			c.logger().WarnContext(ctx, "register cache read failed; asking the register", "source", source, "err", err)
		} else if ok {
			hit.Cached = true
			return hit
		}
	}
	res := r.Lookup(ctx, number)
	res.FetchedAt = now()
	if c.Cache != nil && (res.Status == StatusPassed || res.Status == StatusFailed) {
		// A cache that fails costs only a lookup next time.
		if err := c.Cache.Put(ctx, res, res.FetchedAt); err != nil {
			c.logger().WarnContext(ctx, "register cache write failed", "source", source, "err", err)
		}
	}
	return res
}

func (c *Checker) logger() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Sources lists the registers an organisation with these (normalised)
// numbers is checked against, each with its number.
func Sources(charityNumber, companyNumber string) [][2]string {
	var out [][2]string
	if charityNumber != "" {
		out = append(out, [2]string{SourceCharityCommission, charityNumber})
	}
	if companyNumber != "" {
		out = append(out, [2]string{SourceCompaniesHouse, companyNumber})
	}
	return out
}
