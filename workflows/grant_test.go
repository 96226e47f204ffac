package workflows_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// The grant tests' timeline: reports due 10 and 30 days after acceptance,
// reminded 2 days before, escalated 3 days after; an award of £2,000.
const (
	day          = 24 * time.Hour
	interimAfter = 10 * day
	finalAfter   = 30 * day
	reminderLead = 2 * day
	reportGrace  = 3 * day
	award        = int64(200000)
	account      = "acct_1032D82eZvKYlo2C"
)

// grantFixture is an accepted grant run by GrantWorkflow (and the
// DisbursementWorkflows it starts) in the SDK's test environment, with the
// real activities on a real database and Stripe behind a recording proxy
// in front of stripe-mock. The grant is set up as the review leaves it on
// acceptance, at the environment's start time.
type grantFixture struct {
	t        *testing.T
	env      *apptest.Env
	wenv     *testsuite.TestWorkflowEnvironment
	rec      *stripetest.Recorder
	acts     *activities.Activities
	def      round.Definition
	round    app.Round
	appID    string
	orgID    string
	grantID  string
	grantee  app.Actor // the organisation's admin
	manager  app.Actor
	financeA app.Actor
	financeB app.Actor
	start    time.Time
	outcomes map[string]*updateOutcome
	ended    map[string]bool // Updates sent to a payment workflow that had ended
	pending  atomic.Int32    // callbacks scheduled by at that have not run
}

// newGrant builds the fixture; edit changes the round (the defaults are
// the example round with the short timeline above, paid by Stripe 50% on
// acceptance and 50% after the interim report).
func newGrant(t *testing.T, edit func(*round.Definition)) *grantFixture {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t)
	f := &grantFixture{t: t, env: env, manager: env.Manager, outcomes: map[string]*updateOutcome{}, ended: map[string]bool{}}
	f.def = apptest.ExampleRound(t)
	f.def.Timeline.ReminderLead = round.Duration{Duration: reminderLead}
	f.def.Timeline.ReportGrace = round.Duration{Duration: reportGrace}
	f.def.Timeline.Reports = []round.ReportDue{
		{Kind: "interim", DueAfter: round.Duration{Duration: interimAfter}},
		{Kind: "final", DueAfter: round.Duration{Duration: finalAfter}},
	}
	if edit != nil {
		edit(&f.def)
	}
	f.round = env.Round(t, f.def)
	f.def = f.round.Definition
	f.appID = env.Submitted(t, f.round, "applicant@example.org", true)
	u, ok, err := env.App.UserByEmail(ctx, "applicant@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	f.grantee = app.Actor{ID: u.ID, Roles: u.Roles}
	f.financeA = env.User(t, "finance-a@example.org", app.RoleFinance)
	f.financeB = env.User(t, "finance-b@example.org", app.RoleFinance)
	application, err := env.Store.ApplicationGet(ctx, f.appID)
	require.NoError(t, err)
	f.orgID = application.OrganisationID

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	f.wenv = suite.NewTestWorkflowEnvironment()
	f.wenv.SetTestTimeout(2 * time.Minute)
	f.start = time.Now().UTC().Truncate(time.Second)
	f.wenv.SetStartTime(f.start)
	f.accept()
	f.wenv.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(f.grantID), TaskQueue: workflows.TaskQueue})
	workflows.Register(f.wenv)
	f.rec = stripetest.NewRecorder(t, stripetest.APIBase(t))
	stripe := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: f.rec.URL()})
	f.acts = &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler), Stripe: stripe}
	f.acts.Register(f.wenv)
	return f
}

// accept writes what the review leaves on acceptance at f.start: the
// budget committed, the grant active with its tranches and its reports
// due counting from the acceptance, and the application approved.
func (f *grantFixture) accept() {
	t, ctx := f.t, context.Background()
	_, err := f.env.Store.Pool.Exec(ctx, `UPDATE applications SET status = 'in_assessment' WHERE id = $1`, f.appID)
	require.NoError(t, err)
	require.NoError(t, f.env.Store.InTx(ctx, func(q *sqlc.Queries) error {
		if _, err := budget.Commit(ctx, q, f.round.ID, f.appID, award); err != nil {
			return err
		}
		g, err := q.GrantInsert(ctx, sqlc.GrantInsertParams{ID: id.New(id.Grant), ApplicationID: f.appID, RoundID: f.round.ID,
			OrganisationID: f.orgID, AwardPence: award, OfferedAt: f.start.Add(-day), OfferExpiresAt: f.start.Add(27 * day)})
		if err != nil {
			return err
		}
		if _, err := q.GrantAccept(ctx, sqlc.GrantAcceptParams{ID: g.ID, SignatoryName: ptr("Ada Okafor"), SignatoryRole: ptr("Chair of trustees"),
			AcceptedBy: &f.grantee.ID, AcceptedAt: &f.start}); err != nil {
			return err
		}
		for i, amount := range split(award, f.def.PaymentSchedule) {
			if _, err := q.PaymentInsert(ctx, sqlc.PaymentInsertParams{ID: id.New(id.Payment), GrantID: g.ID, Tranche: int32(i + 1),
				AmountPence: amount, Condition: f.def.PaymentSchedule[i].Condition}); err != nil {
				return err
			}
		}
		for _, r := range f.def.Timeline.Reports {
			if _, err := q.ReportInsert(ctx, sqlc.ReportInsertParams{ID: id.New(id.Report), GrantID: g.ID, Kind: r.Kind,
				DueAfterMs: r.DueAfter.Milliseconds()}); err != nil {
				return err
			}
		}
		if err := q.ReportSetDueFrom(ctx, sqlc.ReportSetDueFromParams{GrantID: g.ID, AcceptedAt: f.start}); err != nil {
			return err
		}
		decidedAt := f.start.Add(-day)
		_, err = q.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: f.appID, Status: workflows.StatusApproved,
			Outcome: ptr(workflows.OutcomeApprove), Reason: ptr(""), DecidedBy: &f.manager.ID, DecidedAt: &decidedAt,
			AwardPence: ptr(award), GrantID: &g.ID})
		f.grantID = g.ID
		return err
	}))
}

// split is the schedule's exact-pence split: each percentage rounded
// down, the remainder on the last.
func split(total int64, schedule []round.Instalment) []int64 {
	out := make([]int64, len(schedule))
	var sum int64
	for i, in := range schedule {
		out[i] = total * int64(in.Percent) / 100
		if i == len(schedule)-1 {
			out[i] = total - sum
		}
		sum += out[i]
	}
	return out
}

// at schedules fn at workflow time f.start+d; run fails if the workflow
// ends before it ran, so no check is skipped unseen.
func (f *grantFixture) at(d time.Duration, fn func()) {
	f.pending.Add(1)
	f.wenv.RegisterDelayedCallback(func() {
		defer f.pending.Add(-1)
		fn()
	}, d)
}

// update sends an Update to the grant's workflow now.
func (f *grantFixture) update(label, name string, arg any) {
	o := &updateOutcome{}
	f.outcomes[label] = o
	f.wenv.UpdateWorkflow(name, label, callbacks(o), arg)
}

