// Package dispatch turns outbox rows into workflow starts and signals. A
// submission writes its outbox row in the same transaction that marks it
// submitted; the dispatcher claims pending rows (FOR UPDATE SKIP LOCKED, so
// many worker replicas share the work), starts the workflow with an ID
// taken from the business key, and marks the row done. A start that finds
// the workflow already there counts as done, so a re-run is harmless; while
// Temporal is unreachable rows wait, and nothing accepted is lost. Signal
// rows (a webhook or bank details telling a grant's workflow something)
// are sent the same way; a signal to a workflow that has ended is logged
// and counts as done.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Starter is the part of a Temporal client the dispatcher uses.
type Starter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow interface{}, args ...interface{}) (client.WorkflowRun, error)
	SignalWorkflow(ctx context.Context, workflowID string, runID string, signalName string, arg interface{}) error
}

// Concurrency is how many workflow starts a dispatcher has in flight at
// once (grants bench measures the bare start rate of Temporal at the same
// concurrency). Each start is a round trip to Temporal; one at a time, a
// deadline's burst of submissions waited on them in a queue.
const Concurrency = 10

// Dispatcher drains the outbox.
type Dispatcher struct {
	Store    *db.Store
	Temporal Starter
	Log      *slog.Logger
	Interval time.Duration // pause between polls when idle; default 200ms
	Batch    int32         // rows per transaction; default 20
	// TaskQueue the workflows start on; default workflows.TaskQueue.
	TaskQueue string
}

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	interval := d.Interval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	for {
		n, err := d.DispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("outbox dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// DispatchOnce handles one batch and returns how many rows it dispatched.
// Rows that start workflows of their own (independent) go to Temporal
// together, Concurrency at a time; any other row waits for those before it
// and goes alone. After a failed start the rest of the batch is left for
// later.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	batch := d.Batch
	if batch <= 0 {
		batch = 20
	}
	done := 0
	err := d.Store.InTx(ctx, func(q *sqlc.Queries) error {
		rows, err := q.OutboxClaim(ctx, batch)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		for len(rows) > 0 {
			run := 1 // a row that must keep its place goes alone
			for run < len(rows) && independent(rows[0].Kind) && independent(rows[run].Kind) {
				run++
			}
			errs := d.startAll(ctx, rows[:run])
			failed := false
			for i, row := range rows[:run] {
				if err := errs[i]; err != nil {
					failed = true
					d.Log.Warn("workflow start failed; will retry", "outbox_id", row.ID, "kind", row.Kind, "attempt", row.Attempts+1, "err", err)
					if err := q.OutboxMarkFailed(ctx, sqlc.OutboxMarkFailedParams{ID: row.ID, LastError: ptr(err.Error()),
						RetryAfterSeconds: backoff(row.Attempts)}); err != nil {
						return fmt.Errorf("mark outbox failed: %w", err)
					}
					continue
				}
				if err := q.OutboxMarkDispatched(ctx, row.ID); err != nil {
					return fmt.Errorf("mark outbox dispatched: %w", err)
				}
				done++
			}
			if failed {
				// Temporal is likely unreachable: leave the rest for later.
				return nil
			}
			rows = rows[run:]
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return done, nil
}

// independent reports whether rows of kind may start beside their
// neighbours in the outbox, in any order: each starts a workflow of its
// own id that no other row waits for (a case's first start, an e-mail's
// delivery). Other rows (a round's start, a grant's signal) keep their
// place: everything before them is done first.
func independent(kind string) bool {
	return kind == workflows.OutboxStartApplication || kind == workflows.OutboxDeliverEmail
}

// startAll starts rows, Concurrency at a time, and returns each one's
// error.
func (d *Dispatcher) startAll(ctx context.Context, rows []sqlc.Outbox) []error {
	errs := make([]error, len(rows))
	sem := make(chan struct{}, Concurrency)
	var wg sync.WaitGroup
	for i, row := range rows {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = d.start(ctx, row)
		})
	}
	wg.Wait()
	return errs
}

func ptr[T any](v T) *T { return &v }

// backoff is the pause in seconds before retrying a row: 1 s doubling to 64 s.
func backoff(attempts int32) int32 {
	return 1 << min(attempts, 6)
}

// start starts the workflow a row announces (one already started is
// success) or sends the signal it carries.
func (d *Dispatcher) start(ctx context.Context, row sqlc.Outbox) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if row.Kind == workflows.OutboxSignalGrant {
		return d.signalGrant(ctx, row)
	}
	var (
		opts client.StartWorkflowOptions
		wf   string
		arg  any
	)
	switch row.Kind {
	case workflows.OutboxStartApplication:
		var in workflows.ApplicationInput
		if err := json.Unmarshal(row.Payload, &in); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		opts = client.StartWorkflowOptions{ID: workflows.ApplicationWorkflowID(in.ApplicationID)}
		wf, arg = workflows.ApplicationWorkflowName, in
	case workflows.OutboxStartRound:
		var in workflows.RoundInput
		if err := json.Unmarshal(row.Payload, &in); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		opts = client.StartWorkflowOptions{ID: workflows.RoundWorkflowID(in.RoundID)}
		wf, arg = workflows.RoundWorkflowName, in
	case workflows.OutboxStartCase:
		var in workflows.CaseInput
		if err := json.Unmarshal(row.Payload, &in); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		if in.CaseID == "" {
			return errors.New("decode payload: no case_id")
		}
		opts = client.StartWorkflowOptions{ID: workflows.CaseWorkflowID(in.CaseID)}
		wf, arg = workflows.CaseWorkflowName, in
	case workflows.OutboxDeliverEmail:
		var in workflows.EmailDelivery
		if err := json.Unmarshal(row.Payload, &in); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		if in.EmailID < 1 || in.MessageID == "" {
			return errors.New("decode payload: no email_id or message_id")
		}
		opts = client.StartWorkflowOptions{ID: workflows.EmailWorkflowID(in.MessageID, in.Generation)}
		wf, arg = workflows.EmailWorkflowName, in.EmailInput
	case workflows.OutboxRunRegisterCheck:
		var in workflows.RegisterCheckInput
		if err := json.Unmarshal(row.Payload, &in); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		if in.CheckID == "" {
			return errors.New("decode payload: no check_id")
		}
		opts = client.StartWorkflowOptions{ID: workflows.RegisterCheckWorkflowID(in.CheckID)}
		wf, arg = workflows.RegisterCheckWorkflowName, in
	default:
		return fmt.Errorf("unknown outbox kind %q", row.Kind)
	}
	opts.TaskQueue = d.TaskQueue
	if opts.TaskQueue == "" {
		opts.TaskQueue = workflows.TaskQueue
	}
	opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	_, err := d.Temporal.ExecuteWorkflow(ctx, opts, wf, arg)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return err
	}
	d.Log.Info("workflow started", "workflow_id", opts.ID, "outbox_id", row.ID, "already", err != nil)
	return nil
}

// signalGrant sends a GrantSignal row's event to its grant's workflow. A
// workflow that has ended (the grant completed) or never started cannot
// hear it any more: that is logged and the row counts as done, so it is
// not retried for ever.
func (d *Dispatcher) signalGrant(ctx context.Context, row sqlc.Outbox) error {
	var sig workflows.GrantSignal
	if err := json.Unmarshal(row.Payload, &sig); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	if sig.GrantID == "" {
		return errors.New("decode payload: no grant_id")
	}
	wfID := workflows.GrantWorkflowID(sig.GrantID)
	err := d.Temporal.SignalWorkflow(ctx, wfID, "", workflows.SignalGrantEvent, sig.Event)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		d.Log.Warn("grant workflow not running; signal dropped", "workflow_id", wfID, "outbox_id", row.ID,
			"event", sig.Event.Kind, "err", err)
		return nil
	case err != nil:
		return err
	}
	d.Log.Info("grant signalled", "workflow_id", wfID, "outbox_id", row.ID, "event", sig.Event.Kind)
	return nil
}
