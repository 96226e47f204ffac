package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/workflows"
)

// The activities of DisbursementWorkflow: approvals, cancellation, retry,
// the provider call and marking a manual payment paid.

// lockPayment locks a payment; a missing one is a not_found rejection.
func lockPayment(ctx context.Context, q *sqlc.Queries, paymentID string) (sqlc.Payment, error) {
	p, err := q.PaymentGetForUpdate(ctx, paymentID)
	if err != nil {
		if isNotFound(err) {
			return p, workflows.Reject(workflows.RejectNotFound, "Payment not found", nil)
		}
		return p, fmt.Errorf("load payment %s: %w", paymentID, err)
	}
	return p, nil
}

// savePayment writes a payment's mutable fields back.
func savePayment(ctx context.Context, q *sqlc.Queries, p sqlc.Payment) (sqlc.Payment, error) {
	out, err := q.PaymentUpdateState(ctx, sqlc.PaymentUpdateStateParams{ID: p.ID, Status: p.Status, AmountPence: p.AmountPence,
		Provider: p.Provider, Attempt: p.Attempt, ProviderReference: p.ProviderReference, FailureReason: p.FailureReason,
		CancelReason: p.CancelReason, CancelledBy: p.CancelledBy, HeldReason: p.HeldReason, DueAt: p.DueAt, PaidAt: p.PaidAt,
		ReversedAt: p.ReversedAt, ReversalReason: p.ReversalReason})
	if err != nil {
		return out, fmt.Errorf("save payment: %w", err)
	}
	return out, nil
}

func isRejection(err error) bool {
	_, ok := workflows.AsRejection(err)
	return ok
}

// recordPayment appends an audit event about a payment to its grant's
// chain; data gains the payment's id.
func recordPayment(ctx context.Context, q *sqlc.Queries, p sqlc.Payment, actor, action string, at time.Time, data map[string]any) error {
	data["payment_id"] = p.ID
	return record(ctx, q, grantChain(p.GrantID), actor, action, paymentEntity(p.ID), at, data)
}

// trancheName names a payment for people: "Tranche 2 of grant gnt_… (£1,000.00)".
func trancheName(p sqlc.Payment) string {
	return fmt.Sprintf("Tranche %d of grant %s (%s)", p.Tranche, p.GrantID, money.PoundsAndPence(p.AmountPence))
}

// unresolvedAttempt finds a payment's current attempt when the provider
// never answered it (still sending): it may have paid, so it is looked up
// before anything else is sent or the payment cancelled.
func unresolvedAttempt(ctx context.Context, q *sqlc.Queries, p sqlc.Payment) (sqlc.PaymentAttempt, bool, error) {
	if p.Attempt == 0 {
		return sqlc.PaymentAttempt{}, false, nil
	}
	att, err := q.PaymentAttemptGet(ctx, sqlc.PaymentAttemptGetParams{PaymentID: p.ID, Attempt: p.Attempt})
	switch {
	case isNotFound(err):
		return att, false, nil
	case err != nil:
		return att, false, fmt.Errorf("load attempt: %w", err)
	}
	return att, att.Status == workflows.PaymentSending, nil
}

