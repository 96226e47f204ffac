package app

import (
	"errors"
	"fmt"
)

// Kind classifies an Error for the transports.
type Kind int

// The kinds of error a use case reports; each maps onto one HTTP status.
const (
	KindInternal        Kind = iota // 500
	KindMalformed                   // 400 malformed_request
	KindUnauthenticated             // 401 unauthenticated
	KindForbidden                   // 403 forbidden
	KindNotFound                    // 404 not_found
	KindConflict                    // 409 conflict, version_conflict, invalid_state, not_ready
	KindTooLarge                    // 413 too_large
	KindUnsupported                 // 415 unsupported_media_type
	KindInvalid                     // 422 validation_failed
	KindRateLimited                 // 429 rate_limited
	KindUnavailable                 // 503 unavailable
)

// Error is a use-case failure a client may see: a stable code, a human
// message and, for invalid input, every problem keyed by field path.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter int // seconds, for not_ready, rate_limited and unavailable
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Constructors for the common cases.

// ErrUnauthenticated is a missing, unknown or expired credential.
var ErrUnauthenticated = &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Message: "Sign in to continue"}

func forbidden(msg string) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: msg}
}

func notFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

func invalidState(msg string) *Error {
	return &Error{Kind: KindConflict, Code: "invalid_state", Message: msg}
}

func conflict(msg string) *Error {
	return &Error{Kind: KindConflict, Code: "conflict", Message: msg}
}

func versionConflict() *Error {
	return &Error{Kind: KindConflict, Code: "version_conflict",
		Message: "This application was changed by someone else; reload it and try again"}
}

// Invalid is a 422 listing every problem by field.
func Invalid(fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Message: "Check the highlighted fields", Fields: fields}
}

// Malformed is a 400 for a body that is not the JSON expected.
func Malformed(msg string, fields map[string]string) *Error {
	return &Error{Kind: KindMalformed, Code: "malformed_request", Message: msg, Fields: fields}
}

func tooLarge(msg string) *Error {
	return &Error{Kind: KindTooLarge, Code: "too_large", Message: msg}
}

func unsupported(msg string) *Error {
	return &Error{Kind: KindUnsupported, Code: "unsupported_media_type", Message: msg}
}

// RateLimited is a 429 telling the client when to try again.
func RateLimited(retryAfter int) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: "Too many attempts; wait and try again", RetryAfter: retryAfter}
}

// notReady is a 409 for a case whose workflow has not started yet
// (normally for less than a second after submission).
func notReady(msg string) *Error {
	return &Error{Kind: KindConflict, Code: "not_ready", Message: msg, RetryAfter: 1}
}

// Unavailable is a 503: a service the use case needs (Temporal) did not
// answer in time; the client may try again after retryAfter seconds.
func Unavailable(retryAfter int) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", RetryAfter: retryAfter,
		Message: "The service did not answer in time; read the resource again and retry shortly"}
}
