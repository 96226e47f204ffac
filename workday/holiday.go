package workday

import (
	"slices"
	"sync"
	"time"
)

// The standing rules (the Banking and Financial Dealings Act 1971 and the
// royal proclamations made under it each year): New Year's Day, Good
// Friday, Easter Monday, the early May bank holiday (the first Monday in
// May), the spring bank holiday (the last Monday in May), the summer bank
// holiday (the last Monday in August), Christmas Day and Boxing Day. New
// Year's Day, Christmas Day and Boxing Day falling at a weekend are
// replaced by substitute days: the next weekdays not already bank holidays
// (Christmas on a Saturday: Monday 27 and Tuesday 28 December; on a
// Sunday: Boxing Day Monday 26, Christmas Tuesday 27).
//
// The rules date from 1978 (the early May holiday's first year); earlier
// years are answered by the same rules, which is not what was observed
// then.

// change is a one-off change proclaimed for one year: a standing holiday
// moved to another date (from set), or an extra holiday (from zero).
type change struct {
	from, to Date
	why      string
}

// changes are the one-off changes to the standing rules, as published on
// gov.uk. A new proclamation (a jubilee, a coronation, a state funeral) is
// a line here.
var changes = []change{
	{Date{1995, time.May, 1}, Date{1995, time.May, 8}, "early May bank holiday moved for the 50th anniversary of VE Day"},
	{Date{}, Date{1999, time.December, 31}, "millennium celebrations"},
	{Date{2002, time.May, 27}, Date{2002, time.June, 4}, "spring bank holiday moved for the Golden Jubilee"},
	{Date{}, Date{2002, time.June, 3}, "Golden Jubilee"},
	{Date{}, Date{2011, time.April, 29}, "royal wedding"},
	{Date{2012, time.May, 28}, Date{2012, time.June, 4}, "spring bank holiday moved for the Diamond Jubilee"},
	{Date{}, Date{2012, time.June, 5}, "Diamond Jubilee"},
	{Date{2020, time.May, 4}, Date{2020, time.May, 8}, "early May bank holiday moved for the 75th anniversary of VE Day"},
	{Date{2022, time.May, 30}, Date{2022, time.June, 2}, "spring bank holiday moved for the Platinum Jubilee"},
	{Date{}, Date{2022, time.June, 3}, "Platinum Jubilee"},
	{Date{}, Date{2022, time.September, 19}, "state funeral of Queen Elizabeth II"},
	{Date{}, Date{2023, time.May, 8}, "coronation of King Charles III"},
}

// cache holds each year's holidays once computed; the answers never
// change, so sharing them is safe.
var cache sync.Map // int → []Date

// BankHolidays returns the bank holidays in England and Wales in year y,
// in date order.
func BankHolidays(y int) []Date {
	if v, ok := cache.Load(y); ok {
		return slices.Clone(v.([]Date))
	}
	days := standing(y)
	for _, c := range changes {
		if c.to.Year != y {
			continue
		}
		if c.from != (Date{}) {
			days = slices.DeleteFunc(days, func(d Date) bool { return d == c.from })
		}
		days = append(days, c.to)
	}
	slices.SortFunc(days, func(a, b Date) int { return a.noon().Compare(b.noon()) })
	cache.Store(y, days)
	return slices.Clone(days)
}

// IsBankHoliday reports whether d is a bank holiday in England and Wales.
func IsBankHoliday(d Date) bool {
	v, ok := cache.Load(d.Year)
	if !ok {
		BankHolidays(d.Year)
		v, _ = cache.Load(d.Year)
	}
	return slices.Contains(v.([]Date), d)
}

// standing returns year y's holidays by the standing rules, substitutes
// included.
func standing(y int) []Date {
	easter := Easter(y)
	days := []Date{
		easter.AddDays(-2), // Good Friday
		easter.AddDays(1),  // Easter Monday
		firstMonday(y, time.May),
		lastMonday(y, time.May),
		lastMonday(y, time.August),
	}
	// Fixed days on a weekday stand; those at a weekend take the next
	// weekday not already a holiday, in order.
	var weekend []Date
	for _, d := range []Date{{y, time.January, 1}, {y, time.December, 25}, {y, time.December, 26}} {
		if d.IsWeekend() {
			weekend = append(weekend, d)
		} else {
			days = append(days, d)
		}
	}
	for _, d := range weekend {
		for d.IsWeekend() || slices.Contains(days, d) {
			d = d.AddDays(1)
		}
		days = append(days, d)
	}
	return days
}

// Easter returns Easter Sunday of year y in the Gregorian calendar (the
// anonymous Gregorian computus of Meeus, Jones and Butcher).
func Easter(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{y, time.Month(month), day}
}

// firstMonday is the first Monday of the month.
func firstMonday(y int, m time.Month) Date {
	d := Date{y, m, 1}
	for d.Weekday() != time.Monday {
		d = d.AddDays(1)
	}
	return d
}

// lastMonday is the last Monday of the month.
func lastMonday(y int, m time.Month) Date {
	d := Date{y, m + 1, 1}.AddDays(-1) // AddDays normalises month 13
	for d.Weekday() != time.Monday {
		d = d.AddDays(-1)
	}
	return d
}
