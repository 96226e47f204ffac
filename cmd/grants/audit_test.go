package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/platform/config"
)

// helperArgsEnv makes the test binary run `grants` with these arguments
// (space-separated) instead of the tests, so a test can see its exit code.
const helperArgsEnv = "GRANTS_TEST_HELPER_ARGS"

func TestHelperGrants(t *testing.T) {
	args := os.Getenv(helperArgsEnv)
	if args == "" {
		t.Skip("runs grants in a child process")
	}
	os.Args = append([]string{"grants"}, strings.Fields(args)...)
	main()
	os.Exit(0)
}

// runGrants runs `grants args…` in a child process with env added to the
// environment, and returns its exit code, standard output and error.
func runGrants(t *testing.T, env []string, args string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperGrants$")
	cmd.Env = append(append(os.Environ(), helperArgsEnv+"="+args), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

// `grants audit verify` exits 0 with a summary line on a sound log, and 1
// listing each finding with its chain and seq once the owner has changed
// it; the key serve and worker seal with (here derived from the
// encryption key) is the one verify checks with.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := []string{"DATABASE_URL=" + dbtest.NewURL(t), "GRANTS_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"GRANTS_AUDIT_KEY=", "GRANTS_AUDIT_KEY_FILE="}
	cfg, err := config.Load(func(k string) string {
		for _, kv := range env {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	})
	require.NoError(t, err)
	store, err := openStore(ctx, cfg)
	require.NoError(t, err)
	defer store.Pool.Close()
	const chain = "application:app_01m7yx7pveyg96ngkjp41akgtq"
	for i := range 4 {
		require.NoError(t, store.InTx(ctx, func(q *sqlc.Queries) error {
			_, err := audit.Append(ctx, q, audit.Event{Chain: chain, Actor: "system", Action: "test.event", Entity: chain, Data: map[string]any{"i": i}})
			return err
		}))
	}

	code, out, _ := runGrants(t, env, "audit verify")
	require.Equal(t, 0, code, out)
	require.Equal(t, "1 chains, 4 events, 4 sealed: all intact (checkpoint: --checkpoint 4)\n", out)

	// A different key (GRANTS_AUDIT_KEY wins over the derived one) finds every seal forged.
	code, out, _ = runGrants(t, append(env, "GRANTS_AUDIT_KEY=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="), "audit verify")
	require.Equal(t, 1, code)
	require.Contains(t, out, chain+" seq 1: its seal (log gseq 1) is not valid (forged)\n")

	// The owner deletes an event, with the append-only trigger set aside.
	_, err = store.Pool.Exec(ctx, `BEGIN; SET LOCAL session_replication_role = replica;
		DELETE FROM audit_events WHERE chain = '`+chain+`' AND seq = 2; COMMIT`)
	require.NoError(t, err)
	code, out, errOut := runGrants(t, env, "audit verify")
	require.Equal(t, 1, code, errOut)
	require.Equal(t, chain+" seq 3: comes after seq 1: events missing\n"+
		chain+" seq 3: does not link to the event before it (prev_hash)\n"+
		chain+" seq 2: sealed but missing (deleted)\n", out)
	require.Contains(t, errOut, "audit log does not verify: 3 findings")

	// A rolled-back log is found with the checkpoint of an earlier run.
	code, out, _ = runGrants(t, env, "audit verify --checkpoint 5")
	require.Equal(t, 1, code)
	require.Contains(t, out, "log: only 4 sealed events, fewer than the checkpoint 5 (rolled back)\n")

	// Without a key, verify refuses to run.
	code, _, errOut = runGrants(t, []string{env[0], "GRANTS_ENCRYPTION_KEY=", "GRANTS_AUDIT_KEY="}, "audit verify")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "GRANTS_AUDIT_KEY is not set")
}
