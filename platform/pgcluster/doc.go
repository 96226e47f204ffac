// Package pgcluster runs a private PostgreSQL cluster from the system's
// PostgreSQL binaries, for the dev stack (`grants dev`) and for tests.
//
// It owns the cluster's life: it runs initdb once on an empty directory,
// then starts `postgres` as a child process (never detached by pg_ctl) that
// the kernel kills if this process dies, listening only on a unix socket
// in a short directory under /tmp, and stops it with a fast shutdown.
//
// Run as root, the server runs as the `postgres` OS user. When that user
// cannot reach the requested directory (a parent is private to root, such
// as root's home or a t.TempDir), the cluster lives in a directory of its
// own under /var/tmp, keyed by the requested path, and Start logs where.
//
// The binaries are looked up in /usr/lib/postgresql/<highest>/bin, then via
// `pg_config --bindir`; on a machine without them, install Debian's
// `postgresql` package (`make postgres`).
package pgcluster
