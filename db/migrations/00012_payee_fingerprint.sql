-- +goose Up
-- One definition of where a payment's money goes, as approvals are bound
-- to it (issue 12): under the manual provider a SHA-256 of the encrypted
-- bank details ('bank:<hex>', new with every save), under Stripe the
-- connected account ('stripe:<id>'); '' when there is nowhere to pay yet.
-- The payee of a payment and the payees of a payment-run file both read it
-- from here, so an approval and the file that pays it cannot disagree on
-- what "the same destination" means.
-- +goose StatementBegin
CREATE FUNCTION payee_fingerprint(provider text, details_enc bytea, stripe_account_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(CASE provider
                        WHEN 'manual' THEN 'bank:' || encode(sha256(details_enc), 'hex')
                        WHEN 'stripe' THEN 'stripe:' || stripe_account_id
                      END, '') $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION payee_fingerprint(text, bytea, text);
