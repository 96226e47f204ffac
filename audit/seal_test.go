package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
)

// testKey is the audit key of these tests (32 bytes).
var testKey = []byte("0123456789abcdef0123456789abcdef")

func signer(t testing.TB) *audit.Signer {
	t.Helper()
	s, err := audit.NewSigner(testKey)
	require.NoError(t, err)
	return s
}

const (
	chainA = "application:app_0000000000000000000000000a"
	chainB = "round:rnd_0000000000000000000000000b"
	chainC = "grant:gra_0000000000000000000000000c"
)

// logBundle is a sealed log of three chains: A has 5 events, B 3 and C 2,
// appended interleaved (A1 A2 A3 B1 A4 B2 C1 A5 B3 C2), so their global
// sequence numbers mix.
type logBundle struct {
	ctx    context.Context
	store  *db.Store
	signer *audit.Signer
	// headA3 is chain A's signed head as it stood after A3, as an owner
	// who saved it then would have it.
	headA3 sqlc.AuditHead
}

func setupLog(t *testing.T) *logBundle {
	t.Helper()
	b := &logBundle{ctx: context.Background(), signer: signer(t)}
	b.store = b.signer.Install(db.NewStore(dbtest.New(t)))
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, chain := range []string{chainA, chainA, chainA, chainB, chainA, chainB, chainC, chainA, chainB, chainC} {
		require.NoError(t, b.store.InTx(b.ctx, func(q *sqlc.Queries) error {
			_, err := audit.Append(b.ctx, q, audit.Event{Chain: chain, Actor: "usr_1", Action: "test.event", Entity: chain,
				Data: map[string]any{"i": i, "amount_pence": 250000}, At: at.Add(time.Duration(i) * time.Minute)})
			return err
		}))
		if i == 2 {
			h, err := b.store.AuditHeadGet(b.ctx, chainA)
			require.NoError(t, err)
			b.headA3 = h
		}
	}
	return b
}

func (b *logBundle) verify(t *testing.T, checkpoint int64) audit.Report {
	t.Helper()
	r, err := b.signer.VerifyLog(b.ctx, b.store.Queries, checkpoint, nil)
	require.NoError(t, err)
	return r
}

// owner runs sql as the database owner with every trigger off (the
// append-only guards and the unsigned-head tripwire), as an attacker with
// the owner's rights can.
func (b *logBundle) owner(t *testing.T, sql string, args ...any) {
	t.Helper()
	require.NoError(t, pgx.BeginFunc(b.ctx, b.store.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(b.ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, sql, args...)
		return err
	}), sql)
}

// rehash recomputes chain's sha256 links from its first event on, as an
// owner who edited an event would, so that the hashes alone verify.
func (b *logBundle) rehash(t *testing.T, chain string) {
	t.Helper()
	evs, err := b.store.AuditListByChain(b.ctx, chain)
	require.NoError(t, err)
	prev := []byte{}
	for _, ev := range evs {
		canon, err := audit.Canonical(audit.Event{Actor: ev.Actor, Action: ev.Action, Entity: ev.Entity, Data: json.RawMessage(ev.Data), At: ev.At})
		require.NoError(t, err)
		h := sha256.Sum256(append(append([]byte{}, prev...), canon...))
		b.owner(t, `UPDATE audit_events SET prev_hash = $3, hash = $4 WHERE chain = $1 AND seq = $2`, chain, ev.Seq, prev, h[:])
		prev = h[:]
	}
	_, err = audit.Verify(b.ctx, b.store.Queries, chain)
	require.NoError(t, err, "the rewritten chain's hashes verify")
}

// has reports whether r holds a finding about chain (and seq, unless 0)
// whose text contains what.
func has(r audit.Report, chain string, seq int64, what string) bool {
	for _, f := range r.Findings {
		if f.Chain == chain && (seq == 0 || f.Seq == seq) && strings.Contains(f.What, what) {
			return true
		}
	}
	return false
}

func findings(r audit.Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.String())
	}
	return strings.Join(s, "\n")
}

func TestSealedLogVerifies(t *testing.T) {
	t.Parallel()
	b := setupLog(t)
	r := b.verify(t, 10)
	require.True(t, r.Sound(), findings(r))
	require.Equal(t, 3, r.Chains)
	require.EqualValues(t, 10, r.Events)
	require.EqualValues(t, 10, r.Sealed)
	for _, chain := range []string{chainA, chainB, chainC} {
		fs, err := b.signer.VerifyChain(b.ctx, b.store.Queries, chain)
		require.NoError(t, err)
		require.Empty(t, fs, chain)
	}
	// Another key does not verify them.
	other, err := audit.NewSigner([]byte("another key of thirty-two bytes!"))
	require.NoError(t, err)
	r, err = other.VerifyLog(b.ctx, b.store.Queries, 0, nil)
	require.NoError(t, err)
	require.True(t, has(r, chainA, 1, "not valid (forged)"), findings(r))
	require.True(t, has(r, "", 0, "head (10 sealed events) is not validly signed"), findings(r))
}

