package activities

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/workday"
)

func TestLondonTime(t *testing.T) {
	t.Parallel()
	l := workday.London
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2027, 3, 12, 17, 0, 0, 0, time.UTC), "Friday 12 March 2027 at 5pm"},
		{time.Date(2027, 6, 4, 16, 30, 0, 0, time.UTC), "Friday 4 June 2027 at 5:30pm"},
		{time.Date(2027, 6, 4, 12, 0, 0, 0, l), "Friday 4 June 2027 at midday"},
		{time.Date(2027, 6, 4, 9, 5, 0, 0, l), "Friday 4 June 2027 at 9:05am"},
		{time.Date(2027, 3, 13, 0, 0, 0, 0, l), "Friday 12 March 2027 at 11:59pm"},
	} {
		require.Equal(t, tc.want, londonTime(tc.in))
	}
}
