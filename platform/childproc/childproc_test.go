package childproc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicgrants/grants/platform/childproc"
)

func start(t *testing.T, cmd *exec.Cmd, o childproc.Options) *childproc.Process {
	t.Helper()
	p, err := childproc.Start(cmd, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Stop(context.Background()) })
	return p
}

// startStubborn starts a shell that ignores SIGTERM, once it does.
func startStubborn(t *testing.T, o childproc.Options) *childproc.Process {
	t.Helper()
	// Short sleeps, so nothing outlives the killed shell for long.
	cmd := exec.Command("sh", "-c", `trap "" TERM; echo ready; while :; do sleep 0.1; done`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, cmd, o)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("shell said %q, %v; want ready", line, err)
	}
	return p
}

func waitDone(t *testing.T, p *childproc.Process) {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed")
	}
}

func TestStopBySignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("sleep", "30")
			p := start(t, cmd, childproc.Options{StopSignal: sig, Grace: 5 * time.Second})
			if !cmd.SysProcAttr.Setpgid || cmd.SysProcAttr.Pdeathsig != syscall.SIGKILL {
				t.Errorf("SysProcAttr = %+v, want Setpgid and Pdeathsig SIGKILL", cmd.SysProcAttr)
			}
			if err := p.Err(); err != nil {
				t.Errorf("Err while running = %v", err)
			}

			begin := time.Now()
			if err := p.Stop(t.Context()); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if d := time.Since(begin); d > 2*time.Second {
				t.Errorf("Stop took %s", d)
			}
			select {
			case <-p.Done():
			default:
				t.Fatal("Done not closed after Stop")
			}
			select {
			case <-p.Stopping():
			default:
				t.Error("Stopping not closed after Stop")
			}
			if err := p.Err(); err != nil {
				t.Errorf("Err after Stop = %v", err)
			}
			if err := p.Stop(t.Context()); err != nil {
				t.Errorf("second Stop = %v", err)
			}
		})
	}
}

func TestStopKillsAfterGrace(t *testing.T) {
	t.Parallel()
	p := startStubborn(t, childproc.Options{Name: "stubborn", Grace: 200 * time.Millisecond})

	begin := time.Now()
	err := p.Stop(t.Context())
	if err == nil || err.Error() != "stubborn killed after stop timeout" {
		t.Errorf("Stop = %v, want a kill after the stop timeout", err)
	}
	if d := time.Since(begin); d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("Stop took %s, want the grace period then a kill", d)
	}
	waitDone(t, p)
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("Err after kill = %v, want a kill", err)
	}
}

func TestStopKillsWhenContextEnds(t *testing.T) {
	t.Parallel()
	p := startStubborn(t, childproc.Options{Name: "stubborn", Grace: time.Minute})

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := p.Stop(ctx); err == nil {
		t.Error("Stop = nil, want a kill")
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Stop took %s, want the context's deadline", d)
	}
}

func TestUnexpectedExit(t *testing.T) {
	t.Parallel()
	cleaned := make(chan struct{})
	p := start(t, exec.Command("sh", "-c", "exit 3"), childproc.Options{
		Name: "crasher",
		Decorate: func(err error) error {
			return errors.Join(err, errors.New("log tail"))
		},
		AfterExit: func() { close(cleaned) },
	})
	waitDone(t, p)
	select {
	case <-cleaned:
	default:
		t.Error("AfterExit not run before Done was closed")
	}
	err := p.Err()
	if err == nil {
		t.Fatal("Err = nil after an unexpected exit")
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "crasher exited unexpectedly (exit status 3)") || !strings.HasSuffix(msg, "log tail") {
		t.Errorf("Err = %q, want the exit status and the decoration", msg)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Err = %v, want it to wrap the *exec.ExitError with code 3", err)
	}
	if err := p.Stop(t.Context()); err == nil || err.Error() != p.Err().Error() {
		t.Errorf("Stop after the exit = %v, want Err", err)
	}
}

func TestStartFailure(t *testing.T) {
	t.Parallel()
	_, err := childproc.Start(exec.Command("/nonexistent/binary"), childproc.Options{Name: "ghost"})
	if err == nil || !strings.HasPrefix(err.Error(), "start ghost: ") {
		t.Errorf("Start = %v, want a start error naming the process", err)
	}
}

