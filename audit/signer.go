package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
)

// KeySize is the length in bytes of an audit key.
const KeySize = 32

// deriveLabel separates the audit key derived from the encryption key from
// every other use of that key.
const deriveLabel = "grants audit key v1"

// ParseKey decodes an audit key given as standard base64 of KeySize bytes
// (as `openssl rand -base64 32` prints).
func ParseKey(b64 string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("audit key: want %d bytes in standard base64", KeySize)
	}
	return key, nil
}

// DeriveKey derives an audit key from another secret (the bank-details
// encryption key), as HMAC-SHA256(secret, "grants audit key v1"), for
// installations that set no key of its own.
func DeriveKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(deriveLabel))
	return m.Sum(nil)
}

// Signer seals and verifies the audit log with a key kept outside the
// database. It holds no state but the key and is safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key (KeySize bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("audit key: want %d bytes, got %d", KeySize, len(key))
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Install makes s seal every transaction of store (db.Store.BeforeCommit)
// and returns store.
func (s *Signer) Install(store *db.Store) *db.Store {
	store.BeforeCommit = s.Seal
	return store
}

// MAC kinds, so that no MAC of one kind is ever valid as another.
const (
	kindEvent byte = 'e'
	kindHead  byte = 'h'
	kindLog   byte = 'l'
)

func (s *Signer) mac(kind byte, gseq int64, chain string, seq int64, hash []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	var b [8]byte
	m.Write([]byte("grants-audit-v1"))
	m.Write([]byte{0, kind})
	binary.BigEndian.PutUint64(b[:], uint64(gseq))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(len(chain)))
	m.Write(b[:])
	m.Write([]byte(chain))
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(len(hash)))
	m.Write(b[:])
	m.Write(hash)
	return m.Sum(nil)
}

// eventMAC seals the event (chain, seq) whose hash is hash as the gseq-th
// sealed event of the log.
func (s *Signer) eventMAC(gseq int64, chain string, seq int64, hash []byte) []byte {
	return s.mac(kindEvent, gseq, chain, seq, hash)
}

// headMAC signs a chain's head: its last event is seq with hash.
func (s *Signer) headMAC(chain string, seq int64, hash []byte) []byte {
	return s.mac(kindHead, 0, chain, seq, hash)
}

// logMAC signs the log's head: n events are sealed.
func (s *Signer) logMAC(n int64) []byte {
	return s.mac(kindLog, n, "", 0, nil)
}

// Seal signs what the transaction q belongs to appended to the audit log:
// each new event gets the next global sequence number and a MAC, each
// chain it touched a signed head, and the log a signed count. It is the
// store's BeforeCommit hook (see Install): it runs inside every
// transaction, after the work and before the commit, and does nothing
// (one indexed read) when nothing was appended. Seals are numbered one
// transaction at a time under the log head's row lock, held only from
// here to the commit. It seals only rows this transaction wrote (their
// xmin), never an event or head someone else left unsealed.
func (s *Signer) Seal(ctx context.Context, q *sqlc.Queries) error {
	heads, err := q.AuditHeadsUnsigned(ctx)
	if err != nil {
		return fmt.Errorf("read unsigned audit heads: %w", err)
	}
	if len(heads) == 0 {
		return nil
	}
	// What needs no sequence number is read and signed before the lock,
	// so every transaction that audits holds it for three statements
	// (lock, seals, log head) and the commit, whatever it appended.
	var p sqlc.AuditSealInsertParams
	for _, h := range heads {
		if h.PendingFrom == nil {
			return fmt.Errorf("seal audit chain %s: unsigned head with nothing pending", h.Chain)
		}
		evs, err := q.AuditEventsFrom(ctx, sqlc.AuditEventsFromParams{Chain: h.Chain, FromSeq: *h.PendingFrom})
		if err != nil {
			return fmt.Errorf("read audit chain %s: %w", h.Chain, err)
		}
		if len(evs) == 0 || evs[len(evs)-1].Seq != h.Seq || evs[len(evs)-1].Seq-evs[0].Seq != int64(len(evs)-1) {
			return fmt.Errorf("seal audit chain %s: its head is not the last of this transaction's events", h.Chain)
		}
		for _, ev := range evs {
			p.Chains = append(p.Chains, h.Chain)
			p.Seqs = append(p.Seqs, ev.Seq)
			p.Hashes = append(p.Hashes, ev.Hash)
		}
		err = q.AuditHeadSign(ctx, sqlc.AuditHeadSignParams{Chain: h.Chain, Seq: h.Seq, Mac: s.headMAC(h.Chain, h.Seq, h.Hash)})
		if err != nil {
			return fmt.Errorf("sign audit head %s: %w", h.Chain, err)
		}
	}
	n, err := q.AuditLogLock(ctx)
	if err != nil {
		return fmt.Errorf("lock audit log: %w", err)
	}
	for i := range p.Chains {
		n++
		p.Gseqs = append(p.Gseqs, n)
		p.Macs = append(p.Macs, s.eventMAC(n, p.Chains[i], p.Seqs[i], p.Hashes[i]))
	}
	if err := q.AuditSealInsert(ctx, p); err != nil {
		return fmt.Errorf("seal audit events: %w", err)
	}
	if err := q.AuditLogSet(ctx, sqlc.AuditLogSetParams{N: n, Mac: s.logMAC(n)}); err != nil {
		return fmt.Errorf("sign audit log: %w", err)
	}
	return nil
}

