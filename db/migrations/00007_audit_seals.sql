-- +goose Up
-- Audit that survives its owner (issue 12). Every audit event is sealed
-- with an HMAC-SHA256 whose key never enters the database (GRANTS_AUDIT_KEY,
-- or derived from GRANTS_ENCRYPTION_KEY), so someone with the owner's rights
-- can still change rows but cannot make `grants audit verify` accept them.
-- The seals are written by the application just before its transaction
-- commits (audit.Signer.Seal, installed as db.Store.BeforeCommit).

-- One seal per event. gseq numbers every sealed event of every chain
-- 1, 2, 3, ... with no gaps, so deleting a sealed event (or a whole chain)
-- leaves a hole; mac = HMAC(key, gseq, chain, seq, hash).
CREATE TABLE audit_seals (
    gseq  bigint PRIMARY KEY CHECK (gseq > 0),
    chain text   NOT NULL,
    seq   bigint NOT NULL,
    hash  bytea  NOT NULL,
    mac   bytea  NOT NULL,
    CONSTRAINT audit_seals_chain_seq UNIQUE (chain, seq)
);

-- The head of each chain: its last event's seq and hash, signed
-- (mac = HMAC(key, chain, seq, hash)). Append sets seq and hash with mac
-- NULL and pending_from the first event of this transaction; the seal
-- before commit signs it. A transaction cannot commit an unsigned head.
CREATE TABLE audit_heads (
    chain        text PRIMARY KEY,
    seq          bigint NOT NULL,
    hash         bytea  NOT NULL,
    mac          bytea,
    pending_from bigint
);
CREATE INDEX audit_heads_unsigned ON audit_heads (chain) WHERE mac IS NULL;

-- The head of the whole log: how many events are sealed, signed
-- (mac = HMAC(key, n)). Its row lock orders the seals.
CREATE TABLE audit_log (
    id  int PRIMARY KEY CHECK (id = 1),
    n   bigint NOT NULL CHECK (n >= 0),
    mac bytea
);
INSERT INTO audit_log (id, n) VALUES (1, 0);

-- A tripwire for a process without the key (not a defence: the owner can
-- drop it): a head left unsigned fails the commit.
-- +goose StatementBegin
CREATE FUNCTION audit_heads_signed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_heads WHERE chain = NEW.chain AND mac IS NULL) THEN
        RAISE EXCEPTION 'audit chain % was appended to but not sealed: this process has no audit key', NEW.chain
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER audit_heads_signed AFTER INSERT OR UPDATE ON audit_heads
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_heads_signed();

-- Seals are append-only, like audit_events.
-- +goose StatementBegin
CREATE FUNCTION audit_seals_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_seals is append-only';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_seals_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_seals_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP TABLE audit_heads;
DROP FUNCTION audit_heads_signed();
DROP TABLE audit_seals;
DROP FUNCTION audit_seals_append_only();
