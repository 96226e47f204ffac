package round_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/round"
)

func TestDurationJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{`"336h"`, 336 * time.Hour, `"336h"`},
		{`"48h"`, 48 * time.Hour, `"48h"`},
		{`"1h30m"`, 90 * time.Minute, `"1h30m"`},
		{`"90m"`, 90 * time.Minute, `"1h30m"`},
		{`"2s"`, 2 * time.Second, `"2s"`},
		{`"1m5s"`, 65 * time.Second, `"1m5s"`},
		{`"1h0m1s"`, time.Hour + time.Second, `"1h1s"`},
		{`"1.5s"`, 1500 * time.Millisecond, `"1.5s"`},
		{`"250ms"`, 250 * time.Millisecond, `"250ms"`},
		{`"0s"`, 0, `"0s"`},
		{`"0"`, 0, `"0s"`},
		{`"-48h"`, -48 * time.Hour, `"-48h"`},
		{`"-1.5s"`, -1500 * time.Millisecond, `"-1.5s"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var d round.Duration
			require.NoError(t, json.Unmarshal([]byte(tt.in), &d))
			require.Equal(t, tt.want, d.Duration)
			out, err := json.Marshal(d)
			require.NoError(t, err)
			require.Equal(t, tt.out, string(out))
			var again round.Duration
			require.NoError(t, json.Unmarshal(out, &again))
			require.Equal(t, d, again)
		})
	}
}

func TestDurationJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		typeErr bool
	}{
		{`336`, true},
		{`1.5`, true},
		{`true`, true},
		{`{}`, true},
		{`["1h"]`, true},
		{`""`, false},
		{`"336"`, false},
		{`"two weeks"`, false},
		{`"1d"`, false},
		{`"h"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var tl round.Timeline
			err := json.Unmarshal([]byte(`{"assessment_window":`+tt.in+`}`), &tl)
			require.Error(t, err)
			var typeErr *json.UnmarshalTypeError
			require.Equal(t, tt.typeErr, errors.As(err, &typeErr), "%v", err)
		})
	}
}

func TestDurationNullLeavesValue(t *testing.T) {
	t.Parallel()
	d := round.Hours(2)
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	require.Equal(t, 2*time.Hour, d.Duration)
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "-2562047h47m16.854775808s", round.Duration{Duration: time.Duration(-1 << 63)}.String())
	require.Equal(t, "2562047h47m16.854775807s", round.Duration{Duration: 1<<63 - 1}.String())
	require.Equal(t, "168h", round.Hours(168).String())
}
