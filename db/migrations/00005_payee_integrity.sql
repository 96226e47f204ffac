-- +goose Up
-- Payee integrity (issue 12): an approval approves a payment to a payee.
-- Each approval is bound to what the approver saw: the payee organisation
-- (the grantee, or the host of an unconstituted group), a fingerprint of
-- where the money goes (the Stripe account, or a SHA-256 of the encrypted
-- bank details, which changes whenever they are saved again) and the
-- amount. Sending and payment-run files pay only what every approval
-- names.

ALTER TABLE payment_approvals
    ADD COLUMN payee_organisation_id text REFERENCES organisations (id),
    ADD COLUMN payee_fingerprint     text,
    ADD COLUMN amount_pence          bigint;

-- Approvals from before this release are bound to what they approve now.
UPDATE payment_approvals a
SET payee_organisation_id = payee.id,
    payee_fingerprint = CASE p.provider
        WHEN 'manual' THEN 'bank:' || encode(sha256(b.details_enc), 'hex')
        ELSE 'stripe:' || payee.stripe_account_id END,
    amount_pence = p.amount_pence
FROM payments p
JOIN grants g ON g.id = p.grant_id
JOIN organisations o ON o.id = g.organisation_id
JOIN organisations payee ON payee.id = coalesce(o.host_organisation_id, o.id)
LEFT JOIN bank_accounts b ON b.organisation_id = payee.id
WHERE a.payment_id = p.id;

UPDATE payment_approvals SET payee_fingerprint = 'unknown' WHERE payee_fingerprint IS NULL;
UPDATE payment_approvals a SET amount_pence = 0 WHERE amount_pence IS NULL;

ALTER TABLE payment_approvals
    ALTER COLUMN payee_organisation_id SET NOT NULL,
    ALTER COLUMN payee_fingerprint SET NOT NULL,
    ALTER COLUMN amount_pence SET NOT NULL;

-- +goose Down
ALTER TABLE payment_approvals
    DROP COLUMN payee_organisation_id,
    DROP COLUMN payee_fingerprint,
    DROP COLUMN amount_pence;
