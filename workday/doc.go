// Package workday owns working days in England and Wales: which civil
// dates are bank holidays (computed from the standing rules plus a table
// of the one-off changes the UK government made), and the arithmetic the
// service needs on them: the working day on or before a date (a reminder
// that would fall on a weekend or a bank holiday moves to the working day
// before) and adding working days (a first contact within N working days).
//
// Dates are civil dates in Europe/London, represented by Date (year, month,
// day: no clock, no zone), so a date never shifts by an hour across a
// clock change. DateOf gives an instant's London date and Date.At the
// instant of a London clock time on a date. The London zone comes from the
// system's zone database, or from the copy embedded in the binary (time/tzdata)
// on a machine without one.
//
// The package does no I/O and never reads the clock, so workflows may call
// it: every answer depends only on its arguments.
package workday
