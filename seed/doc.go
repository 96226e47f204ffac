// Package seed holds the demo data for `grants dev`: the two City Hall
// programmes, one realistic round definition for each (embedded JSON, the
// same body a manager would POST to /rounds), the demo staff and applicant
// users, and the applicant's demo charity.
//
// The package only describes the data; it does no I/O. The dev command loads
// it into the database once, setting each round's opens_at and closes_at so
// that the round is open when the stack starts.
package seed
