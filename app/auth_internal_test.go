package app

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// The stand-in hash of an unknown email costs what a real one does, so
// login takes as long either way.
func TestDummyHashCost(t *testing.T) {
	t.Parallel()
	cost, err := bcrypt.Cost(dummyHash)
	require.NoError(t, err)
	require.Equal(t, bcrypt.DefaultCost, cost)
}
