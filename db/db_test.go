package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Every query's error comes back translated, from the Store's queries and
// from a transaction's alike: no row is ErrNotFound (and still
// pgx.ErrNoRows), a broken constraint is a *ConstraintError naming it.
func TestQueriesTranslateTheirErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t))
	user := sqlc.UserCreateParams{ID: "usr_1", Email: "a@example.org", Name: "A", PasswordHash: "x", Roles: []string{}}
	_, err := store.UserCreate(ctx, user)
	require.NoError(t, err)

	cases := map[string]func(q *sqlc.Queries) error{
		"not found": func(q *sqlc.Queries) error {
			_, err := q.UserGet(ctx, "usr_missing")
			return err
		},
		"unique": func(q *sqlc.Queries) error {
			_, err := q.UserCreate(ctx, sqlc.UserCreateParams{ID: "usr_2", Email: "A@example.org", Name: "B", PasswordHash: "x", Roles: []string{}})
			return err
		},
		"check": func(q *sqlc.Queries) error {
			_, err := q.UserCreate(ctx, sqlc.UserCreateParams{ID: "usr_3", Email: "no-at-sign", Name: "C", PasswordHash: "x", Roles: []string{}})
			return err
		},
		"foreign key": func(q *sqlc.Queries) error { // :exec
			return q.AuthTokenCreate(ctx, sqlc.AuthTokenCreateParams{TokenHash: []byte("h"), UserID: "usr_missing", Kind: "api",
				ExpiresAt: time.Now().Add(time.Hour)})
		},
	}
	check := func(t *testing.T, name string, err error) {
		t.Helper()
		switch name {
		case "not found":
			require.ErrorIs(t, err, db.ErrNotFound)
			require.ErrorIs(t, err, pgx.ErrNoRows)
		case "unique":
			require.ErrorIs(t, err, db.ErrUniqueViolation)
			require.True(t, db.IsConstraint(err, "users_email_key"), err)
		case "check":
			require.ErrorIs(t, err, db.ErrCheckViolation)
			require.True(t, db.IsConstraint(err, "users_email_shape"), err)
		case "foreign key":
			require.ErrorIs(t, err, db.ErrForeignKey)
			var ce *db.ConstraintError
			require.ErrorAs(t, err, &ce)
			require.NotEmpty(t, ce.Constraint)
		}
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			check(t, name, run(store.Queries))
			err := store.InTx(ctx, run)
			check(t, name, err)
			var ce *db.ConstraintError
			if errors.As(err, &ce) {
				require.NotErrorIs(t, err, db.ErrNotFound)
			}
		})
	}
}
