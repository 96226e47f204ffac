// Package mailpit runs Mailpit (a mail catcher, built into bin/ by `make
// bin/mailpit`) as a child process, for the dev stack (`grants dev`) and
// for tests, and reads what it caught through its HTTP API (Client).
//
// It owns Mailpit's command line and when it counts as ready (its SMTP
// server greets and its web server answers /readyz); finding the binary,
// free ports, its output and stopping it come from platform/childproc, so
// the process is killed by the kernel if this one dies. Mailpit accepts
// mail on plain SMTP (no TLS: the sender's URL says ?tls=none), with or
// without credentials, never relays it and never calls out (no version
// check, no reverse DNS). Its "chaos" triggers are enabled, so a test can
// make the SMTP server refuse a sender, a recipient or a login with a
// chosen code (Client.SetChaos); they apply to every message the
// instance receives, so a test that sets them starts its own Mailpit
// (mailpittest.Start).
package mailpit
