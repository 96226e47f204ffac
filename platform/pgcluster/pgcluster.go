package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/civicgrants/grants/platform/childproc"
)

// Options configures Start.
type Options struct {
	// Dir is the directory the cluster should live in; it is dedicated to
	// the cluster (created if missing). Run as root, Start hands it to the
	// postgres OS user, or keeps the cluster under /var/tmp when that user
	// cannot reach it.
	Dir string
	// Logger receives start-up and shutdown messages; nil discards them.
	Logger *slog.Logger
	// Ephemeral trades durability for speed, for tests: initdb --no-sync,
	// fsync, synchronous_commit and full_page_writes off.
	Ephemeral bool
	// BinDir overrides where initdb and postgres are looked up; "" finds
	// the system's binaries (see FindBinDir).
	BinDir string
	// Port is the port to serve on (its socket's name); 0 picks a free
	// one. A test restarting the cluster passes the first start's Port so
	// that its clients find it again.
	Port int
}

// Timeouts. A whole Stop fits well inside the dev stack's 10 s budget.
const (
	readyTimeout    = 30 * time.Second
	shutdownTimeout = 5 * time.Second
	killTimeout     = 2 * time.Second
	pollInterval    = 50 * time.Millisecond
	logTailBytes    = 4096
	maxConnections  = 300 // room for pgbench at 200 clients (grants bench) beside the stack's pools
	superuser       = "postgres"
	dataSubdir      = "data"
	logFileName     = "postgres.log"
)

// ErrNoBinaries is returned (wrapped) when no PostgreSQL server binaries are
// installed.
var ErrNoBinaries = errors.New("PostgreSQL server binaries not found " +
	"(looked in /usr/lib/postgresql/*/bin and `pg_config --bindir`): " +
	"install them with `apt-get install postgresql` (or `make postgres`)")

// Cluster is a running PostgreSQL server started by Start.
type Cluster struct {
	dir     string
	dataDir string
	sockDir string
	port    int
	logPath string
	logFrom int64
	log     *slog.Logger
	cmd     *exec.Cmd // the server, run by proc
	proc    *childproc.Process
}

// osUser is the OS account the server runs as when Start runs as root.
type osUser struct {
	uid, gid uint32
	groups   []uint32
}

// Start initialises the cluster if its data directory is empty, starts the
// server and waits until it accepts connections. The server is a child
// process that the kernel kills if this process dies; call Stop to shut it
// down cleanly.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is required")
	}
	binDir := o.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	requested, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("cluster dir: %w", err)
	}

	var runAs *osUser
	if os.Geteuid() == 0 {
		if runAs, err = lookupUser(superuser); err != nil {
			return nil, err
		}
	}
	dir, err := prepareDir(requested, runAs)
	if err != nil {
		return nil, err
	}
	if dir != requested {
		log.Info("postgres cannot reach the requested directory: cluster kept in "+dir,
			"requested", requested, "dir", dir)
	}

	c := &Cluster{
		dir:     dir,
		dataDir: filepath.Join(dir, dataSubdir),
		sockDir: filepath.Join("/tmp", "grants-pg-"+shortHash(dir, 8)),
		logPath: filepath.Join(dir, logFileName),
		log:     log,
	}
	if err := c.initdb(ctx, binDir, runAs, o.Ephemeral); err != nil {
		return nil, err
	}
	if err := c.clearStalePID(); err != nil {
		return nil, err
	}
	if err := mkdirOwned(c.sockDir, runAs); err != nil {
		return nil, fmt.Errorf("socket dir: %w", err)
	}
	c.port = o.Port
	if c.port == 0 {
		ports, err := childproc.FreePorts(1)
		if err != nil {
			return nil, err
		}
		c.port = ports[0]
	}
	if err := c.start(binDir, runAs, o.Ephemeral); err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	c.removeStaleSockets()
	log.Info("postgres ready", "dir", c.dir, "socket", c.sockDir, "port", c.port)
	return c, nil
}

// FindBinDir returns the directory holding the system's initdb and postgres:
// the highest version under /usr/lib/postgresql, else `pg_config --bindir`.
// It returns an error wrapping ErrNoBinaries when there are none.
func FindBinDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	best, bestVersion := "", -1.0
	for _, m := range matches {
		bin := filepath.Dir(m)
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(bin)), 64)
		if err != nil || !hasServer(bin) {
			continue
		}
		if v > bestVersion {
			best, bestVersion = bin, v
		}
	}
	if best != "" {
		return best, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		bin := strings.TrimSpace(string(out))
		if hasServer(bin) {
			return bin, nil
		}
	}
	return "", fmt.Errorf("pgcluster: %w", ErrNoBinaries)
}

