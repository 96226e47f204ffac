// Package interest decides who has an interest in an application: the
// people who may not judge it, pay it or otherwise act on it as staff.
//
// A person has an interest in an application when they are a member (any
// role) of its lead organisation, of the lead's host (for an unconstituted
// group) or of any organisation that matches a party to it (the lead, the
// host or a partner, matched as conflicts of interest are: by charity or
// company number, else by folded name, organisation.MatchKey); when they
// declared a conflict of interest with such an organisation; or when their
// declared affiliations name one. The rule is written once here and used
// by the use-case layer (403 before anything is sent), by the activities
// that write (against PostgreSQL, inside their transaction) and by the
// assignment of assessors; the workflows' validators check the list of
// interested staff that their snapshot carries.
package interest