// Every way an owner can change the log, each detected, with the chain and
// seq named.
func TestVerifyDetectsOwnerTampering(t *testing.T) {
	t.Parallel()
	type want struct {
		chain string
		seq   int64
		what  string
	}
	for _, tc := range []struct {
		name       string
		tamper     func(t *testing.T, b *logBundle)
		checkpoint int64
		want       []want
	}{
		{
			name: "edited event",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `UPDATE audit_events SET data = '{"i": 2, "amount_pence": 9999999}' WHERE chain = $1 AND seq = 3`, chainA)
			},
			want: []want{{chainA, 3, "content does not match its hash"}},
		},
		{
			name: "edited event, sha256 chain recomputed",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `UPDATE audit_events SET data = '{"i": 2, "amount_pence": 9999999}' WHERE chain = $1 AND seq = 3`, chainA)
				b.rehash(t, chainA)
			},
			want: []want{{chainA, 3, "differs from the sealed hash"}, {chainA, 5, "differs from the sealed hash"},
				{chainA, 5, "differs from the signed head"}},
		},
		{
			name: "edited event, hashes recomputed into the seals and head too",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `UPDATE audit_events SET actor = 'usr_2' WHERE chain = $1 AND seq = 4`, chainA)
				b.rehash(t, chainA)
				b.owner(t, `UPDATE audit_seals s SET hash = e.hash FROM audit_events e WHERE e.chain = s.chain AND e.seq = s.seq`)
				b.owner(t, `UPDATE audit_heads h SET hash = e.hash FROM audit_events e WHERE e.chain = h.chain AND e.seq = h.seq`)
			},
			want: []want{{chainA, 4, "seal (log gseq 5) is not valid"}, {chainA, 0, "head (seq 5) is not validly signed"}},
		},
		{
			name: "deleted event",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `DELETE FROM audit_events WHERE chain = $1 AND seq = 2`, chainA)
			},
			want: []want{{chainA, 3, "comes after seq 1: events missing"}, {chainA, 3, "does not link"}, {chainA, 2, "sealed but missing"}},
		},
		{
			name: "truncated chain",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `DELETE FROM audit_events WHERE chain = $1 AND seq > 3`, chainA)
			},
			want: []want{{chainA, 4, "signed head is seq 5 but the chain ends at seq 3"}, {chainA, 5, "sealed but missing"}},
		},
		{
			name: "truncated chain, its seals deleted and its old signed head restored",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `DELETE FROM audit_events WHERE chain = $1 AND seq > 3`, chainA)
				b.owner(t, `DELETE FROM audit_seals WHERE chain = $1 AND seq > 3`, chainA)
				b.owner(t, `UPDATE audit_heads SET seq = $2, hash = $3, mac = $4 WHERE chain = $1`, chainA, b.headA3.Seq, b.headA3.Hash, b.headA3.Mac)
			},
			want: []want{{"", 5, "sealed events missing from the log"}, {"", 8, "sealed events missing from the log"}},
		},
		{
			name: "whole chain deleted with its seals and head",
			tamper: func(t *testing.T, b *logBundle) {
				for _, table := range []string{"audit_events", "audit_seals", "audit_heads"} {
					b.owner(t, `DELETE FROM `+table+` WHERE chain = $1`, chainB)
				}
			},
			want: []want{{"", 4, "sealed events missing from the log"}, {"", 6, "sealed events missing from the log"},
				{"", 9, "sealed events missing from the log"}},
		},
		{
			name: "whole log deleted and its head reset",
			tamper: func(t *testing.T, b *logBundle) {
				for _, table := range []string{"audit_events", "audit_seals", "audit_heads"} {
					b.owner(t, `TRUNCATE `+table)
				}
				b.owner(t, `UPDATE audit_log SET n = 0, mac = NULL`)
			},
			checkpoint: 10,
			want:       []want{{"", 0, "fewer than the checkpoint 10 (rolled back)"}},
		},
		{
			name: "re-ordered events",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `UPDATE audit_events SET seq = 1000 WHERE chain = $1 AND seq = 2`, chainA)
				b.owner(t, `UPDATE audit_events SET seq = 2 WHERE chain = $1 AND seq = 3`, chainA)
				b.owner(t, `UPDATE audit_events SET seq = 3 WHERE chain = $1 AND seq = 1000`, chainA)
			},
			want: []want{{chainA, 2, "does not link"}, {chainA, 2, "differs from the sealed hash"}, {chainA, 3, "differs from the sealed hash"}},
		},
		{
			name: "re-ordered events, sha256 chain recomputed",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `UPDATE audit_events SET seq = 1000 WHERE chain = $1 AND seq = 4`, chainA)
				b.owner(t, `UPDATE audit_events SET seq = 4 WHERE chain = $1 AND seq = 5`, chainA)
				b.owner(t, `UPDATE audit_events SET seq = 5 WHERE chain = $1 AND seq = 1000`, chainA)
				b.rehash(t, chainA)
			},
			want: []want{{chainA, 4, "differs from the sealed hash"}, {chainA, 5, "differs from the signed head"}},
		},
		{
			name: "forged event at the end, head moved",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
					SELECT chain, 6, at, actor, 'payment.approved', entity, data, hash, hash FROM audit_events WHERE chain = $1 AND seq = 5`, chainA)
				b.rehash(t, chainA)
				b.owner(t, `UPDATE audit_heads h SET seq = 6, hash = e.hash FROM audit_events e WHERE e.chain = h.chain AND e.seq = 6`)
			},
			want: []want{{chainA, 6, "not sealed"}, {chainA, 0, "head (seq 6) is not validly signed"}},
		},
		{
			name: "forged event with a forged seal",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
					SELECT chain, 3, at, actor, 'payment.approved', entity, data, hash, hash FROM audit_events WHERE chain = $1 AND seq = 2`, chainC)
				b.rehash(t, chainC)
				b.owner(t, `INSERT INTO audit_seals (gseq, chain, seq, hash, mac)
					SELECT 11, chain, seq, hash, sha256(hash) FROM audit_events WHERE chain = $1 AND seq = 3`, chainC)
				b.owner(t, `UPDATE audit_log SET n = 11`)
			},
			want: []want{{chainC, 3, "seal (log gseq 11) is not valid"}, {"", 0, "head (11 sealed events) is not validly signed"},
				{chainC, 3, "after the signed head (seq 2)"}},
		},
		{
			name: "forged chain",
			tamper: func(t *testing.T, b *logBundle) {
				b.owner(t, `INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
					SELECT 'payment:pay_0000000000000000000000000d', 1, at, actor, action, entity, data, '', hash FROM audit_events WHERE chain = $1 AND seq = 1`, chainA)
				b.rehash(t, "payment:pay_0000000000000000000000000d")
			},
			want: []want{{"payment:pay_0000000000000000000000000d", 1, "not sealed"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupLog(t)
			require.True(t, b.verify(t, tc.checkpoint).Sound())
			tc.tamper(t, b)
			r := b.verify(t, tc.checkpoint)
			require.False(t, r.Sound())
			for _, w := range tc.want {
				require.True(t, has(r, w.chain, w.seq, w.what), "want %s seq %d: %q among:\n%s", w.chain, w.seq, w.what, findings(r))
			}
			// One chain's check sees what concerns that chain.
			for _, w := range tc.want {
				if w.chain == "" {
					continue
				}
				fs, err := b.signer.VerifyChain(b.ctx, b.store.Queries, w.chain)
				require.NoError(t, err)
				require.NotEmpty(t, fs, w.chain)
			}
		})
	}
}

