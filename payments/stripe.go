package payments

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/client"
)

// Stripe is what the activities need of Stripe Connect.
type Stripe interface {
	// CreateAccount creates a Connect Express account (country GB,
	// capability transfers requested, business profile name, email),
	// metadata organisation_id. Idempotency key "account:<organisation id>".
	CreateAccount(ctx context.Context, p AccountParams) (accountID string, err error)
	// OnboardingLink creates an account link (type account_onboarding) and
	// returns its URL.
	OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error)
	// Transfer sends amount pence in GBP to the connected account, with
	// IdempotencyKey as the Stripe idempotency key, TransferGroup = payment
	// id, metadata payment_id, grant_id, idempotency_key.
	Transfer(ctx context.Context, t TransferParams) (reference string, err error)
	// FindTransfer looks up a transfer made earlier for this payment
	// attempt: lists transfers with transfer_group = paymentID and returns
	// the id of one whose metadata idempotency_key equals key (found=false
	// if none; any listed transfer whose metadata does not match is
	// ignored).
	FindTransfer(ctx context.Context, paymentID, idempotencyKey string) (reference string, found bool, err error)
}

// AccountParams describes the organisation a Connect account is created for.
type AccountParams struct {
	OrganisationID string // our organisation id: metadata and idempotency key
	Name           string // business profile name
	Email          string // the account's email (the organisation admin's)
}

// TransferParams describes one payment attempt's transfer.
type TransferParams struct {
	PaymentID      string // transfer group and metadata payment_id
	GrantID        string // metadata grant_id
	AccountID      string // the connected account (destination)
	IdempotencyKey string // the attempt's key, "payment:<id>:attempt:<n>"
	Description    string // optional, shown in the Stripe dashboard
	AmountPence    int64  // must be positive
}

// Metadata keys set on the objects this package creates.
const (
	MetaOrganisationID = "organisation_id"
	MetaPaymentID      = "payment_id"
	MetaGrantID        = "grant_id"
	MetaIdempotencyKey = "idempotency_key"
)

// StripeConfig configures NewStripe.
type StripeConfig struct {
	// SecretKey is the platform's secret API key (STRIPE_SECRET_KEY).
	SecretKey string
	// APIBase is the API's base URL, such as stripe-mock's
	// "http://127.0.0.1:12111"; "" means Stripe's real API.
	APIBase string
	// HTTPClient makes the requests; nil uses stripe-go's default (80 s
	// timeout).
	HTTPClient *http.Client
	// MaxNetworkRetries is how many times stripe-go itself retries a
	// request that failed in a way known to be safe to retry (with the
	// same idempotency key); 0 leaves all retrying to the caller.
	MaxNetworkRetries int64
}

// StripeClient implements Stripe with stripe-go, using its own backend and
// key: it never touches stripe-go's global configuration.
type StripeClient struct {
	api *client.API
}

var _ Stripe = (*StripeClient)(nil)

// NewStripe returns a client configured by cfg.
func NewStripe(cfg StripeConfig) *StripeClient {
	bc := &stripe.BackendConfig{
		HTTPClient:        cfg.HTTPClient,
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: stripe.Int64(cfg.MaxNetworkRetries),
	}
	if base := strings.TrimRight(cfg.APIBase, "/"); base != "" {
		bc.URL = stripe.String(base)
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return &StripeClient{api: client.New(cfg.SecretKey, &stripe.Backends{API: backend, Connect: backend, Uploads: backend})}
}

// CreateAccount implements Stripe.
func (c *StripeClient) CreateAccount(ctx context.Context, p AccountParams) (string, error) {
	if p.OrganisationID == "" {
		return "", &PermanentError{Op: "create account", Reason: "no organisation id"}
	}
	params := &stripe.AccountParams{
		Type:    stripe.String(string(stripe.AccountTypeExpress)),
		Country: stripe.String("GB"),
		Capabilities: &stripe.AccountCapabilitiesParams{
			Transfers: &stripe.AccountCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
		},
		Metadata: map[string]string{MetaOrganisationID: p.OrganisationID},
	}
	if p.Name != "" {
		params.BusinessProfile = &stripe.AccountBusinessProfileParams{Name: stripe.String(p.Name)}
	}
	if p.Email != "" {
		params.Email = stripe.String(p.Email)
	}
	params.Context = ctx
	params.SetIdempotencyKey("account:" + p.OrganisationID)
	acct, err := c.api.Accounts.New(params)
	if err != nil {
		return "", classify("create account", err)
	}
	return acct.ID, nil
}

// OnboardingLink implements Stripe.
func (c *StripeClient) OnboardingLink(ctx context.Context, accountID, refreshURL, returnURL string) (string, error) {
	params := &stripe.AccountLinkParams{
		Account:    stripe.String(accountID),
		Type:       stripe.String(string(stripe.AccountLinkTypeAccountOnboarding)),
		RefreshURL: stripe.String(refreshURL),
		ReturnURL:  stripe.String(returnURL),
	}
	params.Context = ctx
	link, err := c.api.AccountLinks.New(params)
	if err != nil {
		return "", classify("create onboarding link", err)
	}
	return link.URL, nil
}

// Transfer implements Stripe. A non-positive amount or a missing
// idempotency key, payment id or account is a PermanentError and nothing is
// sent.
func (c *StripeClient) Transfer(ctx context.Context, t TransferParams) (string, error) {
	switch {
	case t.AmountPence <= 0:
		return "", &PermanentError{Op: "transfer", Reason: "amount must be more than 0 pence"}
	case t.IdempotencyKey == "":
		return "", &PermanentError{Op: "transfer", Reason: "no idempotency key"}
	case t.PaymentID == "":
		return "", &PermanentError{Op: "transfer", Reason: "no payment id"}
	case t.AccountID == "":
		return "", &PermanentError{Op: "transfer", Reason: "no connected account", Code: "no_account"}
	}
	params := &stripe.TransferParams{
		Amount:        stripe.Int64(t.AmountPence),
		Currency:      stripe.String(string(stripe.CurrencyGBP)),
		Destination:   stripe.String(t.AccountID),
		TransferGroup: stripe.String(t.PaymentID),
		Metadata: map[string]string{
			MetaPaymentID:      t.PaymentID,
			MetaGrantID:        t.GrantID,
			MetaIdempotencyKey: t.IdempotencyKey,
		},
	}
	if t.Description != "" {
		params.Description = stripe.String(t.Description)
	}
	params.Context = ctx
	params.SetIdempotencyKey(t.IdempotencyKey)
	tr, err := c.api.Transfers.New(params)
	if err != nil {
		return "", classify("transfer", err)
	}
	return tr.ID, nil
}

// FindTransfer implements Stripe.
func (c *StripeClient) FindTransfer(ctx context.Context, paymentID, idempotencyKey string) (string, bool, error) {
	if paymentID == "" || idempotencyKey == "" {
		return "", false, errors.New("find transfer: payment id and idempotency key are required")
	}
	params := &stripe.TransferListParams{TransferGroup: stripe.String(paymentID)}
	params.Context = ctx
	params.Limit = stripe.Int64(100)
	it := c.api.Transfers.List(params)
	for it.Next() {
		tr := it.Transfer()
		if tr.TransferGroup == paymentID && tr.Metadata[MetaIdempotencyKey] == idempotencyKey {
			return tr.ID, true, nil
		}
	}
	if err := it.Err(); err != nil {
		return "", false, classify("find transfer", err)
	}
	return "", false, nil
}
