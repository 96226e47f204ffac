package reads

import (
	"fmt"
	"slices"
	"time"
)

// Latency is what a set of timed requests took: how many and the 50th,
// 95th and 99th percentiles (nearest rank).
type Latency struct {
	N             int
	P50, P95, P99 time.Duration
}

// latencyOf summarises samples (in any order; it sorts a copy).
func latencyOf(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	at := func(p int) time.Duration { return s[(len(s)*p+99)/100-1] }
	return Latency{N: len(s), P50: at(50), P95: at(95), P99: at(99)}
}

// String is "n=200 p50=1.2ms p95=3.4ms p99=5.6ms".
func (l Latency) String() string {
	return fmt.Sprintf("n=%d p50=%s p95=%s p99=%s", l.N, ms(l.P50), ms(l.P95), ms(l.P99))
}

// ms writes a duration in milliseconds with up to one decimal: 3.1ms, 12ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v >= 10 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.1fms", v)
}
