// Package bacs owns the payment-run file of the manual provider: the CSV
// that finance uploads to the bank to pay a run of approved payments by
// BACS (sort_code, account_number, account_name, amount, reference).
//
// Names and references are reduced to the characters BACS accepts, which
// also means no cell can start a spreadsheet formula; amounts are written
// in pounds from integer pence, never through floating point.
package bacs