func hasServer(bin string) bool {
	for _, name := range []string{"postgres", "initdb"} {
		if fi, err := os.Stat(filepath.Join(bin, name)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// URL returns a pgx connection string for database dbname, over the unix
// socket, as the superuser postgres, without TLS.
func (c *Cluster) URL(dbname string) string {
	q := url.Values{}
	q.Set("host", c.sockDir)
	q.Set("port", strconv.Itoa(c.port))
	q.Set("sslmode", "disable")
	u := url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + dbname, RawQuery: q.Encode()}
	return u.String()
}

// EnsureDatabase creates database name unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Port returns the port the server listens on (Options.Port).
func (c *Cluster) Port() int { return c.port }

// Dir returns the directory the cluster lives in: Options.Dir, or its
// replacement under /var/tmp when the postgres user cannot reach it.
func (c *Cluster) Dir() string { return c.dir }

// DataDir returns the cluster's data directory (PGDATA).
func (c *Cluster) DataDir() string { return c.dataDir }

// LogFile returns the path of the server's log.
func (c *Cluster) LogFile() string { return c.logPath }

// Done returns a channel closed when the server process has exited, whether
// stopped by Stop or not.
func (c *Cluster) Done() <-chan struct{} { return c.proc.Done() }

// Err returns why the server exited once Done is closed: nil after a clean
// Stop, otherwise the exit error with the tail of the server log.
func (c *Cluster) Err() error { return c.proc.Err() }

// Stop shuts the server down: a fast shutdown (SIGINT), then SIGKILL if it
// has not exited after a few seconds or when ctx ends. It is safe to call
// more than once and after the server died.
func (c *Cluster) Stop(ctx context.Context) error { return c.proc.Stop(ctx) }

// prepareDir creates the cluster directory and returns the one to use. As
// root it makes sure the postgres user can reach it, falling back to a
// directory under /var/tmp keyed by the requested path.
func prepareDir(requested string, runAs *osUser) (string, error) {
	if runAs == nil {
		if err := os.MkdirAll(requested, 0o700); err != nil {
			return "", fmt.Errorf("cluster dir: %w", err)
		}
		return requested, nil
	}
	if err := os.MkdirAll(filepath.Dir(requested), 0o755); err != nil {
		return "", fmt.Errorf("cluster dir: %w", err)
	}
	dir := requested
	if !reachable(filepath.Dir(requested), runAs) {
		dir = filepath.Join("/var/tmp", "grants-pg-"+shortHash(requested, 16))
		if !reachable("/var/tmp", runAs) {
			return "", fmt.Errorf("cluster dir: the postgres user can reach neither %s nor /var/tmp", requested)
		}
	}
	if err := mkdirOwned(dir, runAs); err != nil {
		return "", fmt.Errorf("cluster dir: %w", err)
	}
	return dir, nil
}

// mkdirOwned creates dir (mode 0700) if missing and, as root, hands it to
// runAs.
func mkdirOwned(dir string, runAs *osUser) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if runAs == nil {
		fi, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
			return fmt.Errorf("%s belongs to another user (uid %d)", dir, st.Uid)
		}
		return nil
	}
	if err := os.Chown(dir, int(runAs.uid), int(runAs.gid)); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// reachable reports whether u may traverse dir and every directory above it.
func reachable(dir string, u *osUser) bool {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		if !mayExecute(fi.Mode().Perm(), st.Uid, st.Gid, u) {
			return false
		}
		if p == "/" || p == filepath.Dir(p) {
			return true
		}
	}
}

func mayExecute(perm os.FileMode, uid, gid uint32, u *osUser) bool {
	if uid == u.uid {
		return perm&0o100 != 0
	}
	if gid == u.gid {
		return perm&0o010 != 0
	}
	for _, g := range u.groups {
		if g == gid {
			return perm&0o010 != 0
		}
	}
	return perm&0o001 != 0
}

