// Package organisation owns the rules for the community groups that apply for
// grants: their legal forms, the London local authority they are based in,
// their address and the identifiers (charity and company numbers) that tell
// one organisation from another.
//
// It is pure: it validates and normalises what a client sends and derives the
// identity keys used for conflict-of-interest checks. Storage, membership and
// the host organisation's existence and consent are the caller's business.
package organisation
