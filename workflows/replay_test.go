package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/workflows"
)

// Histories recorded from real runs (GRANTS_RECORD_HISTORY=1 go test
// ./dispatch/ rewrites them) must replay against today's workflow code: a
// change that breaks determinism for running cases fails here.
func TestReplayRecordedHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories in testdata")
	for _, f := range files {
		r := worker.NewWorkflowReplayer()
		workflows.Register(r)
		require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f), f)
	}
}
