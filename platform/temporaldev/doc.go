// Package temporaldev runs the Temporal CLI's development server
// (`temporal server start-dev`, built into bin/ by `make bin/temporal`) as a
// child process, for the dev stack (`grants dev`) and for tests.
//
// Every port is chosen free at start, so several servers can run side by
// side; the server is killed by the kernel if this process dies, and Stop
// shuts it down within a few seconds. The server keeps its state in a
// SQLite file, or in memory when none is given.
package temporaldev
