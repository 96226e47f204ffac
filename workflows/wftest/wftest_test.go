package wftest_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/workflows/wftest"
)

func TestMain(m *testing.M) { wftest.Main(m) }

func double(_ workflow.Context, n int) (int, error) { return 2 * n, nil }

func TestClientRunsWorkflow(t *testing.T) {
	t.Parallel()
	c := wftest.Client(t)
	queue := wftest.TaskQueue(t)

	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(double)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, double, 21)
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got != 42 {
		t.Errorf("double(21) = %d", got)
	}
}

func TestTaskQueueIsUnique(t *testing.T) {
	t.Parallel()
	a, b := wftest.TaskQueue(t), wftest.TaskQueue(t)
	if a == b {
		t.Errorf("TaskQueue returned %q twice", a)
	}
}

func TestDevServerIsShared(t *testing.T) {
	t.Parallel()
	if a, b := wftest.DevServer(t), wftest.DevServer(t); a != b || a == "" {
		t.Errorf("DevServer = %q then %q", a, b)
	}
}
