package wftest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// RecordEnv names the environment variable that makes tests record the
// histories the replay tests replay (workflows/testdata).
const RecordEnv = "GRANTS_RECORD_HISTORY"

// Recording reports whether tests should record histories.
func Recording() bool { return os.Getenv(RecordEnv) != "" }

// RecordHistory writes a workflow's history to path as JSON, for the
// replay tests; with finished it first waits for the workflow to end.
func RecordHistory(t testing.TB, tc client.Client, workflowID, path string, finished bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if finished {
		require.NoError(t, tc.GetWorkflow(ctx, workflowID, "").Get(ctx, nil), "wait for %s to finish", workflowID)
	}
	iter := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	raw, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw, 0o600))
}