func (c *Cluster) initdb(ctx context.Context, binDir string, runAs *osUser, ephemeral bool) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	// A data directory without PG_VERSION is what a failed initdb left.
	if err := os.RemoveAll(c.dataDir); err != nil {
		return fmt.Errorf("clear partial data dir: %w", err)
	}
	if err := mkdirOwned(c.dataDir, runAs); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	args := []string{"-D", c.dataDir, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"), args...)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(runAs)
	c.log.Info("initialising PostgreSQL cluster", "dir", c.dataDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// clearStalePID removes a postmaster.pid left by a killed server whose pid
// now belongs to an unrelated process (postgres itself ignores one whose
// pid is dead, but would refuse to start over a live unrelated one).
func (c *Cluster) clearStalePID() error {
	path := filepath.Join(c.dataDir, "postmaster.pid")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return nil // postgres reports a malformed file itself
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		// Dead: postgres takes the lock over itself, but refuses while the
		// killed server's children still hold its shared memory.
		c.waitForOrphans()
		return nil
	}
	proc := "/proc/" + strconv.Itoa(pid)
	if cwd, err := os.Readlink(proc + "/cwd"); err == nil {
		if sameDir(cwd, c.dataDir) {
			return fmt.Errorf("a PostgreSQL server (pid %d) is already running on %s", pid, c.dataDir)
		}
	} else if cmdline, err := os.ReadFile(proc + "/cmdline"); err != nil || strings.Contains(string(cmdline), "postgres") {
		return fmt.Errorf("a PostgreSQL server (pid %d) may already be running on %s", pid, c.dataDir)
	}
	c.log.Warn("removing stale postmaster.pid", "pid", pid, "dir", c.dataDir)
	return os.Remove(path)
}

// waitForOrphans waits a little for processes left by a killed server
// (they run in its data directory) to notice and exit.
func (c *Cluster) waitForOrphans() {
	data, err := os.Stat(c.dataDir)
	if err != nil {
		return
	}
	deadline := time.Now().Add(shutdownTimeout)
	for time.Now().Before(deadline) {
		if !anyProcessIn(data) {
			return
		}
		time.Sleep(pollInterval)
	}
	c.log.Warn("processes of a killed server still run in the data directory", "dir", c.dataDir)
}

func anyProcessIn(dir os.FileInfo) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cwd")
	for _, p := range procs {
		if fi, err := os.Stat(p); err == nil && os.SameFile(fi, dir) {
			return true
		}
	}
	return false
}

func sameDir(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func (c *Cluster) start(binDir string, runAs *osUser, ephemeral bool) error {
	logFile, err := os.OpenFile(c.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	if fi, err := logFile.Stat(); err == nil {
		c.logFrom = fi.Size()
	}
	if runAs != nil {
		_ = logFile.Chown(int(runAs.uid), int(runAs.gid))
	}
	args := []string{
		"-D", c.dataDir,
		"-k", c.sockDir,
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=",
		"-c", "max_connections=" + strconv.Itoa(maxConnections),
	}
	if ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr(runAs)
	proc, err := childproc.Start(cmd, childproc.Options{
		Name:        "postgres",
		StopSignal:  syscall.SIGINT, // fast shutdown
		Grace:       shutdownTimeout,
		KillTimeout: killTimeout,
		Logger:      c.log.With("dir", c.dir),
		Decorate: func(err error) error {
			return fmt.Errorf("%w; log tail:\n%s", err, c.logTail())
		},
		AfterExit: c.removeSocketDir,
	})
	if err != nil {
		return err
	}
	c.cmd, c.proc = cmd, proc
	return nil
}

// waitReady waits until the server accepts connections; if it does not,
// the server is stopped.
func (c *Cluster) waitReady(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(c.URL("postgres"))
	if err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return fmt.Errorf("connection string: %w", err)
	}
	cfg.ConnectTimeout = time.Second
	return c.proc.WaitReady(ctx, readyTimeout, pollInterval, func(ctx context.Context) error {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		_ = conn.Close(ctx) // it connected: the server is ready
		return nil
	})
}

// removeStaleSockets deletes socket files that killed servers of this
// cluster left in its socket directory; the running server owns the
// cluster, so any other port's files are stale.
func (c *Cluster) removeStaleSockets() {
	entries, err := os.ReadDir(c.sockDir)
	if err != nil {
		return
	}
	mine := ".s.PGSQL." + strconv.Itoa(c.port)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".s.PGSQL.") && name != mine && name != mine+".lock" {
			_ = os.Remove(filepath.Join(c.sockDir, name))
		}
	}
}

// removeSocketDir removes this server's socket files, which a killed
// server leaves behind, and the socket directory once it is empty.
func (c *Cluster) removeSocketDir() {
	sock := filepath.Join(c.sockDir, ".s.PGSQL."+strconv.Itoa(c.port))
	_ = os.Remove(sock)
	_ = os.Remove(sock + ".lock")
	_ = os.Remove(c.sockDir)
}

// logTail returns the end of what the server logged since this start.
func (c *Cluster) logTail() string {
	f, err := os.Open(c.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	from := max(c.logFrom, fi.Size()-logTailBytes)
	b, _ := io.ReadAll(io.NewSectionReader(f, from, fi.Size()-from))
	return strings.TrimRight(string(b), "\n")
}

// sysProcAttr runs initdb and the server as runAs, if set. Like the server
// (see childproc.Start), initdb dies with this process and is spared the
// terminal's Ctrl-C.
func sysProcAttr(runAs *osUser) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{
		Pdeathsig: syscall.SIGKILL,
		Setpgid:   true,
	}
	if runAs != nil {
		attr.Credential = &syscall.Credential{Uid: runAs.uid, Gid: runAs.gid, Groups: runAs.groups}
	}
	return attr
}

// serverEnv is this process's environment without libpq's PG* variables,
// which would otherwise leak into the server and initdb.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

func shortHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}