// LoadPayment reads what the payment's workflow needs.
func (a *Activities) LoadPayment(ctx context.Context, paymentID string) (workflows.PaymentSnapshot, error) {
	q := a.Store.Queries
	p, err := q.PaymentGet(ctx, paymentID)
	if err != nil {
		return workflows.PaymentSnapshot{}, classify(fmt.Errorf("load payment %s: %w", paymentID, err))
	}
	members, err := q.PaymentPayeeMemberIDs(ctx, p.ID)
	if err != nil {
		return workflows.PaymentSnapshot{}, classify(fmt.Errorf("list payee members: %w", err))
	}
	approvers, err := q.PaymentApprovers(ctx, p.ID)
	if err != nil {
		return workflows.PaymentSnapshot{}, classify(fmt.Errorf("list approvals: %w", err))
	}
	app, err := applicationOfGrant(ctx, q, p.GrantID)
	if err != nil {
		return workflows.PaymentSnapshot{}, classify(err)
	}
	staff, err := interest.Staff(ctx, q, app)
	if err != nil {
		return workflows.PaymentSnapshot{}, classify(err)
	}
	for _, id := range staff {
		if !slices.Contains(members, id) {
			members = append(members, id)
		}
	}
	prov := deref(p.Provider)
	if prov == "" { // not yet due: the round's provider
		g, err := q.GrantGet(ctx, p.GrantID)
		if err != nil {
			return workflows.PaymentSnapshot{}, classify(fmt.Errorf("load grant: %w", err))
		}
		_, def, err := loadRound(ctx, q, g.RoundID)
		if err != nil {
			return workflows.PaymentSnapshot{}, classify(err)
		}
		prov = provider(def)
	}
	return workflows.PaymentSnapshot{PaymentID: p.ID, GrantID: p.GrantID, Status: p.Status, Provider: prov, AmountPence: p.AmountPence,
		RequestedBy: deref(p.RequestedBy), Approvals: approvers, MemberIDs: members, RunID: deref(p.PaymentRunID)}, nil
}

// requireRole refuses (forbidden, with refusal) a user without a staff
// role, checked against the users table rather than the caller's word.
func requireRole(ctx context.Context, q *sqlc.Queries, userID, role, refusal string) error {
	roles, err := q.UserRoles(ctx, userID)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("read roles: %w", err)
	}
	if !slices.Contains(roles, role) {
		return workflows.Reject(workflows.RejectForbidden, refusal, nil)
	}
	return nil
}

// ApprovePayment records one finance user's approval; the second makes
// the payment approved. It applies the two-approver rule
// (workflows.ApprovalRefusal) again with facts read from PostgreSQL, and
// refuses an approval of a payee, destination or amount other than an
// earlier approval's. Run again after it applied, it returns the state it
// left.
func (a *Activities) ApprovePayment(ctx context.Context, in workflows.PaymentCommandInput) (workflows.PaymentState, error) {
	var out workflows.PaymentState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		approvers, err := q.PaymentApprovers(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("list approvals: %w", err)
		}
		caller := in.Command.Caller.ID
		if slices.Contains(approvers, caller) {
			out = workflows.PaymentState{Status: p.Status, Approvals: len(approvers)}
			return nil
		}
		// The two-approver rule, with the facts read here rather than
		// taken from the caller: roles, approvals and interest.
		roles, err := q.UserRoles(ctx, caller)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("read roles: %w", err)
		}
		why, err := interest.OfPayment(ctx, q, caller, p)
		if err != nil {
			return err
		}
		facts := workflows.ApprovalFacts{Status: p.Status, RequestedBy: deref(p.RequestedBy), Approvals: approvers, Interest: why}
		if err := workflows.ApprovalRefusal(facts, workflows.Caller{ID: caller, Roles: roles}); err != nil {
			return err
		}
		// The approval approves this payee, this destination and this
		// amount; an earlier approval of anything else cannot be added to.
		payee, bindings, err := payeeOf(ctx, q, p.ID)
		if err != nil {
			return err
		}
		if why := payments.Payable(payee.Payee); why != "" {
			return workflows.Reject(workflows.RejectInvalidState, why, nil)
		}
		if why := payments.Approved(payee.Payee, p.AmountPence, bindings); why != "" {
			return workflows.Reject(workflows.RejectConflict, why+": cancel this payment so that a manager can reissue it for two fresh approvals", nil)
		}
		if err := q.PaymentApprovalInsert(ctx, sqlc.PaymentApprovalInsertParams{PaymentID: p.ID, UserID: caller,
			Note: in.Command.Note, ApprovedAt: in.At, PayeeOrganisationID: payee.OrganisationID,
			PayeeFingerprint: payee.Fingerprint, AmountPence: p.AmountPence}); err != nil {
			return fmt.Errorf("record approval: %w", err)
		}
		n := len(approvers) + 1
		if n == workflows.RequiredApprovals {
			p.Status = workflows.PaymentApproved
			if p, err = savePayment(ctx, q, p); err != nil {
				return err
			}
		}
		out = workflows.PaymentState{Status: p.Status, Approvals: n}
		if err := recordPayment(ctx, q, p, caller, "payment.approved", in.At,
			map[string]any{"note": in.Command.Note, "approvals": n, "status": p.Status, "payee_organisation_id": payee.OrganisationID,
				"payee_fingerprint": payee.Fingerprint, "amount_pence": p.AmountPence}); err != nil {
			return err
		}
		if p.Status == workflows.PaymentApproved && deref(p.Provider) == workflows.ProviderManual {
			return notifyRole(ctx, q, workflows.RoleFinance, message{kind: "payment_approved", subject: "A payment is ready for a payment run",
				body:   trancheName(p) + " has its two approvals: add it to a payment run.",
				entity: paymentEntity(p.ID), key: "approved:" + p.ID})
		}
		return nil
	})
	return out, classify(err)
}