// updatePayment sends an Update to a payment's workflow now; a workflow
// that has ended is noted, as the server would answer.
func (f *grantFixture) updatePayment(label, paymentID, name string, arg any) {
	o := &updateOutcome{}
	f.outcomes[label] = o
	if err := f.wenv.UpdateWorkflowByID(workflows.PaymentWorkflowID(paymentID), name, label, callbacks(o), arg); err != nil {
		var nf *serviceerror.NotFound
		require.ErrorAs(f.t, err, &nf, label)
		o.err, o.done = err, true
		f.ended[label] = true
	}
}

func callbacks(o *updateOutcome) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { o.rejected, o.done = err, true },
		OnAccept:   func() {},
		OnComplete: func(_ any, err error) { o.err, o.done = err, true },
	}
}

func (f *grantFixture) approve(label, paymentID string, who app.Actor) {
	f.updatePayment(label, paymentID, workflows.UpdateApprovePayment, workflows.PaymentCommand{Caller: caller(who), Note: "Checked against the offer"})
}

func caller(a app.Actor) workflows.Caller { return workflows.Caller{ID: a.ID, Roles: a.Roles} }

// signal wakes the grant's workflow with an event.
func (f *grantFixture) signal(kind string) {
	f.wenv.SignalWorkflow(workflows.SignalGrantEvent, workflows.GrantEvent{Kind: kind})
}

// stripeReady gives the grantee a Stripe account with payouts enabled and
// tells the grant, as the account.updated webhook does.
func (f *grantFixture) stripeReady() {
	_, err := f.env.Store.Pool.Exec(context.Background(),
		`UPDATE organisations SET stripe_account_id = $2, payout_ready_at = $3 WHERE id = $1`, f.orgID, account, f.wenv.Now())
	require.NoError(f.t, err)
	f.signal(workflows.GrantEventPayoutReady)
}

// bankReady saves the grantee's bank details (manual provider) and tells
// the grant.
func (f *grantFixture) bankReady() {
	_, err := f.env.Store.Pool.Exec(context.Background(), `INSERT INTO bank_accounts
		(organisation_id, account_name, details_enc, sort_code_mask, account_mask, updated_by, updated_at)
		VALUES ($1, 'Org of applicant', '\x00'::bytea, '**-**-56', '****5678', $2, $3)`, f.orgID, f.grantee.ID, f.wenv.Now())
	require.NoError(f.t, err)
	f.signal(workflows.GrantEventPayoutReady)
}

// run executes the grant's workflow to its end.
func (f *grantFixture) run() workflows.GrantResult {
	f.t.Helper()
	f.wenv.ExecuteWorkflow(workflows.GrantWorkflowName, workflows.GrantInput{GrantID: f.grantID, ApplicationID: f.appID})
	require.True(f.t, f.wenv.IsWorkflowCompleted())
	require.NoError(f.t, f.wenv.GetWorkflowError())
	require.Zero(f.t, f.pending.Load(), "scheduled callbacks that never ran")
	var res workflows.GrantResult
	require.NoError(f.t, f.wenv.GetWorkflowResult(&res))
	return res
}

func (f *grantFixture) grant() sqlc.Grant {
	f.t.Helper()
	g, err := f.env.Store.GrantGet(context.Background(), f.grantID)
	require.NoError(f.t, err)
	return g
}

func (f *grantFixture) payments() []sqlc.Payment {
	f.t.Helper()
	pays, err := f.env.Store.PaymentListByGrant(context.Background(), f.grantID)
	require.NoError(f.t, err)
	return pays
}

// tranche returns tranche n's live payment, or its last cancelled one.
func (f *grantFixture) tranche(n int32) sqlc.Payment {
	f.t.Helper()
	var found *sqlc.Payment
	for _, p := range f.payments() {
		if p.Tranche == n && (found == nil || p.Status != workflows.PaymentCancelled) {
			found = &p
		}
	}
	require.NotNil(f.t, found, "tranche %d", n)
	return *found
}

func (f *grantFixture) report(kind string) sqlc.Report {
	f.t.Helper()
	reps, err := f.env.Store.ReportListByGrant(context.Background(), f.grantID)
	require.NoError(f.t, err)
	for _, r := range reps {
		if r.Kind == kind {
			return r
		}
	}
	f.t.Fatalf("no %s report", kind)
	return sqlc.Report{}
}

func (f *grantFixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.env.Store.Pool.QueryRow(context.Background(), query, args...).Scan(&n))
	return n
}

