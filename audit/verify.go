package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
)

// Finding is one problem VerifyLog or VerifyChain found.
type Finding struct {
	Chain string // the chain, or "" for the log as a whole
	Seq   int64  // the event's seq in its chain (or the log's gseq); 0: the chain as a whole
	ToSeq int64  // with Seq, the last of a run of events with the same problem; 0: one event
	What  string
}

// String is f on one line: "<chain> seq <n>: <what>" ("log" for the log).
func (f Finding) String() string {
	where := f.Chain
	if where == "" {
		where = "log"
	}
	switch {
	case f.Seq > 0 && f.ToSeq > f.Seq:
		return fmt.Sprintf("%s seq %d-%d: %s", where, f.Seq, f.ToSeq, f.What)
	case f.Seq > 0:
		return fmt.Sprintf("%s seq %d: %s", where, f.Seq, f.What)
	default:
		return fmt.Sprintf("%s: %s", where, f.What)
	}
}

// Report is the outcome of VerifyLog.
type Report struct {
	Chains   int   // chains with events
	Events   int64 // events read
	Sealed   int64 // seals read
	Findings []Finding
}

// Sound reports whether nothing was found.
func (r Report) Sound() bool { return len(r.Findings) == 0 }

// chainCheck follows one chain's events in seq order.
type chainCheck struct {
	chain    string
	next     int64  // the seq expected next
	prev     []byte // the previous event's stored hash
	last     sqlc.AuditEvent
	unsealed [2]int64 // a run of unsealed events [from, to]; from 0: none
	findings []Finding
}

func newChainCheck(chain string) *chainCheck {
	return &chainCheck{chain: chain, next: 1, prev: []byte{}}
}

func (c *chainCheck) add(seq int64, what string) {
	c.findings = append(c.findings, Finding{Chain: c.chain, Seq: seq, What: what})
}

// event checks ev against its predecessor and its own content, and, when
// sealHash is not nil, against the hash its seal vouches for (whether it
// has a seal at all is told by sealed).
func (c *chainCheck) event(ev sqlc.AuditEvent, sealHash []byte) {
	switch {
	case ev.Seq > c.next:
		c.add(ev.Seq, fmt.Sprintf("comes after seq %d: events missing", c.next-1))
	case ev.Seq < c.next:
		c.add(ev.Seq, "out of order")
	}
	if !bytes.Equal(ev.PrevHash, c.prev) {
		c.add(ev.Seq, "does not link to the event before it (prev_hash)")
	}
	canon, err := canonical(ev.Actor, ev.Action, ev.Entity, ev.Data, ev.At)
	if err != nil || !bytes.Equal(chainHash(ev.PrevHash, canon), ev.Hash) {
		c.add(ev.Seq, "content does not match its hash (edited)")
	}
	if sealHash != nil && !hmacEqual(sealHash, ev.Hash) {
		c.add(ev.Seq, "hash differs from the sealed hash (rewritten)")
	}
	c.next, c.prev, c.last = ev.Seq+1, ev.Hash, ev
}

// sealed records whether the event just passed to event has a seal.
func (c *chainCheck) sealed(ok bool) {
	seq := c.last.Seq
	if ok {
		c.flushUnsealed()
		return
	}
	if c.unsealed[0] != 0 && c.unsealed[1] == seq-1 {
		c.unsealed[1] = seq
		return
	}
	c.flushUnsealed()
	c.unsealed = [2]int64{seq, seq}
}

func (c *chainCheck) flushUnsealed() {
	if c.unsealed[0] == 0 {
		return
	}
	f := Finding{Chain: c.chain, Seq: c.unsealed[0], What: "not sealed (forged, or written before sealing: see `grants audit sign-legacy`)"}
	if c.unsealed[1] > c.unsealed[0] {
		f.ToSeq = c.unsealed[1]
	}
	c.findings = append(c.findings, f)
	c.unsealed = [2]int64{}
}

