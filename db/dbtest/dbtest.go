package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/platform/pgcluster"
)

// DatabaseURLEnv names the environment variable holding the URL of a
// running server's `postgres` database to use instead of starting a
// cluster.
const DatabaseURLEnv = "GRANTS_TEST_DATABASE_URL"

// MaxConns is the size of the pool New returns.
const MaxConns = 4

// templateLockKey is the pg_advisory_lock key serialising template builds.
const templateLockKey = 0x6772616e7473 // "grants"

const setupTimeout = 2 * time.Minute

var (
	serverOnce sync.Once
	cluster    *pgcluster.Cluster
	clusterDir string
	adminURL   string
	admin      *pgxpool.Pool
	template   string
	setupErr   error
)

// New returns a pool (MaxConns connections) on a fresh, migrated database
// of its own. The pool is closed and the database dropped when the test
// ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := NewURL(t)
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatalf("dbtest: parse URL: %v", err)
	}
	cfg.MaxConns = MaxConns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("dbtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close) // runs before NewURL's cleanup drops the database
	return pool
}

// NewURL creates a fresh, migrated database and returns its connection
// URL. The database is dropped (even with connections still open) when the
// test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	return createDatabase(t, "t_", template)
}

// NewEmptyURL creates an empty database (no migrations: what a new
// deployment starts from) and returns its connection URL; it is dropped
// when the test ends.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	return createDatabase(t, "e_", "template0")
}

// createDatabase creates a database named prefix and random hex from
// the template, dropped (even with connections still open) when the test
// ends, and returns its URL.
func createDatabase(t testing.TB, prefix, from string) string {
	t.Helper()
	name := prefix + randomHex(8)
	ident := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{from}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// Main runs the tests, then closes the shared connections and stops and
// removes the cluster New may have started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if admin != nil {
		admin.Close()
	}
	if cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cluster.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest: stop PostgreSQL:", err)
		}
		cancel()
		_ = os.RemoveAll(cluster.Dir())
		_ = os.RemoveAll(clusterDir)
	}
	os.Exit(code)
}

// setup finds or starts the server, opens the admin pool and makes sure the
// template exists; it runs once per test binary.
func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	adminURL = os.Getenv(DatabaseURLEnv)
	if adminURL == "" {
		dir, err := os.MkdirTemp("", "grants-dbtest-*")
		if err != nil {
			setupErr = fmt.Errorf("cluster dir: %w", err)
			return
		}
		clusterDir = dir
		if cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true}); err != nil {
			_ = os.RemoveAll(dir)
			setupErr = fmt.Errorf("start PostgreSQL (or set %s): %w", DatabaseURLEnv, err)
			return
		}
		adminURL = cluster.URL("postgres")
	}
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		setupErr = fmt.Errorf("parse %s: %w", DatabaseURLEnv, err)
		return
	}
	cfg.MaxConns = 4
	if admin, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		setupErr = fmt.Errorf("connect: %w", err)
		return
	}
	if template, err = templateName(); err != nil {
		setupErr = err
		return
	}
	setupErr = ensureTemplate(ctx)
}

// templateName names the template after the embedded migrations, so a
// changed migration gets a fresh template.
func templateName() (string, error) {
	h := sha256.New()
	migrations := db.Migrations()
	err := fs.WalkDir(migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return "tmpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// ensureTemplate builds the template database unless a finished one exists,
// under an advisory lock shared by every test binary using the server.
func ensureTemplate(ctx context.Context) error {
	conn, err := admin.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(templateLockKey)); err != nil {
		return fmt.Errorf("lock template: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(templateLockKey))
	}()

	ident := pgx.Identifier{template}.Sanitize()
	var isTemplate bool
	err = conn.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", template).Scan(&isTemplate)
	switch {
	case err == nil && isTemplate:
		return nil
	case err == nil: // left half-built by a run that died
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop unfinished template: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look up template: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	if err := db.MigrateURL(ctx, withDatabase(adminURL, template)); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// Nobody may connect to it from now on, so cloning never waits.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("mark template: %w", err)
	}
	return nil
}

// withDatabase returns connection string s pointing at database name; s is
// a postgres:// URL or a keyword/value string.
func withDatabase(s, name string) string {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if u, err := url.Parse(s); err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	return s + " dbname=" + name // a later keyword wins
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
