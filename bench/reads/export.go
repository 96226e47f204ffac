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
	"syscall"
	"time"
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

var wroteGrants = regexp.MustCompile(`(?m)^wrote (\d+) grants$`)

// runExport runs the CLI's 360Giving export of one programme into a file
// under dir, as an operator would, and reads the child's peak RSS from its
// rusage (Maxrss, kilobytes on Linux): the export's own memory, not this
// process's. The wall time includes the child's start and its connection
// to PostgreSQL, as the operator waits for them too.
func runExport(ctx context.Context, bin, databaseURL, programme, dir string) (exportRun, error) {
	out := filepath.Join(dir, "360giving.json")
	defer os.Remove(out)
	cmd := exec.CommandContext(ctx, bin, "export", "360giving", "--programme", programme, "--out", out) //nolint:gosec // G204: our own binary
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return exportRun{}, fmt.Errorf("grants export: %w: %.500s", err, stderr.String())
	}
	r := exportRun{Wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSS = ru.Maxrss * 1024
	}
	m := wroteGrants.FindSubmatch(stderr.Bytes())
	if m == nil {
		return r, fmt.Errorf("grants export: no count in its output: %.500s", stderr.String())
	}
	r.Grants, _ = strconv.Atoi(string(m[1]))
	return r, nil
}
