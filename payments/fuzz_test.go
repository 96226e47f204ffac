package payments_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civicgrants/grants/payments"
)

// FuzzVerifyWebhook feeds VerifyWebhook any payload, signed with the
// endpoint's secret or carrying any header. A payload signed right is
// never refused as badly signed; one under any other header is never
// accepted; an accepted event always has an id and a type, and at most one
// of the known objects, fitting its type.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add(event("evt_1", "account.updated", "acct_1", accountObject), "", true)
	f.Add(event("evt_2", "transfer.reversed", "", transferObject), "", true)
	f.Add(event("evt_3", "payout.failed", "acct_1", payoutObject), "", true)
	f.Add(event("evt_4", "payout.failed", "acct_1", `{"id":"po_1","object":"transfer"}`), "", true)
	f.Add(event("evt_5", "transfer.reversed", "", `{"id":"tr_1","amount_reversed":-1}`), "", true)
	f.Add([]byte(`{"id":"evt_6","type":"account.updated","data":{"object":null}}`), "", true)
	f.Add([]byte(`{}`), "t=1,v1=00", false)
	f.Add([]byte("\x00\xff"), "t=,v1=,v0=", false)
	f.Add(event("evt_7", "charge.succeeded", "", `{"id":"ch_1"}`), "t=99999999999,v1=abc", false)
	f.Fuzz(func(t *testing.T, payload []byte, header string, sign bool) {
		if sign {
			header = payments.SignPayload(payload, whsec, time.Now())
		}
		ev, err := payments.VerifyWebhook(payload, header, whsec, time.Minute)
		if err != nil {
			if sign && errors.Is(err, payments.ErrInvalidSignature) {
				t.Fatalf("a payload signed with the secret was refused as badly signed: %v", err)
			}
			if ev != (payments.Event{}) {
				t.Fatalf("VerifyWebhook failed but returned %+v", ev)
			}
			return
		}
		if !sign {
			t.Fatalf("VerifyWebhook accepted header %q that the secret did not sign", header)
		}
		if ev.ID == "" || ev.Type == "" {
			t.Fatalf("accepted an event without an id or type: %+v", ev)
		}
		known := 0
		if ev.AccountUpdated != nil {
			known++
			if ev.Type != payments.EventAccountUpdated || ev.AccountUpdated.AccountID == "" {
				t.Fatalf("account update from a %q event: %+v", ev.Type, ev.AccountUpdated)
			}
		}
		if ev.TransferReversed != nil {
			known++
			if ev.Type != payments.EventTransferReversed || ev.TransferReversed.AmountReversedPence < 0 {
				t.Fatalf("transfer reversal from a %q event: %+v", ev.Type, ev.TransferReversed)
			}
		}
		if ev.PayoutFailed != nil {
			known++
			if ev.Type != payments.EventPayoutFailed || ev.PayoutFailed.PayoutID == "" {
				t.Fatalf("payout failure from a %q event: %+v", ev.Type, ev.PayoutFailed)
			}
		}
		if known > 1 {
			t.Fatalf("one event parsed as %d kinds: %+v", known, ev)
		}
	})
}
