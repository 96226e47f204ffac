package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/civicgrants/grants/db/sqlc"
)

// Sentinel errors that callers test with errors.Is; every query's error is
// translated onto them (conn), so the driver's own errors never leave this
// package untranslated. The driver's error stays in the chain: errors.Is(err,
// pgx.ErrNoRows) holds as well as errors.Is(err, ErrNotFound).
var (
	// ErrNotFound is a query that found no row.
	ErrNotFound = errors.New("not found")
	// ErrUniqueViolation is an insert or update that broke a unique constraint.
	ErrUniqueViolation = errors.New("unique violation")
	// ErrForeignKey is a reference to a row that does not exist.
	ErrForeignKey = errors.New("foreign key violation")
	// ErrCheckViolation is a row that broke a CHECK constraint.
	ErrCheckViolation = errors.New("check violation")
	// ErrUnavailable is a database that could not be reached or dropped
	// the connection (down, restarting, shutting down): the request may be
	// retried once it is back.
	ErrUnavailable = errors.New("database unavailable")
)

// Open connects a pool to url and checks that it answers.
func Open(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}

// Store bundles the pool with the generated queries, whose errors are
// translated (conn).
type Store struct {
	Pool *pgxpool.Pool
	*sqlc.Queries
	// BeforeCommit, when set, runs inside every InTx transaction after fn
	// succeeded and before the commit; its error rolls the transaction
	// back. The audit package's Signer.Seal uses it to seal the audit
	// events the transaction appended.
	BeforeCommit func(ctx context.Context, q *sqlc.Queries) error
}

// NewStore wraps pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{Pool: pool, Queries: sqlc.New(conn{pool})}
}

// InTx runs fn inside one transaction, committing when fn returns nil and
// rolling back otherwise. fn's queries translate their errors as the
// Store's do; the commit's error (a deferred constraint) is translated too.
func (s *Store) InTx(ctx context.Context, fn func(q *sqlc.Queries) error) error {
	tx, err := s.Pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	q := sqlc.New(conn{tx})
	if err := fn(q); err != nil {
		return err
	}
	if s.BeforeCommit != nil {
		if err := s.BeforeCommit(ctx, q); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.Pool.Ping(ctx)
}

// translate maps driver errors onto this package's sentinels, keeping the
// original in the chain for logs. Other errors, and errors already
// translated, pass through unchanged.
func translate(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	var ce *ConstraintError
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &ConstraintError{Sentinel: ErrUniqueViolation, Constraint: pgErr.ConstraintName, err: err}
		case "23503":
			return &ConstraintError{Sentinel: ErrForeignKey, Constraint: pgErr.ConstraintName, err: err}
		case "23514":
			return &ConstraintError{Sentinel: ErrCheckViolation, Constraint: pgErr.ConstraintName, err: err}
		}
	}
	return err
}

// unreachable reports whether err says the server could not be reached
// or went away: a failed connect, a connection cut (EOF, a network
// error), or the server refusing work while it shuts down or starts
// (SQLSTATE class 08, 57P01–57P03).
func unreachable(err error) bool {
	if errors.Is(err, ErrUnavailable) {
		return false // already translated
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.As(err, &connect):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false // the caller gave up: not the server's doing
	case errors.As(err, &netErr):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return pgconn.SafeToRetry(err) // nothing was sent: a closed or broken connection
}

// ConstraintError names the constraint a write broke.
type ConstraintError struct {
	Sentinel   error
	Constraint string
	err        error
}

func (e *ConstraintError) Error() string {
	return fmt.Sprintf("%v (%s): %v", e.Sentinel, e.Constraint, e.err)
}

// Is matches the sentinel.
func (e *ConstraintError) Is(target error) bool { return target == e.Sentinel }

// Unwrap returns the driver error.
func (e *ConstraintError) Unwrap() error { return e.err }

// IsConstraint reports whether err broke the named constraint.
func IsConstraint(err error, name string) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Constraint == name
}
