package mailpit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/civicgrants/grants/platform/childproc"
)

// Options configures Start.
type Options struct {
	// Binary is mailpit; "" uses FindBinary.
	Binary string
	// Logger receives Mailpit's output (at debug level) and start/stop
	// messages; nil discards them.
	Logger *slog.Logger
	// DataFile is Mailpit's database (SQLite), kept across restarts, for
	// the dev stack; "" uses a temporary one, removed when Mailpit exits,
	// which keeps every message (no pruning) while it runs.
	DataFile string
	// SMTPPort and HTTPPort are the ports of the SMTP server and of the web
	// server; 0 picks free ones. A test restarting Mailpit on the same
	// DataFile passes the first start's ports (Server.SMTPAddr, URL) so
	// that senders and readers find it again.
	SMTPPort, HTTPPort int
}

// BinaryEnv names the environment variable that overrides where FindBinary
// looks for mailpit (config.Config.MailpitBin).
const BinaryEnv = "GRANTS_MAILPIT_BIN"

const (
	readyTimeout = 15 * time.Second
	stopTimeout  = 3 * time.Second
	killTimeout  = 2 * time.Second
	pollInterval = 25 * time.Millisecond
)

// Server is a running Mailpit started by Start.
type Server struct {
	url      string
	smtpAddr string
	ports    [2]int // SMTP, HTTP
	proc     *childproc.Process
}

// Start runs Mailpit with its SMTP server and its web server (UI and API)
// on two free ports of 127.0.0.1 and waits until both answer.
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
	ports, err := childproc.FreePorts(2)
	if err != nil {
		return nil, err
	}
	if o.SMTPPort != 0 {
		ports[0] = o.SMTPPort
	}
	if o.HTTPPort != 0 {
		ports[1] = o.HTTPPort
	}
	s := &Server{
		ports:    [2]int{ports[0], ports[1]},
		smtpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		url:      "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
	}
	dbFile, cleanup := o.DataFile, func() {}
	args := []string{
		"--smtp", s.smtpAddr,
		"--listen", strings.TrimPrefix(s.url, "http://"),
		"--disable-version-check",
		"--smtp-disable-rdns",
		// Credentials are accepted, not checked, also without TLS, so a
		// sender configured with a user and password works (and the
		// Authentication chaos trigger can fire).
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--enable-chaos",
	}
	if dbFile == "" {
		// Mailpit's own temporary database survives a SIGKILL; a directory
		// of ours is removed however it exits.
		dir, err := os.MkdirTemp("", "grants-mailpit-*")
		if err != nil {
			return nil, fmt.Errorf("mailpit temp dir: %w", err)
		}
		dbFile, cleanup = filepath.Join(dir, "mailpit.db"), func() { _ = os.RemoveAll(dir) }
		args = append(args, "--max", "0")
	}
	args = append(args, "--database", dbFile)
	cmd := exec.Command(bin, args...) //nolint:gosec // G204: the binary is ours (FindBinary or the caller's configuration)
	cmd.Env = withoutMailpitEnv(os.Environ())
	s.proc, err = childproc.Start(cmd, childproc.Options{
		Name:        "mailpit",
		StopSignal:  syscall.SIGTERM,
		Grace:       stopTimeout,
		KillTimeout: killTimeout,
		Logger:      log.With("url", s.url, "smtp", s.smtpAddr),
		Output:      func(line string, _ bool) { log.Debug("mailpit: " + line) },
		AfterExit:   cleanup,
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	hc := &http.Client{Timeout: time.Second}
	if err := s.proc.WaitReady(ctx, readyTimeout, pollInterval, func(ctx context.Context) error {
		return errors.Join(probeSMTP(ctx, s.smtpAddr), probeHTTP(ctx, hc, s.url))
	}); err != nil {
		return nil, err
	}
	log.Info("mailpit ready", "url", s.url, "smtp", s.smtpAddr)
	return s, nil
}

// withoutMailpitEnv drops Mailpit's own settings (MP_*) from env, so the
// command line alone decides how it runs.
func withoutMailpitEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "MP_") {
			out = append(out, kv)
		}
	}
	return out
}

// URL returns the base URL of Mailpit's web UI and API,
// "http://127.0.0.1:<port>" (no trailing slash), for Client.BaseURL.
func (s *Server) URL() string { return s.url }

// Ports returns the ports of the SMTP server and of the web server
// (Options.SMTPPort and HTTPPort, to start again where it was).
func (s *Server) Ports() (smtp, http int) { return s.ports[0], s.ports[1] }

// SMTPAddr returns the SMTP server's address, "127.0.0.1:<port>".
func (s *Server) SMTPAddr() string { return s.smtpAddr }

// SMTPURL returns the SMTP server as a GRANTS_SMTP_URL,
// "smtp://127.0.0.1:<port>?tls=none": plain SMTP, as Mailpit offers no
// TLS.
func (s *Server) SMTPURL() string { return "smtp://" + s.smtpAddr + "?tls=none" }

// Client returns an API client for this Mailpit.
func (s *Server) Client() *Client { return &Client{BaseURL: s.url} }

// Done returns a channel closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.proc.Done() }

// Err returns why the process exited once Done is closed: nil after a
// clean Stop.
func (s *Server) Err() error { return s.proc.Err() }

// Stop asks Mailpit to stop (SIGTERM) and kills it if it has not exited
// after a few seconds or when ctx ends. It is safe to call more than once.
func (s *Server) Stop(ctx context.Context) error { return s.proc.Stop(ctx) }

// probeSMTP succeeds once the SMTP server greets with 220.
func probeSMTP(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	_ = tp.PrintfLine("QUIT")
	return nil
}

// probeHTTP succeeds once the web server answers /readyz with 200.
func probeHTTP(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	return nil
}

// FindBinary returns the mailpit to run: $GRANTS_MAILPIT_BIN, else where
// `make bin/mailpit` puts it, else mailpit on PATH (see
// childproc.FindBinary).
func FindBinary() (string, error) {
	bin, err := childproc.FindBinary("mailpit", BinaryEnv)
	if err != nil {
		return "", fmt.Errorf("%w: build it with `make bin/mailpit`", err)
	}
	return bin, nil
}
