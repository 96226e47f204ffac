package reads

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/civicgrants/grants/bench"
)

// exportRun is one `grants export 360giving` child: its wall time, its
// peak resident set and how many grants it wrote.
type exportRun struct {
	Wall    time.Duration
	PeakRSS int64 // bytes
	Grants  int
}

// grantsBinary is the grants executable to run the export with: bin, when
// given; this process when it is grants (the bench command runs the
// scenario); else a build of ./cmd/grants into dir (tests).
func grantsBinary(ctx context.Context, bin, dir string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	if self, err := os.Executable(); err == nil && filepath.Base(self) == "grants" {
		return self, nil
	}
	out := filepath.Join(dir, "grants")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/civicgrants/grants/cmd/grants") //nolint:gosec // G204: our own temporary directory
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build grants: %w: %s", err, b)
	}
	return out, nil
}

// watchPeakRSS reads the peak RSS of the process pid every 10 ms (after
// its exec, once Start has returned) until the returned function is
// called once it has exited; that gives the highest reading, which is the
// peak up to the last look, at most 10 ms before the end.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if n, ok := bench.PeakRSSOf(pid); ok && n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

var wroteGrants = regexp.MustCompile(`(?m)^wrote (\d+) grants$`)

// runExport runs the CLI's 360Giving export of one programme into a file
// under dir, as an operator would, and measures the child's peak RSS by
// reading its VmHWM while it runs. (Its rusage Maxrss is no use here: the
// child starts as a copy of this process sharing its memory, so Maxrss
// reports this process's size when it is the larger.) The wall time
// includes the child's start and its connection to PostgreSQL, as the
// operator waits for them too.
func runExport(ctx context.Context, bin, databaseURL, programme, dir string) (exportRun, error) {
	out := filepath.Join(dir, "360giving.json")
	defer os.Remove(out)
	cmd := exec.CommandContext(ctx, bin, "export", "360giving", "--programme", programme, "--out", out) //nolint:gosec // G204: our own binary
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return exportRun{}, fmt.Errorf("grants export: %w", err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	r := exportRun{Wall: time.Since(start), PeakRSS: peak()}
	if err != nil {
		return exportRun{}, fmt.Errorf("grants export: %w: %.500s", err, stderr.String())
	}
	m := wroteGrants.FindSubmatch(stderr.Bytes())
	if m == nil {
		return r, fmt.Errorf("grants export: no count in its output: %.500s", stderr.String())
	}
	r.Grants, _ = strconv.Atoi(string(m[1]))
	return r, nil
}
