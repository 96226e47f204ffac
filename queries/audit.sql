-- name: AuditLock :exec
-- Serialises appends to one chain for the rest of the transaction.
SELECT pg_advisory_xact_lock(hashtextextended(@chain::text, 0));

-- name: AuditLast :one
SELECT seq, hash FROM audit_events WHERE chain = @chain ORDER BY seq DESC LIMIT 1;

-- name: AuditInsert :one
INSERT INTO audit_events (chain, seq, at, actor, action, entity, data, prev_hash, hash)
VALUES (@chain, @seq, @at, @actor, @action, @entity, @data, @prev_hash, @hash)
RETURNING *;

-- name: AuditListByChain :many
SELECT * FROM audit_events WHERE chain = @chain ORDER BY seq;

-- name: AuditHeadSet :exec
-- Moves a chain's head to its new last event, unsigned until the seal
-- before commit; pending_from keeps the first event of this transaction.
INSERT INTO audit_heads (chain, seq, hash, mac, pending_from)
VALUES (@chain, @seq, @hash, NULL, @seq)
ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = NULL,
    pending_from = COALESCE(audit_heads.pending_from, EXCLUDED.pending_from);

-- name: AuditHeadsUnsigned :many
-- The heads this transaction moved and left unsigned: only its own row
-- versions (xmin), so that a head someone left unsigned outside the
-- application is never signed by it.
SELECT chain, seq, hash, pending_from FROM audit_heads
WHERE mac IS NULL AND xmin = pg_current_xact_id()::xid
ORDER BY chain;

-- name: AuditHeadSign :exec
UPDATE audit_heads SET mac = @mac, pending_from = NULL WHERE chain = @chain AND seq = @seq;

-- name: AuditHeadGet :one
SELECT * FROM audit_heads WHERE chain = @chain;

-- name: AuditEventsFrom :many
-- The events of chain from @from_seq on that this transaction inserted.
SELECT seq, hash FROM audit_events
WHERE chain = @chain AND seq >= @from_seq AND xmin = pg_current_xact_id()::xid
ORDER BY seq;

-- name: AuditLogLock :one
-- Locks the log head until commit: seals are numbered one transaction at a time.
SELECT n FROM audit_log WHERE id = 1 FOR UPDATE;

-- name: AuditLogSet :exec
UPDATE audit_log SET n = @n, mac = @mac WHERE id = 1;

-- name: AuditLogGet :one
SELECT n, mac FROM audit_log WHERE id = 1;

-- name: AuditSealInsert :exec
INSERT INTO audit_seals (gseq, chain, seq, hash, mac)
SELECT unnest(@gseqs::bigint[]), unnest(@chains::text[]), unnest(@seqs::bigint[]),
       unnest(@hashes::bytea[]), unnest(@macs::bytea[]);

-- name: AuditSealsByChain :many
SELECT * FROM audit_seals WHERE chain = @chain ORDER BY seq;

-- name: AuditSealPage :many
-- Seals in log order after gseq @after, a page at a time.
SELECT * FROM audit_seals WHERE gseq > @after ORDER BY gseq LIMIT @page_size;

-- name: AuditEventPage :many
-- Events with their seals in (chain, seq) order after (@after_chain,
-- @after_seq), a page at a time.
SELECT e.chain, e.seq, e.at, e.actor, e.action, e.entity, e.data, e.prev_hash, e.hash,
       s.gseq AS seal_gseq, s.hash AS seal_hash, s.mac AS seal_mac
FROM audit_events e
LEFT JOIN audit_seals s ON s.chain = e.chain AND s.seq = e.seq
WHERE (e.chain, e.seq) > (@after_chain::text, @after_seq::bigint)
ORDER BY e.chain, e.seq
LIMIT @page_size;

-- name: AuditHeadsOf :many
SELECT * FROM audit_heads WHERE chain = ANY(@chains::text[]);

-- name: AuditHeadsWithoutEvents :many
-- Signed heads whose chain has no events left.
SELECT h.* FROM audit_heads h
WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.chain = h.chain)
ORDER BY h.chain;

-- name: AuditSealsOrphaned :many
-- Seals whose event is gone.
SELECT s.gseq, s.chain, s.seq FROM audit_seals s
WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.chain = s.chain AND e.seq = s.seq)
ORDER BY s.chain, s.seq;

-- name: AuditUnsealedChains :many
-- Chains with events that have no seal (written before 00007, or forged).
SELECT DISTINCT e.chain FROM audit_events e
WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.chain = e.chain AND s.seq = e.seq)
ORDER BY e.chain;
