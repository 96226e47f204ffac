package stripetest_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/platform/stripemock"
)

// fatalTB records the message of a Fatalf and stops the goroutine, as
// testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()        {}
func (f *fatalTB) Cleanup(func()) {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestAPIBaseUsesTheEnvironment(t *testing.T) {
	t.Setenv(stripetest.APIBaseEnv, "http://127.0.0.1:1")
	require.Equal(t, "http://127.0.0.1:1", stripetest.APIBase(t))
}

func TestAPIBaseStartsAMock(t *testing.T) {
	t.Setenv(stripetest.APIBaseEnv, "")
	base := stripetest.APIBase(t)
	resp, err := http.Get(base + "/v1/accounts")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "stripe-mock asks for a key")
}

func TestAPIBaseFailsWithoutTheBinary(t *testing.T) {
	t.Setenv(stripetest.APIBaseEnv, "")
	t.Setenv(stripemock.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		stripetest.APIBase(f)
	}()
	<-done
	require.Contains(t, f.msg, "run make bin/stripe-mock")
}
