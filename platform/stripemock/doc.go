// Package stripemock runs stripe-mock (Stripe's stateless API mock, built
// into bin/ by `make bin/stripe-mock`) as a child process, for the dev
// stack (`grants dev`) and for tests.
//
// It owns the mock's command line and when it counts as ready (it answers
// HTTP); finding the binary, the free port, its output and stopping it
// come from platform/childproc, so the process is killed by the kernel if
// this one dies. The mock checks request shapes against Stripe's API
// description but remembers nothing and ignores idempotency keys: tests
// that count transfers put a recording proxy in front of it
// (payments/stripetest).
package stripemock
