package app

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A ranking cursor reads back as written, whatever its keyset, running
// total and rank; one from another key, or changed anywhere, is refused.
func TestRankCursorRoundTrip(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, Config{}, slog.New(slog.DiscardHandler))
	at := time.Date(2027, 2, 1, 9, 30, 15, 123456000, time.UTC)
	for _, c := range []rankCursor{
		{key: -10000, submitted: &at, id: "app_01h00000000000000000000000", running: 0, position: 1},
		{key: 1, id: "app_01h00000000000000000000000", running: 123456789, position: 100000},
		{key: -7333, submitted: &at, id: "app_zzzzzzzzzzzzzzzzzzzzzzzzzz", running: 5, position: 50},
	} {
		s := a.encodeRankCursor(c)
		got, ok := a.decodeRankCursor(s)
		require.True(t, ok, s)
		require.Equal(t, c.key, got.key)
		require.Equal(t, c.id, got.id)
		require.Equal(t, c.running, got.running)
		require.Equal(t, c.position, got.position)
		require.Equal(t, c.submitted == nil, got.submitted == nil)
		if c.submitted != nil {
			require.True(t, c.submitted.Equal(*got.submitted))
		}
		for i := range s {
			b := []byte(s)
			b[i] ^= 1
			_, ok := a.decodeRankCursor(string(b))
			require.False(t, ok, "changed at %d: %s", i, b)
		}
	}
	other := New(nil, nil, Config{EncryptionKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, slog.New(slog.DiscardHandler))
	_, ok := other.decodeRankCursor(a.encodeRankCursor(rankCursor{key: 1, id: "app_01h00000000000000000000000", position: 1}))
	require.False(t, ok, "signed with another key")
}

// FuzzRankCursor: no input makes the decoder panic, and whatever it
// accepts is within range and encodes back to itself.
func FuzzRankCursor(f *testing.F) {
	a := New(nil, nil, Config{}, slog.New(slog.DiscardHandler))
	f.Add(a.encodeRankCursor(rankCursor{key: -5000, id: "app_01h00000000000000000000000", running: 10, position: 3}))
	f.Add("")
	f.Add(".")
	f.Add("bm90IGEgY3Vyc29y.AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := a.decodeRankCursor(s)
		if !ok {
			return
		}
		require.GreaterOrEqual(t, c.key, int64(-10000))
		require.LessOrEqual(t, c.key, int64(1))
		require.GreaterOrEqual(t, c.running, int64(0))
		require.GreaterOrEqual(t, c.position, 1)
		again, ok := a.decodeRankCursor(a.encodeRankCursor(c))
		require.True(t, ok)
		require.Equal(t, c.id, again.id)
	})
}
