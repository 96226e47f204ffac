package workday_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/workday"
)

// d is a date in test tables.
func d(y int, m time.Month, day int) workday.Date { return workday.Date{Year: y, Month: m, Day: day} }

// The published gov.uk lists for England and Wales, substitutes and
// one-off changes included.
var published = map[int][]workday.Date{
	2019: {d(2019, 1, 1), d(2019, 4, 19), d(2019, 4, 22), d(2019, 5, 6), d(2019, 5, 27), d(2019, 8, 26), d(2019, 12, 25), d(2019, 12, 26)},
	2020: {d(2020, 1, 1), d(2020, 4, 10), d(2020, 4, 13), d(2020, 5, 8), d(2020, 5, 25), d(2020, 8, 31), d(2020, 12, 25), d(2020, 12, 28)},
	2021: {d(2021, 1, 1), d(2021, 4, 2), d(2021, 4, 5), d(2021, 5, 3), d(2021, 5, 31), d(2021, 8, 30), d(2021, 12, 27), d(2021, 12, 28)},
	2022: {d(2022, 1, 3), d(2022, 4, 15), d(2022, 4, 18), d(2022, 5, 2), d(2022, 6, 2), d(2022, 6, 3), d(2022, 8, 29), d(2022, 9, 19), d(2022, 12, 26), d(2022, 12, 27)},
	2023: {d(2023, 1, 2), d(2023, 4, 7), d(2023, 4, 10), d(2023, 5, 1), d(2023, 5, 8), d(2023, 5, 29), d(2023, 8, 28), d(2023, 12, 25), d(2023, 12, 26)},
	2024: {d(2024, 1, 1), d(2024, 3, 29), d(2024, 4, 1), d(2024, 5, 6), d(2024, 5, 27), d(2024, 8, 26), d(2024, 12, 25), d(2024, 12, 26)},
	2025: {d(2025, 1, 1), d(2025, 4, 18), d(2025, 4, 21), d(2025, 5, 5), d(2025, 5, 26), d(2025, 8, 25), d(2025, 12, 25), d(2025, 12, 26)},
	2026: {d(2026, 1, 1), d(2026, 4, 3), d(2026, 4, 6), d(2026, 5, 4), d(2026, 5, 25), d(2026, 8, 31), d(2026, 12, 25), d(2026, 12, 28)},
	2027: {d(2027, 1, 1), d(2027, 3, 26), d(2027, 3, 29), d(2027, 5, 3), d(2027, 5, 31), d(2027, 8, 30), d(2027, 12, 27), d(2027, 12, 28)},
	2028: {d(2028, 1, 3), d(2028, 4, 14), d(2028, 4, 17), d(2028, 5, 1), d(2028, 5, 29), d(2028, 8, 28), d(2028, 12, 25), d(2028, 12, 26)},
}

func TestBankHolidaysMatchThePublishedLists(t *testing.T) {
	t.Parallel()
	for y, want := range published {
		if diff := cmp.Diff(want, workday.BankHolidays(y)); diff != "" {
			t.Errorf("%d (-published +computed):\n%s", y, diff)
		}
		for _, h := range want {
			require.True(t, workday.IsBankHoliday(h), h)
			require.False(t, workday.IsWorkingDay(h), h)
		}
	}
	// The days the one-offs replaced are ordinary working days.
	for _, w := range []workday.Date{d(2020, 5, 4), d(2022, 5, 30), d(2012, 5, 28)} {
		require.True(t, workday.IsWorkingDay(w), w)
	}
}

func TestEaster(t *testing.T) {
	t.Parallel()
	for _, want := range []workday.Date{d(1818, 3, 22), d(1943, 4, 25), d(2000, 4, 23), d(2008, 3, 23), d(2019, 4, 21),
		d(2024, 3, 31), d(2025, 4, 20), d(2038, 4, 25), d(2285, 3, 22)} {
		require.Equal(t, want, workday.Easter(want.Year))
	}
}

