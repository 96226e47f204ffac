package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// A report's stored answers decode to a map, or fail: never to no answers.
func TestReportAnswerMap(t *testing.T) {
	t.Parallel()
	m, err := app.Report{ID: "rpt_1", Answers: []byte(`{"progress":"Six clubs"}`)}.AnswerMap()
	require.NoError(t, err)
	require.JSONEq(t, `"Six clubs"`, string(m["progress"]))
	for _, bad := range []string{`["not", "an object"]`, `"text"`, `{`, ``} {
		_, err := app.Report{ID: "rpt_1", Answers: []byte(bad)}.AnswerMap()
		require.ErrorContains(t, err, "decode answers of report rpt_1", bad)
	}
}
