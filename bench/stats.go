package bench

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Latencies is a set of measured durations.
type Latencies []time.Duration

// Percentile is the p-th percentile (0 < p ≤ 100) by the nearest-rank
// method; 0 when empty.
func (l Latencies) Percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// ms is d in milliseconds, for the summary lines.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

// PeakRSSMB is this process's peak resident set size in MB: VmHWM from
// /proc/self/status, else getrusage's maximum.
func PeakRSSMB() float64 {
	if n, ok := peakRSS("self"); ok {
		return float64(n) / (1 << 20)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		return float64(ru.Maxrss) / 1024 // kB on Linux
	}
	return 0
}

// PeakRSSOf is the peak resident set size, in bytes, of the running
// process pid so far (VmHWM from /proc/<pid>/status); false once it has
// gone or where /proc is not there.
func PeakRSSOf(pid int) (int64, bool) { return peakRSS(strconv.Itoa(pid)) }

func peakRSS(proc string) (int64, bool) {
	b, err := os.ReadFile("/proc/" + proc + "/status") //nolint:gosec // G304: a /proc status file named by a pid or "self"
	if err != nil {
		return 0, false
	}
	kb, ok := statusKB(b, "VmHWM:")
	return kb << 10, ok
}

// statusKB reads the "Key:   123 kB" line of a /proc status file.
func statusKB(b []byte, key string) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// rssNote says whose peak RSS the figures give.
func rssNote(inProcess bool) string {
	if inProcess {
		return "peak RSS (VmHWM) of this process, which serves the API and runs the worker and the load clients"
	}
	return "peak RSS (VmHWM) of this load-generating process only: the stack was given by address"
}

// ParseSummary reads the key=value fields of a summary line (after its
// leading "name:"); bare words are kept under their own name with "".
func ParseSummary(line string) (name string, fields map[string]string, ok bool) {
	name, rest, ok := strings.Cut(line, ":")
	if !ok || strings.ContainsAny(name, " =") {
		return "", nil, false
	}
	fields = map[string]string{}
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		fields[k] = v
	}
	return name, fields, true
}
