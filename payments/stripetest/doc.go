// Package stripetest is test support for code that talks to Stripe; only
// _test.go files import it.
//
// It owns two things: APIBase, which gives a test a stripe-mock to talk to
// (the one testenv started, or a private one), and Recorder, a proxy in
// front of stripe-mock that models what stripe-mock does not — idempotency
// keys answered from memory and transfers listed by transfer group — and
// counts calls, so tests can prove a payment is never sent twice.
package stripetest
