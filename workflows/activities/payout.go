package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/workflows"
)

// CreatePayoutAccount gives the payee of an active Stripe grant (the
// grantee, or the partner paid a share the update names, or the host of
// either when it is an unconstituted group, once it has consented)
// its Connect Express account, created once per organisation, and a fresh
// onboarding link. Stripe's idempotency key for the account is the
// organisation's, so a run that died between Stripe and PostgreSQL
// creates nothing twice.
func (a *Activities) CreatePayoutAccount(ctx context.Context, in workflows.PayoutAccountInput) (workflows.PayoutAccountResult, error) {
	var out workflows.PayoutAccountResult
	q := a.Store.Queries
	g, err := q.GrantGet(ctx, in.GrantID)
	if err != nil {
		return out, classify(fmt.Errorf("load grant: %w", err))
	}
	if g.Status != workflows.GrantStatusActive {
		return out, workflows.Reject(workflows.RejectInvalidState, "This grant is "+g.Status, nil)
	}
	orgID := g.OrganisationID
	if in.Update.OrganisationID != "" { // a partner paid a share sets up its own payouts
		if ok, err := paidToPartner(ctx, q, g.ID, in.Update.OrganisationID); err != nil || !ok {
			if err != nil {
				return out, classify(err)
			}
			return out, workflows.Reject(workflows.RejectForbidden, workflows.RefuseNotAdmin, nil)
		}
		orgID = in.Update.OrganisationID
	}
	if err := requirePayoutAdmin(ctx, q, orgID, in.Update.Caller.ID); err != nil {
		return out, classify(err)
	}
	_, def, err := loadRound(ctx, q, g.RoundID)
	if err != nil {
		return out, classify(err)
	}
	if provider(def) != workflows.ProviderStripe {
		return out, workflows.Reject(workflows.RejectInvalidState, "This grant is paid by bank transfer: add the organisation's bank details instead", nil)
	}
	payee, err := q.PayeeGet(ctx, orgID)
	if err != nil {
		return out, classify(fmt.Errorf("load payee: %w", err))
	}
	if !hostConsented(payee) {
		return out, workflows.Reject(workflows.RejectInvalidState,
			"The group is paid through its host organisation, which has not yet consented to host it", nil)
	}
	if a.Stripe == nil {
		return out, classify(errors.New("payout account: no Stripe client configured"))
	}
	account := deref(payee.StripeAccountID)
	if account == "" {
		email, err := q.OrganisationAdminEmail(ctx, payee.ID)
		if err != nil && !isNotFound(err) {
			return out, classify(fmt.Errorf("admin email: %w", err))
		}
		created, err := a.Stripe.CreateAccount(ctx, payments.AccountParams{OrganisationID: payee.ID, Name: payee.Name, Email: email})
		if err != nil {
			return out, a.payoutProviderError(ctx, in, g.ID, payee.ID, "create the payout account", err)
		}
		err = a.Store.InTx(ctx, func(q *sqlc.Queries) error {
			org, err := q.OrganisationLockForPayout(ctx, payee.ID)
			if err != nil {
				return fmt.Errorf("lock organisation: %w", err)
			}
			if org.StripeAccountID != nil { // another request won
				account = *org.StripeAccountID
				return nil
			}
			account = created
			if err := q.OrganisationSetStripeAccount(ctx, sqlc.OrganisationSetStripeAccountParams{ID: payee.ID, StripeAccountID: &created}); err != nil {
				return fmt.Errorf("save account: %w", err)
			}
			return record(ctx, q, "organisation:"+payee.ID, in.Update.Caller.ID, "payout.account_created", "organisation:"+payee.ID, in.At,
				map[string]any{"account_id": created, "grant_id": g.ID})
		})
		if err != nil {
			return out, classify(err)
		}
	}
	url, err := a.Stripe.OnboardingLink(ctx, account, in.Update.RefreshURL, in.Update.ReturnURL)
	if err != nil {
		return out, a.payoutProviderError(ctx, in, g.ID, payee.ID, "create the onboarding link", err)
	}
	return workflows.PayoutAccountResult{AccountID: account, OnboardingURL: url}, nil
}

// providerError turns a provider's permanent refusal into a conflict
// rejection with its reason; transient errors are retried.
func providerError(what string, err error) error {
	if perm, ok := payments.IsPermanent(err); ok {
		return workflows.Reject(workflows.RejectConflict, "Stripe could not "+what+": "+perm.Reason, nil)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// payoutProviderError is providerError for payout onboarding, except that
// Stripe refusing the platform's own key (payments.PermanentError with
// Credentials) is recorded on the payee's audit chain, reported to finance
// (once a day) and answered as unavailable: the grantee can do nothing
// about it, and retrying will not mend it.
func (a *Activities) payoutProviderError(ctx context.Context, in workflows.PayoutAccountInput, grantID, payeeID, what string, err error) error {
	perm, ok := payments.IsPermanent(err)
	if !ok || !perm.Credentials {
		return providerError(what, err)
	}
	werr := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := record(ctx, q, "organisation:"+payeeID, in.Update.Caller.ID, "payout.provider_refused_credentials", "organisation:"+payeeID, in.At,
			map[string]any{"grant_id": grantID, "operation": perm.Op, "status": perm.Status, "reason": perm.Reason, "request_id": perm.RequestID}); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleFinance, message{kind: "provider_credentials_refused",
			subject: "Stripe refused this service's API key",
			body: fmt.Sprintf("Stripe refused the platform's API key (status %d: %s) while trying to %s for grant %s, so no grantee can be onboarded or paid by Stripe. "+
				"Check STRIPE_SECRET_KEY and its permissions.", perm.Status, perm.Reason, what, grantID),
			entity: "grant:" + grantID, key: "stripe-credentials:" + in.At.UTC().Format(time.DateOnly)})
	})
	if werr != nil {
		return classify(werr)
	}
	return workflows.Reject(workflows.RejectUnavailable,
		"Payouts by Stripe are not available at the moment: Stripe refused this service's credentials. Finance staff have been told; try again later.", nil)
}
