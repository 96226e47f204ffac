package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/payments/bank"
	"github.com/civicgrants/grants/workflows"
)

// PayoutAccount is where a grantee onboards its Stripe Connect account.
type PayoutAccount = workflows.PayoutAccountResult

// RequestPayoutAccount asks the grant's workflow for the payee's Stripe
// Connect account (created once per organisation) and an onboarding link.
// Admins of the grant's organisation, or of its host when the grantee is
// an unconstituted group, may ask, and, for a grant paid to each partner,
// an admin of a partner paid a share (for that partner's own account); other members and staff who can read
// the grant get 403, anyone else 404. The grant must be active and its
// round paid through Stripe (409 otherwise).
func (a *App) RequestPayoutAccount(ctx context.Context, actor Actor, grantID string, params NoParams) (PayoutAccount, error) {
	g, err := a.getGrant(ctx, grantID)
	if err != nil {
		return PayoutAccount{}, err
	}
	org, err := a.store.OrganisationGet(ctx, g.OrganisationID)
	if err != nil {
		return PayoutAccount{}, fmt.Errorf("get organisation: %w", err)
	}
	role, err := memberRole(ctx, a.store.Queries, org.ID, actor.ID)
	if err != nil {
		return PayoutAccount{}, err
	}
	hostRole := ""
	if org.HostOrganisationID != nil {
		if hostRole, err = memberRole(ctx, a.store.Queries, *org.HostOrganisationID, actor.ID); err != nil {
			return PayoutAccount{}, err
		}
	}
	partner := ""
	if role == "" && hostRole == "" { // a partner paid a share sets up its own payouts
		if partner, err = a.partnerPayee(ctx, actor, g.ID); err != nil {
			return PayoutAccount{}, err
		}
	}
	if role == "" && hostRole == "" && partner == "" && !actor.seesAllGrants() {
		return PayoutAccount{}, notFound("Grant")
	}
	if role != MemberAdmin && hostRole != MemberAdmin && partner == "" {
		return PayoutAccount{}, forbidden("Only an admin of the grantee organisation (or of its host) can set up payouts")
	}
	if g.Status != GrantActive {
		return PayoutAccount{}, invalidState("Payouts can be set up only for an active grant")
	}
	provider, err := a.roundProvider(ctx, g.RoundID)
	if err != nil {
		return PayoutAccount{}, err
	}
	if provider != workflows.ProviderStripe {
		return PayoutAccount{}, invalidState("This grant is paid by bank transfer: an admin adds the organisation's bank details instead")
	}
	if err := params(); err != nil {
		return PayoutAccount{}, err
	}
	base := a.cfg.PublicURL + "/grants/" + url.PathEscape(g.ID)
	var out PayoutAccount
	if err := a.updateGrant(ctx, g.ID, workflows.UpdatePayoutAccount, workflows.PayoutAccountUpdate{Caller: caller(actor),
		ReturnURL: base + "?payout=done", RefreshURL: base + "?payout=refresh", OrganisationID: partner}, &out); err != nil {
		return PayoutAccount{}, err
	}
	return out, nil
}

// partnerPayee is the partner organisation paid a share of the grant
// whose admin the actor is ("" if none): a member who is not an admin
// of any is refused (403).
func (a *App) partnerPayee(ctx context.Context, actor Actor, grantID string) (string, error) {
	rows, err := a.store.PaymentListForPartnerMember(ctx, sqlc.PaymentListForPartnerMemberParams{GrantID: grantID, UserID: actor.ID})
	if err != nil {
		return "", fmt.Errorf("list partner payments: %w", err)
	}
	for _, r := range rows {
		role, err := memberRole(ctx, a.store.Queries, *r.Payment.PartnerOrganisationID, actor.ID)
		if err != nil {
			return "", err
		}
		if role == MemberAdmin {
			return *r.Payment.PartnerOrganisationID, nil
		}
	}
	if len(rows) > 0 {
		return "", forbidden("Only an admin of the partner organisation can set up its payouts")
	}
	return "", nil
}

