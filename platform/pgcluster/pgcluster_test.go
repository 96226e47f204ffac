package pgcluster

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// tempDir is a directory the postgres user can reach when the test runs as
// root (t.TempDir's parent is private to root).
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func start(t *testing.T, dir string) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Dir: dir, Logger: testLogger(t), Ephemeral: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

func execSQL(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, url, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)

	c := start(t, dir)
	if c.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", c.Dir(), dir)
	}
	if len(c.sockDir) >= 100 {
		t.Errorf("socket dir %q is %d bytes, want < 100", c.sockDir, len(c.sockDir))
	}
	if err := c.EnsureDatabase(t.Context(), "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDatabase(t.Context(), "app"); err != nil {
		t.Fatalf("second EnsureDatabase: %v", err)
	}
	execSQL(t, c.URL("app"), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2)")

	stopStart := time.Now()
	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(stopStart); d > 5*time.Second {
		t.Errorf("Stop took %s", d)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after Stop = %v", err)
	}
	if err := c.Stop(t.Context()); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	c2 := start(t, dir)
	if got := count(t, c2.URL("app"), "SELECT count(*) FROM kept"); got != 2 {
		t.Errorf("rows after restart = %d, want 2", got)
	}
}

func TestRestartAfterKill(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)

	c := start(t, dir)
	execSQL(t, c.URL("postgres"), "SET synchronous_commit = on; CREATE TABLE survived (n int)")
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the server was killed")
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "exited unexpectedly") {
		t.Errorf("Err after kill = %v, want an unexpected exit", err)
	}
	if _, err := os.Stat(filepath.Join(c.DataDir(), "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}

	c2 := start(t, dir)
	if got := count(t, c2.URL("postgres"), "SELECT count(*) FROM pg_tables WHERE tablename = 'survived'"); got != 1 {
		t.Errorf("table after restart: count = %d, want 1", got)
	}
}

func TestUnreachableDirMovesCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	t.Parallel()
	requested := filepath.Join(t.TempDir(), "pg") // t.TempDir's parent is 0700 root
	c := start(t, requested)
	t.Cleanup(func() {
		_ = c.Stop(context.Background())
		_ = os.RemoveAll(c.Dir())
	})
	if c.Dir() == requested || !strings.HasPrefix(c.Dir(), "/var/tmp/grants-pg-") {
		t.Errorf("Dir() = %q, want a directory under /var/tmp", c.Dir())
	}
	if got := count(t, c.URL("postgres"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 = %d", got)
	}
}

func TestMayExecute(t *testing.T) {
	t.Parallel()
	u := &osUser{uid: 101, gid: 104, groups: []uint32{104, 103}}
	for _, tc := range []struct {
		name     string
		perm     os.FileMode
		uid, gid uint32
		want     bool
	}{
		{"owner", 0o700, 101, 0, true},
		{"owner without x", 0o077, 101, 0, false},
		{"group", 0o750, 0, 104, true},
		{"supplementary group", 0o750, 0, 103, true},
		{"group without x", 0o705, 0, 104, false},
		{"other", 0o701, 0, 0, true},
		{"private to root", 0o700, 0, 0, false},
	} {
		if got := mayExecute(tc.perm, tc.uid, tc.gid, u); got != tc.want {
			t.Errorf("%s: mayExecute(%o) = %v, want %v", tc.name, tc.perm, got, tc.want)
		}
	}
}