// CancelPayment cancels a payment not yet sent (finance's rejection or
// cancellation, with the reason); managers are told, as one may reissue
// the tranche.
func (a *Activities) CancelPayment(ctx context.Context, in workflows.PaymentCommandInput) (workflows.PaymentState, error) {
	var out workflows.PaymentState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		out.Status = p.Status
		if p.Status == workflows.PaymentCancelled {
			return nil
		}
		if err := workflows.CanCancel(p.Status, deref(p.Provider), p.PaymentRunID != nil); err != nil {
			return err
		}
		if p.Status == workflows.PaymentFailed {
			// An attempt the provider never answered may have paid: only
			// a retry (which looks it up first) can settle that.
			if _, unresolved, err := unresolvedAttempt(ctx, q, p); err != nil {
				return err
			} else if unresolved {
				return workflows.Reject(workflows.RejectInvalidState,
					"Stripe never answered this payment's last attempt, so it may have been paid: retry it (the retry checks with Stripe first) before cancelling", nil)
			}
		}
		caller := in.Command.Caller.ID
		if err := requireRole(ctx, q, caller, workflows.RoleFinance, "Only finance staff can cancel payments"); err != nil {
			return err
		}
		p.Status, p.CancelReason, p.CancelledBy = workflows.PaymentCancelled, &in.Command.Reason, &caller
		if _, err := savePayment(ctx, q, p); err != nil {
			return err
		}
		out.Status = p.Status
		action := "payment.cancelled"
		if in.Update == workflows.UpdateRejectPayment {
			action = "payment.rejected"
		}
		if err := recordPayment(ctx, q, p, caller, action, in.At, map[string]any{"reason": in.Command.Reason}); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleManager, message{kind: "payment_cancelled", subject: "A grant payment was cancelled",
			body:   fmt.Sprintf("%s was cancelled by finance: %s. A manager may reissue it.", trancheName(p), in.Command.Reason),
			entity: paymentEntity(p.ID), key: "cancelled:" + p.ID})
	})
	return out, classify(err)
}

// RetryPayment sends a failed payment again with its approvals kept: a
// new attempt after a refusal, or the same attempt, looked up at the
// provider first, when its outcome was never known (FailPayment).
func (a *Activities) RetryPayment(ctx context.Context, in workflows.PaymentCommandInput) (workflows.PaymentState, error) {
	var out workflows.PaymentState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		out.Status = p.Status
		if p.Status == workflows.PaymentSending {
			return nil
		}
		if err := workflows.CanRetry(p.Status); err != nil {
			return err
		}
		caller := in.Command.Caller.ID
		if err := requireRole(ctx, q, caller, workflows.RoleFinance, "Only finance staff can retry payments"); err != nil {
			return err
		}
		p.Status = workflows.PaymentSending
		if _, err := savePayment(ctx, q, p); err != nil {
			return err
		}
		out.Status = p.Status
		return recordPayment(ctx, q, p, caller, "payment.retried", in.At, map[string]any{"previous_failure": deref(p.FailureReason)})
	})
	return out, classify(err)
}