// roundProvider returns the payment provider of a round.
func (a *App) roundProvider(ctx context.Context, roundID string) (string, error) {
	def, err := a.roundDefinition(ctx, roundID)
	if err != nil {
		return "", err
	}
	if def.PaymentProvider == "" {
		return a.cfg.DefaultPaymentProvider, nil
	}
	return def.PaymentProvider, nil
}

// BankAccountInput is the body of PUT /organisations/{id}/bank-account.
type BankAccountInput struct {
	SortCode      string `json:"sort_code"`
	AccountNumber string `json:"account_number"`
	AccountName   string `json:"account_name"`
}

// BankAccount is the masked view of an organisation's bank details: the
// numbers are never shown again once saved.
type BankAccount struct {
	OrganisationID string    `json:"organisation_id"`
	AccountName    string    `json:"account_name"`
	SortCode       string    `json:"sort_code"`      // masked: **-**-56
	AccountNumber  string    `json:"account_number"` // masked: ****5678
	UpdatedAt      time.Time `json:"updated_at"`
}

func bankAccountView(b sqlc.BankAccount) BankAccount {
	return BankAccount{OrganisationID: b.OrganisationID, AccountName: b.AccountName, SortCode: b.SortCodeMask,
		AccountNumber: b.AccountMask, UpdatedAt: b.UpdatedAt}
}

// loadOrganisationAdmin returns an organisation whose bank details the
// actor may manage: its admins. Members and the staff who can read the
// organisation get 403; anyone else 404.
func (a *App) loadOrganisationAdmin(ctx context.Context, actor Actor, orgID string) (sqlc.Organisation, error) {
	o, role, err := a.loadOrganisation(ctx, a.store.Queries, actor, orgID)
	if err != nil {
		return o, err
	}
	if role != MemberAdmin {
		return o, forbidden("Only an admin of this organisation can manage its bank details")
	}
	return o, nil
}

// SetBankAccount saves an organisation's bank details for the manual
// provider: validated, encrypted with the organisation's id bound in,
// shown masked. In the same transaction it records an audit event (masks
// only) and tells each active manual-provider grant paid to the
// organisation that its payee can now be paid.
func (a *App) SetBankAccount(ctx context.Context, actor Actor, orgID string, body Body) (BankAccount, error) {
	o, err := a.loadOrganisationAdmin(ctx, actor, orgID)
	if err != nil {
		return BankAccount{}, err
	}
	if o.LegalForm == organisation.LegalFormUnconstitutedGroup {
		return BankAccount{}, invalidState("An unconstituted group is paid through its host organisation: add the bank details to the host")
	}
	cipher, err := a.bankCipher(ctx)
	if err != nil {
		return BankAccount{}, err
	}
	var in BankAccountInput
	if err := body(&in); err != nil {
		return BankAccount{}, err
	}
	details, fields := bank.Parse(in.SortCode, in.AccountNumber, in.AccountName)
	if len(fields) > 0 {
		return BankAccount{}, Invalid(fields)
	}
	sealed, err := cipher.Seal(details, o.ID)
	if err != nil {
		return BankAccount{}, fmt.Errorf("encrypt bank details: %w", err)
	}
	var out BankAccount
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := refusePayeeChange(ctx, q, o.ID, "bank details"); err != nil {
			return err
		}
		prev, err := q.BankAccountGet(ctx, o.ID)
		replaced := err == nil
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("read bank details: %w", err)
		}
		b, err := q.BankAccountUpsert(ctx, sqlc.BankAccountUpsertParams{OrganisationID: o.ID, AccountName: details.AccountName,
			DetailsEnc: sealed, SortCodeMask: details.MaskedSortCode(), AccountMask: details.MaskedAccountNumber(),
			UpdatedBy: actor.ID, UpdatedAt: a.now().UTC().Truncate(time.Microsecond)})
		if err != nil {
			return fmt.Errorf("save bank details: %w", err)
		}
		data := map[string]any{"sort_code": b.SortCodeMask, "account_number": b.AccountMask, "replaced": replaced}
		if replaced {
			data["previous_account_number"] = prev.AccountMask
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID,
			Action: "organisation.bank_account_saved", Entity: "organisation:" + o.ID, Data: data}); err != nil {
			return err
		}
		if err := a.signalGrantsPaidTo(ctx, q, o.ID, workflows.ProviderManual, workflows.GrantEvent{Kind: workflows.GrantEventPayoutReady}); err != nil {
			return err
		}
		out = bankAccountView(b)
		return nil
	})
	return out, err
}

