// Package stripemock runs stripe-mock (Stripe's stateless API mock, built
// into bin/ by `make bin/stripe-mock`) as a child process, for the dev
// stack (`grants dev`) and for tests.
//
// It owns finding the binary, picking a free port of 127.0.0.1, waiting
// until the mock answers HTTP, and stopping it; the process is killed by
// the kernel if this one dies (platform/childproc). The mock checks request
// shapes against Stripe's API description but remembers nothing and
// ignores idempotency keys: tests that count transfers put a recording
// proxy in front of it (payments/stripetest).
package stripemock