func TestOutputLinesAndTail(t *testing.T) {
	t.Parallel()
	type line struct {
		text   string
		stderr bool
	}
	lines := make(chan line, 10)
	p := start(t, exec.Command("sh", "-c", "echo out; echo; echo err >&2; exit 4"), childproc.Options{
		Name:   "talker",
		Output: func(text string, stderr bool) { lines <- line{text, stderr} },
	})
	waitDone(t, p)
	close(lines)
	got := map[line]bool{}
	for l := range lines {
		got[l] = true
	}
	if want := map[line]bool{{"out", false}: true, {"err", true}: true}; !maps.Equal(got, want) {
		t.Errorf("Output got %v, want %v (blank lines skipped)", got, want)
	}
	err := p.Err()
	if err == nil || !strings.Contains(err.Error(), "; output tail:\n") || !strings.Contains(err.Error(), "out") || !strings.Contains(err.Error(), "err") {
		t.Errorf("Err = %v, want the exit with the output tail", err)
	}
}

func TestWaitReady(t *testing.T) {
	t.Parallel()
	p := start(t, exec.Command("sleep", "30"), childproc.Options{Name: "sleeper"})
	calls := 0
	err := p.WaitReady(t.Context(), 5*time.Second, time.Millisecond, func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("WaitReady = %v after %d probes, want nil after 3", err, calls)
	}
	select {
	case <-p.Done():
		t.Fatal("a ready process was stopped")
	default:
	}
}

func TestWaitReadyGivesUpAndStops(t *testing.T) {
	t.Parallel()
	p := start(t, exec.Command("sleep", "30"), childproc.Options{
		Name:     "sleeper",
		Decorate: func(err error) error { return fmt.Errorf("%w; decorated", err) },
	})
	probeErr := errors.New("connection refused")
	err := p.WaitReady(t.Context(), 100*time.Millisecond, 10*time.Millisecond, func(context.Context) error { return probeErr })
	if !errors.Is(err, probeErr) || !strings.HasPrefix(err.Error(), "sleeper not ready after 100ms: ") || !strings.HasSuffix(err.Error(), "; decorated") {
		t.Errorf("WaitReady = %v, want not ready wrapping the probe's error, decorated", err)
	}
	waitDone(t, p)
	if err := p.Err(); err != nil {
		t.Errorf("Err after giving up = %v, want a clean stop", err)
	}
}

func TestWaitReadyReportsAnExit(t *testing.T) {
	t.Parallel()
	p := start(t, exec.Command("sh", "-c", "exit 3"), childproc.Options{Name: "crasher"})
	err := p.WaitReady(t.Context(), 5*time.Second, 10*time.Millisecond, func(context.Context) error { return errors.New("down") })
	if err == nil || !strings.HasPrefix(err.Error(), "crasher exited unexpectedly (exit status 3)") {
		t.Errorf("WaitReady = %v, want the exit", err)
	}
}

func TestFreePorts(t *testing.T) {
	t.Parallel()
	ports, err := childproc.FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 3 || ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Errorf("FreePorts(3) = %v, want 3 distinct ports", ports)
	}
}

func TestFindBinary(t *testing.T) {
	const env = "GRANTS_CHILDPROC_TEST_BIN"
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(env, "")
	if got, err := childproc.FindBinary("sh", env); err != nil || got == "" {
		t.Errorf("FindBinary(sh) = %q, %v, want it found on PATH", got, err)
	}
	t.Setenv(env, sh)
	if got, err := childproc.FindBinary("no-such-tool", env); err != nil || got != sh {
		t.Errorf("FindBinary with %s set = %q, %v, want %s", env, got, err, sh)
	}
	t.Setenv(env, filepath.Join(t.TempDir(), "missing"))
	if _, err := childproc.FindBinary("sh", env); err == nil || !strings.Contains(err.Error(), env) {
		t.Errorf("FindBinary with a missing override = %v, want an error naming %s", err, env)
	}
	t.Setenv(env, "")
	if _, err := childproc.FindBinary("no-such-tool-anywhere", env); err == nil || !strings.Contains(err.Error(), "no-such-tool-anywhere not found") {
		t.Errorf("FindBinary of a missing tool = %v, want not found", err)
	}
}
