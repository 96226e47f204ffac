package temporaldev

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/civicgrants/grants/platform/childproc"
)

// Options configures Start.
type Options struct {
	// Binary is the temporal CLI; "" uses FindBinary.
	Binary string
	// DBFile is the SQLite file the server keeps its state in; "" keeps it
	// in memory, lost when the server stops.
	DBFile string
	// Namespace is created at start if missing; "" means "default", which
	// always exists.
	Namespace string
	// Logger receives the server's warnings and start/stop messages; nil
	// discards them.
	Logger *slog.Logger
}

// BinaryEnv names the environment variable that overrides where FindBinary
// looks for the temporal CLI.
const BinaryEnv = "GRANTS_TEMPORAL_BIN"

const (
	readyTimeout = 30 * time.Second
	stopTimeout  = 4 * time.Second
	killTimeout  = 2 * time.Second
	pollInterval = 50 * time.Millisecond
	tailLines    = 40
)

// Server is a running Temporal dev server started by Start.
type Server struct {
	address   string
	namespace string
	output    *lineLog
	proc      *childproc.Process
}

// Start runs the dev server on free ports of 127.0.0.1 and waits until its
// frontend answers a health check and the namespace is registered.
func Start(ctx context.Context, o Options) (*Server, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = FindBinary(); err != nil {
			return nil, err
		}
	}
	ns := o.Namespace
	if ns == "" {
		ns = "default"
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	args := []string{"server", "start-dev", "--headless",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]),
		"--http-port", strconv.Itoa(ports[1]),
		"--metrics-port", strconv.Itoa(ports[2]),
		"--log-level", "warn",
	}
	if o.DBFile != "" {
		dbFile, err := filepath.Abs(o.DBFile)
		if err != nil {
			return nil, fmt.Errorf("temporal db file: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("temporal db dir: %w", err)
		}
		args = append(args, "--db-filename", dbFile)
	}
	if ns != "default" {
		args = append(args, "--namespace", ns)
	}

	s := &Server{
		address:   net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		namespace: ns,
	}
	s.output = &lineLog{log: log}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	var copying sync.WaitGroup
	copying.Add(2)
	proc, err := childproc.Start(cmd, childproc.Options{
		Name:        "temporal dev server",
		StopSignal:  syscall.SIGTERM,
		Grace:       stopTimeout,
		KillTimeout: killTimeout,
		Logger:      log.With("address", s.address),
		DecorateCrash: func(err error) error {
			return fmt.Errorf("%w; output tail:\n%s", err, s.output.tail())
		},
		BeforeWait: copying.Wait, // Wait closes the pipes: read them to the end first
	})
	if err != nil {
		return nil, err
	}
	s.proc = proc
	s.output.quiet = proc.Stopping()
	go s.output.copy(&copying, stdout, slog.LevelDebug)
	go s.output.copy(&copying, stderr, slog.LevelWarn)

	if err := s.waitReady(ctx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout+killTimeout)
		defer cancel()
		_ = s.Stop(stopCtx)
		return nil, err
	}
	log.Info("temporal dev server ready", "address", s.address, "namespace", ns, "db", o.DBFile)
	return s, nil
}

// Address returns the frontend's host:port, for client.Options.HostPort.
func (s *Server) Address() string { return s.address }

// Namespace returns the namespace Start made sure exists.
func (s *Server) Namespace() string { return s.namespace }

// Done returns a channel closed when the server process has exited.
func (s *Server) Done() <-chan struct{} { return s.proc.Done() }

// Err returns why the server exited once Done is closed: nil after a clean
// Stop.
func (s *Server) Err() error { return s.proc.Err() }

// Stop asks the server to stop (SIGTERM) and kills it if it has not exited
// after a few seconds or when ctx ends. It is safe to call more than once.
func (s *Server) Stop(ctx context.Context) error { return s.proc.Stop(ctx) }

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var last error
	for {
		if last = s.probe(ctx); last == nil {
			return nil
		}
		select {
		case <-s.proc.Done():
			return s.proc.Err()
		case <-ctx.Done():
			return fmt.Errorf("temporal dev server not ready after %s: %w; output tail:\n%s", readyTimeout, last, s.output.tail())
		case <-time.After(pollInterval):
		}
	}
}

// probe dials the server, checks its health and that the namespace exists.
func (s *Server) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	c, err := client.DialContext(ctx, client.Options{HostPort: s.address, Namespace: s.namespace, Logger: quiet})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
	return err
}

// FindBinary returns the temporal CLI to run: $GRANTS_TEMPORAL_BIN, else
// bin/temporal in the module root (found by walking up from the working
// directory to go.mod), else temporal on PATH.
func FindBinary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", BinaryEnv, p)
		}
		return p, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				if p := filepath.Join(dir, "bin", "temporal"); isExecutable(p) {
					return p, nil
				}
				break
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", errors.New("temporal CLI not found (looked at $" + BinaryEnv +
		", bin/temporal in the module root and PATH): build it with `make bin/temporal`")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePorts returns n distinct free TCP ports on 127.0.0.1, holding each
// until all are chosen.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// lineLog forwards the server's output to the logger line by line (until
// quiet is closed: shutdown is noisy) and keeps the last lines for errors.
type lineLog struct {
	log   *slog.Logger
	quiet <-chan struct{}
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) copy(wg *sync.WaitGroup, r io.Reader, level slog.Level) {
	defer wg.Done()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		l.mu.Lock()
		l.lines = append(l.lines, line)
		if len(l.lines) > tailLines {
			l.lines = l.lines[len(l.lines)-tailLines:]
		}
		l.mu.Unlock()
		select {
		case <-l.quiet:
		default:
			l.log.Log(context.Background(), level, "temporal: "+line)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func (l *lineLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