// SendPayment pays an approved Stripe payment, exactly once however often
// it runs. In one transaction it takes the payment to sending and either
// records a new attempt (payment:<id>:attempt:<n>) or finds the current
// one still sending with no reference: a run that died after calling the
// provider, or one whose transient errors outlasted the retries. A
// resumed attempt is first looked up at the provider (by transfer group
// and the key in metadata); only if none is found is the
// transfer created, always with the attempt's idempotency key. The
// outcome is then recorded: paid with the provider's reference, or, on a
// permanent refusal, failed with its reason. Transient errors are
// returned for Temporal to retry, which resumes the same attempt.
func (a *Activities) SendPayment(ctx context.Context, in workflows.SendInput) (workflows.SendResult, error) {
	var (
		out     workflows.SendResult
		p       sqlc.Payment
		att     sqlc.PaymentAttempt
		account string
		resume  bool
		blocked string // why what would be paid is not what was approved
	)
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		var err error
		if p, err = lockPayment(ctx, q, in.PaymentID); err != nil {
			return err
		}
		switch p.Status {
		case workflows.PaymentPaid, workflows.PaymentReversed:
			out = workflows.SendResult{Status: p.Status, Reference: deref(p.ProviderReference)}
			return nil
		case workflows.PaymentFailed:
			out = workflows.SendResult{Status: p.Status, Reason: deref(p.FailureReason)}
			return nil
		case workflows.PaymentApproved, workflows.PaymentSending:
		default:
			return workflows.Reject(workflows.RejectInvalidState, "This payment cannot be sent (it is "+p.Status+")", nil)
		}
		if att, resume, err = unresolvedAttempt(ctx, q, p); err != nil {
			return err
		}
		// Pay only what two approvers approved: this payee, this
		// destination, this amount, with the host's consent.
		payee, bindings, err := payeeOf(ctx, q, p.ID)
		if err != nil {
			return err
		}
		blocked = payments.Approved(payee.Payee, p.AmountPence, bindings)
		if blocked == "" && len(bindings) < workflows.RequiredApprovals {
			blocked = fmt.Sprintf("This payment has %d of its %d approvals", len(bindings), workflows.RequiredApprovals)
		}
		if blocked == "" {
			blocked = in.Hold // the payee's register check holds it
		}
		if blocked != "" && !resume {
			// Nothing was sent: refuse before any attempt is made.
			return markFailed(ctx, q, p, 0, true, "Not sent: "+blocked, in.At, &out)
		}
		account = payee.StripeAccount
		if !resume {
			n := p.Attempt + 1
			att, err = q.PaymentAttemptInsert(ctx, sqlc.PaymentAttemptInsertParams{PaymentID: p.ID, Attempt: n,
				IdempotencyKey: workflows.IdempotencyKey(p.ID, int(n)), StartedAt: in.At})
			if err != nil {
				return fmt.Errorf("record attempt: %w", err)
			}
			p.Attempt = n
		}
		p.Status, p.FailureReason = workflows.PaymentSending, nil
		if p, err = savePayment(ctx, q, p); err != nil {
			return err
		}
		if resume {
			return nil
		}
		return recordPayment(ctx, q, p, workflows.SystemActor, "payment.sending", in.At,
			map[string]any{"attempt": att.Attempt, "idempotency_key": att.IdempotencyKey, "amount_pence": p.AmountPence})
	})
	if err != nil || out.Status != "" {
		return out, classify(err)
	}
	if a.Stripe == nil {
		return out, classify(errors.New("send payment: no Stripe client configured"))
	}
	if account == "" && blocked == "" {
		return a.recordSend(ctx, p, att, "", "The organisation being paid has no Stripe account yet", in)
	}
	activity.RecordHeartbeat(ctx, att.Attempt)
	ref := ""
	if resume {
		found, ok, err := a.Stripe.FindTransfer(ctx, p.ID, att.IdempotencyKey)
		if err != nil {
			return out, fmt.Errorf("look up transfer: %w", err)
		}
		if ok {
			ref = found
		}
	}
	if ref == "" && blocked != "" {
		return a.recordSend(ctx, p, att, "", "Not sent: "+blocked, in)
	}
	if ref == "" {
		ref, err = a.Stripe.Transfer(ctx, payments.TransferParams{PaymentID: p.ID, GrantID: p.GrantID, AccountID: account,
			IdempotencyKey: att.IdempotencyKey, AmountPence: p.AmountPence,
			Description: fmt.Sprintf("Grant %s tranche %d", p.GrantID, p.Tranche)})
		if perm, ok := payments.IsPermanent(err); ok {
			return a.recordSend(ctx, p, att, "", perm.Reason, in)
		}
		if err != nil {
			return out, fmt.Errorf("transfer: %w", err) // transient: retried, resuming this attempt
		}
	}
	return a.recordSend(ctx, p, att, ref, "", in)
}

