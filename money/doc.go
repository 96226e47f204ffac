// Package money owns amounts of money as people type and read them: the one
// rule for reading an amount in pounds ("2500", "2,500", "£2,500.50") as
// exact pence, and the formatters that write pence back for pages
// ("£2,500.50"), for form fields ("2500.50"), for messages ("£2,500.00") and
// for bank files and CSV exports ("2500.50").
//
// Amounts are int64 pence throughout; nothing here uses floating point.
// The package does no I/O and knows nothing of HTTP: callers choose the
// words they show for each refusal (the errors are sentinels to test with
// errors.Is).
package money
