package round_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/round"
)

// FuzzDefinition decodes arbitrary POST /rounds bodies, validates them, and
// checks that a body that validates re-encodes to one that decodes to the
// same definition and still validates.
func FuzzDefinition(f *testing.F) {
	body, err := os.ReadFile("testdata/example.json")
	require.NoError(f, err)
	f.Add(string(body))
	f.Add(strings.Replace(string(body), `"336h"`, `"1.5s"`, 1))
	f.Add(`{"tiers":[{"key":"a","min_pence":1,"max_pence":0}],"payment_schedule":[{"percent":100,"condition":"after_report:"}]}`)
	f.Add(`{"timeline":{"assessment_window":"-1ns","reports":[{"kind":"x","due_after":"0"}]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var d round.Definition
		if json.Unmarshal([]byte(body), &d) != nil {
			return
		}
		d.Validate()
		d.Status(d.OpensAt)
		d.TierFor(d.MaxTierPence())
		d.ApplicationQuestions()
		d.ApplyDefaults(round.ProviderManual)
		if len(d.Validate()) != 0 {
			return
		}
		out, err := json.Marshal(d)
		require.NoError(t, err)
		var again round.Definition
		require.NoError(t, json.Unmarshal(out, &again))
		require.Empty(t, again.Validate())
		out2, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(out), string(out2))
	})
}

// FuzzDuration checks that every duration string that decodes re-encodes to
// a string that decodes to the same duration.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{`"336h"`, `"1h30m"`, `"-1.5s"`, `"0"`, `336`, `"1d"`, `".5h"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d round.Duration
		if json.Unmarshal([]byte(in), &d) != nil {
			return
		}
		out, err := json.Marshal(d)
		require.NoError(t, err)
		var again round.Duration
		require.NoError(t, json.Unmarshal(out, &again))
		require.Equal(t, d, again)
	})
}
