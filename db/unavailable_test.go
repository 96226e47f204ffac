package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/platform/pgcluster"
)

// A database that is down, or goes away under open connections, makes
// every query and transaction fail with ErrUnavailable (which the use
// cases answer as 503, for clients to retry), never ErrNotFound; once it
// is back on its port, the same pool works again.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })
	require.NoError(t, db.MigrateURL(ctx, cluster.URL("postgres")))
	pool, err := db.Open(ctx, cluster.URL("postgres"), 2)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	store := db.NewStore(pool)
	missing := func(q *sqlc.Queries) error { _, err := q.UserGet(ctx, "usr_missing"); return err }
	require.ErrorIs(t, missing(store.Queries), db.ErrNotFound, "up: a missing row is not found")

	// The server stops under the pool's open connections.
	require.NoError(t, cluster.Stop(ctx))
	err = missing(store.Queries)
	require.ErrorIs(t, err, db.ErrUnavailable, "query")
	require.NotErrorIs(t, err, db.ErrNotFound)
	require.ErrorIs(t, store.InTx(ctx, missing), db.ErrUnavailable, "transaction")

	// Back on the same port: the pool reconnects.
	restarted, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true, Port: cluster.Port()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = restarted.Stop(context.Background()) })
	require.Eventually(t, func() bool { return pool.Ping(ctx) == nil }, 30*time.Second, 50*time.Millisecond)
	require.ErrorIs(t, missing(store.Queries), db.ErrNotFound, "back: the pool reconnected")

	// A server that was never there.
	nowhere, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(nowhere.Close)
	require.ErrorIs(t, missing(db.NewStore(nowhere).Queries), db.ErrUnavailable)
}