// A process without the key cannot commit an audit event.
func TestAppendWithoutKeyFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t)) // no BeforeCommit: no seal
	err := store.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := audit.Append(ctx, q, audit.Event{Chain: chainA, Actor: "system", Action: "test.event", Entity: chainA})
		return err
	})
	require.ErrorContains(t, err, "not sealed: this process has no audit key")
	var n int
	require.NoError(t, store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n))
	require.Zero(t, n)
}

// Events written before sealing existed are findings until sign-legacy
// seals them; a legacy chain that does not verify is left alone.
func TestSealLegacy(t *testing.T) {
	t.Parallel()
	b := setupLog(t)
	const legacy, broken = "organisation:org_0000000000000000000000000e", "organisation:org_0000000000000000000000000f"
	for _, chain := range []string{legacy, broken} {
		for seq := 1; seq <= 3; seq++ {
			b.owner(t, `INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
				VALUES ($1, $2, now(), 'usr_1', 'organisation.updated', $1, $3, '', '')`, chain, seq, fmt.Sprintf(`{"n": %d}`, seq))
		}
		b.rehash(t, chain)
	}
	b.owner(t, `UPDATE audit_events SET data = '{"n": 99}' WHERE chain = $1 AND seq = 2`, broken)
	r := b.verify(t, 0)
	require.True(t, has(r, legacy, 1, "not sealed"), findings(r))
	require.Contains(t, findings(r), legacy+" seq 1-3: not sealed")

	chains, events, err := b.signer.SealLegacy(b.ctx, b.store)
	require.ErrorIs(t, err, audit.ErrLegacyBroken)
	require.ErrorContains(t, err, broken)
	require.Equal(t, 1, chains)
	require.Equal(t, 3, events)
	r = b.verify(t, 13)
	require.False(t, has(r, legacy, 0, ""), findings(r))
	require.True(t, has(r, broken, 1, "not sealed"), findings(r))
	require.Len(t, r.Findings, 2, findings(r)) // broken: its edit, and not sealed
	require.EqualValues(t, 13, r.Sealed)
}

