package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentileIsNearestRank(t *testing.T) {
	ms := func(n ...int) Latencies {
		var l Latencies
		for _, v := range n {
			l = append(l, time.Duration(v)*time.Millisecond)
		}
		return l
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted
	}
	for _, c := range []struct {
		name string
		l    Latencies
		p    float64
		want time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one", ms(7), 50, 7 * time.Millisecond},
		{"median of four", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 of 100", ms(hundred...), 100, 100 * time.Millisecond},
		{"p1 of 100", ms(hundred...), 1, time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, c.l.Percentile(c.p))
		})
	}
}

func TestStatusKBReadsProcStatus(t *testing.T) {
	status := []byte("Name:\tgrants\nVmPeak:\t  900 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n")
	n, ok := statusKB(status, "VmHWM:")
	require.True(t, ok)
	require.Equal(t, int64(51200), n)
	_, ok = statusKB(status, "VmSwap:")
	require.False(t, ok)
	require.Positive(t, PeakRSSMB())
}

func TestSummaryLinesParse(t *testing.T) {
	r := RushResult{Clients: 200, Accepted: 200, Rate: 812, P99: 141 * time.Millisecond, PgbenchTPS: 1090, PgbenchP99: 120 * time.Millisecond,
		Drain: 28, BareStart: 31}
	name, f, ok := ParseSummary(r.Summary())
	require.True(t, ok)
	require.Equal(t, "rush", name)
	require.Equal(t, map[string]string{"clients": "200", "812": "", "submissions/s": "", "p50": "0.0ms", "p95": "0.0ms", "p99": "141.0ms",
		"pgbench": "1090tps", "pgbench-p99": "120.0ms", "ratio": "0.74", "p99-ratio": "1.18", "drain": "28.0/s", "bare-start": "31.0/s",
		"drain-ratio": "0.90", "lost": "0", "refused": "0", "peak-rss": "0MB"}, f)

	l := LifecycleResult{Applications: 50, Total: 37100 * time.Millisecond, Bare: 23 * time.Second}
	name, f, ok = ParseSummary(l.Summary())
	require.True(t, ok)
	require.Equal(t, "lifecycle", name)
	require.Equal(t, "37.1s", f["total"])
	require.Equal(t, "1.61", f["per-task-cost-ratio"])

	for _, bad := range []string{"no colon here", "two words: x=1", ""} {
		_, _, ok := ParseSummary(bad)
		require.False(t, ok, bad)
	}
}
