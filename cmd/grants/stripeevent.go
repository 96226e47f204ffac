package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/platform/config"
)

// stripeEvent builds a Stripe event of one of the types grants acts on,
// signs it with the webhook secret and posts it to the webhook endpoint,
// so a person can walk the money flow on the dev stack (where stripe-mock
// sends no events):
//
//	grants stripe-event account.updated organisation=org_… [account=acct_…] [payouts_enabled=true]
//	grants stripe-event transfer.reversed transfer=tr_… payment=pay_… amount=pence [reversed=pence] [grant=gnt_…]
//
// A reversal is matched to the payment by its transfer (the payment's
// provider_reference); reversed (default: amount) less than amount is a
// partial reversal.
//
//	grants stripe-event payout.failed account=acct_… [message=…] [code=…]
func stripeEvent(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("stripe-event", flag.ContinueOnError)
	url := fs.String("url", "", "webhook endpoint (default http://GRANTS_ADDR/api/v1/webhooks/stripe)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return errors.New("usage: grants stripe-event TYPE key=value…")
	}
	kv := map[string]string{}
	for _, a := range fs.Args()[1:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%q is not key=value", a)
		}
		kv[k] = v
	}
	event, err := buildEvent(fs.Arg(0), kv, time.Now())
	if err != nil {
		return err
	}
	body, err := json.Marshal(event)
	if err != nil {
		return err
	}
	secret := cfg.StripeWebhookSecret
	if secret == "" {
		secret = devWebhookSecret
	}
	if *url == "" {
		*url = "http://" + cfg.Addr + "/api/v1/webhooks/stripe"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", payments.SignPayload(body, secret, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post event: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return fmt.Errorf("read the webhook's answer (%s): %w", resp.Status, err)
	}
	fmt.Fprintf(os.Stdout, "%s %s -> %s %s\n", event["type"], event["id"], resp.Status, bytes.TrimSpace(answer))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// buildEvent returns the event as Stripe would send it.
func buildEvent(typ string, kv map[string]string, now time.Time) (map[string]any, error) {
	need := func(k string) (string, error) {
		if v := kv[k]; v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s needs %s=…", typ, k)
	}
	get := func(k, def string) string {
		if v := kv[k]; v != "" {
			return v
		}
		return def
	}
	event := map[string]any{"id": id.New("evt"), "object": "event", "api_version": "2024-06-20",
		"created": now.Unix(), "livemode": false, "type": typ}
	var object map[string]any
	switch typ {
	case "account.updated":
		org, err := need("organisation")
		if err != nil {
			return nil, err
		}
		account := get("account", "acct_dev")
		enabled, err := strconv.ParseBool(get("payouts_enabled", "true"))
		if err != nil {
			return nil, fmt.Errorf("payouts_enabled: %w", err)
		}
		object = map[string]any{"id": account, "object": "account", "payouts_enabled": enabled, "charges_enabled": enabled,
			"details_submitted": true, "country": "GB", "metadata": map[string]string{"organisation_id": org}}
		event["account"] = account
	case "transfer.reversed":
		transfer, err := need("transfer")
		if err != nil {
			return nil, err
		}
		payment, err := need("payment")
		if err != nil {
			return nil, err
		}
		amount, err := strconv.ParseInt(get("amount", "0"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("amount: %w", err)
		}
		reversed, err := strconv.ParseInt(get("reversed", strconv.FormatInt(amount, 10)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("reversed: %w", err)
		}
		object = map[string]any{"id": transfer, "object": "transfer", "amount": amount,
			"amount_reversed": reversed, "currency": "gbp", "reversed": reversed >= amount, "transfer_group": payment,
			"metadata": map[string]string{"payment_id": payment, "grant_id": get("grant", "")}}
	case "payout.failed":
		account, err := need("account")
		if err != nil {
			return nil, err
		}
		object = map[string]any{"id": id.New("po"), "object": "payout", "status": "failed",
			"failure_code": get("code", "account_closed"), "failure_message": get("message", "The bank account has been closed")}
		event["account"] = account
	default:
		return nil, fmt.Errorf("unknown event type %q (account.updated, transfer.reversed, payout.failed)", typ)
	}
	event["data"] = map[string]any{"object": object}
	return event, nil
}
