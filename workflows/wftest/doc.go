// Package wftest gives tests a real Temporal server: the one `make test`
// (cmd/testenv) started, named by GRANTS_TEST_TEMPORAL_ADDRESS, or else one
// in-memory dev server per test binary, started on first use.
//
// A package that uses it calls Main from its TestMain, so the server it may
// have started is stopped when the tests end:
//
//	func TestMain(m *testing.M) { wftest.Main(m) }
//
// Tests share the namespace "default"; each takes its own task queue from
// TaskQueue so that workers of parallel tests never steal each other's tasks.
// Workflow unit tests that need no server use go.temporal.io/sdk/testsuite.
package wftest
