package childproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultGrace       = 5 * time.Second
	DefaultKillTimeout = 2 * time.Second
)

// Options configures Start. The zero value is usable.
type Options struct {
	// Name names the process in log messages and errors, such as
	// "postgres"; "" uses the base name of the command's path.
	Name string
	// StopSignal is what Stop sends first; 0 means SIGTERM. An exit by this
	// signal after Stop is a clean stop.
	StopSignal syscall.Signal
	// Grace is how long Stop waits after StopSignal before SIGKILL; 0 means
	// DefaultGrace.
	Grace time.Duration
	// KillTimeout is how long Stop waits for the process to exit after
	// SIGKILL; 0 means DefaultKillTimeout.
	KillTimeout time.Duration
	// Logger receives Stop's messages; add identifying attributes with
	// Logger.With. nil discards them.
	Logger *slog.Logger
	// Output, if set, makes Start read the process's stdout and stderr
	// (cmd.Stdout and cmd.Stderr must then be nil) line by line: it is
	// called with each non-blank line, stderr telling which stream, until
	// Stop is called (shutdown is noisy), and the last lines are appended
	// to the errors of Err and WaitReady as an output tail.
	Output func(line string, stderr bool)
	// Decorate, if set, returns the error Err reports when the process
	// exits without Stop having been called, and the one WaitReady reports
	// when it gives up, given the default one (for example with the tail
	// of the process's log file appended).
	Decorate func(err error) error
	// AfterExit, if set, runs once the process has exited and before Done
	// is closed, for example to remove files a killed process leaves.
	AfterExit func()
}

// Process is a child process started by Start.
type Process struct {
	name string
	o    Options
	log  *slog.Logger
	cmd  *exec.Cmd
	// output keeps the last lines of output; nil without Options.Output.
	output *tail

	done     chan struct{}
	err      error // exit error, valid once done is closed
	stopping chan struct{}
	stopOnce sync.Once
}

// Start starts cmd and watches it until it exits. It sets Pdeathsig
// (SIGKILL) and Setpgid in cmd.SysProcAttr, creating it if nil and keeping
// its other fields, so the process dies with this one and is stopped by
// Stop rather than by a signal sent to the terminal's process group. cmd
// must not have been started; its Wait belongs to the Process.
func Start(cmd *exec.Cmd, o Options) (*Process, error) {
	if o.Name == "" {
		o.Name = filepath.Base(cmd.Path)
	}
	if o.StopSignal == 0 {
		o.StopSignal = syscall.SIGTERM
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.KillTimeout <= 0 {
		o.KillTimeout = DefaultKillTimeout
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr.Setpgid = true
	p := &Process{
		name:     o.Name,
		o:        o,
		log:      log,
		cmd:      cmd,
		done:     make(chan struct{}),
		stopping: make(chan struct{}),
	}
	var pipes []io.Reader
	if o.Output != nil {
		p.output = &tail{}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", o.Name, err)
		}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", o.Name, err)
		}
		pipes = []io.Reader{stdout, stderr}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", o.Name, err)
	}
	var reading sync.WaitGroup
	for i, r := range pipes {
		reading.Go(func() { p.read(r, i == 1) })
	}
	go p.wait(&reading)
	return p, nil
}

// ErrExitedUnexpectedly is the error of a process that exited before it
// was stopped.
var ErrExitedUnexpectedly = errors.New("exited unexpectedly")

// wait waits for the process, once its output has been read to the end
// (Wait closes the pipes).
func (p *Process) wait(reading *sync.WaitGroup) {
	reading.Wait()
	err := p.cmd.Wait()
	select {
	case <-p.stopping:
		if err != nil && !isSignal(err, p.o.StopSignal) {
			p.err = fmt.Errorf("%s: %w", p.name, err)
		}
	default:
		if err == nil {
			p.err = fmt.Errorf("%s %w (exit status 0)", p.name, ErrExitedUnexpectedly)
		} else {
			p.err = fmt.Errorf("%s %w (%w)", p.name, ErrExitedUnexpectedly, err)
		}
		p.err = p.decorate(p.err)
	}
	if p.o.AfterExit != nil {
		p.o.AfterExit()
	}
	close(p.done)
}

// decorate appends the output tail, then applies Options.Decorate.
func (p *Process) decorate(err error) error {
	if p.output != nil {
		if t := p.output.String(); t != "" {
			err = fmt.Errorf("%w; output tail:\n%s", err, t)
		}
	}
	if p.o.Decorate != nil {
		err = p.o.Decorate(err)
	}
	return err
}

// Done returns a channel closed when the process has exited, whether
// stopped by Stop or not.
func (p *Process) Done() <-chan struct{} { return p.done }

// Stopping returns a channel closed once Stop has been called.
func (p *Process) Stopping() <-chan struct{} { return p.stopping }

// Err returns why the process exited once Done is closed: nil after a
// clean Stop, otherwise the exit error (with the output tail and passed
// through Options.Decorate when Stop was not called). Before that it
// returns nil.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Stop sends Options.StopSignal, then SIGKILL if the process has not exited
// after Options.Grace or when ctx ends, and waits up to
// Options.KillTimeout for it to exit. It returns Err after a stop within
// the grace period, and an error saying it killed the process otherwise.
// It is safe to call more than once and after the process has exited.
func (p *Process) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stopping) })
	select {
	case <-p.done:
		return p.Err()
	default:
	}
	_ = p.cmd.Process.Signal(p.o.StopSignal)
	timer := time.NewTimer(p.o.Grace)
	defer timer.Stop()
	select {
	case <-p.done:
		p.log.Info(p.name + " stopped")
		return p.Err()
	case <-timer.C:
	case <-ctx.Done():
	}
	p.log.Warn(p.name + " did not stop in time: killing it")
	_ = p.cmd.Process.Kill()
	killTimer := time.NewTimer(p.o.KillTimeout)
	defer killTimer.Stop()
	select {
	case <-p.done:
		return errors.New(p.name + " killed after stop timeout")
	case <-killTimer.C:
		return errors.New(p.name + " did not exit after SIGKILL")
	}
}

// isSignal reports whether err is an exit caused by sig.
func isSignal(err error, sig syscall.Signal) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}
