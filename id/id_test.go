package id

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNewSortsByTimeAndIsValid(t *testing.T) {
	t.Parallel()
	base := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 200 {
		ids = append(ids, newAt(Application, base.Add(time.Duration(i)*time.Millisecond)))
	}
	require.True(t, sort.StringsAreSorted(ids))
	seen := map[string]bool{}
	for _, s := range ids {
		require.True(t, Valid(Application, s), s)
		require.False(t, seen[s])
		seen[s] = true
	}
	require.False(t, Valid(Round, ids[0]))
	require.False(t, Valid(Application, ids[0]+"x"))
	require.False(t, Valid(Application, "app_../../../../etc/passwd0000"))
}
