// Command testenv runs a command inside a throwaway test environment: an
// ephemeral private PostgreSQL cluster, an in-memory Temporal dev server,
// a stripe-mock (bin/stripe-mock, built by `make bin/stripe-mock`) and a
// Mailpit (bin/mailpit, `make bin/mailpit`), all stopped and removed when
// the command ends.
//
//	go run ./cmd/testenv -- go test ./...
//
// The command gets, besides this process's environment:
//
//   - GRANTS_TEST_DATABASE_URL: the cluster's `postgres` database, as
//     superuser (db/dbtest clones per-test databases from it);
//   - GRANTS_TEST_TEMPORAL_ADDRESS: the dev server's frontend, namespace
//     "default" (workflows/wftest);
//   - GRANTS_SQLC_DATABASE_URL: a database `sqlc_vet` with every migration
//     applied, for `sqlc vet`;
//   - GRANTS_TEST_STRIPE_API_BASE: the stripe-mock's base URL
//     (payments/stripetest.APIBase);
//   - GRANTS_TEST_SMTP_URL: the Mailpit's SMTP server as a
//     GRANTS_SMTP_URL, smtp://127.0.0.1:<port>?tls=none, and
//     GRANTS_TEST_MAILPIT_URL: its web UI and API, http://127.0.0.1:<port>
//     (platform/mailpit/mailpittest.Shared). Its chaos triggers are
//     enabled but off; every test of the run shares it.
//
// SIGINT and SIGTERM are passed on to the command; testenv exits with the
// command's exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/platform/pgcluster"
	"github.com/civicgrants/grants/platform/stripemock"
	"github.com/civicgrants/grants/platform/temporaldev"
)

// Environment variables handed to the command.
const (
	envDatabaseURL     = "GRANTS_TEST_DATABASE_URL"
	envTemporalAddress = "GRANTS_TEST_TEMPORAL_ADDRESS"
	envSqlcDatabaseURL = "GRANTS_SQLC_DATABASE_URL"
	envStripeAPIBase   = "GRANTS_TEST_STRIPE_API_BASE"
	envSMTPURL         = "GRANTS_TEST_SMTP_URL"
	envMailpitURL      = "GRANTS_TEST_MAILPIT_URL"
	sqlcDatabase       = "sqlc_vet"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("prog", "testenv")
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: testenv -- command [args...]")
		return 2
	}

	// Signals during set-up abort it; during the command they are passed on.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()

	env, stop, err := start(ctx, log)
	defer stop()
	if err != nil {
		log.Error("set up test environment", "err", err)
		return 1
	}
	cancel() // set-up done: the command handles signals from here on

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		log.Error("start command", "err", err)
		return 127
	}
	exited := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-signals:
				_ = cmd.Process.Signal(sig)
			case <-exited:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(exited)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	default:
		log.Error("run command", "err", err)
		return 1
	}
}

// start brings up PostgreSQL, Temporal, stripe-mock and Mailpit side by side and
// returns the environment for the command and a function that stops and
// removes everything (also after a partial start).
func start(ctx context.Context, log *slog.Logger) (env []string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "grants-testenv-*")
	if err != nil {
		return nil, func() {}, fmt.Errorf("temp dir: %w", err)
	}
	var (
		cluster *pgcluster.Cluster
		server  *temporaldev.Server
		mock    *stripemock.Server
		mail    *mailpit.Server
		pgErr   error
		tErr    error
		smErr   error
		mpErr   error
		wg      sync.WaitGroup
	)
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		if mail != nil {
			wg.Go(func() {
				if err := mail.Stop(ctx); err != nil {
					log.Warn("stop Mailpit", "err", err)
				}
			})
		}
		if mock != nil {
			wg.Go(func() {
				if err := mock.Stop(ctx); err != nil {
					log.Warn("stop stripe-mock", "err", err)
				}
			})
		}
		if server != nil {
			wg.Go(func() {
				if err := server.Stop(ctx); err != nil {
					log.Warn("stop Temporal", "err", err)
				}
			})
		}
		if cluster != nil {
			wg.Go(func() {
				if err := cluster.Stop(ctx); err != nil {
					log.Warn("stop PostgreSQL", "err", err)
				}
				if cluster.Dir() != dir {
					_ = os.RemoveAll(cluster.Dir())
				}
			})
		}
		wg.Wait()
		_ = os.RemoveAll(dir)
	}

	wg.Go(func() {
		cluster, pgErr = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: log, Ephemeral: true})
		if pgErr != nil {
			return
		}
		if pgErr = cluster.EnsureDatabase(ctx, sqlcDatabase); pgErr != nil {
			return
		}
		if pgErr = db.MigrateURL(ctx, cluster.URL(sqlcDatabase)); pgErr != nil {
			pgErr = fmt.Errorf("migrate %s: %w", sqlcDatabase, pgErr)
		}
	})
	wg.Go(func() {
		server, tErr = temporaldev.Start(ctx, temporaldev.Options{Logger: log})
	})
	wg.Go(func() {
		mock, smErr = stripemock.Start(ctx, stripemock.Options{Logger: log})
	})
	wg.Go(func() {
		mail, mpErr = mailpit.Start(ctx, mailpit.Options{Logger: log})
	})
	wg.Wait()
	if err := errors.Join(pgErr, tErr, smErr, mpErr); err != nil {
		return nil, stop, err
	}
	return []string{
		envDatabaseURL + "=" + cluster.URL("postgres"),
		envTemporalAddress + "=" + server.Address(),
		envSqlcDatabaseURL + "=" + cluster.URL(sqlcDatabase),
		envStripeAPIBase + "=" + mock.URL(),
		envSMTPURL + "=" + mail.SMTPURL(),
		envMailpitURL + "=" + mail.URL(),
	}, stop, nil
}