// end checks the chain's signed head (nil: none) against its last event.
func (c *chainCheck) end(s *Signer, head *sqlc.AuditHead, anySealed bool) {
	c.flushUnsealed()
	switch {
	case head == nil && anySealed:
		c.add(0, "its signed head is missing (deleted)")
	case head == nil:
	case head.Mac == nil || !hmacEqual(head.Mac, s.headMAC(head.Chain, head.Seq, head.Hash)):
		c.add(0, fmt.Sprintf("its head (seq %d) is not validly signed (forged)", head.Seq))
	case c.last.Seq < head.Seq:
		c.add(c.last.Seq+1, fmt.Sprintf("missing: the signed head is seq %d but the chain ends at seq %d (truncated)", head.Seq, c.last.Seq))
	case c.last.Seq > head.Seq:
		c.add(head.Seq+1, fmt.Sprintf("after the signed head (seq %d): forged", head.Seq))
	case !bytes.Equal(c.last.Hash, head.Hash):
		c.add(c.last.Seq, "differs from the signed head (rewritten)")
	}
}

// VerifyChain checks one chain: every hash recomputes, prev_hash links,
// seq runs 1..n, every event is sealed with a valid MAC matching its hash,
// and the signed head is the last event. It reads the whole chain.
func (s *Signer) VerifyChain(ctx context.Context, q *sqlc.Queries, chain string) ([]Finding, error) {
	evs, err := q.AuditListByChain(ctx, chain)
	if err != nil {
		return nil, fmt.Errorf("read audit chain: %w", err)
	}
	seals, err := q.AuditSealsByChain(ctx, chain)
	if err != nil {
		return nil, fmt.Errorf("read audit seals: %w", err)
	}
	var head *sqlc.AuditHead
	switch h, err := q.AuditHeadGet(ctx, chain); {
	case err == nil:
		head = &h
	case errors.Is(err, db.ErrNotFound):
	default:
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	c := newChainCheck(chain)
	bySeq := make(map[int64]sqlc.AuditSeal, len(seals))
	for _, sl := range seals {
		bySeq[sl.Seq] = sl
		if !hmacEqual(sl.Mac, s.eventMAC(sl.Gseq, sl.Chain, sl.Seq, sl.Hash)) {
			c.add(sl.Seq, "its seal is not valid (forged)")
		}
	}
	for _, ev := range evs {
		sl, ok := bySeq[ev.Seq]
		var sh []byte
		if ok {
			sh = sl.Hash
			delete(bySeq, ev.Seq)
		}
		c.event(ev, sh)
		c.sealed(ok)
	}
	for seq := range bySeq {
		c.add(seq, "sealed but missing (deleted)")
	}
	c.end(s, head, len(seals) > 0)
	return c.findings, nil
}

// PageSize is how many rows VerifyLog reads per query.
const PageSize = 5000

// VerifyLog checks the whole log, streaming it a page at a time: the seals
// in log order (gseq 1..n with no gaps, each MAC valid, n equal to the
// signed log head and not below checkpoint), then every chain as
// VerifyChain does, then that no seal lost its event and no signed head
// lost its chain. progress, if not nil, is called with the number of
// events read so far.
func (s *Signer) VerifyLog(ctx context.Context, q *sqlc.Queries, checkpoint int64, progress func(events int64)) (Report, error) {
	var r Report
	add := func(f Finding) { r.Findings = append(r.Findings, f) }

	// 1. The seals, in log order.
	var after int64
	for {
		page, err := q.AuditSealPage(ctx, sqlc.AuditSealPageParams{After: after, PageSize: PageSize})
		if err != nil {
			return r, fmt.Errorf("read audit seals: %w", err)
		}
		for _, sl := range page {
			if sl.Gseq != after+1 {
				add(Finding{Seq: after + 1, ToSeq: sl.Gseq - 1, What: "sealed events missing from the log (deleted)"})
			}
			if !hmacEqual(sl.Mac, s.eventMAC(sl.Gseq, sl.Chain, sl.Seq, sl.Hash)) {
				add(Finding{Chain: sl.Chain, Seq: sl.Seq, What: fmt.Sprintf("its seal (log gseq %d) is not valid (forged)", sl.Gseq)})
			}
			after = sl.Gseq
			r.Sealed++
		}
		if len(page) < PageSize {
			break
		}
	}
	logHead, err := q.AuditLogGet(ctx)
	if err != nil {
		return r, fmt.Errorf("read audit log head: %w", err)
	}
	switch {
	case logHead.N == 0 && logHead.Mac == nil:
	case logHead.Mac == nil || !hmacEqual(logHead.Mac, s.logMAC(logHead.N)):
		add(Finding{What: fmt.Sprintf("its head (%d sealed events) is not validly signed (forged)", logHead.N)})
	}
	switch {
	case after < logHead.N:
		add(Finding{Seq: after + 1, ToSeq: logHead.N, What: fmt.Sprintf("sealed events missing: the signed head counts %d, the log ends at %d (truncated)", logHead.N, after)})
	case after > logHead.N:
		add(Finding{Seq: logHead.N + 1, ToSeq: after, What: fmt.Sprintf("seals after the signed head (%d): forged", logHead.N)})
	}
	if logHead.N < checkpoint {
		add(Finding{What: fmt.Sprintf("only %d sealed events, fewer than the checkpoint %d (rolled back)", logHead.N, checkpoint)})
	}

	// 2. Every chain, in (chain, seq) order, with its signed head.
	var (
		c          *chainCheck
		anySealed  bool
		afterChain string
		afterSeq   int64
		matched    int64
		heads      = map[string]sqlc.AuditHead{}
	)
	finish := func() {
		if c == nil {
			return
		}
		var head *sqlc.AuditHead
		if h, ok := heads[c.chain]; ok {
			head = &h
		}
		c.end(s, head, anySealed)
		r.Findings = append(r.Findings, c.findings...)
		r.Chains++
	}
	for {
		page, err := q.AuditEventPage(ctx, sqlc.AuditEventPageParams{AfterChain: afterChain, AfterSeq: afterSeq, PageSize: PageSize})
		if err != nil {
			return r, fmt.Errorf("read audit events: %w", err)
		}
		var names []string
		for i, row := range page {
			if i == 0 || row.Chain != page[i-1].Chain {
				names = append(names, row.Chain)
			}
		}
		hs, err := q.AuditHeadsOf(ctx, names)
		if err != nil {
			return r, fmt.Errorf("read audit heads: %w", err)
		}
		for _, h := range hs {
			heads[h.Chain] = h
		}
		for _, row := range page {
			if c == nil || row.Chain != c.chain {
				finish()
				if c != nil {
					delete(heads, c.chain)
				}
				c, anySealed = newChainCheck(row.Chain), false
			}
			ev := sqlc.AuditEvent{Chain: row.Chain, Seq: row.Seq, At: row.At, Actor: row.Actor, Action: row.Action,
				Entity: row.Entity, Data: row.Data, PrevHash: row.PrevHash, Hash: row.Hash}
			sealed := row.SealGseq != nil
			var sh []byte
			if sealed {
				sh, anySealed = row.SealHash, true
				matched++
			}
			c.event(ev, sh)
			c.sealed(sealed)
			r.Events++
			afterChain, afterSeq = row.Chain, row.Seq
		}
		if progress != nil {
			progress(r.Events)
		}
		if len(page) < PageSize {
			break
		}
	}
	finish()
	lost, err := q.AuditHeadsWithoutEvents(ctx)
	if err != nil {
		return r, fmt.Errorf("read audit heads: %w", err)
	}
	for _, h := range lost {
		add(Finding{Chain: h.Chain, What: fmt.Sprintf("its signed head is at seq %d but it has no events (deleted)", h.Seq)})
	}

	// 3. Seals whose event is gone (a truncated chain also shows here).
	if matched < r.Sealed {
		orphans, err := q.AuditSealsOrphaned(ctx)
		if err != nil {
			return r, fmt.Errorf("read orphaned seals: %w", err)
		}
		for _, o := range orphans {
			add(Finding{Chain: o.Chain, Seq: o.Seq, What: "sealed but missing (deleted)"})
		}
	}
	return r, nil
}