// ErrLegacyBroken is a chain SealLegacy refuses to seal because it does
// not verify as it stands.
var ErrLegacyBroken = errors.New("unsealed audit chain does not verify")

// SealLegacy seals the events written before sealing existed (migration
// 00007): for every chain with unsealed events whose hashes link and whose
// already-sealed events match their seals, it seals the unsealed events and
// signs the chain's head. It trusts the log as it stands, so run it once,
// right after upgrading; a fresh installation has nothing to seal. It
// returns how many chains and events it sealed; a chain that does not
// verify is left unsealed and reported in the joined error.
func (s *Signer) SealLegacy(ctx context.Context, store *db.Store) (chains, events int, err error) {
	names, err := store.AuditUnsealedChains(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("list unsealed chains: %w", err)
	}
	var errs []error
	for _, chain := range names {
		k := 0
		err := store.InTx(ctx, func(q *sqlc.Queries) error {
			var err error
			k, err = s.sealLegacyChain(ctx, q, chain)
			return err
		})
		if errors.Is(err, ErrLegacyBroken) {
			errs = append(errs, err)
			continue
		}
		if err != nil {
			return chains, events, err
		}
		chains++
		events += k
	}
	return chains, events, errors.Join(errs...)
}

func (s *Signer) sealLegacyChain(ctx context.Context, q *sqlc.Queries, chain string) (int, error) {
	if err := q.AuditLock(ctx, chain); err != nil {
		return 0, fmt.Errorf("lock audit chain: %w", err)
	}
	evs, err := q.AuditListByChain(ctx, chain)
	if err != nil {
		return 0, fmt.Errorf("read audit chain: %w", err)
	}
	seals, err := q.AuditSealsByChain(ctx, chain)
	if err != nil {
		return 0, fmt.Errorf("read audit seals: %w", err)
	}
	sealed := make(map[int64][]byte, len(seals))
	for _, sl := range seals {
		sealed[sl.Seq] = sl.Hash
	}
	c := newChainCheck(chain)
	for _, ev := range evs {
		c.event(ev, nil)
		if h, ok := sealed[ev.Seq]; ok && !hmacEqual(h, ev.Hash) {
			c.add(ev.Seq, "differs from its seal")
		}
	}
	if len(c.findings) > 0 {
		return 0, fmt.Errorf("%w: %s: %s", ErrLegacyBroken, chain, c.findings[0])
	}
	var todo []sqlc.AuditEvent
	for _, ev := range evs {
		if _, ok := sealed[ev.Seq]; !ok {
			todo = append(todo, ev)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	n, err := q.AuditLogLock(ctx)
	if err != nil {
		return 0, fmt.Errorf("lock audit log: %w", err)
	}
	var p sqlc.AuditSealInsertParams
	for _, ev := range todo {
		n++
		p.Gseqs = append(p.Gseqs, n)
		p.Chains = append(p.Chains, chain)
		p.Seqs = append(p.Seqs, ev.Seq)
		p.Hashes = append(p.Hashes, ev.Hash)
		p.Macs = append(p.Macs, s.eventMAC(n, chain, ev.Seq, ev.Hash))
	}
	if err := q.AuditSealInsert(ctx, p); err != nil {
		return 0, fmt.Errorf("seal audit events: %w", err)
	}
	last := evs[len(evs)-1]
	if err := q.AuditHeadSet(ctx, sqlc.AuditHeadSetParams{Chain: chain, Seq: last.Seq, Hash: last.Hash}); err != nil {
		return 0, fmt.Errorf("move audit head: %w", err)
	}
	if err := q.AuditHeadSign(ctx, sqlc.AuditHeadSignParams{Chain: chain, Seq: last.Seq, Mac: s.headMAC(chain, last.Seq, last.Hash)}); err != nil {
		return 0, fmt.Errorf("sign audit head: %w", err)
	}
	if err := q.AuditLogSet(ctx, sqlc.AuditLogSetParams{N: n, Mac: s.logMAC(n)}); err != nil {
		return 0, fmt.Errorf("sign audit log: %w", err)
	}
	return len(todo), nil
}

func hmacEqual(a, b []byte) bool { return hmac.Equal(a, b) }
