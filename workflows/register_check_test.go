package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

const companyNumber = "09876543"

// withCompaniesHouse makes the grantee a company (number companyNumber)
// checked against a local Companies House, with no cache, and returns
// the fake register.
func withCompaniesHouse(f *grantFixture) *registerstest.Server {
	ch := registerstest.NewCompaniesHouse()
	f.t.Cleanup(ch.Close)
	_, err := f.env.Store.Pool.Exec(context.Background(),
		`UPDATE organisations SET charity_number = NULL, company_number = $2, legal_form = 'company' WHERE id = $1`, f.orgID, companyNumber)
	require.NoError(f.t, err)
	f.acts.Registers = &registers.Checker{CharityCommission: &registers.CharityCommission{},
		CompaniesHouse: &registers.CompaniesHouse{BaseURL: ch.URL, Key: "ch-key"}}
	return ch
}

// Before each Stripe tranche is sent the payee is checked against the
// register: the first tranche, of an active company, is paid; the
// company is dissolved mid-grant, so the second tranche is held (failed
// with the reason, finance told, nothing sent); once the register shows
// it active again a retry checks afresh and pays it. Each tranche is
// paid exactly once.
func TestDissolvedCompanyHoldsItsNextTranche(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 50, Condition: workflows.ConditionOnAcceptance}, {Percent: 50, Condition: workflows.ConditionOnAcceptance}}
	})
	ch := withCompaniesHouse(f)
	ch.Set(companyNumber, registerstest.Answer{JSON: registerstest.Company(companyNumber, "ROOTS LTD", "active", false)})
	f.at(time.Minute, f.stripeReady)
	var p2ID string
	f.at(2*time.Minute, func() {
		p1 := f.tranche(1)
		p2ID = f.tranche(2).ID
		f.approve("approve-1a", p1.ID, f.financeA)
		f.approve("approve-1b", p1.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
		require.Equal(t, 1, f.rec.TransferCreates())
		ch.Set(companyNumber, registerstest.Answer{JSON: registerstest.Company(companyNumber, "ROOTS LTD", "dissolved", true)})
		f.approve("approve-2a", p2ID, f.financeA)
		f.approve("approve-2b", p2ID, f.financeB)
	})
	f.at(4*time.Minute, func() {
		p := f.tranche(2)
		require.Equal(t, workflows.PaymentFailed, p.Status)
		require.Contains(t, *p.FailureReason, "Held by the register check")
		require.Contains(t, *p.FailureReason, "the company is dissolved (since 2026-05-01)")
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_failed"), "finance told")
		require.Equal(t, 1, f.rec.TransferCreates(), "nothing sent to a dissolved company")
		require.Equal(t, 1, f.count(`SELECT count(*) FROM organisation_checks WHERE organisation_id = $1 AND trigger_kind = 'payment'
			AND status = 'failed'`, f.orgID))
		ch.Set(companyNumber, registerstest.Answer{JSON: registerstest.Company(companyNumber, "ROOTS LTD", "active", false)})
		f.updatePayment("retry", p2ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeB)})
	})
	res := f.run()

	f.requireOK("approve-1a", "approve-1b", "approve-2a", "approve-2b", "retry")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	require.Equal(t, workflows.PaymentPaid, f.tranche(2).Status)
	require.Equal(t, 2, f.rec.TransferCreates(), "one transfer per tranche")
	for _, r := range ch.Requests() {
		require.Equal(t, "ch-key", r.BasicUser)
	}
	require.Len(t, ch.Requests(), 3, "checked before each send: tranche 1, tranche 2, its retry")
	acts := f.actions()
	require.Equal(t, 3, acts["organisation.checked"], "each check on the grant's audit chain")
	require.Equal(t, 3, f.count(`SELECT count(*) FROM organisation_checks WHERE organisation_id = $1 AND trigger_kind = 'payment'`, f.orgID))
}

// A register that cannot answer, or no key at all, never holds a
// payment: the check is recorded as error or not_run and the tranche is
// paid.
func TestUnansweredCheckNeverHoldsAPayment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		setup  func(f *grantFixture)
		status string
	}{
		{"register errs", func(f *grantFixture) {
			ch := withCompaniesHouse(f)
			ch.Set(companyNumber, registerstest.Answer{Status: 429, RetryAfter: "60", Body: `{}`})
		}, registers.StatusError},
		{"no key", func(f *grantFixture) {
			withCompaniesHouse(f)
			f.acts.Registers = nil
		}, registers.StatusNotRun},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newGrant(t, func(d *round.Definition) {
				d.Timeline.Reports = nil
				d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
			})
			tc.setup(f)
			f.at(time.Minute, f.stripeReady)
			f.at(2*time.Minute, func() {
				p := f.tranche(1)
				f.approve("approve-a", p.ID, f.financeA)
				f.approve("approve-b", p.ID, f.financeB)
			})
			res := f.run()
			f.requireOK("approve-a", "approve-b")
			require.Equal(t, workflows.GrantStatusCompleted, res.Status)
			require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
			require.Equal(t, 1, f.count(`SELECT count(*) FROM organisation_checks WHERE organisation_id = $1 AND trigger_kind = 'payment'
				AND status = $2`, f.orgID, tc.status))
			require.Zero(t, f.count(`SELECT count(*) FROM organisation_checks WHERE status = 'passed'`), "never passed")
		})
	}
}

