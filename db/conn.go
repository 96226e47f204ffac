package db

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/civicgrants/grants/db/sqlc"
)

// conn is the connection given to sqlc (the pool, or a transaction): it
// translates every query's error (see translate) in this one place, so
// callers test errors.Is(err, ErrNotFound), IsConstraint and the other
// sentinels without translating anything themselves.
type conn struct{ db sqlc.DBTX }

// Exec runs a statement that returns no rows.
func (c conn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := c.db.Exec(ctx, sql, args...)
	return tag, translate(err)
}

// Query runs a statement that returns rows (sqlc's :many).
func (c conn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := c.db.Query(ctx, sql, args...)
	if err != nil {
		return r, translate(err)
	}
	return rows{r}, nil
}

// QueryRow runs a statement that returns one row (sqlc's :one); its error
// comes from Scan.
func (c conn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{c.db.QueryRow(ctx, sql, args...)}
}

// row translates the error of the one row's Scan: pgx.ErrNoRows, or the
// statement's own error.
type row struct{ pgx.Row }

func (r row) Scan(dest ...any) error { return translate(r.Row.Scan(dest...)) }

// rows translates the errors of a result set, which pgx reports late: from
// Scan or from Err after the last row.
type rows struct{ pgx.Rows }

func (r rows) Scan(dest ...any) error { return translate(r.Rows.Scan(dest...)) }

func (r rows) Err() error { return translate(r.Rows.Err()) }