// GetBankAccount returns an organisation's bank details, masked; admins
// only, 404 when none are saved.
func (a *App) GetBankAccount(ctx context.Context, actor Actor, orgID string) (BankAccount, error) {
	o, err := a.loadOrganisationAdmin(ctx, actor, orgID)
	if err != nil {
		return BankAccount{}, err
	}
	b, err := a.store.BankAccountGet(ctx, o.ID)
	if err != nil {
		if isNotFound(err) {
			return BankAccount{}, notFound("Bank account")
		}
		return BankAccount{}, fmt.Errorf("get bank details: %w", err)
	}
	return bankAccountView(b), nil
}

// signalGrantsPaidTo writes an outbox row signalling event to every active
// grant paid to the organisation (its own and its hosted groups') whose
// round pays through provider.
func (a *App) signalGrantsPaidTo(ctx context.Context, q *sqlc.Queries, orgID, provider string, event workflows.GrantEvent) error {
	grants, err := q.GrantActivePaidTo(ctx, sqlc.GrantActivePaidToParams{OrganisationID: orgID,
		DefaultProvider: a.cfg.DefaultPaymentProvider, Provider: provider})
	if err != nil {
		return fmt.Errorf("grants paid to %s: %w", orgID, err)
	}
	for _, gid := range grants {
		if err := signalGrant(ctx, q, gid, event); err != nil {
			return err
		}
	}
	return nil
}

// signalGrant writes an outbox row that the dispatcher turns into
// SignalGrantEvent to the grant's workflow.
func signalGrant(ctx context.Context, q *sqlc.Queries, grantID string, event workflows.GrantEvent) error {
	payload, err := json.Marshal(workflows.GrantSignal{GrantID: grantID, Event: event})
	if err != nil {
		return fmt.Errorf("encode grant signal: %w", err)
	}
	if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxSignalGrant, Payload: payload}); err != nil {
		return fmt.Errorf("queue grant signal: %w", err)
	}
	return nil
}

// refusePayeeChange refuses (409) a change of where an organisation is
// paid (what names the change: its bank details, its legal form, its
// host) while a payment to it has an approval, is approved, is in a
// payment run or is being sent: a payment goes only where its approvers
// saw it go. Finance can cancel such a payment (a manager may then
// reissue it for two fresh approvals), or it is paid first. The payments
// stay locked until the caller's transaction ends, so an approval that
// comes meanwhile waits and then sees the new details.
func refusePayeeChange(ctx context.Context, q *sqlc.Queries, orgID, what string) error {
	open, err := q.PaymentLockOpenForPayee(ctx, orgID)
	if err != nil {
		return fmt.Errorf("lock payments to %s: %w", orgID, err)
	}
	if len(open) == 0 {
		return nil
	}
	ids := make([]string, len(open))
	for i, p := range open {
		ids[i] = p.ID
	}
	// A statement of its own, after the lock: it sees approvals that
	// committed while the lock was awaited.
	bindings, err := q.PaymentApprovalBindings(ctx, ids)
	if err != nil {
		return fmt.Errorf("approvals of payments to %s: %w", orgID, err)
	}
	approved := map[string]bool{}
	for _, b := range bindings {
		approved[b.PaymentID] = true
	}
	for _, p := range open {
		if approved[p.ID] || p.PaymentRunID != nil || p.Status == workflows.PaymentApproved || p.Status == workflows.PaymentSending {
			return conflict(fmt.Sprintf("The %s cannot change now: tranche %d of grant %s has been approved for payment to the present ones "+
				"(it is %s). Ask the funder's finance team to cancel that payment first (it can then be reissued for fresh "+
				"approval), or change them once it is paid.", what, p.Tranche, p.GrantID, p.Status))
		}
	}
	return nil
}