// At submission, once eligible, the lead is checked against the register
// and the result recorded (trigger: the application) on its audit chain;
// a removed charity does not stop assessment.
func TestSubmissionChecksTheLeadWithoutBlockingAssessment(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	r := env.Round(t, apptest.ExampleRound(t))
	appID := env.Submitted(t, r, "applicant@example.org", true)
	application, err := env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	org, err := env.Store.OrganisationGet(ctx, application.OrganisationID)
	require.NoError(t, err)
	applicant, err := env.Store.UserGetByEmail(ctx, "applicant@example.org")
	require.NoError(t, err)
	cc := registerstest.NewCharityCommission()
	t.Cleanup(cc.Close)
	cc.Set(*org.CharityNumber, registerstest.Answer{JSON: registerstest.RemovedCharity(1, org.Name, "2026-02-01")})

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	wenv := suite.NewTestWorkflowEnvironment()
	workflows.Register(wenv)
	(&activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler),
		Registers: &registers.Checker{CharityCommission: &registers.CharityCommission{BaseURL: cc.URL, Key: "cc-key"},
			CompaniesHouse: &registers.CompaniesHouse{}}}).Register(wenv)
	wenv.RegisterDelayedCallback(func() {
		row, err := env.Store.ApplicationGet(ctx, appID)
		require.NoError(t, err)
		require.Equal(t, workflows.StatusInAssessment, row.Status, "assessment goes on")
		var status, triggerID string
		require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT status, trigger_id FROM organisation_checks
			WHERE organisation_id = $1 AND trigger_kind = 'submission'`, org.ID).Scan(&status, &triggerID))
		require.Equal(t, registers.StatusFailed, status)
		require.Equal(t, appID, triggerID)
		events, err := env.Store.AuditListByChain(ctx, "application:"+appID)
		require.NoError(t, err)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		require.Contains(t, actions, "organisation.checked")
		wenv.UpdateWorkflowNoRejection(workflows.UpdateWithdraw, "w", t, workflows.WithdrawUpdate{Caller: workflows.Caller{ID: applicant.ID}})
	}, time.Minute)
	wenv.ExecuteWorkflow(workflows.ApplicationWorkflowName, workflows.ApplicationInput{ApplicationID: appID})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())
	require.Len(t, cc.Requests(), 1)
}

// A bank-transfer payment is checked before its second approval: a
// removed charity has the approval refused (409, finance told) and the
// payment stays awaiting approval; once the register shows it registered
// the approval goes through.
func TestRemovedCharityCannotBeApprovedForABankTransfer(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.PaymentProvider = round.ProviderManual
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	org, err := f.env.Store.OrganisationGet(context.Background(), f.orgID)
	require.NoError(t, err)
	number := *org.CharityNumber
	cc := registerstest.NewCharityCommission()
	t.Cleanup(cc.Close)
	cc.Set(number, registerstest.Answer{JSON: registerstest.RemovedCharity(1, org.Name, "2026-03-01")})
	f.acts.Registers = &registers.Checker{CharityCommission: &registers.CharityCommission{BaseURL: cc.URL, Key: "cc-key"},
		CompaniesHouse: &registers.CompaniesHouse{}}
	var p sqlc.Payment
	f.at(time.Minute, f.bankReady)
	f.at(2*time.Minute, func() {
		p = f.tranche(1)
		f.approve("approve-a", p.ID, f.financeA)
		f.approve("approve-b", p.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentAwaitingApproval, f.tranche(1).Status)
		require.Equal(t, 1, f.approvals(p.ID), "the second approval was not recorded")
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_held"), "finance told")
		cc.Set(number, registerstest.Answer{JSON: registerstest.Charity(1, org.Name, 84000)})
		f.approve("approve-b-again", p.ID, f.financeB)
	})
	f.at(4*time.Minute, func() {
		require.Equal(t, workflows.PaymentApproved, f.tranche(1).Status)
		_, err := f.env.Store.Pool.Exec(context.Background(), `INSERT INTO payment_runs (id, total_pence, count, created_by, created_at)
			VALUES ('run_a', $1, 1, $2, $3)`, p.AmountPence, f.financeA.ID, f.wenv.Now())
		require.NoError(t, err)
		_, err = f.env.Store.Pool.Exec(context.Background(), `UPDATE payments SET payment_run_id = 'run_a' WHERE id = $1`, p.ID)
		require.NoError(t, err)
		f.updatePayment("mark-paid", p.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.financeB), RunID: "run_a"})
	})
	res := f.run()
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	f.requireOK("approve-a", "approve-b-again", "mark-paid")
	f.requireRejected("approve-b", workflows.RejectConflict)
	require.Contains(t, f.outcomes["approve-b"].failure().Error(), "removed from the register on 2026-03-01")
	require.Len(t, cc.Requests(), 2, "checked before each would-be second approval only")
}
