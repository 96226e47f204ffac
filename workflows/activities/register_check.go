package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/workflows"
)

// checker is the register checker, or one with no keys (every check
// not_run) when none was configured.
func (a *Activities) checker() *registers.Checker {
	if a.Registers != nil {
		return a.Registers
	}
	return &registers.Checker{CharityCommission: &registers.CharityCommission{}, CompaniesHouse: &registers.CompaniesHouse{}}
}

// RunRegisterCheck runs one queued check (RegisterCheckWorkflow).
func (a *Activities) RunRegisterCheck(ctx context.Context, in workflows.RegisterCheckInput) error {
	_, err := orgcheck.Run(ctx, a.Store, a.checker(), in.CheckID, "", a.now)
	return classify(err)
}

// checkOrganisations opens (idempotently, by trigger) and runs the
// checks of each organisation, and summarises them.
func (a *Activities) checkOrganisations(ctx context.Context, orgIDs []string, t orgcheck.Trigger, at time.Time) ([]workflows.CheckSummary, error) {
	c := a.checker()
	var out []workflows.CheckSummary
	for _, orgID := range orgIDs {
		var opened []sqlc.OrganisationCheck
		err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
			o, err := q.OrganisationGet(ctx, orgID)
			if err != nil {
				return fmt.Errorf("load organisation %s: %w", orgID, err)
			}
			opened, err = orgcheck.Open(ctx, q, o, t, c.Configured, false, at)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, chk := range opened {
			done, err := orgcheck.Run(ctx, a.Store, c, chk.ID, t.Chain, a.now)
			if err != nil {
				return nil, err
			}
			out = append(out, orgcheck.Summary(done))
		}
	}
	return out, nil
}

// ApplicationOrganisationIDs are the organisations checked when an
// application is submitted: its lead, then each confirmed partner
// organisation, each once.
func ApplicationOrganisationIDs(_ context.Context, _ *sqlc.Queries, app sqlc.Application) ([]string, error) {
	ids := []string{app.OrganisationID}
	var ps []partnerShare
	if len(app.Partners) > 0 {
		if err := json.Unmarshal(app.Partners, &ps); err != nil {
			return nil, fmt.Errorf("decode partners: %w", err)
		}
	}
	for _, p := range ps {
		if p.Status == "confirmed" && p.OrganisationID != "" && !slices.Contains(ids, p.OrganisationID) {
			ids = append(ids, p.OrganisationID)
		}
	}
	return ids, nil
}

// CheckApplicationOrganisations checks a submitted application's
// organisations against the registers and records each result on the
// application's audit chain and in organisation_checks (trigger: the
// application). It never changes the application: assessors and the
// panel see the results.
func (a *Activities) CheckApplicationOrganisations(ctx context.Context, in workflows.CheckApplicationInput) (workflows.CheckApplicationResult, error) {
	app, err := a.Store.ApplicationGet(ctx, in.ApplicationID)
	if err != nil {
		return workflows.CheckApplicationResult{}, classify(fmt.Errorf("load application: %w", err))
	}
	orgIDs, err := ApplicationOrganisationIDs(ctx, a.Store.Queries, app)
	if err != nil {
		return workflows.CheckApplicationResult{}, classify(err)
	}
	checks, err := a.checkOrganisations(ctx, orgIDs,
		orgcheck.Trigger{Kind: orgcheck.TriggerSubmission, ID: app.ID, Chain: "application:" + app.ID}, in.At)
	return workflows.CheckApplicationResult{Checks: checks}, classify(err)
}

// CheckPayee checks the organisation a payment pays (the grantee, or an
// unconstituted group's host) before it is sent. A failed check (removed
// charity, dissolved or liquidated company, not on the register) holds
// the payment: Hold says why. not_run and error never hold.
func (a *Activities) CheckPayee(ctx context.Context, in workflows.CheckPayeeInput) (workflows.CheckPayeeResult, error) {
	payees, err := a.Store.PaymentPayees(ctx, []string{in.PaymentID})
	if err != nil || len(payees) != 1 {
		return workflows.CheckPayeeResult{}, classify(fmt.Errorf("load payee of %s: %w (%d found)", in.PaymentID, err, len(payees)))
	}
	p, err := a.Store.PaymentGet(ctx, in.PaymentID)
	if err != nil {
		return workflows.CheckPayeeResult{}, classify(fmt.Errorf("load payment: %w", err))
	}
	// One check per payment and send (named by the send's workflow time,
	// so a retried activity finds its check and a retried send checks
	// afresh).
	trigger := orgcheck.Trigger{Kind: orgcheck.TriggerPayment, ID: p.ID + "@" + in.At.UTC().Format(time.RFC3339Nano), Chain: grantChain(p.GrantID)}
	checks, err := a.checkOrganisations(ctx, []string{payees[0].PayeeOrganisationID}, trigger, in.At)
	if err != nil {
		return workflows.CheckPayeeResult{}, classify(err)
	}
	hold := HoldReason(payees[0].PayeeName, checks)
	if hold != "" && in.NotifyHold {
		err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
			return notifyRole(ctx, q, workflows.RoleFinance, message{kind: "payment_held", subject: "A grant payment is held by a register check",
				body:   fmt.Sprintf("%s cannot be approved: %s.", trancheName(p), hold),
				entity: paymentEntity(p.ID), key: "held:" + trigger.ID})
		})
		if err != nil {
			return workflows.CheckPayeeResult{}, classify(err)
		}
	}
	return workflows.CheckPayeeResult{Hold: hold, Checks: checks}, nil
}

// HoldReason is why a payment to name must be held given its payee's
// checks: every failed check's reason, or "" when none failed.
func HoldReason(name string, checks []workflows.CheckSummary) string {
	var why []string
	for _, c := range checks {
		if c.Status == registers.StatusFailed {
			why = append(why, fmt.Sprintf("%s: %s", registers.SourceName(c.Source), c.Reason))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("Held by the register check of %s (%s)", name, strings.Join(why, "; "))
}
