package wftest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/civicgrants/grants/platform/temporaldev"
)

// AddressEnv names the environment variable holding the address of a
// running Temporal frontend to use instead of starting a dev server.
const AddressEnv = "GRANTS_TEST_TEMPORAL_ADDRESS"

// Namespace is the namespace tests use.
const Namespace = "default"

var (
	once    sync.Once
	server  *temporaldev.Server
	address string
	failure error
)

// DevServer returns the address (host:port) of the Temporal server for this
// test binary, starting one on first use when AddressEnv is unset. It fails
// the test if no server can be had.
func DevServer(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if a := os.Getenv(AddressEnv); a != "" {
			address = a
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		server, failure = temporaldev.Start(ctx, temporaldev.Options{Namespace: Namespace})
		if failure == nil {
			address = server.Address()
		}
	})
	if failure != nil {
		t.Fatalf("wftest: Temporal dev server: %v", failure)
	}
	return address
}

// Main runs the tests and then stops the dev server DevServer may have
// started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := server.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "wftest: stop Temporal dev server:", err)
		}
		cancel()
	}
	os.Exit(code)
}

// Client returns a client of the test server in namespace Namespace, closed
// when the test ends. The SDK's log goes to the test's output.
func Client(t testing.TB) client.Client {
	t.Helper()
	addr := DevServer(t)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := client.Dial(client.Options{
		HostPort:  addr,
		Namespace: Namespace,
		Logger:    sdklog.NewStructuredLogger(logger),
	})
	if err != nil {
		t.Fatalf("wftest: dial Temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// TaskQueue returns a task queue name unique to this test (and run), so
// that parallel tests and test binaries do not share workers.
func TaskQueue(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if len(name) > 80 {
		name = name[:80]
	}
	return name + "-" + hex.EncodeToString(b[:])
}
