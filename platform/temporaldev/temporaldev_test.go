package temporaldev_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/platform/temporaldev"
)

func start(t *testing.T, o temporaldev.Options) *temporaldev.Server {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := temporaldev.Start(ctx, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

func dial(t *testing.T, s *temporaldev.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.Address(), Namespace: s.Namespace()})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func greet(_ workflow.Context, name string) (string, error) { return "hello " + name, nil }

func TestRunsAWorkflowAndStops(t *testing.T) {
	t.Parallel()
	s := start(t, temporaldev.Options{Namespace: "grants-test"})
	c := dial(t, s)

	w := worker.New(c, "greet", worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "greet"}, greet, "grants")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != "hello grants" {
		t.Errorf("result = %q", got)
	}
	w.Stop()

	// Stop answers an error when it had to kill the server: nil means the
	// server shut down by itself within the grace period.
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// With a DBFile a workflow survives a restart; given the first start's
// port, the server comes back where its clients look for it.
func TestDBFileKeepsState(t *testing.T) {
	t.Parallel()
	dbFile := filepath.Join(t.TempDir(), "temporal.db")
	s := start(t, temporaldev.Options{DBFile: dbFile})
	c := dial(t, s)
	// No worker: the workflow stays open.
	if _, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: "kept", TaskQueue: "nobody"}, greet, "x"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}

	s2 := start(t, temporaldev.Options{DBFile: dbFile, Port: s.Port()})
	if s2.Address() != s.Address() {
		t.Fatalf("restarted on %s, not %s", s2.Address(), s.Address())
	}
	if _, err := dial(t, s2).DescribeWorkflowExecution(t.Context(), "kept", ""); err != nil {
		t.Fatalf("workflow lost after restart: %v", err)
	}
}

func TestFindBinaryHonoursEnv(t *testing.T) {
	bin, err := temporaldev.FindBinary()
	if err != nil {
		t.Fatalf("FindBinary: %v", err)
	}
	t.Setenv(temporaldev.BinaryEnv, bin)
	if got, err := temporaldev.FindBinary(); err != nil || got != bin {
		t.Errorf("FindBinary with %s set = %q, %v", temporaldev.BinaryEnv, got, err)
	}
	t.Setenv(temporaldev.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := temporaldev.FindBinary(); err == nil {
		t.Error("FindBinary with a missing override: no error")
	}
}
