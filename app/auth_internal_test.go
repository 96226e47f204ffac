package app

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// The stand-in hash of an unknown email costs what a real one does, so
// login takes as long either way: the fixed one at the default cost, and
// one made at the configured cost when tests lower it.
func TestDummyHashCost(t *testing.T) {
	t.Parallel()
	for _, cost := range []int{0, bcrypt.DefaultCost, bcrypt.MinCost, 5} {
		a := New(nil, nil, Config{PasswordCost: cost}, slog.New(slog.DiscardHandler))
		got, err := bcrypt.Cost(a.dummyHash)
		require.NoError(t, err)
		want := cost
		if cost == 0 {
			want = bcrypt.DefaultCost
		}
		require.Equal(t, want, got, "cost %d", cost)
	}
	got, err := bcrypt.Cost(defaultDummyHash)
	require.NoError(t, err)
	require.Equal(t, bcrypt.DefaultCost, got)
}
