package dispatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/workflows"
)

// orderedStarter records when each start begins and ends; the first
// `together` starts wait for one another (up to a few seconds), so a
// dispatcher that starts them one at a time is seen doing so.
type orderedStarter struct {
	mu       sync.Mutex
	events   []string
	inFlight int
	most     int
	together int
	arrived  int
	all      chan struct{} // closed when `together` starts have begun
}

func (s *orderedStarter) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	s.mu.Lock()
	s.events = append(s.events, "begin "+o.ID)
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	s.arrived++
	first := s.arrived <= s.together
	if s.arrived == s.together {
		close(s.all)
	}
	s.mu.Unlock()
	if first {
		select {
		case <-s.all:
		case <-time.After(5 * time.Second):
		}
	}
	s.mu.Lock()
	s.events = append(s.events, "end "+o.ID)
	s.inFlight--
	s.mu.Unlock()
	return nil, nil
}

func (s *orderedStarter) SignalWorkflow(context.Context, string, string, string, any) error {
	return nil
}

// A batch's case starts go to Temporal together, up to
// dispatch.Concurrency at a time; a round's start keeps its place: the
// starts before it end before it begins, and those after it begin after
// it ends.
func TestIndependentStartsGoTogetherAndOthersKeepTheirPlace(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := t.Context()
	_, err := env.Store.Pool.Exec(ctx, `DELETE FROM outbox`)
	require.NoError(t, err)
	insert := func(kind string, payload any) {
		raw, err := json.Marshal(payload)
		require.NoError(t, err)
		_, err = env.Store.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: kind, Payload: raw})
		require.NoError(t, err)
	}
	for i := range 3 {
		insert(workflows.OutboxStartApplication, workflows.ApplicationInput{ApplicationID: fmt.Sprint("app_before", i)})
	}
	insert(workflows.OutboxStartRound, workflows.RoundInput{RoundID: "rnd_middle"})
	for i := range 2 {
		insert(workflows.OutboxStartApplication, workflows.ApplicationInput{ApplicationID: fmt.Sprint("app_after", i)})
	}

	s := &orderedStarter{together: 3, all: make(chan struct{})}
	d := &dispatch.Dispatcher{Store: env.Store, Temporal: s, Log: slog.New(slog.DiscardHandler)}
	n, err := d.DispatchOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	require.Equal(t, 3, s.most, "the three case starts were in flight together")

	pos := map[string]int{}
	for i, e := range s.events {
		pos[e] = i
	}
	round := workflows.RoundWorkflowID("rnd_middle")
	for i := range 3 {
		require.Less(t, pos["end "+workflows.ApplicationWorkflowID(fmt.Sprint("app_before", i))], pos["begin "+round], s.events)
	}
	for i := range 2 {
		require.Greater(t, pos["begin "+workflows.ApplicationWorkflowID(fmt.Sprint("app_after", i))], pos["end "+round], s.events)
	}
	var pending int
	require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE dispatched_at IS NULL`).Scan(&pending))
	require.Zero(t, pending)
}
