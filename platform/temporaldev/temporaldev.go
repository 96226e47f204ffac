package temporaldev

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	// Port is the frontend's port; 0 picks a free one. A test restarting
	// the server on the same DBFile passes the first start's port (see
	// Server.Port) so that its clients find it again.
	Port int
}

// BinaryEnv names the environment variable that overrides where FindBinary
// looks for the temporal CLI.
const BinaryEnv = "GRANTS_TEMPORAL_BIN"

const (
	readyTimeout = 30 * time.Second
	// The server with a SQLite file can take seconds to shut down on a
	// loaded machine (4 s was seen to be too short under `make test`);
	// grants dev stops its children together within 7 s.
	stopTimeout  = 6 * time.Second
	killTimeout  = 2 * time.Second
	pollInterval = 50 * time.Millisecond
)

// Server is a running Temporal dev server started by Start.
type Server struct {
	address   string
	namespace string
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
	// A free port can be taken by another process between FreePorts and
	// the server binding it (the server's own internal ports too): a
	// server that exits before it is ready is started again on new ports.
	var err error
	for attempt := 1; ; attempt++ {
		var s *Server
		s, err = start(ctx, bin, ns, o.DBFile, o.Port, log)
		if err == nil {
			return s, nil
		}
		if attempt == startAttempts || ctx.Err() != nil || !errors.Is(err, childproc.ErrExitedUnexpectedly) {
			return nil, err
		}
		log.Warn("temporal dev server exited while starting; trying again on other ports", "attempt", attempt, "err", err)
	}
}

// startAttempts is how many times Start tries before giving up.
const startAttempts = 3

func start(ctx context.Context, bin, ns, dbFileOpt string, port int, log *slog.Logger) (*Server, error) {
	ports, err := childproc.FreePorts(3)
	if err != nil {
		return nil, err
	}
	if port != 0 {
		ports[0] = port
	}
	args := []string{"server", "start-dev", "--headless",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]),
		"--http-port", strconv.Itoa(ports[1]),
		"--metrics-port", strconv.Itoa(ports[2]),
		"--log-level", "warn",
	}
	if dbFileOpt != "" {
		dbFile, err := filepath.Abs(dbFileOpt)
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
	s.proc, err = childproc.Start(exec.Command(bin, args...), childproc.Options{
		Name:        "temporal dev server",
		StopSignal:  syscall.SIGTERM,
		Grace:       stopTimeout,
		KillTimeout: killTimeout,
		Logger:      log.With("address", s.address),
		Output: func(line string, stderr bool) {
			level := slog.LevelDebug
			if stderr {
				level = slog.LevelWarn
			}
			log.Log(context.Background(), level, "temporal: "+line)
		},
	})
	if err != nil {
		return nil, err
	}
	if err := s.proc.WaitReady(ctx, readyTimeout, pollInterval, s.probe); err != nil {
		return nil, err
	}
	log.Info("temporal dev server ready", "address", s.address, "namespace", ns, "db", dbFileOpt)
	return s, nil
}

// Address returns the frontend's host:port, for client.Options.HostPort.
func (s *Server) Address() string { return s.address }

// Port returns the frontend's port (Options.Port).
func (s *Server) Port() int {
	_, port, _ := net.SplitHostPort(s.address)
	n, _ := strconv.Atoi(port)
	return n
}

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
// where `make bin/temporal` puts it, else temporal on PATH (see
// childproc.FindBinary).
func FindBinary() (string, error) {
	bin, err := childproc.FindBinary("temporal", BinaryEnv)
	if err != nil {
		return "", fmt.Errorf("%w: build it with `make bin/temporal`", err)
	}
	return bin, nil
}