// The README's SQL for the application's role: it can append (through
// audit.Append, sealed) but not UPDATE, DELETE or TRUNCATE the audit log.
func TestApplicationRoleCannotRewriteAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := signer(t)
	owner := s.Install(db.NewStore(dbtest.New(t)))
	require.NoError(t, owner.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := audit.Append(ctx, q, audit.Event{Chain: chainA, Actor: "usr_1", Action: "test.event", Entity: chainA})
		return err
	}))

	role := fmt.Sprintf("grants_app_%d", time.Now().UnixNano())
	dbName := owner.Pool.Config().ConnConfig.Database
	script := strings.NewReplacer("grants_app", role, "DATABASE grants", "DATABASE "+pgx.Identifier{dbName}.Sanitize()).Replace(readmeRoleSQL(t))
	_, err := owner.Pool.Exec(ctx, script)
	require.NoError(t, err, script)
	cfg := owner.Pool.Config().Copy()
	cfg.ConnConfig.User, cfg.ConnConfig.Password = role, "change me"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		_, _ = owner.Pool.Exec(context.Background(), `DROP OWNED BY `+role+`; DROP ROLE `+role)
	})
	app := s.Install(db.NewStore(pool))
	var who string
	require.NoError(t, pool.QueryRow(ctx, `SELECT current_user`).Scan(&who))
	require.Equal(t, role, who)

	// The application's writes work.
	require.NoError(t, app.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := audit.Append(ctx, q, audit.Event{Chain: chainA, Actor: "usr_1", Action: "test.event", Entity: chainA})
		return err
	}))
	require.NoError(t, app.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := audit.Append(ctx, q, audit.Event{Chain: chainB, Actor: "usr_1", Action: "test.event", Entity: chainB})
		return err
	}))
	r, err := s.VerifyLog(ctx, app.Queries, 3, nil)
	require.NoError(t, err)
	require.True(t, r.Sound(), findings(r))
	require.EqualValues(t, 3, r.Sealed)

	// Rewriting it does not, even with its triggers set aside.
	for _, sql := range []string{
		`UPDATE audit_events SET actor = 'usr_2'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
		`UPDATE audit_seals SET hash = ''`,
		`DELETE FROM audit_seals`,
		`TRUNCATE audit_seals`,
		`DELETE FROM audit_heads`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`,
		`SET session_replication_role = replica`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.Error(t, err, sql)
		require.Regexp(t, `permission denied|must be owner`, err.Error(), sql)
	}
}

// readmeRoleSQL is the SQL block of the README's "Running as a
// least-privileged database role" section.
func readmeRoleSQL(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(raw), "<!-- app-role-sql -->\n```sql\n")
	require.True(t, ok, "README has the app role's SQL")
	sql, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	return sql
}

// An event the owner slips in and leaves for the application to seal (its
// chain's head unsigned, or pointing its pending events at the forgery) is
// never sealed by the application's next append.
func TestSealNeverSealsOthersEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		head string
	}{
		{"head left unsigned", `UPDATE audit_heads h SET seq = 6, hash = e.hash, mac = NULL, pending_from = 6 FROM audit_events e WHERE e.chain = h.chain AND e.seq = 6`},
		{"signed head pointing at the forgery", `UPDATE audit_heads SET pending_from = 6 WHERE chain = $1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupLog(t)
			b.owner(t, `INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
				SELECT chain, 6, at, actor, 'payment.approved', entity, data, hash, hash FROM audit_events WHERE chain = $1 AND seq = 5`, chainA)
			b.rehash(t, chainA)
			if strings.Contains(tc.head, "$1") {
				b.owner(t, tc.head, chainA)
			} else {
				b.owner(t, tc.head)
			}
			for _, chain := range []string{chainB, chainA} {
				require.NoError(t, b.store.InTx(b.ctx, func(q *sqlc.Queries) error {
					_, err := audit.Append(b.ctx, q, audit.Event{Chain: chain, Actor: "usr_1", Action: "test.event", Entity: chain})
					return err
				}))
			}
			r := b.verify(t, 12)
			require.True(t, has(r, chainA, 6, "not sealed"), findings(r))
			require.Len(t, r.Findings, 1, findings(r))
			require.EqualValues(t, 12, r.Sealed)
		})
	}
}
