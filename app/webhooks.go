package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/workflows"
)

// WebhookResult is the answer to a webhook delivery.
type WebhookResult struct {
	Received  bool `json:"received"`
	Duplicate bool `json:"duplicate,omitempty"`
}

// webhookActor is the audit actor of changes Stripe's events make.
const webhookActor = "system"

// StripeWebhook verifies and records a Stripe event and acts on it in one
// transaction, without calling Temporal: the workflows hear of it through
// outbox rows. A bad or stale signature is 400 invalid_signature; an event
// already received is answered as a duplicate and changes nothing. Events
// about an organisation or payment this service does not know are kept,
// logged and acknowledged, so Stripe stops resending them.
func (a *App) StripeWebhook(ctx context.Context, payload []byte, signature string) (WebhookResult, error) {
	if a.cfg.StripeWebhookSecret == "" {
		a.log.ErrorContext(ctx, "Stripe webhook received but GRANTS_STRIPE_WEBHOOK_SECRET is not configured")
		return WebhookResult{}, &Error{Kind: KindUnavailable, Code: "unavailable", RetryAfter: 60,
			Message: "Webhooks are not configured on this service"}
	}
	ev, err := payments.VerifyWebhook(payload, signature, a.cfg.StripeWebhookSecret, a.cfg.WebhookTolerance)
	if err != nil {
		if errors.Is(err, payments.ErrInvalidSignature) {
			return WebhookResult{}, &Error{Kind: KindMalformed, Code: "invalid_signature",
				Message: "The Stripe-Signature header does not match this payload, or its timestamp is too old"}
		}
		a.log.WarnContext(ctx, "unreadable Stripe event", "err", err)
		return WebhookResult{}, Malformed("The event could not be read", nil)
	}
	// Stripe signed it, so it is kept and acknowledged (or Stripe would
	// resend it for days) even when some text in it cannot be stored: the
	// record keeps U+FFFD in place of each NUL.
	stored, err := storableJSON(payload)
	if err != nil {
		a.log.WarnContext(ctx, "unreadable Stripe event", "err", err)
		return WebhookResult{}, Malformed("The event could not be read", nil)
	}
	duplicate := false
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if _, err := q.WebhookEventInsert(ctx, sqlc.WebhookEventInsertParams{ID: ev.ID, Type: ev.Type, Payload: stored}); err != nil {
			if isNotFound(err) {
				duplicate = true
				return nil
			}
			return fmt.Errorf("record event: %w", err)
		}
		switch {
		case ev.AccountUpdated != nil:
			return a.accountUpdated(ctx, q, ev.ID, *ev.AccountUpdated)
		case ev.TransferReversed != nil:
			return a.transferReversed(ctx, q, ev.ID, *ev.TransferReversed)
		case ev.PayoutFailed != nil:
			pf := *ev.PayoutFailed
			if pf.AccountID == "" {
				pf.AccountID = ev.Account
			}
			return a.payoutFailed(ctx, q, ev.ID, pf)
		}
		a.log.InfoContext(ctx, "Stripe event stored and ignored", "event_id", ev.ID, "type", ev.Type)
		return nil
	})
	if err != nil {
		return WebhookResult{}, err
	}
	if duplicate {
		a.log.InfoContext(ctx, "duplicate Stripe event ignored", "event_id", ev.ID, "type", ev.Type)
	}
	return WebhookResult{Received: true, Duplicate: duplicate}, nil
}

// accountUpdated records whether a connected account can be paid out to.
// The organisation is found by the id in the account's metadata (it must
// hold that account), else by the account id when exactly one holds it
// (stripe-mock gives every account the same id). When it becomes ready,
// each active Stripe grant paid to it is told.
func (a *App) accountUpdated(ctx context.Context, q *sqlc.Queries, eventID string, au payments.AccountUpdated) error {
	var org *sqlc.Organisation
	if id.Valid(id.Organisation, au.OrganisationID) {
		o, err := q.OrganisationGetForPayout(ctx, au.OrganisationID)
		switch {
		case err == nil && o.StripeAccountID != nil && *o.StripeAccountID == au.AccountID:
			org = &o
		case err != nil && !isNotFound(err):
			return fmt.Errorf("organisation of account: %w", err)
		}
	}
	if org == nil {
		list, err := q.OrganisationListByStripeAccount(ctx, &au.AccountID)
		if err != nil {
			return fmt.Errorf("organisations of account: %w", err)
		}
		if len(list) != 1 {
			a.log.WarnContext(ctx, "account.updated for an account no single organisation holds; stored and ignored",
				"event_id", eventID, "account_id", au.AccountID, "metadata_organisation_id", au.OrganisationID, "matches", len(list))
			return nil
		}
		org = &list[0]
	}
	wasReady := org.PayoutReadyAt != nil
	if au.PayoutsEnabled == wasReady {
		return nil
	}
	now := a.now().UTC().Truncate(time.Microsecond)
	if err := q.OrganisationPayoutReadyUpdate(ctx, sqlc.OrganisationPayoutReadyUpdateParams{Ready: au.PayoutsEnabled, At: now, ID: org.ID}); err != nil {
		return fmt.Errorf("record payout readiness: %w", err)
	}
	action := "organisation.payout_disabled"
	if au.PayoutsEnabled {
		action = "organisation.payout_ready"
	}
	if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + org.ID, Actor: webhookActor, Action: action,
		Entity: "organisation:" + org.ID, At: now, Data: map[string]any{"stripe_event_id": eventID, "account_id": au.AccountID}}); err != nil {
		return err
	}
	if !au.PayoutsEnabled {
		return nil
	}
	return a.signalGrantsPaidTo(ctx, q, org.ID, workflows.ProviderStripe,
		workflows.GrantEvent{Kind: workflows.GrantEventPayoutReady, EventID: eventID})
}

