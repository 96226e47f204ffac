package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/platform/config"
)

const documentsUsage = "usage: grants documents migrate [--from DIR] [--verify]"

// documentsCmd handles `grants documents migrate`: it copies the local
// document store (--from, default GRANTS_DOCUMENTS_DIR) into the object
// store of GRANTS_DOCUMENTS_URL, showing its progress on stderr (a bar when
// tty, else a line per percent) and what it did on stdout.
func documentsCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer, tty bool) error {
	if len(args) == 0 || args[0] != "migrate" {
		return errors.New(documentsUsage)
	}
	fs := flag.NewFlagSet("documents migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", cfg.DocumentsDir, "the local document directory to copy (GRANTS_DOCUMENTS_DIR)")
	verify := fs.Bool("verify", false, "also read back the documents already in the bucket and replace any that do not match their SHA-256")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(documentsUsage)
	}
	if cfg.DocumentsS3 == nil {
		return errors.New("GRANTS_DOCUMENTS_URL is not an s3://bucket/prefix URL: set it, with GRANTS_S3_ENDPOINT and the credentials, to the object store to copy into")
	}
	if info, err := os.Stat(*from); err != nil || !info.IsDir() {
		return fmt.Errorf("%s is not a document directory (--from, GRANTS_DOCUMENTS_DIR)", *from)
	}
	local, err := document.NewStore(*from)
	if err != nil {
		return err
	}
	bucket, err := document.NewS3Store(*cfg.DocumentsS3)
	if err != nil {
		return err
	}
	if err := bucket.Check(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "copying %s into %s\n", *from, bucket)
	bar := &progressBar{w: stderr, tty: tty}
	res, err := document.Migrate(ctx, local, bucket, *verify, bar.update)
	bar.done()
	fmt.Fprintf(stdout, "copied %d documents (%s), %d already there\n", res.Copied, megabytes(res.Bytes), res.Skipped)
	if err != nil {
		return err
	}
	if n := len(res.Corrupt); n > 0 {
		return fmt.Errorf("%d local documents do not match their SHA-256 and were not copied (restore them from a backup): %s",
			n, strings.Join(res.Corrupt, ", "))
	}
	return nil
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progressBar shows a long job's progress (a copy, an export): on a
// terminal, one bar redrawn in place; elsewhere (a log), one plain line
// each time the percentage changes, and one when the last item is done.
type progressBar struct {
	w     io.Writer
	tty   bool
	label string // names the job on log lines ("documents" when empty)
	last  string
}

// barWidth is the number of cells of the bar.
const barWidth = 30

func (b *progressBar) update(p document.MigrateProgress) {
	pct := 100
	if p.TotalBytes > 0 {
		pct = int(p.Bytes * 100 / p.TotalBytes)
	}
	b.show(pct, fmt.Sprintf("%d/%d documents, %s of %s", p.Docs, p.TotalDocs, megabytes(p.Bytes), megabytes(p.TotalBytes)), p.Docs == p.TotalDocs)
}

// count shows done of total items.
func (b *progressBar) count(done, total int64, items string) {
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	b.show(pct, fmt.Sprintf("%d/%d %s", done, total, items), done >= total)
}

// show draws pct with counts; last marks the final item.
func (b *progressBar) show(pct int, counts string, last bool) {
	if !b.tty {
		if key := fmt.Sprint(pct, last); key != b.last { // and once more when the last is done
			b.last = key
			label := b.label
			if label == "" {
				label = "documents"
			}
			fmt.Fprintf(b.w, "%s: %3d%% (%s)\n", label, pct, counts)
		}
		return
	}
	filled := pct * barWidth / 100
	line := fmt.Sprintf("\r[%s%s] %3d%%  %s", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled), pct, counts)
	if line != b.last {
		b.last = line
		fmt.Fprint(b.w, line)
	}
}

// done ends the bar's line.
func (b *progressBar) done() {
	if b.tty && b.last != "" {
		fmt.Fprintln(b.w)
	}
}

// megabytes formats n bytes in MB (2^20 bytes, as the upload limits are
// written).
func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
