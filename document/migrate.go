package document

import (
	"context"
	"errors"
	"fmt"
)

// MigrateProgress is how far Migrate has gone: documents and bytes dealt
// with (copied or found already there) of all.
type MigrateProgress struct {
	Docs, TotalDocs   int
	Bytes, TotalBytes int64
}

// MigrateResult counts what Migrate did.
type MigrateResult struct {
	Copied  int      // documents sent to the bucket
	Skipped int      // documents the bucket held already
	Bytes   int64    // bytes sent
	Corrupt []string // local documents whose content does not match their name: not copied
}

// Migrate copies every document of the local store from into the bucket
// to, under the same SHA-256: documents already there are skipped (so it
// can be run again after an interruption, or while the old store is still
// in use), and every copied one is checked against its name while it
// streams (see S3Store.Import; verify checks those already there too). A
// corrupt local document is left out and listed; Migrate then goes on. It
// stops at the first error of the bucket. progress, if not nil, is called
// before the first document and as the copy advances.
func Migrate(ctx context.Context, from *Store, to *S3Store, verify bool, progress func(MigrateProgress)) (MigrateResult, error) {
	var docs []Local
	var p MigrateProgress
	if err := from.Walk(func(d Local) error {
		docs = append(docs, d)
		p.TotalBytes += d.Size
		return nil
	}); err != nil {
		return MigrateResult{}, fmt.Errorf("list %s: %w", from.Dir(), err)
	}
	p.TotalDocs = len(docs)
	report := func() {
		if progress != nil {
			progress(p)
		}
	}
	report()
	var res MigrateResult
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		start := p.Bytes
		sent, err := to.Import(ctx, d, verify, func(n int) {
			p.Bytes += int64(n)
			report()
		})
		p.Bytes = start + d.Size
		p.Docs++
		switch {
		case errors.Is(err, ErrCorrupt):
			res.Corrupt = append(res.Corrupt, d.SHA256)
		case err != nil:
			return res, err
		case sent:
			res.Copied++
			res.Bytes += d.Size
		default:
			res.Skipped++
		}
		report()
	}
	return res, nil
}