// recordSend records an attempt's outcome: paid with ref, or failed with
// reason (finance is told).
func (a *Activities) recordSend(ctx context.Context, p sqlc.Payment, att sqlc.PaymentAttempt, ref, reason string, in workflows.SendInput) (workflows.SendResult, error) {
	var out workflows.SendResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		cur, err := lockPayment(ctx, q, p.ID)
		if err != nil {
			return err
		}
		if cur.Status != workflows.PaymentSending || cur.Attempt != att.Attempt {
			out = workflows.SendResult{Status: cur.Status, Reference: deref(cur.ProviderReference), Reason: deref(cur.FailureReason)}
			return nil
		}
		if ref != "" {
			return markPaid(ctx, q, cur, att.Attempt, ref, workflows.SystemActor, in.At, &out)
		}
		return markFailed(ctx, q, cur, att.Attempt, true, reason, in.At, &out)
	})
	return out, classify(err)
}

// markPaid records a payment paid with the provider's reference and
// tells the grantee's admins.
func markPaid(ctx context.Context, q *sqlc.Queries, p sqlc.Payment, attempt int32, ref, actor string, at time.Time, out *workflows.SendResult) error {
	if attempt > 0 {
		if err := q.PaymentAttemptFinish(ctx, sqlc.PaymentAttemptFinishParams{PaymentID: p.ID, Attempt: attempt,
			Status: workflows.PaymentPaid, ProviderReference: &ref, FinishedAt: &at}); err != nil {
			return fmt.Errorf("finish attempt: %w", err)
		}
	}
	p.Status, p.ProviderReference, p.PaidAt = workflows.PaymentPaid, &ref, &at
	if _, err := savePayment(ctx, q, p); err != nil {
		return err
	}
	*out = workflows.SendResult{Status: p.Status, Reference: ref}
	if err := recordPayment(ctx, q, p, actor, "payment.paid", at,
		map[string]any{"amount_pence": p.AmountPence, "reference": ref, "attempt": attempt}); err != nil {
		return err
	}
	g, err := q.GrantGet(ctx, p.GrantID)
	if err != nil {
		return fmt.Errorf("load grant: %w", err)
	}
	return notifyOrgAdmins(ctx, q, g.OrganisationID, message{kind: "payment_paid", subject: "Grant payment sent",
		body:   fmt.Sprintf("We have paid tranche %d of your grant: %s.", p.Tranche, money.PoundsAndPence(p.AmountPence)),
		entity: grantChain(p.GrantID), key: "paid:" + p.ID})
}

// markFailed records a payment failed with the reason and tells finance.
// resolved says the provider answered the attempt (a permanent refusal):
// the attempt is finished as failed, and a retry makes a new one. An
// unresolved attempt (transient errors outlasted the retries: any of its
// requests may have reached the provider) stays sending, so a retry
// resumes it and looks it up at the provider before creating anything.
func markFailed(ctx context.Context, q *sqlc.Queries, p sqlc.Payment, attempt int32, resolved bool, reason string, at time.Time, out *workflows.SendResult) error {
	if attempt > 0 && resolved {
		if err := q.PaymentAttemptFinish(ctx, sqlc.PaymentAttemptFinishParams{PaymentID: p.ID, Attempt: attempt,
			Status: workflows.PaymentFailed, Error: &reason, FinishedAt: &at}); err != nil {
			return fmt.Errorf("finish attempt: %w", err)
		}
	}
	p.Status, p.FailureReason = workflows.PaymentFailed, &reason
	if _, err := savePayment(ctx, q, p); err != nil {
		return err
	}
	*out = workflows.SendResult{Status: p.Status, Reason: reason}
	if err := recordPayment(ctx, q, p, workflows.SystemActor, "payment.failed", at, map[string]any{"attempt": attempt, "reason": reason}); err != nil {
		return err
	}
	return notifyRole(ctx, q, workflows.RoleFinance, message{kind: "payment_failed", subject: "A grant payment failed",
		body:   fmt.Sprintf("%s failed: %s. Retry or cancel it.", trancheName(p), reason),
		entity: paymentEntity(p.ID), key: fmt.Sprintf("failed:%s:%d:%s", p.ID, attempt, at.UTC().Format(time.RFC3339Nano))})
}

