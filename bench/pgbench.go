package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/db"
)

// pgbenchSchema holds pgbench's copies of the tables a submission
// touches, with the same columns and indexes, so its transactions never
// touch the stack's data.
const pgbenchSchema = "bench_pgbench"

// pgbenchTables are the tables a submission reads or writes.
var pgbenchTables = []string{"applications", "organisation_members", "rounds", "outbox", "audit_events", "audit_heads", "audit_seals", "audit_log"}

// submitScript is one transaction of the shape of a submission
// (app.SubmitApplication with the audit seal of its commit, in
// queries/applications.sql, rounds.sql, organisations.sql, outbox.sql and
// audit.sql): the application locked, the membership and the round read
// (FOR SHARE), the application marked submitted, the outbox row, the
// audit chain locked, read, appended and its head moved, the round read
// again, then the seal: unsigned heads read, the transaction's events
// read, the heads signed, the log head locked, the seal inserted and the
// log head moved (audit.Signer.Seal). Client n works on its own copy of
// a draft, pgbN. (No literal holds a colon before a letter: pgbench would
// take it for a variable.)
const submitScript = `\set n :client_id + 1
BEGIN;
SELECT * FROM bench_pgbench.applications WHERE id = 'pgb' || :n::text FOR UPDATE;
SELECT role FROM bench_pgbench.organisation_members WHERE organisation_id = 'pgb' || :n::text AND user_id = 'pgb' || :n::text;
SELECT r.*, clock_timestamp()::timestamptz AS checked_at FROM bench_pgbench.rounds r WHERE r.id = :round FOR SHARE;
UPDATE bench_pgbench.applications SET status = 'submitted', version = version + 1, submitted_at = now(), updated_at = now() WHERE id = 'pgb' || :n::text RETURNING *;
INSERT INTO bench_pgbench.outbox (kind, payload) VALUES ('start_application', jsonb_build_object('application_id'::text, 'pgb' || :n::text)) RETURNING id;
SELECT pg_advisory_xact_lock(hashtextextended(concat('application', ':', 'pgb', :n::text), 0));
SELECT seq AS last, encode(hash, 'hex') AS prev FROM bench_pgbench.audit_events WHERE chain = concat('application', ':', 'pgb', :n::text) ORDER BY seq DESC LIMIT 1 \gset
\set next :last + 1
INSERT INTO bench_pgbench.audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash) VALUES (concat('application', ':', 'pgb', :n::text), :next, now(), 'usr_pgbench', 'application.submitted', concat('application', ':', 'pgb', :n::text), '{"tier": "micro", "requested_pence": 250000}', decode(:prev, 'hex'), sha256(decode(:prev, 'hex'))) RETURNING *;
INSERT INTO bench_pgbench.audit_heads (chain, seq, hash, mac, pending_from) VALUES (concat('application', ':', 'pgb', :n::text), :next, sha256(decode(:prev, 'hex')), NULL, :next) ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = NULL, pending_from = COALESCE(audit_heads.pending_from, EXCLUDED.pending_from);
SELECT r.*, clock_timestamp()::timestamptz AS checked_at FROM bench_pgbench.rounds r WHERE r.id = :round FOR SHARE;
SELECT chain, seq, hash, pending_from FROM bench_pgbench.audit_heads WHERE mac IS NULL AND xmin = pg_current_xact_id()::xid ORDER BY chain;
SELECT seq, hash FROM bench_pgbench.audit_events WHERE chain = concat('application', ':', 'pgb', :n::text) AND seq >= :next AND xmin = pg_current_xact_id()::xid ORDER BY seq;
UPDATE bench_pgbench.audit_heads SET mac = sha256('head'), pending_from = NULL WHERE chain = concat('application', ':', 'pgb', :n::text) AND seq = :next;
SELECT n AS gseq FROM bench_pgbench.audit_log WHERE id = 1 FOR UPDATE \gset
\set g :gseq + 1
INSERT INTO bench_pgbench.audit_seals (gseq, chain, seq, hash, mac) SELECT unnest(ARRAY[:g::bigint]), unnest(ARRAY[concat('application', ':', 'pgb', :n::text)]), unnest(ARRAY[:next::bigint]), unnest(ARRAY[sha256(decode(:prev, 'hex'))]), unnest(ARRAY[sha256('mac')]);
UPDATE bench_pgbench.audit_log SET n = :g, mac = sha256('log') WHERE id = 1;
COMMIT;
`

// pgbenchResult is pgbench's throughput and 99th-percentile latency.
type pgbenchResult struct {
	tps float64
	p99 time.Duration
}

