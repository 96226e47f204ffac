// Package audit appends events to the append-only, hash-chained audit log,
// seals them with a key kept outside the database, and verifies the log.
// Each case has its own chain (application:<id>, round:<id>, ...): an
// event's hash is sha256(previous hash || canonical JSON of the event),
// where canonical JSON has its object keys sorted. A Signer seals every
// event and chain head before its transaction commits (see Signer.Seal),
// so that someone with the database owner's rights cannot edit, delete,
// truncate, reorder or forge events without VerifyLog noticing.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
)

// Event is one thing that happened to an entity.
type Event struct {
	Chain  string    // the case, e.g. application:app_...
	Actor  string    // a user id, or "system"
	Action string    // e.g. application.submitted
	Entity string    // the object changed, e.g. application:app_...
	Data   any       // any JSON-encodable detail
	At     time.Time // when; truncated to microseconds
}

// Canonical returns the canonical JSON that is hashed for e.
func Canonical(e Event) ([]byte, error) {
	raw, err := json.Marshal(e.Data)
	if err != nil {
		return nil, fmt.Errorf("encode audit data: %w", err)
	}
	return canonical(e.Actor, e.Action, e.Entity, raw, e.At)
}

func canonical(actor, action, entity string, data []byte, at time.Time) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode audit data: %w", err)
	}
	return json.Marshal(map[string]any{ // encoding/json sorts map keys at every level
		"action": action,
		"actor":  actor,
		"at":     at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		"data":   v,
		"entity": entity,
	})
}

func chainHash(prev, canon []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(canon)
	return h.Sum(nil)
}

// Append adds e to its chain. Call it inside the transaction that makes the
// change it records (db.Store.InTx); appends to one chain are serialised by
// an advisory lock. The event is sealed by the store's BeforeCommit hook
// (Signer.Seal); a transaction whose store has none fails to commit.
func Append(ctx context.Context, q *sqlc.Queries, e Event) (sqlc.AuditEvent, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.Data == nil {
		e.Data = map[string]any{}
	}
	raw, err := json.Marshal(e.Data)
	if err != nil {
		return sqlc.AuditEvent{}, fmt.Errorf("encode audit data: %w", err)
	}
	canon, err := canonical(e.Actor, e.Action, e.Entity, raw, e.At)
	if err != nil {
		return sqlc.AuditEvent{}, err
	}
	if err := q.AuditLock(ctx, e.Chain); err != nil {
		return sqlc.AuditEvent{}, fmt.Errorf("lock audit chain: %w", err)
	}
	prev := []byte{}
	seq := int64(1)
	last, err := q.AuditLast(ctx, e.Chain)
	switch {
	case err == nil:
		prev, seq = last.Hash, last.Seq+1
	case errors.Is(err, db.ErrNotFound):
	default:
		return sqlc.AuditEvent{}, fmt.Errorf("read audit chain: %w", err)
	}
	ev, err := q.AuditInsert(ctx, sqlc.AuditInsertParams{
		Chain: e.Chain, Seq: seq, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity,
		Data: raw, PrevHash: prev, Hash: chainHash(prev, canon),
	})
	if err != nil {
		return sqlc.AuditEvent{}, fmt.Errorf("append audit event: %w", err)
	}
	if err := q.AuditHeadSet(ctx, sqlc.AuditHeadSetParams{Chain: ev.Chain, Seq: ev.Seq, Hash: ev.Hash}); err != nil {
		return sqlc.AuditEvent{}, fmt.Errorf("move audit head: %w", err)
	}
	return ev, nil
}

// ErrBroken is a chain whose stored hashes do not match its events.
var ErrBroken = errors.New("audit chain broken")

// Verify recomputes every hash of chain and reports the first mismatch. It
// checks the hashes only, which anyone who can write the table can
// recompute; Signer.VerifyChain and Signer.VerifyLog also check the seals.
func Verify(ctx context.Context, q *sqlc.Queries, chain string) (int, error) {
	events, err := q.AuditListByChain(ctx, chain)
	if err != nil {
		return 0, fmt.Errorf("read audit chain: %w", err)
	}
	prev := []byte{}
	for i, ev := range events {
		if ev.Seq != int64(i+1) || !bytes.Equal(ev.PrevHash, prev) {
			return i, fmt.Errorf("%w: %s event %d does not follow its predecessor", ErrBroken, chain, ev.Seq)
		}
		canon, err := canonical(ev.Actor, ev.Action, ev.Entity, ev.Data, ev.At)
		if err != nil {
			return i, err
		}
		if !bytes.Equal(chainHash(prev, canon), ev.Hash) {
			return i, fmt.Errorf("%w: %s event %d hash mismatch", ErrBroken, chain, ev.Seq)
		}
		prev = ev.Hash
	}
	return len(events), nil
}
