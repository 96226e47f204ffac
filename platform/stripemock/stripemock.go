package stripemock

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/civicgrants/grants/platform/childproc"
)

// Options configures Start.
type Options struct {
	// Binary is stripe-mock; "" uses FindBinary.
	Binary string
	// Logger receives the mock's output (at debug level) and start/stop
	// messages; nil discards them.
	Logger *slog.Logger
}

// BinaryEnv names the environment variable that overrides where FindBinary
// looks for stripe-mock.
const BinaryEnv = "GRANTS_STRIPE_MOCK_BIN"

const (
	readyTimeout = 15 * time.Second
	stopTimeout  = 3 * time.Second
	killTimeout  = 2 * time.Second
	pollInterval = 25 * time.Millisecond
)

// Server is a running stripe-mock started by Start.
type Server struct {
	url  string
	proc *childproc.Process
}

// Start runs stripe-mock on a free port of 127.0.0.1 (its HTTPS listener,
// which nothing uses, on another) and waits until it answers HTTP.
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
	ports, err := childproc.FreePorts(1)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	s := &Server{url: "http://" + addr}
	// Without -https-addr it also listens on :12112, so a second mock
	// would fail to start.
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", "127.0.0.1:0")
	s.proc, err = childproc.Start(cmd, childproc.Options{
		Name:        "stripe-mock",
		StopSignal:  syscall.SIGTERM,
		Grace:       stopTimeout,
		KillTimeout: killTimeout,
		Logger:      log.With("url", s.url),
		Output:      func(line string, _ bool) { log.Debug("stripe-mock: " + line) },
	})
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Second}
	if err := s.proc.WaitReady(ctx, readyTimeout, pollInterval, func(ctx context.Context) error {
		return probe(ctx, hc, s.url)
	}); err != nil {
		return nil, err
	}
	log.Info("stripe-mock ready", "url", s.url)
	return s, nil
}

// URL returns the mock's base URL, "http://127.0.0.1:<port>", for
// payments.StripeConfig.APIBase.
func (s *Server) URL() string { return s.url }

// Done returns a channel closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.proc.Done() }

// Err returns why the process exited once Done is closed: nil after a
// clean Stop.
func (s *Server) Err() error { return s.proc.Err() }

// Stop asks stripe-mock to stop (SIGTERM) and kills it if it has not
// exited after a few seconds or when ctx ends. It is safe to call more
// than once.
func (s *Server) Stop(ctx context.Context) error { return s.proc.Stop(ctx) }

// probe succeeds once the mock answers HTTP at all (it answers 401 to a
// request without an API key).
func probe(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// FindBinary returns the stripe-mock to run: $GRANTS_STRIPE_MOCK_BIN, else
// where `make bin/stripe-mock` puts it, else stripe-mock on PATH (see
// childproc.FindBinary).
func FindBinary() (string, error) {
	bin, err := childproc.FindBinary("stripe-mock", BinaryEnv)
	if err != nil {
		return "", fmt.Errorf("%w: build it with `make bin/stripe-mock`", err)
	}
	return bin, nil
}
