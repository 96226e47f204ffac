// Command grants is the grant-management system: one binary with
// subcommands for the API server, the Temporal worker, migrations, the
// all-in-one dev stack and admin tasks. See `grants help`.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/civicgrants/grants/platform/config"
)

const usage = `grants — grant management for small community funds

Usage:
  grants serve                 HTTP server: JSON API (/api/v1), web UI, /healthz, /readyz, /metrics
  grants worker                Temporal worker and outbox dispatcher
  grants migrate               apply database migrations
  grants dev [--addr A] [--data-dir D]
                               everything in one process on a private PostgreSQL, Temporal dev server
                               and stripe-mock
  grants users add --email E --name N [--roles manager,chair,assessor,finance,caseworker,admin]
                               create a user; the password is read from standard input
  grants audit verify [--checkpoint N]
                               check every audit chain, seal and signed head; exit 1 listing findings
  grants audit sign-legacy     seal the audit events written before sealing existed (once, after upgrading)
  grants documents migrate [--from DIR] [--verify]
                               copy the local document store (default GRANTS_DOCUMENTS_DIR) into the object
                               store of GRANTS_DOCUMENTS_URL (s3://…); skips documents already there and
                               checks each one's SHA-256; --verify also re-reads those already there
  grants export 360giving [--csv] [--since YYYY-MM-DD] [--programme CODE] [--out FILE]
                               every accepted grant as 360Giving data (JSON, or its flat CSV), progress on
                               stderr, then the programmes left out and any data-quality findings
  grants bench [--scenarios rush,lifecycle,reads] [--clients 50,200] [--applications K] [--duration D]
               [--pprof DIR] [--api URL --database-url URL --temporal-address HOST:PORT]
                               load scenarios (deadline rush, lifecycle, reads) against a stack of their own
                               (as grants dev's) or a running one; one summary line per scenario on stdout
  grants stripe-event TYPE key=value…
                               sign a test Stripe event with GRANTS_STRIPE_WEBHOOK_SECRET and post it
                               to the local webhook (account.updated organisation=…, transfer.reversed
                               payment=…, payout.failed account=…)

Configuration comes from the environment; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log) // for the packages that log without being handed a logger
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, cfg, log)
	case "worker":
		err = work(ctx, cfg, log)
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "dev":
		err = dev(ctx, cfg, log, args)
	case "users":
		err = users(ctx, cfg, log, args)
	case "audit":
		err = auditCmd(ctx, cfg, args)
	case "documents":
		err = documentsCmd(ctx, cfg, args, os.Stdout, os.Stderr, isTerminal(os.Stderr))
	case "export":
		err = exportCmd(ctx, cfg, log, args, os.Stdout, os.Stderr, isTerminal(os.Stderr))
	case "bench":
		err = benchCmd(ctx, cfg, args, os.Stdout, os.Stderr)
	case "stripe-event":
		err = stripeEvent(ctx, cfg, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		log.Error("grants "+os.Args[1]+" failed", "err", err)
		stop()
		os.Exit(1)
	}
}
