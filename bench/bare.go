package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/dispatch"
)

// bareQueue is the task queue of the bench's own workflows and worker.
const bareQueue = "grants-bench"

// Shape is a workflow's count of activities and of timers (with the
// durations of those that fired), as counted from a real case.
type Shape struct {
	Activities int
	Timers     []time.Duration
}

// bare is the worker of the bare workflows; ran counts the activities
// run, by workflow id.
type bare struct {
	ran sync.Map // workflow id → *atomic.Int64
}

// NoOp is the bare workflows' activity: it records that it ran.
func (b *bare) NoOp(ctx context.Context) error {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	v, _ := b.ran.LoadOrStore(id, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	return nil
}

// BareWorkflow runs shape's activities (no-ops) and timers, timers
// between the activities, the way a case's workflow alternates waiting
// and doing.
func BareWorkflow(ctx workflow.Context, shape Shape) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	timers := shape.Timers
	for i := range max(shape.Activities, len(timers)) {
		if i < shape.Activities {
			if err := workflow.ExecuteActivity(ctx, "NoOp").Get(ctx, nil); err != nil {
				return err
			}
		}
		if i < len(timers) {
			if err := workflow.Sleep(ctx, timers[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// startBareWorker starts a worker of the bare workflows on bareQueue.
func startBareWorker(tc client.Client) (*bare, func(), error) {
	b := &bare{}
	w := worker.New(tc, bareQueue, worker.Options{})
	w.RegisterWorkflow(BareWorkflow)
	w.RegisterActivityWithOptions(b.NoOp, activity.RegisterOptions{Name: "NoOp"})
	if err := w.Start(); err != nil {
		return nil, nil, fmt.Errorf("bare worker: %w", err)
	}
	return b, w.Stop, nil
}

// runBare starts n bare workflows of shape, conc at a time, and returns
// how long it took until each had run its first activity (first) and
// until each had completed (all).
func runBare(ctx context.Context, tc client.Client, n, conc int, shape Shape) (first, all time.Duration, err error) {
	b, stop, err := startBareWorker(tc)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	run := fmt.Sprintf("bench-bare-%d-", time.Now().UnixNano())
	runs := make([]client.WorkflowRun, n)
	errs := make([]error, n)
	sem := make(chan struct{}, max(conc, 1))
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			runs[i], errs[i] = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprint(run, i), TaskQueue: bareQueue}, BareWorkflow, shape)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, 0, fmt.Errorf("start bare workflow: %w", err)
		}
	}
	err = waitFor(ctx, drainLimit, "bare workflows' first activity", func() (bool, error) {
		started := 0
		b.ran.Range(func(_, _ any) bool { started++; return true })
		return started >= n, nil
	})
	if err != nil {
		return 0, 0, err
	}
	first = time.Since(t0)
	for _, r := range runs {
		if err := r.Get(ctx, nil); err != nil {
			return 0, 0, fmt.Errorf("bare workflow: %w", err)
		}
	}
	return first, time.Since(t0), nil
}

// bareStartRate is the rate at which the stack's Temporal starts n
// workflows of one no-op activity, at the dispatcher's concurrency, each
// counted when its activity has run (as a case is counted when it reaches
// in_assessment).
func bareStartRate(ctx context.Context, t Target, n int) (float64, error) {
	first, _, err := runBare(ctx, t.Temporal, n, dispatch.Concurrency, Shape{Activities: 1})
	if err != nil {
		return 0, err
	}
	return float64(n) / first.Seconds(), nil
}
