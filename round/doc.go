// Package round owns the definition of a funding round as a manager posts it
// (POST /rounds, DESIGN §7): dates, budget, tiers, eligibility, form,
// assessment criteria, timeline, report form and payment schedule. It
// decodes and encodes the JSON body, fills in defaults, checks every field
// with the JSON path a client sees, and answers questions about a round such
// as its status at a given time or the tier an amount falls in.
//
// The package does no I/O: whether the programme or the assessors exist is
// checked by the caller.
package round
