package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Rejection types: the type of the ApplicationError an Update validator,
// handler or activity returns when a change may not be made. Clients map
// each onto one HTTP status (app does, in one place).
const (
	RejectForbidden    = "forbidden"         // 403: the caller may not make this change
	RejectNotFound     = "not_found"         // 404: no such object in the case
	RejectInvalidState = "invalid_state"     // 409: the case is not in a state that allows it
	RejectNotReady     = "not_ready"         // 409: the case has not got that far yet; retry shortly
	RejectConflict     = "conflict"          // 409: e.g. over the budget left
	RejectInvalid      = "validation_failed" // 422: details[0] is map[string]string of field problems
	RejectUnavailable  = "unavailable"       // 503: a provider refused this service itself (e.g. its Stripe key); operators must act
)

// Reject builds a non-retryable rejection. fields (may be nil) lists
// problems by field path for RejectInvalid.
func Reject(kind, message string, fields map[string]string) error {
	opts := temporal.ApplicationErrorOptions{NonRetryable: true}
	if fields != nil {
		opts.Details = []interface{}{fields}
	}
	return temporal.NewApplicationErrorWithOptions(message, kind, opts)
}

// Rejection is a rejection read back from an error chain.
type Rejection struct {
	Kind    string
	Message string
	Fields  map[string]string
}

// AsRejection finds a rejection (an ApplicationError of one of the Reject*
// types) in err's chain, wherever it was raised: validator, handler or
// activity.
func AsRejection(err error) (Rejection, bool) {
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return Rejection{}, false
	}
	switch ae.Type() {
	case RejectForbidden, RejectNotFound, RejectInvalidState, RejectNotReady, RejectConflict, RejectInvalid, RejectUnavailable:
	default:
		return Rejection{}, false
	}
	r := Rejection{Kind: ae.Type(), Message: ae.Message()}
	if ae.HasDetails() {
		var fields map[string]string
		if ae.Details(&fields) == nil {
			r.Fields = fields
		}
	}
	return r, true
}
