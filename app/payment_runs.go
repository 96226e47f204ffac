package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/bacs"
	"github.com/civicgrants/grants/workflows"
)

// Payment run statuses.
const (
	RunOpen = "open"
	RunPaid = "paid"
)

// PaymentRun is a batch of approved manual-provider payments that finance
// sends as one BACS file and then marks paid. Payments is left out of
// lists.
type PaymentRun struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	TotalPence int64      `json:"total_pence"`
	Count      int32      `json:"count"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	PaidBy     *string    `json:"paid_by"`
	PaidAt     *time.Time `json:"paid_at"`
	Payments   []Payment  `json:"payments,omitempty"`
}

func paymentRunView(r sqlc.PaymentRun) PaymentRun {
	return PaymentRun{ID: r.ID, Status: r.Status, TotalPence: r.TotalPence, Count: r.Count, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, PaidBy: r.PaidBy, PaidAt: r.PaidAt}
}

func requireFinance(actor Actor) error {
	if !actor.Has(RoleFinance) {
		return forbidden("Only finance staff can manage payment runs")
	}
	return nil
}

func runChain(runID string) string { return "payment_run:" + runID }

// CreatePaymentRun gathers every approved manual-provider payment not yet
// in a run into a new run (finance only); none waiting is 409.
func (a *App) CreatePaymentRun(ctx context.Context, actor Actor, params NoParams) (PaymentRun, error) {
	if err := requireFinance(actor); err != nil {
		return PaymentRun{}, err
	}
	if err := params(); err != nil {
		return PaymentRun{}, err
	}
	var run sqlc.PaymentRun
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		pays, err := q.PaymentLockForRun(ctx)
		if err != nil {
			return fmt.Errorf("lock approved payments: %w", err)
		}
		if len(pays) == 0 {
			return conflict("No approved payments are waiting for a payment run")
		}
		var total int64
		ids := make([]string, len(pays))
		for i, p := range pays {
			total += p.AmountPence
			ids[i] = p.ID
		}
		run, err = q.PaymentRunInsert(ctx, sqlc.PaymentRunInsertParams{ID: id.New(id.PaymentRun), TotalPence: total,
			Count: int32(len(pays)), CreatedBy: actor.ID, CreatedAt: a.now().UTC().Truncate(time.Microsecond)})
		if err != nil {
			return fmt.Errorf("insert payment run: %w", err)
		}
		if err := q.PaymentAssignRun(ctx, sqlc.PaymentAssignRunParams{PaymentRunID: &run.ID, PaymentIds: ids}); err != nil {
			return fmt.Errorf("assign payments to run: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: runChain(run.ID), Actor: actor.ID, Action: "payment_run.created",
			Entity: runChain(run.ID), Data: map[string]any{"payment_ids": ids, "count": run.Count, "total_pence": run.TotalPence}}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return PaymentRun{}, err
	}
	return a.runWithPayments(ctx, actor, run)
}

// ListPaymentRuns lists payment runs, newest first (finance only).
func (a *App) ListPaymentRuns(ctx context.Context, actor Actor, pq PageQuery) (Page[PaymentRun], error) {
	if err := requireFinance(actor); err != nil {
		return Page[PaymentRun]{}, err
	}
	fields := map[string]string{}
	cursor, limit := pq.parse(id.PaymentRun, fields)
	if len(fields) > 0 {
		return Page[PaymentRun]{}, Invalid(fields)
	}
	rows, err := a.store.PaymentRunList(ctx, sqlc.PaymentRunListParams{Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[PaymentRun]{}, fmt.Errorf("list payment runs: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.PaymentRun) string { return r.ID }, func(r sqlc.PaymentRun) (PaymentRun, error) {
		return paymentRunView(r), nil
	})
}

func (a *App) loadPaymentRun(ctx context.Context, runID string) (sqlc.PaymentRun, error) {
	if !id.Valid(id.PaymentRun, runID) {
		return sqlc.PaymentRun{}, notFound("Payment run")
	}
	r, err := a.store.PaymentRunGet(ctx, runID)
	if err != nil {
		if isNotFound(err) {
			return r, notFound("Payment run")
		}
		return r, fmt.Errorf("get payment run: %w", err)
	}
	return r, nil
}

// paymentRunView reads a run with its payments.
func (a *App) paymentRunView(ctx context.Context, actor Actor, runID string) (PaymentRun, error) {
	r, err := a.loadPaymentRun(ctx, runID)
	if err != nil {
		return PaymentRun{}, err
	}
	return a.runWithPayments(ctx, actor, r)
}

// runWithPayments is the view of run r with its payments, for actor.
func (a *App) runWithPayments(ctx context.Context, actor Actor, r sqlc.PaymentRun) (PaymentRun, error) {
	rows, err := a.store.PaymentDetailListByRun(ctx, &r.ID)
	if err != nil {
		return PaymentRun{}, fmt.Errorf("payments of run: %w", err)
	}
	prs := make([]paymentRow, len(rows))
	for i, p := range rows {
		prs[i] = paymentRow{p: p.Payment, orgID: p.OrganisationID, orgName: p.OrganisationName}
	}
	v := paymentRunView(r)
	if v.Payments, err = a.paymentViews(ctx, actor, prs); err != nil {
		return PaymentRun{}, err
	}
	return v, nil
}

// GetPaymentRun reads one run with its payments (finance only).
func (a *App) GetPaymentRun(ctx context.Context, actor Actor, runID string) (PaymentRun, error) {
	if err := requireFinance(actor); err != nil {
		return PaymentRun{}, err
	}
	return a.paymentRunView(ctx, actor, runID)
}

// RunFile is a payment run's BACS file.
type RunFile struct {
	Filename string
	Content  []byte
}

// bacsReference is a payment's reference on the payee's statement: the
// last bacs.MaxReference characters of its id (the random part, so unique
// per payment), in BACS characters.
func bacsReference(paymentID string) string {
	return bacs.Reference(paymentID[max(0, len(paymentID)-bacs.MaxReference):])
}

// PaymentRunFile builds a run's BACS file (finance only): one row per
// payment with the payee's bank details decrypted (the payee is the
// grantee, or its host for an unconstituted group). A payee without bank
// details is 409 naming the organisation.
func (a *App) PaymentRunFile(ctx context.Context, actor Actor, runID string) (RunFile, error) {
	if err := requireFinance(actor); err != nil {
		return RunFile{}, err
	}
	r, err := a.loadPaymentRun(ctx, runID)
	if err != nil {
		return RunFile{}, err
	}
	cipher, err := a.bankCipher(ctx)
	if err != nil {
		return RunFile{}, err
	}
	var buf bytes.Buffer
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		payees, err := q.PaymentRunPayees(ctx, &r.ID)
		if err != nil {
			return fmt.Errorf("payees of run: %w", err)
		}
		if err := checkRunPayees(ctx, q, payees); err != nil {
			return err
		}
		rows := make([]bacs.Row, 0, len(payees))
		ids := make([]string, 0, len(payees))
		for _, p := range payees {
			d, err := cipher.Open(p.DetailsEnc, p.PayeeID)
			if err != nil {
				return fmt.Errorf("decrypt bank details of %s: %w", p.PayeeID, err)
			}
			rows = append(rows, bacs.Row{SortCode: d.SortCode, AccountNumber: d.AccountNumber, AccountName: d.AccountName,
				AmountPence: p.AmountPence, Reference: bacsReference(p.PaymentID)})
			ids = append(ids, p.PaymentID)
		}
		if err := bacs.WriteCSV(&buf, rows); err != nil {
			return fmt.Errorf("write BACS file: %w", err)
		}
		// Bank details were decrypted: who did it, and for what, is on record.
		_, err = audit.Append(ctx, q, audit.Event{Chain: runChain(r.ID), Actor: actor.ID, Action: "payment_run.file_downloaded",
			Entity: runChain(r.ID), Data: map[string]any{"payment_ids": ids, "count": len(rows), "bank_details_decrypted": len(rows)}})
		return err
	})
	if err != nil {
		return RunFile{}, err
	}
	return RunFile{Filename: "payment-run-" + r.ID + ".csv", Content: buf.Bytes()}, nil
}

// checkRunPayees refuses (409) a run file while any of its payments would
// pay something its approvers did not approve: a payee without bank
// details, a host that has not consented, or a payee, bank details or
// amount other than every approval names (payments.Approved). Nothing is
// decrypted before it passes.
func checkRunPayees(ctx context.Context, q *sqlc.Queries, payees []sqlc.PaymentRunPayeesRow) error {
	ids := make([]string, len(payees))
	for i, p := range payees {
		ids[i] = p.PaymentID
	}
	rows, err := q.PaymentApprovalBindings(ctx, ids)
	if err != nil {
		return fmt.Errorf("approvals of run: %w", err)
	}
	bindings := map[string][]payments.Binding{}
	for _, b := range rows {
		bindings[b.PaymentID] = append(bindings[b.PaymentID], payments.Binding{ApproverID: b.UserID,
			OrganisationID: b.PayeeOrganisationID, Fingerprint: b.PayeeFingerprint, AmountPence: b.AmountPence})
	}
	var missing, problems []string
	for _, p := range payees {
		if p.DetailsEnc == nil {
			if !slices.Contains(missing, p.PayeeName) {
				missing = append(missing, p.PayeeName)
			}
			continue
		}
		payee := payments.Payee{OrganisationID: p.PayeeID, Name: p.PayeeName, HostConsented: p.HostConsented, Fingerprint: p.Fingerprint}
		why := payments.Approved(payee, p.AmountPence, bindings[p.PaymentID])
		if why == "" && len(bindings[p.PaymentID]) < workflows.RequiredApprovals {
			why = "it does not have its two approvals"
		}
		if why != "" {
			problems = append(problems, fmt.Sprintf("tranche %d (payment %s): %s", p.Tranche, p.PaymentID, why))
		}
	}
	if len(missing) > 0 {
		return conflict("No bank details are saved for " + strings.Join(missing, ", ") +
			": an admin of the organisation must add them before this run can be paid")
	}
	if len(problems) > 0 {
		return conflict("This run cannot be paid as approved: " + strings.Join(problems, "; ") +
			". Nothing was decrypted; finance can cancel such a payment so that it is reissued for fresh approval.")
	}
	return nil
}

// MarkPaymentRunPaid marks each payment of a run paid through its
// workflow and then the run itself (finance only). It is idempotent: a
// call after a partial failure sends only the payments not yet paid, and
// a run already paid is returned as it is.
func (a *App) MarkPaymentRunPaid(ctx context.Context, actor Actor, runID string, params NoParams) (PaymentRun, error) {
	if err := requireFinance(actor); err != nil {
		return PaymentRun{}, err
	}
	r, err := a.loadPaymentRun(ctx, runID)
	if err != nil {
		return PaymentRun{}, err
	}
	if err := params(); err != nil {
		return PaymentRun{}, err
	}
	if r.Status == RunPaid {
		return a.runWithPayments(ctx, actor, r)
	}
	pays, err := a.store.PaymentDetailListByRun(ctx, &r.ID)
	if err != nil {
		return PaymentRun{}, fmt.Errorf("payments of run: %w", err)
	}
	cmd := workflows.PaymentCommand{Caller: caller(actor), RunID: r.ID}
	for _, p := range pays {
		if isPaid(p.Payment.Status) {
			continue
		}
		uerr := a.updatePayment(ctx, p.Payment.ID, workflows.UpdateMarkPaid, cmd, nil)
		if uerr == nil {
			continue
		}
		// Someone else (a concurrent call) may have marked it paid
		// meanwhile: that is success too.
		now, gerr := a.store.PaymentDetailGet(context.WithoutCancel(ctx), p.Payment.ID)
		if gerr == nil && isPaid(now.Payment.Status) {
			continue
		}
		return PaymentRun{}, uerr
	}
	now := a.now().UTC().Truncate(time.Microsecond)
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		run, err := q.PaymentRunMarkPaid(ctx, sqlc.PaymentRunMarkPaidParams{PaidBy: &actor.ID, PaidAt: &now, RunID: r.ID})
		if err != nil {
			if !isNotFound(err) {
				return fmt.Errorf("mark run paid: %w", err)
			}
			cur, err := q.PaymentRunGet(ctx, r.ID)
			if err != nil {
				return fmt.Errorf("recheck payment run: %w", err)
			}
			if cur.Status == RunPaid {
				return nil // a concurrent call finished it
			}
			return conflict("Some payments of this run are not marked paid yet; try again")
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: runChain(run.ID), Actor: actor.ID, Action: "payment_run.paid",
			Entity: runChain(run.ID), Data: map[string]any{"count": run.Count, "total_pence": run.TotalPence}})
		return err
	})
	if err != nil {
		return PaymentRun{}, err
	}
	return a.paymentRunView(ctx, actor, r.ID)
}

func isPaid(status string) bool {
	return status == workflows.PaymentPaid || status == workflows.PaymentReversed
}
