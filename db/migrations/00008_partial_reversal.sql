-- +goose Up
-- Stripe reversals (issue 12): a transfer.reversed event is matched to the
-- payment by its provider reference (the transfer id), and how much Stripe
-- has reversed so far is kept. A whole reversal makes the payment
-- `reversed`; a partial one leaves it `paid` (the money did go out) with
-- reversed_pence > 0, so finance sees what came back and what did not.
ALTER TABLE payments
    ADD COLUMN reversed_pence bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT payments_reversed_pence CHECK (reversed_pence >= 0 AND reversed_pence <= amount_pence);
UPDATE payments SET reversed_pence = amount_pence WHERE status = 'reversed';
CREATE INDEX payments_provider_reference ON payments (provider_reference) WHERE provider_reference IS NOT NULL;

-- +goose Down
DROP INDEX payments_provider_reference;
ALTER TABLE payments
    DROP CONSTRAINT payments_reversed_pence,
    DROP COLUMN reversed_pence;