// transferReversed tells the grant of the reversed payment. The payment is
// the one whose provider reference is the transfer's id (a Stripe payment
// we recorded as paid by that transfer); the transfer's metadata only
// chooses among several payments with that reference (stripe-mock gives
// every transfer the same id) and never names a payment on its own. How
// much Stripe has reversed so far goes with the signal, so a partial
// reversal is recorded as partial.
func (a *App) transferReversed(ctx context.Context, q *sqlc.Queries, eventID string, tr payments.TransferReversed) error {
	if tr.TransferID == "" {
		a.log.WarnContext(ctx, "transfer.reversed without a transfer id; stored and ignored", "event_id", eventID)
		return nil
	}
	stripeProvider := workflows.ProviderStripe
	list, err := q.PaymentListByProviderReference(ctx, sqlc.PaymentListByProviderReferenceParams{
		ProviderReference: &tr.TransferID, Provider: &stripeProvider})
	if err != nil {
		return fmt.Errorf("payments of transfer: %w", err)
	}
	var p *sqlc.Payment
	switch {
	case len(list) == 1:
		p = &list[0]
	case len(list) > 1:
		for i := range list {
			if list[i].ID == tr.PaymentID {
				p = &list[i]
			}
		}
	}
	if p == nil {
		a.log.WarnContext(ctx, "transfer.reversed matches no single payment of ours by its transfer id; stored and ignored",
			"event_id", eventID, "transfer_id", tr.TransferID, "metadata_payment_id", tr.PaymentID, "matches", len(list))
		return nil
	}
	if tr.PaymentID != "" && tr.PaymentID != p.ID {
		a.log.WarnContext(ctx, "transfer.reversed: the transfer's metadata names another payment; the transfer id decides",
			"event_id", eventID, "transfer_id", tr.TransferID, "payment_id", p.ID, "metadata_payment_id", tr.PaymentID)
	}
	return signalGrant(ctx, q, p.GrantID, workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed,
		PaymentID: p.ID, Reason: "Stripe reversed transfer " + tr.TransferID, EventID: eventID,
		AmountReversedPence: tr.AmountReversedPence})
}

// payoutFailed records a failed payout on the organisations holding the
// account and tells their active Stripe grants.
func (a *App) payoutFailed(ctx context.Context, q *sqlc.Queries, eventID string, pf payments.PayoutFailed) error {
	reason := pf.FailureMessage
	if reason == "" {
		reason = "Stripe could not pay out to the bank account"
		if pf.FailureCode != "" {
			reason += " (" + pf.FailureCode + ")"
		}
	}
	if pf.AccountID == "" {
		a.log.WarnContext(ctx, "payout.failed without an account; stored and ignored", "event_id", eventID, "payout_id", pf.PayoutID)
		return nil
	}
	orgs, err := q.OrganisationListByStripeAccount(ctx, &pf.AccountID)
	if err != nil {
		return fmt.Errorf("organisations of account: %w", err)
	}
	if len(orgs) == 0 {
		a.log.WarnContext(ctx, "payout.failed for an account no organisation holds; stored and ignored",
			"event_id", eventID, "account_id", pf.AccountID)
		return nil
	}
	now := a.now().UTC().Truncate(time.Microsecond)
	for _, o := range orgs {
		if err := q.OrganisationPayoutFailedUpdate(ctx, sqlc.OrganisationPayoutFailedUpdateParams{At: &now, Failure: &reason, ID: o.ID}); err != nil {
			return fmt.Errorf("record payout failure: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: webhookActor, Action: "organisation.payout_failed",
			Entity: "organisation:" + o.ID, At: now, Data: map[string]any{"stripe_event_id": eventID, "payout_id": pf.PayoutID,
				"failure_code": pf.FailureCode, "reason": reason}}); err != nil {
			return err
		}
		if err := a.signalGrantsPaidTo(ctx, q, o.ID, workflows.ProviderStripe,
			workflows.GrantEvent{Kind: workflows.GrantEventPayoutFailed, Reason: reason, EventID: eventID}); err != nil {
			return err
		}
	}
	return nil
}