// runPgbench runs submitScript with n clients for d against
// the stack's PostgreSQL, on copies of n of the rush's drafts (taken as
// they were before submission), and drops the copies after.
func runPgbench(ctx context.Context, store *db.Store, dbURL string, submitted []string, n int, d time.Duration) (pgbenchResult, error) {
	bin, err := pgbenchBinary()
	if err != nil {
		return pgbenchResult{}, err
	}
	if len(submitted) == 0 {
		return pgbenchResult{}, fmt.Errorf("pgbench: no submitted application to copy")
	}
	roundID, err := preparePgbench(ctx, store, submitted[0], n)
	defer func() {
		_, _ = store.Pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA IF EXISTS "+pgbenchSchema+" CASCADE")
	}()
	if err != nil {
		return pgbenchResult{}, err
	}
	dir, err := os.MkdirTemp("", "grants-pgbench-")
	if err != nil {
		return pgbenchResult{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "submit.sql")
	if err := os.WriteFile(script, []byte(submitScript), 0o600); err != nil {
		return pgbenchResult{}, err
	}
	//nolint:gosec // G204: Debian's pgbench (pgbenchBinary), with arguments made here
	cmd := exec.CommandContext(ctx, bin, "--no-vacuum", "--protocol=prepared", "--client="+strconv.Itoa(n), "--jobs=2",
		"--time="+strconv.Itoa(max(int(d.Seconds()), 1)), "--file="+script, "--define=round="+roundID,
		"--log", "--log-prefix="+filepath.Join(dir, "tx"), dbURL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	var r pgbenchResult
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("pgbench: no tps in its output: %s", out)
	}
	r.tps, _ = strconv.ParseFloat(string(m[1]), 64)
	lat, err := pgbenchLatencies(dir)
	if err != nil {
		return r, err
	}
	r.p99 = lat.Percentile(99)
	return r, nil
}

// pgbenchBinary is Debian's pgbench, else the one on PATH.
func pgbenchBinary() (string, error) {
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(m) > 0 {
		return m[len(m)-1], nil
	}
	p, err := exec.LookPath("pgbench")
	if err != nil {
		return "", fmt.Errorf("pgbench not found (Debian's postgresql package has it): %w", err)
	}
	return p, nil
}

// preparePgbench makes the schema of copies: n applications pgb1…pgbN
// copied from one of the run's submissions (as a draft), their
// memberships, the round, an audit chain of one event each and the audit
// log head. It returns the round's id.
func preparePgbench(ctx context.Context, store *db.Store, appID string, n int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "DROP SCHEMA IF EXISTS %[1]s CASCADE; CREATE SCHEMA %[1]s;\n", pgbenchSchema)
	for _, t := range pgbenchTables {
		fmt.Fprintf(&b, "CREATE TABLE %[1]s.%[2]s (LIKE public.%[2]s INCLUDING ALL EXCLUDING IDENTITY);\n", pgbenchSchema, t)
	}
	for _, t := range []string{"outbox", "audit_events"} {
		fmt.Fprintf(&b, "CREATE SEQUENCE %[1]s.%[2]s_id; ALTER TABLE %[1]s.%[2]s ALTER id SET DEFAULT nextval('%[1]s.%[2]s_id');\n", pgbenchSchema, t)
	}
	if _, err := store.Pool.Exec(ctx, b.String()); err != nil {
		return "", fmt.Errorf("pgbench schema: %w", err)
	}
	var roundID string
	if err := store.Pool.QueryRow(ctx, `SELECT round_id FROM applications WHERE id = $1`, appID).Scan(&roundID); err != nil {
		return "", fmt.Errorf("pgbench round: %w", err)
	}
	stmts := []string{
		`INSERT INTO bench_pgbench.rounds SELECT * FROM rounds WHERE id = $1`,
		`INSERT INTO bench_pgbench.applications SELECT (jsonb_populate_record(a, jsonb_build_object('id', 'pgb' || g, 'organisation_id', 'pgb' || g,
			'status', 'draft', 'submitted_at', NULL))).* FROM applications a, generate_series(1, $2::int) g WHERE a.id = $1`,
		`INSERT INTO bench_pgbench.organisation_members SELECT (jsonb_populate_record(m, jsonb_build_object('organisation_id', 'pgb' || g, 'user_id', 'pgb' || g))).*
			FROM organisation_members m, generate_series(1, $2::int) g WHERE m.organisation_id = (SELECT organisation_id FROM applications WHERE id = $1)`,
		`INSERT INTO bench_pgbench.audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
			SELECT 'application:pgb' || g, 1, now(), 'usr_pgbench', 'application.created', 'application:pgb' || g, '{}', '\x', sha256(('pgb' || g)::bytea)
			FROM generate_series(1, $1::int) g`,
		`INSERT INTO bench_pgbench.audit_heads (chain, seq, hash, mac) SELECT chain, seq, hash, sha256('head') FROM bench_pgbench.audit_events`,
		`INSERT INTO bench_pgbench.audit_log SELECT * FROM audit_log`,
	}
	for i, s := range stmts {
		var err error
		switch i {
		case 0:
			_, err = store.Pool.Exec(ctx, s, roundID)
		case 1, 2:
			_, err = store.Pool.Exec(ctx, s, appID, n)
		case 3:
			_, err = store.Pool.Exec(ctx, s, n)
		default:
			_, err = store.Pool.Exec(ctx, s)
		}
		if err != nil {
			return "", fmt.Errorf("pgbench copies: %w", err)
		}
	}
	_, err := store.Pool.Exec(ctx, "ANALYZE bench_pgbench.applications, bench_pgbench.audit_events, bench_pgbench.audit_heads")
	return roundID, err
}

// pgbenchLatencies reads pgbench's per-transaction logs (tx.<pid>[.<n>])
// in dir: the third field is the latency in microseconds.
func pgbenchLatencies(dir string) (Latencies, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	var lat Latencies
	for _, name := range files {
		f, err := os.Open(name) //nolint:gosec // G304: pgbench's logs in the bench's own temporary directory
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err == nil {
				lat = append(lat, time.Duration(us)*time.Microsecond)
			}
		}
		f.Close()
	}
	if len(lat) == 0 {
		return nil, fmt.Errorf("pgbench: no transaction logged")
	}
	return lat, nil
}
