package payments

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v79"
)

// PermanentError is a Stripe failure that retrying will not fix, such as
// "insufficient funds in the platform balance" or a destination account
// that is not onboarded: the payment attempt fails and a person has to act.
// It wraps the *stripe.Error it came from, if any.
type PermanentError struct {
	// Op is what was being done, such as "transfer".
	Op string
	// Reason is Stripe's message (or ours when nothing was sent), fit to
	// show to finance staff.
	Reason string
	// Code is Stripe's error code, such as "balance_insufficient"; it may
	// be empty.
	Code string
	// Status is the HTTP status Stripe answered with; 0 when nothing was
	// sent.
	Status int
	// RequestID is Stripe's request id, for support and the logs.
	RequestID string
	// Credentials reports that Stripe refused the platform's own key
	// (401 authentication or 403 permission error): a fault of this
	// service's configuration, not of the payee, which only its operators
	// can mend. Reason then holds Stripe's message, for finance and the
	// logs, not for the payee.
	Credentials bool

	err error
}

// Error describes the failure with its code, status and request id.
func (e *PermanentError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString("permanent: ")
	b.WriteString(e.Reason)
	if d := details(e.Code, e.Status, e.RequestID); d != "" {
		b.WriteString(" (" + d + ")")
	}
	return b.String()
}

// Unwrap returns the *stripe.Error behind e, if any.
func (e *PermanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err, or an error it wraps, is a
// PermanentError, and returns it. Every other error from this package is
// transient: retrying with the same idempotency key is safe.
func IsPermanent(err error) (*PermanentError, bool) {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return pe, true
	}
	return nil, false
}

// transientError is a Stripe failure worth retrying: it names the
// operation and Stripe's request id without repeating stripe-go's JSON
// rendering of the error, which stays reachable through Unwrap.
type transientError struct {
	op, desc string
	err      error
}

func (e *transientError) Error() string { return e.op + ": " + e.desc }
func (e *transientError) Unwrap() error { return e.err }

// Stripe's error types for a refused key, which stripe-go no longer names.
const (
	errorTypeAuthentication stripe.ErrorType = "authentication_error"
	errorTypePermission     stripe.ErrorType = "permission_error"
)

// classify is the one place that decides whether a stripe-go error is
// permanent. Stripe rejecting the request itself (400, 402, 403, 404, an
// invalid_request_error or card_error) will not change on a retry, nor
// will Stripe refusing the platform's key (401 authentication, 403
// permission: marked Credentials, for the operators to mend rather than
// retried for ever); everything else — network failures, 5xx, 429 (rate
// limits, lock timeouts), 409 (the same idempotency key in flight) — is
// transient.
func classify(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", op, err)
	}
	credentials := se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden ||
		se.Type == errorTypeAuthentication || se.Type == errorTypePermission
	permanent := credentials
	switch se.HTTPStatusCode {
	case http.StatusBadRequest, http.StatusPaymentRequired, http.StatusForbidden, http.StatusNotFound:
		permanent = true
	case http.StatusUnauthorized:
	case http.StatusConflict, http.StatusTooManyRequests:
	default:
		if se.HTTPStatusCode < 500 {
			permanent = se.Type == stripe.ErrorTypeInvalidRequest || se.Type == stripe.ErrorTypeCard
		}
	}
	if !credentials && (se.Code == stripe.ErrorCodeLockTimeout || se.Code == stripe.ErrorCodeRateLimit) {
		permanent = false
	}
	if permanent {
		reason := se.Msg
		if reason == "" {
			reason = string(se.Type)
		}
		return &PermanentError{Op: op, Reason: reason, Code: string(se.Code), Status: se.HTTPStatusCode, RequestID: se.RequestID,
			Credentials: credentials, err: err}
	}
	desc := "stripe " + string(se.Type)
	if se.Msg != "" {
		desc += ": " + se.Msg
	}
	if d := details(string(se.Code), se.HTTPStatusCode, se.RequestID); d != "" {
		desc += " (" + d + ")"
	}
	return &transientError{op: op, desc: desc, err: err}
}

func details(code string, status int, requestID string) string {
	var parts []string
	if code != "" {
		parts = append(parts, "code "+code)
	}
	if status != 0 {
		parts = append(parts, "status "+strconv.Itoa(status))
	}
	if requestID != "" {
		parts = append(parts, "request "+requestID)
	}
	return strings.Join(parts, ", ")
}