// FailPayment records a payment failed when transient errors outlasted
// the retries. The attempt stays unresolved (sending, no reference): the
// provider may have acted on one of its requests, so a retry resumes it,
// looking it up at the provider before creating anything, with the same
// idempotency key.
func (a *Activities) FailPayment(ctx context.Context, in workflows.FailInput) error {
	return classify(a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		if p.Status != workflows.PaymentSending {
			return nil
		}
		var out workflows.SendResult
		return markFailed(ctx, q, p, p.Attempt, false, in.Reason, in.At, &out)
	}))
}

// MarkPaid records a manual (bank transfer) payment paid in its payment
// run, with the run as its reference.
func (a *Activities) MarkPaid(ctx context.Context, in workflows.PaymentCommandInput) (workflows.PaymentState, error) {
	var out workflows.PaymentState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		p, err := lockPayment(ctx, q, in.PaymentID)
		if err != nil {
			return err
		}
		out.Status = p.Status
		run := in.Command.RunID
		switch {
		case p.Status == workflows.PaymentPaid && deref(p.ProviderReference) == run:
			return nil
		case p.Status != workflows.PaymentApproved || deref(p.Provider) != workflows.ProviderManual:
			return workflows.Reject(workflows.RejectInvalidState, "Only an approved bank-transfer payment can be marked paid (this one is "+p.Status+")", nil)
		case deref(p.PaymentRunID) != run:
			return workflows.Reject(workflows.RejectInvalidState, "This payment is not in that payment run", nil)
		}
		caller := in.Command.Caller.ID
		if err := requireRole(ctx, q, caller, workflows.RoleFinance, "Only finance staff can mark payments paid"); err != nil {
			return err
		}
		var res workflows.SendResult
		if err := markPaid(ctx, q, p, 0, run, caller, in.At, &res); err != nil {
			return err
		}
		out.Status = res.Status
		return nil
	})
	return out, classify(err)
}

// payeeOf reads where a payment would go now and what each of its
// approvals approved.
func payeeOf(ctx context.Context, q *sqlc.Queries, paymentID string) (stripePayee, []payments.Binding, error) {
	payees, err := q.PaymentPayees(ctx, []string{paymentID})
	if err != nil || len(payees) != 1 {
		return stripePayee{}, nil, fmt.Errorf("load payee of %s: %w (%d found)", paymentID, err, len(payees))
	}
	cur := payees[0]
	rows, err := q.PaymentApprovalBindings(ctx, []string{paymentID})
	if err != nil {
		return stripePayee{}, nil, fmt.Errorf("load approvals: %w", err)
	}
	bindings := make([]payments.Binding, len(rows))
	for i, r := range rows {
		bindings[i] = payments.Binding{ApproverID: r.UserID, OrganisationID: r.PayeeOrganisationID,
			Fingerprint: r.PayeeFingerprint, AmountPence: r.AmountPence}
	}
	return stripePayee{Payee: payments.Payee{OrganisationID: cur.PayeeOrganisationID, Name: cur.PayeeName,
		HostConsented: cur.HostConsented, Fingerprint: cur.Fingerprint}, StripeAccount: cur.StripeAccountID}, bindings, nil
}

// stripePayee is a payee with its Stripe account ("" if none).
type stripePayee struct {
	payments.Payee
	StripeAccount string
}
