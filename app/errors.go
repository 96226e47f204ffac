package app

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/civicgrants/grants/db"
)

// Kind classifies an Error for the transports.
type Kind int

// The kinds of error a use case reports; each maps onto one HTTP status
// (Kind.Status) and one stable code (Kind.Code).
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

// kinds is the one error-to-status rule (DESIGN §7): the HTTP status of
// each kind, on both faces (the API's JSON error and the web's page), and
// the kind's stable code (KindConflict's errors may carry a finer one:
// version_conflict, invalid_state, not_ready).
var kinds = map[Kind]struct {
	status int
	code   string
}{
	KindInternal:        {http.StatusInternalServerError, "internal"},
	KindMalformed:       {http.StatusBadRequest, "malformed_request"},
	KindUnauthenticated: {http.StatusUnauthorized, "unauthenticated"},
	KindForbidden:       {http.StatusForbidden, "forbidden"},
	KindNotFound:        {http.StatusNotFound, "not_found"},
	KindConflict:        {http.StatusConflict, "conflict"},
	KindTooLarge:        {http.StatusRequestEntityTooLarge, "too_large"},
	KindUnsupported:     {http.StatusUnsupportedMediaType, "unsupported_media_type"},
	KindInvalid:         {http.StatusUnprocessableEntity, "validation_failed"},
	KindRateLimited:     {http.StatusTooManyRequests, "rate_limited"},
	KindUnavailable:     {http.StatusServiceUnavailable, "unavailable"},
}

// Status is the HTTP status of an error of kind k; an unknown kind is 500.
func (k Kind) Status() int {
	if v, ok := kinds[k]; ok {
		return v.status
	}
	return http.StatusInternalServerError
}

// Code is the stable code of an error of kind k; an unknown kind is
// "internal".
func (k Kind) Code() string {
	if v, ok := kinds[k]; ok {
		return v.code
	}
	return "internal"
}

// StatusOf is the HTTP status for err: its *Error's kind's, or 500 for
// any other error (nil included, which no caller should pass).
func StatusOf(err error) int {
	if e, ok := AsError(err); ok {
		return e.Kind.Status()
	}
	return http.StatusInternalServerError
}

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

// AsError returns the *Error in err's chain, if any; a database that
// could not be reached (db.ErrUnavailable) is a 503 unavailable, so a
// client retries rather than reading a 500 as a bug.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	if errors.Is(err, db.ErrUnavailable) {
		return dbUnavailable(), true
	}
	return nil, false
}

// dbUnavailableRetryAfter is the Retry-After, in seconds, of a request
// that found the database unreachable (a restart takes seconds).
const dbUnavailableRetryAfter = 2

func dbUnavailable() *Error {
	return &Error{Kind: KindUnavailable, Code: KindUnavailable.Code(), RetryAfter: dbUnavailableRetryAfter,
		Message: "The service is briefly unavailable; nothing was lost. Try again in a moment"}
}

// Constructors for the common cases.

// ErrUnauthenticated is a missing, unknown or expired credential.
var ErrUnauthenticated = &Error{Kind: KindUnauthenticated, Code: KindUnauthenticated.Code(), Message: "Sign in to continue"}

func forbidden(msg string) *Error {
	return &Error{Kind: KindForbidden, Code: KindForbidden.Code(), Message: msg}
}

func notFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: KindNotFound.Code(), Message: what + " not found"}
}

func invalidState(msg string) *Error {
	return &Error{Kind: KindConflict, Code: "invalid_state", Message: msg}
}

func conflict(msg string) *Error {
	return &Error{Kind: KindConflict, Code: KindConflict.Code(), Message: msg}
}

func versionConflict() *Error {
	return &Error{Kind: KindConflict, Code: "version_conflict",
		Message: "This application was changed by someone else; reload it and try again"}
}

// Invalid is a 422 listing every problem by field.
func Invalid(fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Code: KindInvalid.Code(), Message: "Check the highlighted fields", Fields: fields}
}

// Malformed is a 400 for a body that is not the JSON expected.
func Malformed(msg string, fields map[string]string) *Error {
	return &Error{Kind: KindMalformed, Code: KindMalformed.Code(), Message: msg, Fields: fields}
}

func tooLarge(msg string) *Error {
	return &Error{Kind: KindTooLarge, Code: KindTooLarge.Code(), Message: msg}
}

func unsupported(msg string) *Error {
	return &Error{Kind: KindUnsupported, Code: KindUnsupported.Code(), Message: msg}
}

// RateLimited is a 429 telling the client when to try again.
func RateLimited(retryAfter int) *Error {
	return &Error{Kind: KindRateLimited, Code: KindRateLimited.Code(), Message: "Too many attempts; wait and try again", RetryAfter: retryAfter}
}

// notReady is a 409 for a case whose workflow has not started yet
// (normally for less than a second after submission).
func notReady(msg string) *Error {
	return &Error{Kind: KindConflict, Code: "not_ready", Message: msg, RetryAfter: 1}
}

// Unavailable is a 503: a service the use case needs (Temporal) did not
// answer in time; the client may try again after retryAfter seconds.
func Unavailable(retryAfter int) *Error {
	return &Error{Kind: KindUnavailable, Code: KindUnavailable.Code(), RetryAfter: retryAfter,
		Message: "The service did not answer in time; read the resource again and retry shortly"}
}
