package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/audit"
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
	roles := fs.String("roles", "", "comma-separated staff roles: manager, chair, assessor, finance")
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

// auditCmd handles `grants audit verify`.
func auditCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: grants audit verify")
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	chains, err := store.AuditChains(ctx)
	if err != nil {
		return fmt.Errorf("list chains: %w", err)
	}
	var broken []error
	events := 0
	for i, chain := range chains {
		n, err := audit.Verify(ctx, store.Queries, chain)
		events += n
		if err != nil {
			broken = append(broken, err)
		}
		fmt.Fprintf(os.Stderr, "\rverifying %d/%d chains", i+1, len(chains))
	}
	fmt.Fprintln(os.Stderr)
	if len(broken) > 0 {
		return errors.Join(broken...)
	}
	fmt.Printf("%d chains, %d events: all intact\n", len(chains), events)
	return nil
}
