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

-- name: AuditChains :many
SELECT DISTINCT chain FROM audit_events ORDER BY chain;
