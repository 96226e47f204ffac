package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/platform/config"
)

// users handles `grants users add`.
func users(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: grants users add --email E --name N [--roles r1,r2] (password on standard input)")
	}
	fs := flag.NewFlagSet("users add", flag.ContinueOnError)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	roles := fs.String("roles", "", "comma-separated staff roles: manager, chair, assessor, finance, caseworker, admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, "Password: ")
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && pw == "" {
		return fmt.Errorf("read password: %w", err)
	}
	a, store, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	var rs []string
	if *roles != "" {
		rs = strings.Split(*roles, ",")
	}
	u, err := a.CreateUser(ctx, app.RegisterInput{Email: *email, Name: *name, Password: strings.TrimRight(pw, "\r\n")}, rs)
	if err != nil {
		return err
	}
	fmt.Printf("created %s %s roles=%v\n", u.ID, u.Email, u.Roles)
	return nil
}

// requireAuditKey is the audit signer, or an error without an audit key:
// serve, worker and the audit commands cannot go on without one.
func requireAuditKey(cfg config.Config) (*audit.Signer, error) {
	s, err := auditSigner(cfg)
	if err == nil && s == nil {
		err = errNoAuditKey
	}
	return s, err
}

// auditUsage is the usage of `grants audit`.
const auditUsage = `usage: grants audit verify [--checkpoint N] | grants audit sign-legacy
  verify       check every chain and seal; exit 1 listing what is wrong
  --checkpoint N   the log held N sealed events when last verified: fewer now is a finding
  sign-legacy  seal the events written before sealing existed (once, after upgrading)`

// auditCmd handles `grants audit verify` and `grants audit sign-legacy`.
func auditCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	checkpoint := fs.Int64("checkpoint", 0, "the number of sealed events the log held when last verified")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || (args[0] != "verify" && args[0] != "sign-legacy") {
		return errors.New(auditUsage)
	}
	signer, err := requireAuditKey(cfg)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	if args[0] == "sign-legacy" {
		chains, events, err := signer.SealLegacy(ctx, store)
		fmt.Printf("sealed %d events in %d chains\n", events, chains)
		return err
	}
	return auditVerify(ctx, signer, store.Queries, *checkpoint, os.Stdout, os.Stderr)
}

// errAuditFindings is a log that did not verify.
var errAuditFindings = errors.New("audit log does not verify")

// auditVerify runs `grants audit verify`: the findings (or a summary line
// when there are none) on out, progress on progress.
func auditVerify(ctx context.Context, signer *audit.Signer, q *sqlc.Queries, checkpoint int64, out, progress io.Writer) error {
	r, err := signer.VerifyLog(ctx, q, checkpoint, func(n int64) { fmt.Fprintf(progress, "\rverified %d events", n) })
	fmt.Fprintln(progress)
	if err != nil {
		return err
	}
	if !r.Sound() {
		for _, f := range r.Findings {
			fmt.Fprintln(out, f)
		}
		return fmt.Errorf("%w: %d findings in %d chains, %d events, %d sealed", errAuditFindings, len(r.Findings), r.Chains, r.Events, r.Sealed)
	}
	fmt.Fprintf(out, "%d chains, %d events, %d sealed: all intact (checkpoint: --checkpoint %d)\n", r.Chains, r.Events, r.Sealed, r.Sealed)
	return nil
}
