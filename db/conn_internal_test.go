package db

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// fakeDB answers every query with a result set whose errors are err, as
// pgx reports them late.
type fakeDB struct{ err error }

func (f fakeDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, f.err
}

func (f fakeDB) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return fakeRows{err: f.err}, nil
}

func (f fakeDB) QueryRow(context.Context, string, ...any) pgx.Row { return fakeRows{err: f.err} }

type fakeRows struct {
	pgx.Rows
	err error
}

func (r fakeRows) Scan(...any) error { return r.err }
func (r fakeRows) Err() error        { return r.err }

// A result set's errors (from Scan and from Err after the last row) are
// translated like a single row's, and translating twice changes nothing.
func TestConnTranslatesResultSets(t *testing.T) {
	t.Parallel()
	unique := &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"}
	c := conn{fakeDB{err: unique}}
	rows, err := c.Query(context.Background(), "SELECT")
	require.NoError(t, err)
	require.True(t, IsConstraint(rows.Scan(), "users_email_key"))
	require.ErrorIs(t, rows.Err(), ErrUniqueViolation)
	_, err = c.Exec(context.Background(), "UPDATE")
	require.ErrorIs(t, err, ErrUniqueViolation)

	c = conn{fakeDB{err: pgx.ErrNoRows}}
	err = c.QueryRow(context.Background(), "SELECT").Scan()
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, err, pgx.ErrNoRows)
	require.Same(t, err, translate(err))
	wrapped := fmt.Errorf("load: %w", translate(unique))
	require.Same(t, wrapped, translate(wrapped))

	plain := errors.New("connection reset")
	require.Same(t, plain, translate(plain))
	require.NoError(t, translate(nil))
}
