package linktoken_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/linktoken"
)

func TestTokenIsStableURLSafeAndKeyed(t *testing.T) {
	key := linktoken.DeriveKey([]byte("secret one"))
	other := linktoken.DeriveKey([]byte("secret two"))
	require.Len(t, key, linktoken.KeySize)
	require.NotEqual(t, key, other)
	n1, err := linktoken.NewNonce()
	require.NoError(t, err)
	n2, err := linktoken.NewNonce()
	require.NoError(t, err)
	require.False(t, bytes.Equal(n1, n2))

	tok := linktoken.Token(key, n1)
	require.Equal(t, tok, linktoken.Token(key, n1), "the same nonce gives the same token (a re-rendered e-mail)")
	require.NotEqual(t, tok, linktoken.Token(key, n2))
	require.NotEqual(t, tok, linktoken.Token(other, n1), "another key gives another token")
	require.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`), tok)
	require.True(t, linktoken.WellFormed(tok))
	require.Len(t, linktoken.Hash(tok), 32)
	require.NotEqual(t, linktoken.Hash(tok), linktoken.Hash(linktoken.Token(key, n2)))
}

func TestWellFormed(t *testing.T) {
	for s, want := range map[string]bool{
		"":    false,
		"abc": false,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":    true,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=":    false,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+":    false,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":   false,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x00a": false,
	} {
		require.Equal(t, want, linktoken.WellFormed(s), "%q", s)
	}
}

func FuzzWellFormed(f *testing.F) {
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if linktoken.WellFormed(s) {
			require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, s)
		}
	})
}
