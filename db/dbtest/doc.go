// Package dbtest gives each test its own PostgreSQL database, cloned from a
// template database migrated with the embedded migrations (the pgtestdb
// idea: a clone takes a fraction of a second, a migration much longer).
//
// The server is the one `make test` (cmd/testenv) started, named by
// GRANTS_TEST_DATABASE_URL (a URL of its `postgres` database, connecting as
// a superuser), or else one ephemeral private cluster per test binary
// (platform/pgcluster), started on first use. A package that uses dbtest
// calls Main from its TestMain, so that cluster is stopped and removed when
// the tests end:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// The template is named after a hash of the migrations
// (tmpl_<12 hex digits>) and built once per server under an advisory lock,
// so test binaries running in parallel against one server share it. Every
// test database is dropped when its test ends.
package dbtest