func (f *grantFixture) notifications(userID, kind string) int {
	return f.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2`, userID, kind)
}

func (f *grantFixture) approvals(paymentID string) int {
	return f.count(`SELECT count(*) FROM payment_approvals WHERE payment_id = $1`, paymentID)
}

func (f *grantFixture) committed() int64 {
	f.t.Helper()
	n, err := f.env.Store.BudgetCommitted(context.Background(), f.round.ID)
	require.NoError(f.t, err)
	return n
}

// actions lists the grant's audit chain, verified, by action.
func (f *grantFixture) actions() map[string]int {
	f.t.Helper()
	ctx := context.Background()
	_, err := audit.Verify(ctx, f.env.Store.Queries, workflows.GrantWorkflowID(f.grantID))
	require.NoError(f.t, err)
	evs, err := f.env.Store.AuditListByChain(ctx, workflows.GrantWorkflowID(f.grantID))
	require.NoError(f.t, err)
	out := map[string]int{}
	for _, e := range evs {
		out[e.Action]++
	}
	return out
}

// state is what a refused command must leave as it was: the grant, its
// payments with their approvals and attempts, its reports, variations,
// audit trail and the round's commitments.
func (f *grantFixture) state() string {
	f.t.Helper()
	var s string
	require.NoError(f.t, f.env.Store.Pool.QueryRow(context.Background(), `SELECT json_build_object(
		'grant', (SELECT row_to_json(g) FROM grants g WHERE id = $1),
		'payments', (SELECT json_agg(p ORDER BY tranche, created_at) FROM payments p WHERE grant_id = $1),
		'approvals', (SELECT json_agg(a ORDER BY a.payment_id, a.user_id) FROM payment_approvals a JOIN payments p ON p.id = a.payment_id WHERE p.grant_id = $1),
		'attempts', (SELECT json_agg(a ORDER BY a.payment_id, a.attempt) FROM payment_attempts a JOIN payments p ON p.id = a.payment_id WHERE p.grant_id = $1),
		'reports', (SELECT json_agg(r ORDER BY kind) FROM reports r WHERE grant_id = $1),
		'variations', (SELECT count(*) FROM variations WHERE grant_id = $1),
		'audit', (SELECT count(*) FROM audit_events WHERE chain = 'grant:' || $1),
		'budget', (SELECT json_agg(b ORDER BY application_id) FROM budget_commitments b WHERE round_id = $2))::text`,
		f.grantID, f.round.ID).Scan(&s))
	return s
}

func (f *grantFixture) requireOK(labels ...string) {
	f.t.Helper()
	for _, l := range labels {
		o := f.outcomes[l]
		require.NotNil(f.t, o, l)
		require.True(f.t, o.ok(), "%s: done %v, %v", l, o.done, o.failure())
	}
}

func (f *grantFixture) requireRejected(label, kind string, fields ...string) {
	f.t.Helper()
	o := f.outcomes[label]
	require.NotNil(f.t, o, label)
	require.True(f.t, o.done, label)
	r, ok := workflows.AsRejection(o.failure())
	require.True(f.t, ok, "%s: %v", label, o.failure())
	require.Equal(f.t, kind, r.Kind, "%s: %s", label, r.Message)
	for _, field := range fields {
		require.Contains(f.t, r.Fields, field, label)
	}
}

// requireRefused accepts an invalid_state rejection, or the payment's
// workflow having ended (the API answers that as invalid_state too).
func (f *grantFixture) requireRefused(label string) {
	f.t.Helper()
	if f.ended[label] {
		return
	}
	f.requireRejected(label, workflows.RejectInvalidState)
}

func (f *grantFixture) submitReport(label, kind string) {
	f.update(label, workflows.UpdateSubmitReport, workflows.ReportSubmission{Caller: caller(f.grantee), ReportID: f.report(kind).ID,
		Answers: []byte(`{"progress": "We ran forty cooking clubs for isolated older people."}`), SpendPence: 90000})
}

func (f *grantFixture) acceptReport(label, kind string) {
	f.update(label, workflows.UpdateReviewReport, workflows.ReportReview{Caller: caller(f.manager), ReportID: f.report(kind).ID,
		Outcome: workflows.ReviewAccept, Comment: "Thank you"})
}

// The whole life of a Stripe grant, with time skipping: the first tranche
// falls due when the payee can be paid and is paid after two approvals;
// the interim report is reminded, goes overdue and is escalated, which
// holds the second tranche; submitting it lifts the hold and accepting it
// releases the tranche; the final report accepted completes the grant.
func TestGrantLifeWithStripe(t *testing.T) {
	t.Parallel()
	f := newGrant(t, nil)
	interimDue := f.start.Add(interimAfter)
	remind, escalate := interimDue.Add(-reminderLead), interimDue.Add(reportGrace)
	var p1, p2 sqlc.Payment

	f.at(time.Minute, func() {
		for _, p := range f.payments() {
			require.Equal(t, workflows.PaymentScheduled, p.Status, "nothing is due before the payee can be paid")
		}
		require.Zero(t, f.notifications(f.financeA.ID, "payment_due"))
		require.Equal(t, workflows.ReportUpcoming, f.report("interim").Status)
	})
	// An account still onboarding is not payout-ready, whatever wakes the grant.
	f.at(30*time.Minute, func() {
		_, err := f.env.Store.Pool.Exec(context.Background(), `UPDATE organisations SET stripe_account_id = $2 WHERE id = $1`, f.orgID, account)
		require.NoError(t, err)
		f.signal(workflows.GrantEventPayoutReady)
	})
	f.at(31*time.Minute, func() {
		require.Equal(t, workflows.PaymentScheduled, f.tranche(1).Status, "not payout-ready until payouts are enabled")
	})
	f.at(time.Hour, f.stripeReady)
	f.at(time.Hour+time.Minute, func() {
		p1 = f.tranche(1)
		require.Equal(t, workflows.PaymentAwaitingApproval, p1.Status)
		require.Equal(t, workflows.ProviderStripe, *p1.Provider)
		require.WithinDuration(t, f.start.Add(time.Hour), *p1.DueAt, time.Second)
		require.Equal(t, workflows.PaymentScheduled, f.tranche(2).Status, "after_report:interim waits for the report")
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_due"), "finance told")
		require.Equal(t, 1, f.notifications(f.financeB.ID, "payment_due"))
		f.approve("approve-1a", p1.ID, f.financeA)
	})
	f.at(time.Hour+2*time.Minute, func() {
		require.Equal(t, workflows.PaymentAwaitingApproval, f.tranche(1).Status, "one approval is not enough")
		require.Zero(t, f.rec.TransferCreates())
		f.approve("approve-1a-again", p1.ID, f.financeA)
		f.approve("approve-1b", p1.ID, f.financeB)
	})
	f.at(time.Hour+3*time.Minute, func() {
		p := f.tranche(1)
		require.Equal(t, workflows.PaymentPaid, p.Status)
		require.NotEmpty(t, *p.ProviderReference)
		require.Equal(t, int32(1), p.Attempt)
		require.Equal(t, 2, f.approvals(p.ID), "the repeated approval was not recorded")
		require.Equal(t, 1, f.notifications(f.grantee.ID, "payment_paid"))
	})

	// The interim report's clock.
	f.at(remind.Add(-time.Minute).Sub(f.start), func() {
		require.Equal(t, workflows.ReportUpcoming, f.report("interim").Status)
		require.Zero(t, f.notifications(f.grantee.ID, "report_due"))
	})
	f.at(remind.Add(time.Minute).Sub(f.start), func() {
		require.Equal(t, workflows.ReportDue, f.report("interim").Status, "reminded within the reminder lead")
		require.Equal(t, 1, f.notifications(f.grantee.ID, "report_due"))
		require.Equal(t, workflows.ReportUpcoming, f.report("final").Status)
	})
	f.at(interimDue.Add(-time.Minute).Sub(f.start), func() {
		require.Equal(t, workflows.ReportDue, f.report("interim").Status)
	})
	f.at(interimDue.Add(time.Minute).Sub(f.start), func() {
		require.Equal(t, workflows.ReportOverdue, f.report("interim").Status, "overdue at its due time")
		require.Equal(t, 1, f.notifications(f.grantee.ID, "report_overdue"))
		require.Equal(t, workflows.PaymentScheduled, f.tranche(2).Status, "not held within the grace")
	})
	f.at(escalate.Add(-time.Minute).Sub(f.start), func() {
		require.Nil(t, f.report("interim").EscalatedAt)
		require.Empty(t, f.grant().Flags)
		require.Zero(t, f.notifications(f.manager.ID, "report_escalated"))
	})
	f.at(escalate.Add(time.Minute).Sub(f.start), func() {
		r := f.report("interim")
		require.NotNil(t, r.EscalatedAt, "escalated after the grace")
		require.WithinDuration(t, escalate, *r.EscalatedAt, time.Second)
		require.Equal(t, []string{workflows.GrantFlagReportOverdue}, f.grant().Flags)
		require.Equal(t, 1, f.notifications(f.manager.ID, "report_escalated"), "managers told")
		p2 = f.tranche(2)
		require.Equal(t, workflows.PaymentHeld, p2.Status, "later tranches held")
		require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status, "a paid tranche stays paid")
	})
	f.at(14*day, func() { f.submitReport("submit-interim", "interim") })
	f.at(14*day+time.Minute, func() {
		require.Equal(t, workflows.ReportSubmitted, f.report("interim").Status)
		require.Equal(t, workflows.PaymentScheduled, f.tranche(2).Status, "submission lifts the hold")
		require.Empty(t, f.grant().Flags)
		require.Equal(t, 1, f.notifications(f.manager.ID, "report_submitted"))
	})
	f.at(15*day, func() { f.acceptReport("accept-interim", "interim") })
	f.at(15*day+time.Minute, func() {
		require.Equal(t, workflows.ReportAccepted, f.report("interim").Status)
		p2 = f.tranche(2)
		require.Equal(t, workflows.PaymentAwaitingApproval, p2.Status, "the accepted report releases tranche 2")
		f.approve("approve-2a", p2.ID, f.financeA)
		f.approve("approve-2b", p2.ID, f.financeB)
	})
	f.at(15*day+2*time.Minute, func() {
		require.Equal(t, workflows.PaymentPaid, f.tranche(2).Status)
		require.Equal(t, workflows.GrantStatusActive, f.grant().Status, "the final report is still owed")
	})
	f.at(20*day, func() { f.submitReport("submit-final", "final") })
	f.at(21*day, func() { f.acceptReport("accept-final", "final") })
	res := f.run()

	f.requireOK("approve-1a", "approve-1b", "submit-interim", "accept-interim", "approve-2a", "approve-2b", "submit-final", "accept-final")
	f.requireRejected("approve-1a-again", workflows.RejectConflict)
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	g := f.grant()
	require.Equal(t, workflows.GrantStatusCompleted, g.Status)
	require.WithinDuration(t, f.start.Add(21*day), *g.CompletedAt, time.Second)
	require.Equal(t, award, g.AwardPence)
	require.Equal(t, award, f.committed(), "the budget commitment is untouched")

	transfers := f.rec.Transfers()
	require.Len(t, transfers, 2)
	require.Equal(t, 2, f.rec.TransferCreates())
	for i, p := range []sqlc.Payment{f.tranche(1), f.tranche(2)} {
		require.Equal(t, workflows.PaymentPaid, p.Status)
		require.Equal(t, workflows.IdempotencyKey(p.ID, 1), transfers[i].Key)
		require.Equal(t, p.ID, transfers[i].TransferGroup)
		require.Equal(t, p.AmountPence, transfers[i].AmountPence)
		require.Equal(t, account, transfers[i].Destination)
		require.Equal(t, transfers[i].ID, *p.ProviderReference)
	}
	acts := f.actions()
	for action, n := range map[string]int{
		"payment.due": 2, "payment.approved": 4, "payment.sending": 2, "payment.paid": 2,
		"report.due": 1, "report.overdue": 1, "report.escalate": 1, "payments.held": 1, "payments.unheld": 1,
		"report.submitted": 2, "report.reviewed": 2, "grant.completed": 1,
	} {
		require.Equal(t, n, acts[action], action)
	}
	require.Equal(t, 1, f.notifications(f.grantee.ID, "grant_completed"))
}

// Finance's bad commands to a payment's workflow are refused with the
// right kind and change nothing: approval by someone not finance, by a
// member of the grantee, by the issuer of a reissued payment, a third
// approval, approving a cancelled payment, a rejection without a reason,
// a retry of a payment that has not failed.
func TestPaymentCommandsRefused(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	ctx := context.Background()
	member := f.env.User(t, "finance-member@example.org", app.RoleFinance)
	require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: f.orgID, UserID: member.ID, Role: "member"}))
	issuer := f.env.User(t, "manager-finance@example.org", app.RoleManager, app.RoleFinance)
	financeC := f.env.User(t, "finance-c@example.org", app.RoleFinance)

	var first, second sqlc.Payment
	var before string
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		first = f.tranche(1)
		require.Equal(t, workflows.PaymentAwaitingApproval, first.Status)
		before = f.state()
		f.approve("approve-applicant", first.ID, f.grantee)
		f.approve("approve-manager", first.ID, f.manager)
		f.approve("approve-member", first.ID, member)
		f.updatePayment("reject-no-reason", first.ID, workflows.UpdateRejectPayment, workflows.PaymentCommand{Caller: caller(f.financeA), Reason: "  "})
		f.updatePayment("retry-not-failed", first.ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeA)})
		f.updatePayment("mark-paid-stripe", first.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.financeA), RunID: "run_x"})
		f.update("reissue-live", workflows.UpdateReissue, workflows.Reissue{Caller: caller(issuer), PaymentID: first.ID, Reason: "Again"})
	})
	f.at(3*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "refused commands change nothing")
		f.updatePayment("reject", first.ID, workflows.UpdateRejectPayment, workflows.PaymentCommand{Caller: caller(f.financeA), Reason: "The award letter is unsigned"})
	})
	f.at(4*time.Minute, func() {
		p := f.tranche(1)
		require.Equal(t, workflows.PaymentCancelled, p.Status)
		require.Equal(t, "The award letter is unsigned", *p.CancelReason)
		require.Equal(t, 1, f.notifications(issuer.ID, "payment_cancelled"), "managers told, as one may reissue")
		before = f.state()
		f.approve("approve-cancelled", first.ID, f.financeB)
		f.update("reissue-by-finance", workflows.UpdateReissue, workflows.Reissue{Caller: caller(f.financeA), PaymentID: first.ID, Reason: "Again"})
		f.update("reissue-no-reason", workflows.UpdateReissue, workflows.Reissue{Caller: caller(issuer), PaymentID: first.ID})
	})
	f.at(5*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "refused commands change nothing")
		f.update("reissue", workflows.UpdateReissue, workflows.Reissue{Caller: caller(issuer), PaymentID: first.ID, Reason: "Signed letter received"})
	})
	f.at(6*time.Minute, func() {
		second = f.tranche(1)
		require.NotEqual(t, first.ID, second.ID, "a new payment")
		require.Equal(t, workflows.PaymentAwaitingApproval, second.Status, "released as its condition holds")
		require.Equal(t, issuer.ID, *second.RequestedBy)
		require.Equal(t, first.AmountPence, second.AmountPence)
		before = f.state()
		f.approve("approve-issuer", second.ID, issuer)
	})
	f.at(7*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "the issuer's approval changes nothing")
		f.approve("approve-2a", second.ID, f.financeA)
	})
	// Two more at once: both pass the validator (one approval so far);
	// whichever handler runs second finds the approvals complete.
	f.at(8*time.Minute, func() {
		f.approve("approve-2b", second.ID, f.financeB)
		f.approve("approve-third", second.ID, financeC)
	})
	res := f.run()

	f.requireRejected("approve-applicant", workflows.RejectForbidden)
	f.requireRejected("approve-manager", workflows.RejectForbidden)
	f.requireRejected("approve-member", workflows.RejectForbidden)
	f.requireRejected("reject-no-reason", workflows.RejectInvalid, "reason")
	f.requireRejected("retry-not-failed", workflows.RejectInvalidState)
	f.requireRejected("mark-paid-stripe", workflows.RejectInvalidState)
	f.requireRejected("reissue-live", workflows.RejectInvalidState)
	f.requireOK("reject", "reissue", "approve-2a")
	f.requireRefused("approve-cancelled")
	f.requireRejected("reissue-by-finance", workflows.RejectForbidden)
	f.requireRejected("reissue-no-reason", workflows.RejectInvalid, "reason")
	f.requireRejected("approve-issuer", workflows.RejectForbidden)
	won, lost := "approve-2b", "approve-third"
	if !f.outcomes[won].ok() {
		won, lost = lost, won
	}
	f.requireOK(won)
	f.requireRefused(lost)

	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
	require.Equal(t, 2, f.approvals(f.tranche(1).ID), "never a third approval")
	require.Zero(t, f.approvals(first.ID))
	require.Equal(t, 1, f.rec.TransferCreates())
	acts := f.actions()
	require.Equal(t, 1, acts["payment.rejected"])
	require.Equal(t, 1, acts["payment.reissued"])
	require.Equal(t, 2, acts["payment.approved"])
}

// A permanent refusal fails the payment with the provider's reason and
// finance is told; a retry is a new attempt with a new key and pays.
// Transient errors are retried by the activity's policy with the same
// key, and the payment is made once.
func TestPaymentFailureAndRetry(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 50, Condition: workflows.ConditionOnAcceptance}, {Percent: 50, Condition: workflows.ConditionOnAcceptance}}
	})
	var p1, p2 sqlc.Payment
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p1, p2 = f.tranche(1), f.tranche(2)
		require.Equal(t, workflows.PaymentAwaitingApproval, p1.Status)
		require.Equal(t, workflows.PaymentAwaitingApproval, p2.Status)
		f.rec.FailTransfers(1, stripetest.Permanent)
		f.approve("approve-1a", p1.ID, f.financeA)
		f.approve("approve-1b", p1.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		p := f.tranche(1)
		require.Equal(t, workflows.PaymentFailed, p.Status)
		require.Contains(t, *p.FailureReason, stripetest.PermanentMessage)
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_failed"), "finance told")
		require.Zero(t, f.rec.TransferCreates())
		f.updatePayment("retry", p1.ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeB)})
	})
	f.at(4*time.Minute, func() {
		p := f.tranche(1)
		require.Equal(t, workflows.PaymentPaid, p.Status)
		require.Equal(t, int32(2), p.Attempt)
		require.Equal(t, 2, f.approvals(p.ID), "approvals kept")
		require.Equal(t, 1, f.rec.TransferCreates())
		require.Equal(t, workflows.IdempotencyKey(p1.ID, 2), f.rec.Transfers()[0].Key)
		f.rec.FailTransfers(3, stripetest.Transient)
		f.approve("approve-2a", p2.ID, f.financeA)
		f.approve("approve-2b", p2.ID, f.financeB)
	})
	res := f.run()

	f.requireOK("approve-1a", "approve-1b", "retry", "approve-2a", "approve-2b")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	p := f.tranche(2)
	require.Equal(t, workflows.PaymentPaid, p.Status)
	require.Equal(t, int32(1), p.Attempt, "transient errors resume the same attempt")
	require.Equal(t, 2, f.rec.TransferCreates(), "one transfer per tranche")
	require.Equal(t, 1+1+3+1, f.rec.Calls("POST", "/v1/transfers"))
	transfers := f.rec.Transfers()
	require.Len(t, transfers, 2)
	require.Equal(t, workflows.IdempotencyKey(p2.ID, 1), transfers[1].Key)
	require.Equal(t, transfers[1].ID, *p.ProviderReference)
	var attempts []string
	rows, err := f.env.Store.Pool.Query(context.Background(),
		`SELECT payment_id || ':' || attempt || ':' || status FROM payment_attempts ORDER BY payment_id = $1 DESC, attempt`, p1.ID)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		attempts = append(attempts, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{p1.ID + ":1:failed", p1.ID + ":2:paid", p2.ID + ":1:paid"}, attempts)
	acts := f.actions()
	require.Equal(t, 1, acts["payment.failed"])
	require.Equal(t, 1, acts["payment.retried"])
	require.Equal(t, 3, acts["payment.sending"], "attempt 1 and 2 of tranche 1, attempt 1 of tranche 2")
}

// Transient errors that outlast the retries fail the payment, but its
// attempt stays unresolved: the provider may have acted on one of the
// requests. A retry looks the attempt up before creating anything, so a
// transfer that did go through is found and not made again.
func TestPaymentRetryAfterTransientErrorsLooksUpFirst(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	var p sqlc.Payment
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p = f.tranche(1)
		f.rec.FailTransfers(30, stripetest.Transient)
		f.approve("approve-a", p.ID, f.financeA)
		f.approve("approve-b", p.ID, f.financeB)
	})
	f.at(2*day, func() {
		got := f.tranche(1)
		require.Equal(t, workflows.PaymentFailed, got.Status)
		require.Contains(t, *got.FailureReason, "could not be reached")
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_failed"))
		require.Zero(t, f.rec.TransferCreates())
		require.Equal(t, 30, f.rec.Calls("POST", "/v1/transfers"))
		// One of those requests had in fact reached Stripe.
		stripe := payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: f.rec.URL()})
		_, err := stripe.Transfer(context.Background(), payments.TransferParams{PaymentID: p.ID, GrantID: f.grantID, AccountID: account,
			IdempotencyKey: workflows.IdempotencyKey(p.ID, 1), AmountPence: p.AmountPence})
		require.NoError(t, err)
		// Cancelling now could leave that transfer unrecorded: refused.
		f.updatePayment("cancel", p.ID, workflows.UpdateCancelPayment, workflows.PaymentCommand{Caller: caller(f.financeA), Reason: "Give up"})
	})
	f.at(2*day+time.Minute, func() {
		require.Equal(t, workflows.PaymentFailed, f.tranche(1).Status, "not cancelled")
		f.updatePayment("retry", p.ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeA)})
	})
	res := f.run()

	f.requireRejected("cancel", workflows.RejectInvalidState)
	f.requireOK("approve-a", "approve-b", "retry")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	got := f.tranche(1)
	require.Equal(t, workflows.PaymentPaid, got.Status)
	require.Equal(t, 1, f.rec.TransferCreates(), "paid once")
	require.Equal(t, f.rec.Transfers()[0].ID, *got.ProviderReference)
	require.Equal(t, int32(1), got.Attempt)
}

// Stripe's news reaches the grant as signals (from the webhook): a
// reversed transfer marks its payment reversed, flags the grant and tells
// finance; a failed payout flags the grant and tells finance; a reversal
// of a payment not of this grant changes nothing. A reversed tranche
// still counts as paid at close-out.
func TestGrantEventsFromStripe(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = d.Timeline.Reports[:1]
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	var p sqlc.Payment
	event := func(ev workflows.GrantEvent) { f.wenv.SignalWorkflow(workflows.SignalGrantEvent, ev) }
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p = f.tranche(1)
		f.approve("approve-a", p.ID, f.financeA)
		f.approve("approve-b", p.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
		event(workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: "pay_not_ours", Reason: "x", EventID: "evt_0"})
		event(workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: p.ID, Reason: "Returned by the bank", EventID: "evt_1"})
		event(workflows.GrantEvent{Kind: workflows.GrantEventPayoutFailed, Reason: "Account closed", EventID: "evt_2"})
	})
	f.at(4*time.Minute, func() {
		got := f.tranche(1)
		require.Equal(t, workflows.PaymentReversed, got.Status)
		require.Equal(t, "Returned by the bank", *got.ReversalReason)
		require.ElementsMatch(t, []string{workflows.GrantFlagPaymentReversed, workflows.GrantFlagPayoutFailed}, f.grant().Flags)
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_reversed"))
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payout_failed"))
		f.submitReport("submit", "interim")
	})
	f.at(5*time.Minute, func() { f.acceptReport("accept", "interim") })
	res := f.run()

	f.requireOK("approve-a", "approve-b", "submit", "accept")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	acts := f.actions()
	require.Equal(t, 1, acts["payment.reversed"])
	require.Equal(t, 1, acts["payout.failed"])
}

// A partial reversal (Stripe took back less than the payment) is recorded
// as partial: the payment stays paid with the amount reversed kept, the
// grant is flagged and finance told how much; a repeated or older total
// changes nothing; the rest reversed later makes it reversed.
func TestPartialReversalFromStripe(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = d.Timeline.Reports[:1]
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	var p sqlc.Payment
	event := func(ev workflows.GrantEvent) { f.wenv.SignalWorkflow(workflows.SignalGrantEvent, ev) }
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p = f.tranche(1)
		f.approve("approve-a", p.ID, f.financeA)
		f.approve("approve-b", p.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
		event(workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: p.ID, Reason: "Part returned",
			EventID: "evt_1", AmountReversedPence: 40000})
		event(workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: p.ID, Reason: "Older news",
			EventID: "evt_0", AmountReversedPence: 30000})
	})
	f.at(4*time.Minute, func() {
		got := f.tranche(1)
		require.Equal(t, workflows.PaymentPaid, got.Status, "partly reversed: still paid")
		require.Equal(t, int64(40000), got.ReversedPence)
		require.Nil(t, got.ReversedAt)
		require.Equal(t, []string{workflows.GrantFlagPaymentReversed}, f.grant().Flags)
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_partially_reversed"))
		require.Equal(t, 0, f.notifications(f.financeA.ID, "payment_reversed"))
		event(workflows.GrantEvent{Kind: workflows.GrantEventTransferReversed, PaymentID: p.ID, Reason: "All returned",
			EventID: "evt_2", AmountReversedPence: got.AmountPence})
	})
	f.at(5*time.Minute, func() {
		got := f.tranche(1)
		require.Equal(t, workflows.PaymentReversed, got.Status)
		require.Equal(t, got.AmountPence, got.ReversedPence)
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_reversed"))
		f.submitReport("submit", "interim")
	})
	f.at(6*time.Minute, func() { f.acceptReport("accept", "interim") })
	res := f.run()

	f.requireOK("approve-a", "approve-b", "submit", "accept")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	acts := f.actions()
	require.Equal(t, 1, acts["payment.partially_reversed"])
	require.Equal(t, 1, acts["payment.reversed"])
}

// Activities run again after they applied (a lost answer, a timeout)
// return what they did and change nothing more: a report's submission and
// review, and a variation (whose id the workflow chose once).
func TestGrantActivitiesRunTwice(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) { d.Timeline.Reports = d.Timeline.Reports[:1] })
	ctx := context.Background()
	at := f.start.Add(time.Hour)
	rep := f.report("interim").ID
	submit := workflows.ReportSubmitInput{GrantID: f.grantID, At: at, Submission: workflows.ReportSubmission{Caller: caller(f.grantee),
		ReportID: rep, Answers: []byte(`{ "progress" : "Forty clubs ran" }`), SpendPence: 5000}}
	review := workflows.ReportReviewInput{GrantID: f.grantID, At: at.Add(time.Hour), Review: workflows.ReportReview{Caller: caller(f.manager),
		ReportID: rep, Outcome: workflows.ReviewAccept}}
	vary := workflows.VaryInput{GrantID: f.grantID, VariationID: id.New(id.Variation), At: at.Add(2 * time.Hour),
		Variation: workflows.Variation{Caller: caller(f.manager), ClawbackPence: ptr(int64(30000)), Reason: "Unspent funds"}}
	for range 2 {
		sub, err := f.acts.SubmitReport(ctx, submit)
		require.NoError(t, err)
		require.Equal(t, workflows.ReportSubmitted, sub.Status)
	}
	for range 2 {
		rev, err := f.acts.ReviewReport(ctx, review)
		require.NoError(t, err)
		require.Equal(t, workflows.ReportAccepted, rev.Status)
	}
	for range 2 {
		v, err := f.acts.VaryGrant(ctx, vary)
		require.NoError(t, err)
		require.Equal(t, vary.VariationID, v.VariationID)
	}
	g := f.grant()
	require.Equal(t, int64(30000), g.ClawbackPence, "clawed back once")
	require.Equal(t, award-30000, g.AwardPence)
	require.Equal(t, int64(85000), f.tranche(1).AmountPence)
	require.Equal(t, int64(85000), f.tranche(2).AmountPence)
	require.Equal(t, award-30000, f.committed())
	require.Equal(t, 1, f.count(`SELECT count(*) FROM variations WHERE grant_id = $1`, f.grantID))
	acts := f.actions()
	require.Equal(t, 1, acts["report.submitted"])
	require.Equal(t, 1, acts["report.reviewed"])
	require.Equal(t, 1, acts["grant.varied"])
}

// A command reaching a payment's workflow while it is still reading its
// payment is refused as not_ready (the API's 409 with Retry-After), not
// as an unknown Update; once read, the same command is accepted.
func TestPaymentCommandWhileStartingIsNotReady(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	// Reading the payment takes a minute of workflow time.
	f.wenv.OnActivity(workflows.ActivityLoadPayment, mock.Anything, mock.Anything).After(time.Minute).Return(f.acts.LoadPayment)
	var p sqlc.Payment
	f.at(time.Minute, f.stripeReady)
	f.at(time.Minute+30*time.Second, func() {
		p = f.tranche(1)
		require.Equal(t, workflows.PaymentAwaitingApproval, p.Status)
		f.approve("approve-early", p.ID, f.financeA)
	})
	f.at(3*time.Minute, func() {
		require.Zero(t, f.approvals(p.ID))
		f.approve("approve-a", p.ID, f.financeA)
		f.approve("approve-b", p.ID, f.financeB)
	})
	res := f.run()

	f.requireRejected("approve-early", workflows.RejectNotReady)
	f.requireOK("approve-a", "approve-b")
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
}

// The manual provider: two approvals make the payment approved (no Stripe
// call); a third is refused; it is marked paid with its payment run, which
// becomes its reference; another run's id is refused.
func TestManualPaymentMarkedPaid(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.PaymentProvider = round.ProviderManual
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: workflows.ConditionOnAcceptance}}
	})
	financeC := f.env.User(t, "finance-c@example.org", app.RoleFinance)
	ctx := context.Background()
	var p sqlc.Payment
	var before string
	f.at(time.Minute, func() {
		require.Equal(t, workflows.PaymentScheduled, f.tranche(1).Status, "no bank details yet")
		f.bankReady()
	})
	f.at(2*time.Minute, func() {
		p = f.tranche(1)
		require.Equal(t, workflows.PaymentAwaitingApproval, p.Status)
		require.Equal(t, workflows.ProviderManual, *p.Provider)
		f.approve("approve-a", p.ID, f.financeA)
	})
	f.at(3*time.Minute, func() { f.approve("approve-b", p.ID, f.financeB) })
	f.at(4*time.Minute, func() {
		require.Equal(t, workflows.PaymentApproved, f.tranche(1).Status)
		require.Equal(t, 1, f.notifications(f.financeA.ID, "payment_approved"), "finance told to add it to a run")
		for _, run := range []string{"run_a", "run_b"} {
			_, err := f.env.Store.Pool.Exec(ctx, `INSERT INTO payment_runs (id, total_pence, count, created_by, created_at)
				VALUES ($1, $2, 1, $3, $4)`, run, p.AmountPence, f.financeA.ID, f.wenv.Now())
			require.NoError(t, err)
		}
		_, err := f.env.Store.Pool.Exec(ctx, `UPDATE payments SET payment_run_id = 'run_a' WHERE id = $1`, p.ID)
		require.NoError(t, err)
		before = f.state()
		f.approve("approve-third", p.ID, financeC)
		f.updatePayment("mark-paid-no-run", p.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.financeA)})
		f.updatePayment("mark-paid-other-run", p.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.financeA), RunID: "run_b"})
		f.updatePayment("mark-paid-not-finance", p.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.manager), RunID: "run_a"})
		f.updatePayment("cancel-in-run", p.ID, workflows.UpdateCancelPayment, workflows.PaymentCommand{Caller: caller(f.financeA), Reason: "Changed my mind"})
	})
	f.at(5*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "refused commands change nothing")
		f.updatePayment("mark-paid", p.ID, workflows.UpdateMarkPaid, workflows.PaymentCommand{Caller: caller(f.financeB), RunID: "run_a"})
	})
	res := f.run()

	f.requireOK("approve-a", "approve-b", "mark-paid")
	f.requireRejected("approve-third", workflows.RejectInvalidState)
	f.requireRejected("mark-paid-no-run", workflows.RejectInvalid, "run_id")
	f.requireRejected("mark-paid-other-run", workflows.RejectInvalidState)
	f.requireRejected("mark-paid-not-finance", workflows.RejectForbidden)
	f.requireRejected("cancel-in-run", workflows.RejectInvalidState)
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	got := f.tranche(1)
	require.Equal(t, workflows.PaymentPaid, got.Status)
	require.Equal(t, "run_a", *got.ProviderReference)
	require.WithinDuration(t, f.start.Add(5*time.Minute), *got.PaidAt, time.Second)
	require.Zero(t, f.rec.Calls("POST", "/v1/transfers"), "a manual payment never reaches Stripe")
	require.Equal(t, 1, f.notifications(f.grantee.ID, "payment_paid"))
	require.Equal(t, 1, f.actions()["payment.paid"])
}

// Variations through the grant's Update: a raise within the budget
// re-spreads the open tranche; a raise over the budget left, an award
// below what is paid and a caller who is not a manager are refused and
// change nothing; a new schedule replaces the open tranches with new
// ones in exact pence; a clawback is offset against the open tranche and
// the rest recorded as owed; a tranche replaced by a variation cannot be
// reissued. Every variation is audited and recorded. The report is
// refused when incomplete or from a stranger, sent back for changes, then
// accepted, which completes the grant.
func TestGrantVariations(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = d.Timeline.Reports[:1] // interim only
	})
	ctx := context.Background()
	// Another award leaves 100,000 pence of the round's budget.
	other := f.env.Submitted(t, f.round, "other@example.org", true)
	require.NoError(t, f.env.Store.InTx(ctx, func(q *sqlc.Queries) error {
		_, err := budget.Commit(ctx, q, f.round.ID, other, f.def.BudgetPence-award-100000)
		return err
	}))
	mgr := caller(f.manager)
	vary := func(label string, v workflows.Variation) {
		v.Caller = mgr
		f.update(label, workflows.UpdateVary, v)
	}
	commitment := func() int64 {
		var n int64
		require.NoError(t, f.env.Store.Pool.QueryRow(ctx,
			`SELECT amount_pence FROM budget_commitments WHERE application_id = $1 AND released_at IS NULL`, f.appID).Scan(&n))
		return n
	}
	var p1, p2 sqlc.Payment
	var before string
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p1 = f.tranche(1)
		f.approve("approve-1a", p1.ID, f.financeA)
		f.approve("approve-1b", p1.ID, f.financeB)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
		p2 = f.tranche(2)
		require.Equal(t, int64(100000), p2.AmountPence)
		vary("raise", workflows.Variation{AwardPence: ptr(int64(250001)), Reason: "Extra sessions over the summer"})
	})
	f.at(4*time.Minute, func() {
		require.Equal(t, int64(250001), f.grant().AwardPence)
		require.Equal(t, int64(150001), f.tranche(2).AmountPence, "what is left goes on the open tranche")
		require.Equal(t, workflows.PaymentScheduled, f.tranche(2).Status)
		require.Equal(t, int64(250001), commitment())
		require.Equal(t, 1, f.notifications(f.grantee.ID, "grant_varied"))
		before = f.state()
		vary("over-budget", workflows.Variation{AwardPence: ptr(int64(300002)), Reason: "More"})
		vary("below-paid", workflows.Variation{AwardPence: ptr(int64(99999)), Reason: "Less"})
		vary("no-change", workflows.Variation{Reason: "Nothing"})
		vary("unknown-report", workflows.Variation{Reason: "Split", Schedule: []workflows.Instalment{
			{Percent: 50, Condition: workflows.ConditionOnAcceptance}, {Percent: 50, Condition: "after_report:final"}}})
		f.update("vary-not-manager", workflows.UpdateVary, workflows.Variation{Caller: caller(f.financeA), AwardPence: ptr(int64(210000)), Reason: "x"})
	})
	f.at(5*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "refused variations change nothing")
		vary("reschedule", workflows.Variation{Reason: "A third now, the rest after the report", Schedule: []workflows.Instalment{
			{Percent: 33, Condition: workflows.ConditionOnAcceptance}, {Percent: 67, Condition: "after_report:interim"}}})
	})
	var p3, p4 sqlc.Payment
	f.at(6*time.Minute, func() {
		old := f.payments()
		require.Len(t, old, 4)
		require.Equal(t, p2.ID, old[1].ID)
		require.Equal(t, workflows.PaymentCancelled, old[1].Status, "the open tranche is replaced")
		p3, p4 = f.tranche(3), f.tranche(4)
		require.Equal(t, int64(49500), p3.AmountPence, "33% of 150,001 rounded down")
		require.Equal(t, int64(100501), p4.AmountPence, "the remainder on the last")
		require.Equal(t, workflows.ConditionOnAcceptance, p3.Condition)
		require.Equal(t, "after_report:interim", p4.Condition)
		require.Equal(t, workflows.PaymentAwaitingApproval, p3.Status, "its condition holds, so it is due")
		require.Equal(t, workflows.PaymentScheduled, p4.Status)
		require.Equal(t, int64(250001), p1.AmountPence+p3.AmountPence+p4.AmountPence)
		vary("clawback", workflows.Variation{ClawbackPence: ptr(int64(120000)), Reason: "Unspent funds from the first tranche"})
	})
	f.at(7*time.Minute, func() {
		g := f.grant()
		require.Equal(t, int64(120000), g.ClawbackPence)
		require.Equal(t, int64(149500), g.AwardPence, "lowered by the offset (100,501)")
		require.Equal(t, int64(149500), commitment())
		got := f.tranche(4)
		require.Equal(t, workflows.PaymentCancelled, got.Status, "nothing is left of the open tranche")
		require.Equal(t, workflows.PaymentAwaitingApproval, f.tranche(3).Status, "a tranche already due is not touched")
		var claw, offset int64
		require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT clawback_pence, offset_pence FROM variations
			WHERE grant_id = $1 AND clawback_pence > 0`, f.grantID).Scan(&claw, &offset))
		require.Equal(t, int64(120000), claw)
		require.Equal(t, int64(100501), offset, "the remaining 19,499 is owed")
		before = f.state()
		f.update("reissue-replaced", workflows.UpdateReissue, workflows.Reissue{Caller: mgr, PaymentID: p2.ID, Reason: "Pay it after all"})
	})
	f.at(8*time.Minute, func() {
		require.JSONEq(t, before, f.state(), "a replaced tranche is not reissued")
		f.approve("approve-3a", p3.ID, f.financeA)
		f.approve("approve-3b", p3.ID, f.financeB)
		rep := f.report("interim").ID
		f.update("submit-incomplete", workflows.UpdateSubmitReport, workflows.ReportSubmission{Caller: caller(f.grantee), ReportID: rep,
			Answers: []byte(`{}`), SpendPence: 1})
		f.update("submit-stranger", workflows.UpdateSubmitReport, workflows.ReportSubmission{Caller: caller(f.financeA), ReportID: rep,
			Answers: []byte(`{"progress": "Not mine to report"}`)})
		f.update("submit-negative", workflows.UpdateSubmitReport, workflows.ReportSubmission{Caller: caller(f.grantee), ReportID: rep,
			Answers: []byte(`{"progress": "x"}`), SpendPence: -1})
		f.update("review-unsubmitted", workflows.UpdateReviewReport, workflows.ReportReview{Caller: mgr, ReportID: rep, Outcome: workflows.ReviewAccept})
	})
	f.at(9*time.Minute, func() {
		require.Equal(t, workflows.ReportUpcoming, f.report("interim").Status, "refused submissions change nothing")
		f.submitReport("submit", "interim")
	})
	f.at(10*time.Minute, func() {
		rep := f.report("interim").ID
		f.update("changes-no-comment", workflows.UpdateReviewReport, workflows.ReportReview{Caller: mgr, ReportID: rep, Outcome: workflows.ReviewRequestChanges})
		f.update("review-not-manager", workflows.UpdateReviewReport, workflows.ReportReview{Caller: caller(f.financeA), ReportID: rep, Outcome: workflows.ReviewAccept})
		f.update("changes", workflows.UpdateReviewReport, workflows.ReportReview{Caller: mgr, ReportID: rep, Outcome: workflows.ReviewRequestChanges,
			Comment: "Say how many people came"})
	})
	f.at(11*time.Minute, func() {
		require.Equal(t, workflows.ReportChangesRequested, f.report("interim").Status)
		require.Equal(t, workflows.GrantStatusActive, f.grant().Status, "a report with changes requested is not accepted")
		f.submitReport("resubmit", "interim")
	})
	f.at(12*time.Minute, func() { f.acceptReport("accept", "interim") })
	res := f.run()

	f.requireRejected("submit-incomplete", workflows.RejectInvalid, "answers.progress")
	f.requireRejected("submit-stranger", workflows.RejectForbidden) // the validator knows the grantee's members
	f.requireRejected("submit-negative", workflows.RejectInvalid, "spend_pence")
	f.requireRejected("review-unsubmitted", workflows.RejectInvalidState)
	f.requireRejected("changes-no-comment", workflows.RejectInvalid, "comment")
	f.requireRejected("review-not-manager", workflows.RejectForbidden)
	f.requireOK("changes", "resubmit")

	f.requireOK("approve-1a", "approve-1b", "raise", "reschedule", "clawback", "approve-3a", "approve-3b", "submit", "accept")
	f.requireRejected("over-budget", workflows.RejectConflict)
	f.requireRejected("below-paid", workflows.RejectInvalid, "award_pence")
	f.requireRejected("no-change", workflows.RejectInvalid, "award_pence")
	f.requireRejected("unknown-report", workflows.RejectInvalid, "schedule[1].condition")
	f.requireRejected("vary-not-manager", workflows.RejectForbidden)
	f.requireRejected("reissue-replaced", workflows.RejectInvalidState)
	require.Equal(t, workflows.GrantStatusCompleted, res.Status, "paid tranches 1 and 3, the rest cancelled, the report accepted")
	var paid int64
	for _, p := range f.payments() {
		if p.Status == workflows.PaymentPaid {
			paid += p.AmountPence
		}
	}
	require.Equal(t, f.grant().AwardPence, paid)
	require.Equal(t, 3, f.count(`SELECT count(*) FROM variations WHERE grant_id = $1`, f.grantID))
	require.Equal(t, 3, f.actions()["grant.varied"])
	var owed int64
	require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT (data->>'owed_pence')::bigint FROM audit_events
		WHERE chain = $1 AND action = 'grant.varied' AND (data->>'clawback_pence')::bigint > 0`, workflows.GrantWorkflowID(f.grantID)).Scan(&owed))
	require.Equal(t, int64(19499), owed)
}

// A payment goes only where its approvers saw it go. The Stripe account
// of the payee changes after two approvals (as the database's owner could;
// the service itself never replaces an account): the retry of a failed
// payment, which keeps its approvals, refuses to send and calls nothing
// at Stripe; finance is told. Put back, the retry pays once. An approval
// of a payee whose account changed after the first approval is refused.
func TestPaymentToAChangedPayeeIsNotSent(t *testing.T) {
	t.Parallel()
	f := newGrant(t, func(d *round.Definition) {
		d.Timeline.Reports = nil
		d.PaymentSchedule = []round.Instalment{{Percent: 50, Condition: workflows.ConditionOnAcceptance}, {Percent: 50, Condition: workflows.ConditionOnAcceptance}}
	})
	swap := func(to string) {
		_, err := f.env.Store.Pool.Exec(context.Background(), `UPDATE organisations SET stripe_account_id = $2 WHERE id = $1`, f.orgID, to)
		require.NoError(t, err)
	}
	var p1, p2 sqlc.Payment
	f.at(time.Minute, f.stripeReady)
	f.at(2*time.Minute, func() {
		p1, p2 = f.tranche(1), f.tranche(2)
		f.rec.FailTransfers(1, stripetest.Permanent)
		f.approve("approve-1a", p1.ID, f.financeA)
		f.approve("approve-1b", p1.ID, f.financeB)
		f.approve("approve-2a", p2.ID, f.financeA)
	})
	f.at(3*time.Minute, func() {
		require.Equal(t, workflows.PaymentFailed, f.tranche(1).Status)
		swap("acct_someone_else")
		f.approve("approve-2b", p2.ID, f.financeB) // the first approval saw another account
		f.updatePayment("retry-swapped", p1.ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeB)})
	})
	f.at(4*time.Minute, func() {
		p := f.tranche(1)
		require.Equal(t, workflows.PaymentFailed, p.Status)
		require.Contains(t, *p.FailureReason, "Not sent")
		require.Contains(t, *p.FailureReason, "changed after this payment was approved")
		require.Zero(t, f.rec.TransferCreates(), "nothing sent to the account no approver saw")
		require.Equal(t, 1, f.rec.Calls("POST", "/v1/transfers"), "only the first, refused attempt")
		require.Equal(t, 2, f.notifications(f.financeA.ID, "payment_failed"))
		require.Equal(t, 1, f.approvals(p2.ID))
		swap(account)
		f.updatePayment("retry", p1.ID, workflows.UpdateRetryPayment, workflows.PaymentCommand{Caller: caller(f.financeB)})
		f.approve("approve-2b-again", p2.ID, f.financeB)
	})
	res := f.run()

	f.requireOK("approve-1a", "approve-1b", "approve-2a", "retry-swapped", "retry", "approve-2b-again")
	f.requireRejected("approve-2b", workflows.RejectConflict)
	require.Equal(t, workflows.GrantStatusCompleted, res.Status)
	require.Equal(t, workflows.PaymentPaid, f.tranche(1).Status)
	require.Equal(t, 2, f.rec.TransferCreates(), "each tranche once, to the approved account")
	for _, tr := range f.rec.Transfers() {
		require.Equal(t, account, tr.Destination)
	}
}
