package main

import (
	"testing"

	"github.com/civicgrants/grants/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
