package payments

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v79/webhook"
)

// ErrInvalidSignature is wrapped by VerifyWebhook's error when the
// Stripe-Signature header is missing or malformed, no signature in it
// matches the payload and secret, or its timestamp is older than the
// tolerance. The webhook handler answers such a request 400
// invalid_signature.
var ErrInvalidSignature = errors.New("invalid Stripe webhook signature")

// DefaultWebhookTolerance is how old a signature's timestamp may be when
// VerifyWebhook is given no tolerance.
const DefaultWebhookTolerance = webhook.DefaultTolerance

// Event types VerifyWebhook parses into their own structs.
const (
	EventAccountUpdated   = "account.updated"
	EventTransferReversed = "transfer.reversed"
	EventPayoutFailed     = "payout.failed"
)

// Event is a verified Stripe webhook event. Exactly one of the typed
// fields is set for the types this system acts on; other types carry only
// ID, Type and Account.
type Event struct {
	ID   string // evt_…: the key for deduplication
	Type string // such as "account.updated"
	// Account is the connected account the event is about (event.account),
	// if any.
	Account string

	AccountUpdated   *AccountUpdated   // type account.updated
	TransferReversed *TransferReversed // type transfer.reversed
	PayoutFailed     *PayoutFailed     // type payout.failed
}

// AccountUpdated is a connected account's new state.
type AccountUpdated struct {
	AccountID      string
	OrganisationID string // from metadata.organisation_id; "" if absent
	PayoutsEnabled bool
}

// TransferReversed is a transfer (wholly or partly) reversed.
type TransferReversed struct {
	TransferID          string
	PaymentID           string // from metadata.payment_id
	GrantID             string // from metadata.grant_id
	AmountReversedPence int64  // the total reversed so far
}

// PayoutFailed is a connected account's payout to its bank that failed.
type PayoutFailed struct {
	AccountID      string // the event's account
	PayoutID       string
	FailureCode    string
	FailureMessage string
}

// VerifyWebhook checks payload against the Stripe-Signature header sigHeader
// with the endpoint's signing secret, rejecting a timestamp older than
// tolerance (≤ 0 means DefaultWebhookTolerance), and parses the event.
// Events of any API version are accepted: Stripe renders them in the
// account's version, and the fields read here are stable across versions.
//
// A bad, missing or stale signature gives an error wrapping
// ErrInvalidSignature. A signed payload that is not a well-formed event,
// or whose object does not fit its known type, gives another error, as
// does an empty secret (a configuration mistake, not the sender's).
func VerifyWebhook(payload []byte, sigHeader, secret string, tolerance time.Duration) (Event, error) {
	if secret == "" {
		return Event{}, errors.New("verify webhook: no webhook signing secret configured")
	}
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	se, err := webhook.ConstructEventWithOptions(payload, sigHeader, secret, webhook.ConstructEventOptions{
		Tolerance:                tolerance,
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
		errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
		return Event{}, fmt.Errorf("%w: %w", ErrInvalidSignature, err)
	case err != nil:
		return Event{}, fmt.Errorf("verify webhook: malformed event: %w", err)
	}
	if se.ID == "" || se.Type == "" {
		return Event{}, errors.New("verify webhook: malformed event: no id or type")
	}
	ev := Event{ID: se.ID, Type: string(se.Type), Account: se.Account}

	var raw json.RawMessage
	if se.Data != nil {
		raw = se.Data.Raw
	}
	switch ev.Type {
	case EventAccountUpdated:
		var o struct {
			ID             string            `json:"id"`
			Object         string            `json:"object"`
			PayoutsEnabled bool              `json:"payouts_enabled"`
			Metadata       map[string]string `json:"metadata"`
		}
		if err := decodeObject(ev.Type, raw, "account", &o, &o.ID, &o.Object); err != nil {
			return Event{}, err
		}
		ev.AccountUpdated = &AccountUpdated{AccountID: o.ID, OrganisationID: o.Metadata[MetaOrganisationID], PayoutsEnabled: o.PayoutsEnabled}
	case EventTransferReversed:
		var o struct {
			ID             string            `json:"id"`
			Object         string            `json:"object"`
			AmountReversed int64             `json:"amount_reversed"`
			Metadata       map[string]string `json:"metadata"`
		}
		if err := decodeObject(ev.Type, raw, "transfer", &o, &o.ID, &o.Object); err != nil {
			return Event{}, err
		}
		if o.AmountReversed < 0 {
			return Event{}, fmt.Errorf("verify webhook: malformed %s object: negative amount_reversed", ev.Type)
		}
		ev.TransferReversed = &TransferReversed{
			TransferID:          o.ID,
			PaymentID:           o.Metadata[MetaPaymentID],
			GrantID:             o.Metadata[MetaGrantID],
			AmountReversedPence: o.AmountReversed,
		}
	case EventPayoutFailed:
		var o struct {
			ID             string `json:"id"`
			Object         string `json:"object"`
			FailureCode    string `json:"failure_code"`
			FailureMessage string `json:"failure_message"`
		}
		if err := decodeObject(ev.Type, raw, "payout", &o, &o.ID, &o.Object); err != nil {
			return Event{}, err
		}
		ev.PayoutFailed = &PayoutFailed{AccountID: se.Account, PayoutID: o.ID, FailureCode: o.FailureCode, FailureMessage: o.FailureMessage}
	}
	return ev, nil
}

// decodeObject decodes an event's data.object into v, whose id and object
// fields are given, and checks they fit the event type.
func decodeObject(eventType string, raw json.RawMessage, wantObject string, v any, id, object *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return fmt.Errorf("verify webhook: malformed %s event: no data.object", eventType)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("verify webhook: malformed %s object: %w", eventType, err)
	}
	if *id == "" {
		return fmt.Errorf("verify webhook: malformed %s object: no id", eventType)
	}
	if *object != "" && *object != wantObject {
		return fmt.Errorf("verify webhook: malformed %s event: object is a %q, not a %q", eventType, *object, wantObject)
	}
	return nil
}

// SignPayload returns a Stripe-Signature header value that VerifyWebhook
// accepts for payload and secret, timestamped at (the zero time means
// now). Tests and the dev command use it to send signed events.
func SignPayload(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}
