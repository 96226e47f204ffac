package childproc_test

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
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
		DecorateCrash: func(err error) error {
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
