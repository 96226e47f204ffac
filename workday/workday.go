package workday

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zone database
)

// London is the Europe/London time zone, in which every Date is a civil
// date.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("workday: load %s: %v", name, err)) // unreachable: the zone is embedded
	}
	return loc
}

// Date is a civil date in Europe/London. The zero Date is not a valid
// date; construct one with NewDate or DateOf.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised as time.Date normalises
// (31 April is 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, London))
}

// DateOf returns the London civil date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(London).Date()
	return Date{Year: y, Month: m, Day: d}
}

// noon is the date at midday in UTC, for calendar arithmetic that no clock
// change can disturb.
func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// At returns the instant of the London clock time h:m:s.ns on the date.
// In the hour the clocks skip it is the instant an hour later; in the hour
// they repeat, the first of the two (as time.Date does).
func (d Date) At(h, m, s, ns int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, m, s, ns, London)
}

// AddDays returns the date n calendar days after d (before it when n is
// negative).
func (d Date) AddDays(n int) Date {
	y, m, dd := d.noon().AddDate(0, 0, n).Date()
	return Date{Year: y, Month: m, Day: dd}
}

// Weekday returns the day of the week of the date.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.noon().Before(e.noon()) }

// String formats the date as 2006-01-02.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsWeekend reports whether the date is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// IsWorkingDay reports whether the date is a working day in England and
// Wales: neither a weekend nor a bank holiday.
func IsWorkingDay(d Date) bool { return !d.IsWeekend() && !IsBankHoliday(d) }

// OnOrBefore returns the working day on or before d: d itself when it is
// one, else the last working day before it.
func OnOrBefore(d Date) Date {
	for !IsWorkingDay(d) {
		d = d.AddDays(-1)
	}
	return d
}

// AddWorkingDays returns the date n working days after d (d itself is not
// counted, so from a Friday one working day is the next Monday, bank
// holidays aside), or n working days before it when n is negative. With n
// zero it returns d unchanged, working day or not.
func AddWorkingDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// ShiftBack moves an instant whose London date is not a working day to the
// same London clock time on the working day before; an instant on a
// working day is returned unchanged. This is when a reminder meant for t is
// sent: never later than t, and on a day someone is at work.
func ShiftBack(t time.Time) time.Time {
	d := DateOf(t)
	w := OnOrBefore(d)
	if w == d {
		return t
	}
	l := t.In(London)
	return w.At(l.Hour(), l.Minute(), l.Second(), l.Nanosecond())
}
