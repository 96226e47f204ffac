// Package payments owns the Stripe side of disbursements: creating Connect
// Express accounts for grantee organisations and their onboarding links,
// sending a tranche as a Transfer under the attempt's idempotency key,
// finding a transfer made by an attempt that was interrupted before it
// recorded its reference, telling errors retrying will not fix
// (PermanentError) from transient ones, and verifying and parsing Stripe's
// webhook events.
//
// Everything talks to Stripe through the small Stripe interface, so
// activities can be tested against a fake; StripeClient is the real one,
// built with its own backend and key (never stripe-go's globals) and
// pointed at stripe-mock in tests and in `grants dev`.
//
// Payable and Approved are the one rule of payee integrity: a payment is
// sent, or written into a payment-run file, only to the payee, destination
// and amount that each of its approvals approved.
//
// Money is integer pence throughout. The subpackages own the manual
// provider: bank (bank details, parsed, masked and encrypted at rest) and
// bacs (the payment-run CSV file).
package payments
