package audit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestCanonicalSortsKeysAndTruncatesTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2027, 1, 10, 9, 0, 0, 123456789, time.FixedZone("BST", 3600))
	got, err := audit.Canonical(audit.Event{Actor: "usr_1", Action: "a.b", Entity: "application:x", At: at,
		Data: map[string]any{"z": 1, "a": map[string]any{"y": true, "b": "£"}}})
	require.NoError(t, err)
	require.Equal(t, `{"action":"a.b","actor":"usr_1","at":"2027-01-10T08:00:00.123456Z","data":{"a":{"b":"£","y":true},"z":1},"entity":"application:x"}`, string(got))
}

// Concurrent appends to one chain stay one unbroken chain; tampering with
// a stored event (possible only by switching the append-only trigger off)
// is detected.
func TestChainUnderConcurrencyAndTamper(t *testing.T) {
	t.Parallel()
	store := signer(t).Install(db.NewStore(dbtest.New(t)))
	ctx := context.Background()
	const chain = "application:app_01m7yx7pveyg96ngkjp41akgtq"
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			errs <- store.InTx(ctx, func(q *sqlc.Queries) error {
				_, err := audit.Append(ctx, q, audit.Event{Chain: chain, Actor: "system", Action: "test.event", Entity: chain,
					Data: map[string]any{"i": i}})
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	n, err := audit.Verify(ctx, store.Queries, chain)
	require.NoError(t, err)
	require.Equal(t, 20, n)

	_, err = store.Pool.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
	require.NoError(t, err)
	_, err = store.Pool.Exec(ctx, `UPDATE audit_events SET data = '{"i": 999}' WHERE chain = $1 AND seq = 7`, chain)
	require.NoError(t, err)
	_, err = audit.Verify(ctx, store.Queries, chain)
	require.True(t, errors.Is(err, audit.ErrBroken), err)
}