func TestOnOrBeforeAndAddWorkingDays(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		from   workday.Date
		before workday.Date // OnOrBefore(from)
		n      int
		add    workday.Date // AddWorkingDays(from, n)
	}{
		{"a working day is its own", d(2027, 3, 10), d(2027, 3, 10), 2, d(2027, 3, 12)},
		{"Saturday to Friday", d(2027, 3, 13), d(2027, 3, 12), 1, d(2027, 3, 15)},
		{"Sunday to Friday", d(2027, 3, 14), d(2027, 3, 12), 0, d(2027, 3, 14)},
		{"Easter Monday to Maundy Thursday", d(2027, 3, 29), d(2027, 3, 25), 1, d(2027, 3, 30)},
		{"Good Friday to Thursday", d(2027, 3, 26), d(2027, 3, 25), -1, d(2027, 3, 25)},
		{"across Easter", d(2027, 3, 25), d(2027, 3, 25), 1, d(2027, 3, 30)},
		{"Christmas substitutes to Christmas Eve", d(2027, 12, 28), d(2027, 12, 24), 1, d(2027, 12, 29)},
		{"Boxing Day substitute 2026", d(2026, 12, 28), d(2026, 12, 24), -1, d(2026, 12, 24)},
		{"new year substitute 2028", d(2028, 1, 3), d(2027, 12, 31), 1, d(2028, 1, 4)},
		{"jubilee week 2022", d(2022, 6, 5), d(2022, 6, 1), 1, d(2022, 6, 6)},
		{"ten working days over Christmas", d(2026, 12, 18), d(2026, 12, 18), 10, d(2027, 1, 6)},
		{"backwards over Easter", d(2027, 4, 1), d(2027, 4, 1), -4, d(2027, 3, 24)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.before, workday.OnOrBefore(tc.from))
			require.Equal(t, tc.add, workday.AddWorkingDays(tc.from, tc.n))
		})
	}
}

func TestShiftBackKeepsTheLondonClockTime(t *testing.T) {
	t.Parallel()
	london := workday.London
	for _, tc := range []struct {
		name     string
		in, want time.Time
	}{
		{"a working day is unchanged", time.Date(2027, 3, 12, 17, 0, 0, 0, london), time.Date(2027, 3, 12, 17, 0, 0, 0, london)},
		{"Sunday 5pm to Friday 5pm", time.Date(2027, 3, 14, 17, 0, 0, 0, london), time.Date(2027, 3, 12, 17, 0, 0, 0, london)},
		{"Easter Monday over the clock change (GMT to BST)", time.Date(2027, 3, 29, 9, 30, 0, 0, london), time.Date(2027, 3, 25, 9, 30, 0, 0, london)},
		{"the London date counts, not UTC's: Saturday 00:30 BST is Friday in UTC", time.Date(2027, 6, 5, 0, 30, 0, 0, london), time.Date(2027, 6, 4, 0, 30, 0, 0, london)},
		{"Monday 00:30 BST is Sunday 23:30 UTC but a working day", time.Date(2027, 6, 7, 0, 30, 0, 0, london), time.Date(2027, 6, 7, 0, 30, 0, 0, london)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := workday.ShiftBack(tc.in.UTC())
			require.True(t, tc.want.Equal(got), "got %s, want %s", got.In(london), tc.want)
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	require.Equal(t, d(2027, 5, 1), workday.NewDate(2027, 4, 31))
	require.Equal(t, d(2027, 3, 27), workday.DateOf(time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC)), "GMT: the same date")
	require.Equal(t, d(2027, 7, 2), workday.DateOf(time.Date(2027, 7, 1, 23, 30, 0, 0, time.UTC)), "BST: the next date")
	require.Equal(t, "2027-03-05", d(2027, 3, 5).String())
	require.True(t, d(2027, 3, 5).Before(d(2027, 3, 6)))
	require.False(t, d(2027, 3, 5).Before(d(2027, 3, 5)))
	require.Equal(t, d(2028, 3, 1), d(2028, 2, 28).AddDays(2), "2028 is a leap year")
}

// OnOrBefore gives a working day, never after its input, within a week
// and a half (the longest run of non-working days is Christmas at a
// weekend, four days); it is idempotent; AddWorkingDays lands on a working
// day and undoes itself.
func FuzzOnOrBefore(f *testing.F) {
	for _, s := range []int64{0, 1, 7, 365, 10000, -400} {
		f.Add(s, int8(3))
	}
	base := d(2000, 1, 1)
	f.Fuzz(func(t *testing.T, offset int64, n int8) {
		from := base.AddDays(int(offset % 60000))
		got := workday.OnOrBefore(from)
		if !workday.IsWorkingDay(got) || from.Before(got) || got.Before(from.AddDays(-10)) {
			t.Fatalf("OnOrBefore(%s) = %s", from, got)
		}
		if again := workday.OnOrBefore(got); again != got {
			t.Fatalf("OnOrBefore not idempotent at %s: %s", got, again)
		}
		if workday.IsWorkingDay(from) != (got == from) {
			t.Fatalf("OnOrBefore(%s) = %s moved a working day or kept a holiday", from, got)
		}
		if n == 0 {
			return
		}
		fwd := workday.AddWorkingDays(got, int(n))
		if !workday.IsWorkingDay(fwd) || workday.AddWorkingDays(fwd, -int(n)) != got {
			t.Fatalf("AddWorkingDays(%s, %d) = %s does not undo", got, n, fwd)
		}
	})
}
