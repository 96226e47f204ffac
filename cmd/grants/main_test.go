package main

import (
	"os"
	"testing"

	"github.com/civicgrants/grants/db/dbtest"
)

// runAsGrants makes the test binary run as `grants` (its main), so tests
// start serve, worker, migrate and users as processes of their own, as a
// deployment runs them.
const runAsGrants = "GRANTS_TEST_RUN_AS_GRANTS"

func TestMain(m *testing.M) {
	if os.Getenv(runAsGrants) == "1" {
		main()
		os.Exit(0)
	}
	dbtest.Main(m)
}
