package stripetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/civicgrants/grants/platform/stripemock"
)

// APIBaseEnv names the environment variable holding the base URL of a
// running stripe-mock; testenv sets it.
const APIBaseEnv = "GRANTS_TEST_STRIPE_API_BASE"

// SecretKey is an API key stripe-mock accepts.
const SecretKey = "sk_test_123"

// APIBase returns the base URL of a stripe-mock for t: $GRANTS_TEST_STRIPE_API_BASE
// if set, else a private one started from bin/stripe-mock
// ($GRANTS_STRIPE_MOCK_BIN, or found from the module root) and stopped
// when t ends. A missing binary fails the test: it is never skipped.
func APIBase(t testing.TB) string {
	t.Helper()
	if base := os.Getenv(APIBaseEnv); base != "" {
		return base
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := stripemock.Start(ctx, stripemock.Options{})
	if err != nil {
		t.Fatalf("start stripe-mock for tests: %v (run make bin/stripe-mock, or set %s)", err, APIBaseEnv)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("stop stripe-mock: %v", err)
		}
	})
	return s.URL()
}
