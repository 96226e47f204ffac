package stripemock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	tailLines    = 20
)

// Server is a running stripe-mock started by Start.
type Server struct {
	url    string
	output *tail
	proc   *childproc.Process
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
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{url: "http://" + addr, output: &tail{}}
	// Without -https-addr it also listens on :12112, so a second mock
	// would fail to start.
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	var copying sync.WaitGroup
	copying.Add(1)
	proc, err := childproc.Start(cmd, childproc.Options{
		Name:        "stripe-mock",
		StopSignal:  syscall.SIGTERM,
		Grace:       stopTimeout,
		KillTimeout: killTimeout,
		Logger:      log.With("url", s.url),
		DecorateCrash: func(err error) error {
			return fmt.Errorf("%w; output tail:\n%s", err, s.output.String())
		},
		BeforeWait: copying.Wait, // Wait closes the pipe: read it to the end first
	})
	if err != nil {
		return nil, err
	}
	s.proc = proc
	go func() {
		defer copying.Done()
		s.output.copy(out, log)
	}()

	if err := s.waitReady(ctx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout+killTimeout)
		defer cancel()
		_ = s.Stop(stopCtx)
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

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	hc := &http.Client{Timeout: time.Second}
	var last error
	for {
		if last = probe(ctx, hc, s.url); last == nil {
			return nil
		}
		select {
		case <-s.proc.Done():
			return s.proc.Err()
		case <-ctx.Done():
			return fmt.Errorf("stripe-mock not ready after %s: %w; output tail:\n%s", readyTimeout, last, s.output.String())
		case <-time.After(pollInterval):
		}
	}
}

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
// stripe-mock next to this executable (or in bin/ beside it), else
// bin/stripe-mock in the module root (found by walking up from the working
// directory to go.mod) or in the working directory, else stripe-mock on
// PATH.
func FindBinary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", BinaryEnv, p)
		}
		return p, nil
	}
	var candidates []string
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Dir(exe)
		candidates = append(candidates, filepath.Join(dir, "stripe-mock"), filepath.Join(dir, "bin", "stripe-mock"))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				candidates = append(candidates, filepath.Join(dir, "bin", "stripe-mock"))
				break
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
		candidates = append(candidates, filepath.Join(wd, "bin", "stripe-mock"))
	}
	for _, p := range candidates {
		if isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	return "", errors.New("stripe-mock not found (looked at $" + BinaryEnv +
		", beside the executable, bin/stripe-mock in the module root and working directory, and PATH): build it with `make bin/stripe-mock`")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail passes the mock's output to the logger line by line and keeps the
// last lines for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) copy(r io.Reader, log *slog.Logger) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		t.mu.Lock()
		t.lines = append(t.lines, line)
		if len(t.lines) > tailLines {
			t.lines = t.lines[len(t.lines)-tailLines:]
		}
		t.mu.Unlock()
		log.Debug("stripe-mock: " + line)
	}
	_, _ = io.Copy(io.Discard, r)
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
