package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/platform/config"
)

const exportUsage = "usage: grants export 360giving [--csv] [--since YYYY-MM-DD] [--programme CODE] [--out FILE]"

// exportOptions are the flags of `grants export 360giving`.
type exportOptions struct {
	csv       bool
	since     *time.Time
	programme string
	out       string // "" or "-": stdout
}

// parseExportArgs reads `360giving [flags]`.
func parseExportArgs(args []string, stderr io.Writer) (exportOptions, error) {
	var o exportOptions
	if len(args) == 0 || args[0] != "360giving" {
		return o, errors.New(exportUsage)
	}
	fs := flag.NewFlagSet("export 360giving", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.csv, "csv", false, "write 360Giving's flat CSV instead of JSON")
	since := fs.String("since", "", "only grants modified on or after this date (YYYY-MM-DD)")
	fs.StringVar(&o.programme, "programme", "", "only this programme (its code)")
	fs.StringVar(&o.out, "out", "", "write to this file (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, errors.New(exportUsage)
	}
	if *since != "" {
		t, err := time.Parse(time.DateOnly, *since)
		if err != nil {
			return o, fmt.Errorf("--since %q is not a date: use YYYY-MM-DD", *since)
		}
		o.since = &t
	}
	return o, nil
}

// exportCmd handles `grants export 360giving`: every accepted grant as
// 360Giving data (as a manager would download it), its progress on stderr.
func exportCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer, tty bool) error {
	o, err := parseExportArgs(args, stderr)
	if err != nil {
		return err
	}
	a, store, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	return export360Giving(ctx, a, o, stdout, stderr, tty)
}

// operator is who the CLI acts as: the person running it holds the
// database's credentials, so a manager's export is theirs.
var operator = app.Actor{Name: "grants export", Roles: []string{app.RoleManager}}

// export360Giving writes the export to o.out (or stdout), then lists on
// stderr what it could not publish well: programmes left out for want of
// a 360Giving prefix, and the data-quality findings of grants it wrote.
func export360Giving(ctx context.Context, a *app.App, o exportOptions, stdout, stderr io.Writer, tty bool) error {
	e, err := a.Export360Giving(ctx, operator, app.GivingQuery{Programme: o.programme, Since: o.since})
	if err != nil {
		return err
	}
	bar := &progressBar{w: stderr, tty: tty, label: "grants"}
	progress := func(n int) { bar.count(int64(n), e.Total, "grants") }
	write := e.WriteJSON
	if o.csv {
		write = e.WriteCSV
	}
	var rep app.GivingReport
	err = writeOut(o.out, stdout, func(w io.Writer) (err error) {
		rep, err = write(ctx, w, progress)
		return err
	})
	if e.Total == 0 {
		bar.count(0, 0, "grants")
	}
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d grants\n", rep.Written)
	for _, code := range rep.Unpublishable {
		fmt.Fprintf(stderr, "left out: programme %s has no 360Giving prefix (set giving_prefix)\n", code)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(stderr, "finding: %s %s: %s\n", f.GrantID, f.Check, f.Message)
	}
	if more := rep.FindingCount - len(rep.Findings); more > 0 {
		fmt.Fprintf(stderr, "… and %d more findings\n", more)
	}
	return nil
}

// writeOut runs write on the file at path (made or emptied), or on stdout
// for "" or "-", and closes the file.
func writeOut(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path) //nolint:gosec // G304: the operator names this file (--out); writing it is the point
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	err = write(f)
	if cerr := f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	return err
}
