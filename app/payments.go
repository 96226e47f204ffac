package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/workflows"
)

// Payment is the staff view of one payment (a grant's tranche).
// OrganisationID and OrganisationName are the organisation it pays: the
// grantee's, or, for a grant paid to each partner, the partner's whose
// share it pays (PartnerOrganisationID set).
type Payment struct {
	ID                string     `json:"id"`
	GrantID           string     `json:"grant_id"`
	OrganisationID    string     `json:"organisation_id"`
	OrganisationName  string     `json:"organisation_name"`
	Tranche           int32      `json:"tranche"`
	AmountPence       int64      `json:"amount_pence"`
	Condition         string     `json:"condition"`
	Status            string     `json:"status"`
	Provider          *string    `json:"provider"`
	ProviderReference *string    `json:"provider_reference"`
	Attempt           int32      `json:"attempt"`
	FailureReason     *string    `json:"failure_reason"`
	CancelReason      *string    `json:"cancel_reason"`
	HeldReason        *string    `json:"held_reason"`
	RequestedBy       *string    `json:"requested_by"`
	Approvals         []Approval `json:"approvals"`
	Payee             *Payee     `json:"payee"`
	// PartnerOrganisationID is the partner whose share this payment pays
	// (a round paying each partner); nil for the grantee's.
	PartnerOrganisationID *string    `json:"partner_organisation_id,omitempty"`
	DueAt                 *time.Time `json:"due_at"`
	PaidAt                *time.Time `json:"paid_at"`
	ReversedAt            *time.Time `json:"reversed_at"`
	// ReversedPence is how much the provider has reversed: all of it for a
	// reversed payment, part of it for a paid one partially reversed.
	ReversedPence int64     `json:"reversed_pence"`
	PaymentRunID  *string   `json:"payment_run_id"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// What the reader may do with the payment now, by the workflows'
	// rules (the payment's workflow has the last word): approve it (else
	// ApproveRefusal says why not, workflows.ApprovalRefusal), cancel or
	// reject it, retry it.
	CanApprove     bool    `json:"can_approve"`
	ApproveRefusal *string `json:"approve_refusal"`
	CanCancel      bool    `json:"can_cancel"`
	CanRetry       bool    `json:"can_retry"`
}

// Approval is one finance user's approval of a payment, bound to the
// payee organisation and the amount it approved (and to where the money
// goes, which is not shown).
type Approval struct {
	UserID              string    `json:"user_id"`
	Name                string    `json:"name"`
	Note                string    `json:"note"`
	ApprovedAt          time.Time `json:"approved_at"`
	PayeeOrganisationID string    `json:"payee_organisation_id"`
	AmountPence         int64     `json:"amount_pence"`
}

// Payee is where a payment would go now, as finance approves it: the
// organisation paid (the grantee, or the host of an unconstituted group)
// and its destination, masked: a Stripe account, or bank details.
type Payee struct {
	OrganisationID string `json:"organisation_id"`
	Name           string `json:"name"`
	HostConsented  bool   `json:"host_consented"`
	// Checks are the payee's latest register checks (a failed one holds
	// the payment before it is sent).
	Checks          []orgcheck.Check `json:"checks"`
	StripeAccountID string           `json:"stripe_account_id,omitempty"`
	AccountName     string           `json:"account_name,omitempty"`
	SortCode        string           `json:"sort_code,omitempty"`      // masked
	AccountNumber   string           `json:"account_number,omitempty"` // masked
}

// PaymentFilter selects payments in the finance queue.
type PaymentFilter struct {
	Status  string
	GrantID string
	Page    PageQuery
}

// paymentRow is a payment with its grantee, as the queries return it.
type paymentRow struct {
	p       sqlc.Payment
	orgID   string
	orgName string
}

// seesPayments reports whether the actor may read payments: finance and
// programme managers. Grantees see their payments inside their grant.
func (a Actor) seesPayments() bool { return a.Has(RoleFinance) || a.Has(RoleManager) }

var paymentStatuses = []string{workflows.PaymentScheduled, workflows.PaymentHeld, workflows.PaymentAwaitingApproval,
	workflows.PaymentApproved, workflows.PaymentSending, workflows.PaymentPaid, workflows.PaymentFailed,
	workflows.PaymentCancelled, workflows.PaymentReversed}

// paymentViews builds the views of rows with their approvals and what
// actor may do with each.
func (a *App) paymentViews(ctx context.Context, actor Actor, rows []paymentRow) ([]Payment, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.p.ID
	}
	approvals, err := a.store.PaymentApprovalsByPayments(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("payment approvals: %w", err)
	}
	payees, err := a.store.PaymentPayees(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("payees: %w", err)
	}
	payeeOrgs := make([]string, len(payees))
	for i, c := range payees {
		payeeOrgs[i] = c.PayeeOrganisationID
	}
	checks, err := orgcheck.Latest(ctx, a.store.Queries, payeeOrgs...)
	if err != nil {
		return nil, err
	}
	payeeOf := map[string]*Payee{}
	for _, c := range payees {
		payeeOf[c.PaymentID] = &Payee{OrganisationID: c.PayeeOrganisationID, Name: c.PayeeName, HostConsented: c.HostConsented,
			StripeAccountID: c.StripeAccountID, AccountName: c.AccountName, SortCode: c.SortCodeMask, AccountNumber: c.AccountMask,
			Checks: nonNilChecks(checks[c.PayeeOrganisationID])}
	}
	byPayment := map[string][]Approval{}
	for _, ap := range approvals {
		byPayment[ap.PaymentID] = append(byPayment[ap.PaymentID], Approval{UserID: ap.UserID, Name: ap.Name, Note: ap.Note, ApprovedAt: ap.ApprovedAt,
			PayeeOrganisationID: ap.PayeeOrganisationID, AmountPence: ap.AmountPence})
	}
	out := make([]Payment, 0, len(rows))
	interests := map[string]string{} // by grant: the actor's interest
	for _, r := range rows {
		p := r.p
		aps := byPayment[p.ID]
		if aps == nil {
			aps = []Approval{}
		}
		out = append(out, Payment{ID: p.ID, GrantID: p.GrantID, OrganisationID: r.orgID, OrganisationName: r.orgName,
			Tranche: p.Tranche, AmountPence: p.AmountPence, Condition: p.Condition, Status: p.Status, Provider: p.Provider,
			ProviderReference: p.ProviderReference, Attempt: p.Attempt, FailureReason: p.FailureReason,
			CancelReason: p.CancelReason, HeldReason: p.HeldReason, RequestedBy: p.RequestedBy, Approvals: aps, Payee: payeeOf[p.ID],
			DueAt: p.DueAt, PaidAt: p.PaidAt, ReversedAt: p.ReversedAt, ReversedPence: p.ReversedPence, PaymentRunID: p.PaymentRunID,
			CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, PartnerOrganisationID: p.PartnerOrganisationID})
		if err := a.addPaymentActions(ctx, actor, &out[len(out)-1], p, interests); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addPaymentActions fills what actor may do with payment v (row p):
// approve it by the two-approver rule, cancel, retry. The actor's
// interest (interest.OfPayment, read once per grant into interests) is
// read only when nothing else refuses the approval.
func (a *App) addPaymentActions(ctx context.Context, actor Actor, v *Payment, p sqlc.Payment, interests map[string]string) error {
	approvers := make([]string, len(v.Approvals))
	for i, ap := range v.Approvals {
		approvers[i] = ap.UserID
	}
	facts := workflows.ApprovalFacts{Status: p.Status, RequestedBy: deref(p.RequestedBy), Approvals: approvers}
	who := caller(actor)
	err := workflows.ApprovalRefusal(facts, who)
	if err == nil {
		why, ok := interests[p.GrantID]
		if !ok {
			var ierr error
			if why, ierr = interest.OfPayment(ctx, a.store.Queries, actor.ID, p); ierr != nil {
				return ierr
			}
			interests[p.GrantID] = why
		}
		facts.Interest = why
		err = workflows.ApprovalRefusal(facts, who)
	}
	if r, ok := workflows.AsRejection(err); ok {
		v.ApproveRefusal = &r.Message
	} else if err != nil {
		return err
	}
	v.CanApprove = err == nil
	finance := actor.Has(RoleFinance)
	v.CanCancel = finance && workflows.CanCancel(p.Status, deref(p.Provider), p.PaymentRunID != nil) == nil
	v.CanRetry = finance && workflows.CanRetry(p.Status) == nil
	return nil
}

// ListPayments is the finance queue: every payment, by id, optionally by
// status and grant. Finance and managers only.
func (a *App) ListPayments(ctx context.Context, actor Actor, f PaymentFilter) (Page[Payment], error) {
	if !actor.seesPayments() {
		return Page[Payment]{}, forbidden("Only finance staff and programme managers can read payments")
	}
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Payment, fields)
	var status, grantID *string
	if f.Status != "" {
		if slices.Contains(paymentStatuses, f.Status) {
			status = &f.Status
		} else {
			fields["status"] = "Unknown status"
		}
	}
	if f.GrantID != "" {
		grantID = &f.GrantID
	}
	if len(fields) > 0 {
		return Page[Payment]{}, Invalid(fields)
	}
	rows, err := a.store.PaymentListQueue(ctx, sqlc.PaymentListQueueParams{Status: status, GrantID: grantID, Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[Payment]{}, fmt.Errorf("list payments: %w", err)
	}
	rows, next := pageRows(rows, limit, func(r sqlc.PaymentListQueueRow) string { return r.Payment.ID })
	prs := make([]paymentRow, len(rows))
	for i, r := range rows {
		prs[i] = paymentRow{p: r.Payment, orgID: r.OrganisationID, orgName: r.OrganisationName}
	}
	views, err := a.paymentViews(ctx, actor, prs)
	if err != nil {
		return Page[Payment]{}, err
	}
	return Page[Payment]{Items: views, NextCursor: next}, nil
}

// loadPayment reads one payment for staff who may read payments.
func (a *App) loadPayment(ctx context.Context, paymentID string) (paymentRow, error) {
	if !id.Valid(id.Payment, paymentID) {
		return paymentRow{}, notFound("Payment")
	}
	r, err := a.store.PaymentDetailGet(ctx, paymentID)
	if err != nil {
		if isNotFound(err) {
			return paymentRow{}, notFound("Payment")
		}
		return paymentRow{}, fmt.Errorf("get payment: %w", err)
	}
	return paymentRow{p: r.Payment, orgID: r.OrganisationID, orgName: r.OrganisationName}, nil
}

// paymentView reads one payment's view afresh, for actor.
func (a *App) paymentView(ctx context.Context, actor Actor, paymentID string) (Payment, error) {
	r, err := a.loadPayment(ctx, paymentID)
	if err != nil {
		return Payment{}, err
	}
	views, err := a.paymentViews(ctx, actor, []paymentRow{r})
	if err != nil {
		return Payment{}, err
	}
	return views[0], nil
}

// GetPayment reads one payment; finance and managers only.
func (a *App) GetPayment(ctx context.Context, actor Actor, paymentID string) (Payment, error) {
	if !actor.seesPayments() {
		return Payment{}, forbidden("Only finance staff and programme managers can read payments")
	}
	return a.paymentView(ctx, actor, paymentID)
}

// ApproveInput is the body of POST /payments/{id}/approve; the note is
// optional.
type ApproveInput struct {
	Note string `json:"note"`
}

// ReasonInput is the body of reject, cancel and reissue: a reason is
// required.
type ReasonInput struct {
	Reason string `json:"reason"`
}

// PaymentCommand sends a finance command (workflows.UpdateApprovePayment,
// UpdateRejectPayment, UpdateRetryPayment or UpdateCancelPayment) to the
// payment's workflow and returns the payment read back. Finance only
// (403, managers too); a payment already cancelled, paid or reversed gets
// 409 at once. The workflow's validator refuses self-approval, a second
// approval by the same person, a third approval, a member of the grantee
// and wrong states. body is nil for retry, whose parameters are checked
// by params.
func (a *App) PaymentCommand(ctx context.Context, actor Actor, paymentID, update string, body Body, params NoParams) (Payment, error) {
	switch update {
	case workflows.UpdateApprovePayment, workflows.UpdateRejectPayment, workflows.UpdateRetryPayment, workflows.UpdateCancelPayment:
	default:
		return Payment{}, fmt.Errorf("unknown payment command %q", update)
	}
	if !actor.Has(RoleFinance) {
		return Payment{}, forbidden("Only finance staff can approve, reject, retry or cancel payments")
	}
	r, err := a.loadPayment(ctx, paymentID)
	if err != nil {
		return Payment{}, err
	}
	if update == workflows.UpdateApprovePayment {
		if err := a.refuseInterestedInPayment(ctx, actor, r.p); err != nil {
			return Payment{}, err
		}
	}
	if workflows.PaymentSettled(r.p.Status) {
		return Payment{}, invalidState(fmt.Sprintf("This payment is %s; it cannot be changed", r.p.Status))
	}
	cmd := workflows.PaymentCommand{Caller: caller(actor)}
	if update == workflows.UpdateRetryPayment {
		if err := params(); err != nil {
			return Payment{}, err
		}
	} else {
		if update == workflows.UpdateApprovePayment {
			var in ApproveInput
			if err := body(&in); err != nil {
				return Payment{}, err
			}
			cmd.Note = strings.TrimSpace(in.Note)
		} else {
			var in ReasonInput
			if err := body(&in); err != nil {
				return Payment{}, err
			}
			cmd.Reason = strings.TrimSpace(in.Reason)
		}
		if fields := workflows.CheckPaymentCommand(update, cmd); len(fields) > 0 {
			return Payment{}, Invalid(fields)
		}
	}
	if err := a.updatePayment(ctx, r.p.ID, update, cmd, nil); err != nil {
		return Payment{}, err
	}
	return a.paymentView(ctx, actor, r.p.ID)
}

// ReissuePayment asks the grant's workflow to issue a cancelled payment's
// tranche again (managers only); the new payment needs two fresh
// approvals. It returns the new payment.
func (a *App) ReissuePayment(ctx context.Context, actor Actor, paymentID string, body Body) (Payment, error) {
	if !actor.Has(RoleManager) {
		return Payment{}, forbidden("Only programme managers can reissue payments")
	}
	r, err := a.loadPayment(ctx, paymentID)
	if err != nil {
		return Payment{}, err
	}
	if err := a.refuseInterestedInGrant(ctx, actor, r.p.GrantID, "reissue its payments"); err != nil {
		return Payment{}, err
	}
	if r.p.Status != workflows.PaymentCancelled {
		return Payment{}, invalidState("Only a cancelled payment can be reissued")
	}
	var in ReasonInput
	if err := body(&in); err != nil {
		return Payment{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	// A reissue's reason follows the rules of a cancellation's.
	if fields := workflows.CheckPaymentCommand(workflows.UpdateCancelPayment, workflows.PaymentCommand{Reason: in.Reason}); len(fields) > 0 {
		return Payment{}, Invalid(fields)
	}
	var res workflows.ReissueResult
	if err := a.updateGrant(ctx, r.p.GrantID, workflows.UpdateReissue, workflows.Reissue{Caller: caller(actor),
		PaymentID: r.p.ID, Reason: in.Reason}, &res); err != nil {
		return Payment{}, err
	}
	if res.PaymentID == "" {
		return Payment{}, fmt.Errorf("reissue of %s named no new payment", r.p.ID)
	}
	return a.paymentView(ctx, actor, res.PaymentID)
}
