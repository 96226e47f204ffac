package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// The example round's timeline: 336 h to assess from the round's close,
// reminders 48 h before, offers open for 672 h.
const (
	window   = 336 * time.Hour
	lead     = 48 * time.Hour
	expiry   = 672 * time.Hour
	minute   = time.Minute
	reqPence = int64(250000) // apptest.CompleteAnswers
)

// caseFixture is one submitted application run by ApplicationWorkflow in
// the SDK's test environment (time skipping) with the real activities on a
// real database. Steps are scheduled at workflow-time offsets; each
// Update's outcome is kept by label for the assertions after the run.
type caseFixture struct {
	t         *testing.T
	env       *apptest.Env
	wenv      *testsuite.TestWorkflowEnvironment
	round     app.Round
	appID     string
	applicant app.Actor
	chair     app.Actor
	manager   app.Actor
	assessors map[string]app.Actor // by id
	start     time.Time
	closes    time.Time
	outcomes  map[string]*updateOutcome
}

type updateOutcome struct {
	rejected error // by the validator
	err      error // by the handler
	done     bool
}

// ok reports whether the Update was accepted and completed without error.
func (o *updateOutcome) ok() bool { return o != nil && o.done && o.rejected == nil && o.err == nil }

// failure is the validator's rejection or the handler's error.
func (o *updateOutcome) failure() error {
	if o.rejected != nil {
		return o.rejected
	}
	return o.err
}

func newCase(t *testing.T, assessors int) *caseFixture {
	t.Helper()
	env := apptest.New(t)
	f := &caseFixture{t: t, env: env, manager: env.Manager, assessors: map[string]app.Actor{}, outcomes: map[string]*updateOutcome{}}
	for i := 1; i <= assessors; i++ {
		a := env.User(t, fmt.Sprintf("assessor%d@example.org", i), app.RoleAssessor)
		f.assessors[a.ID] = a
	}
	f.chair = env.User(t, "chair@example.org", app.RoleChair)
	def := apptest.ExampleRound(t)
	f.closes = def.ClosesAt
	f.round = env.Round(t, def)
	f.appID = env.Submitted(t, f.round, "applicant@example.org", true)
	u, ok, err := env.App.UserByEmail(context.Background(), "applicant@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	f.applicant = app.Actor{ID: u.ID, Roles: u.Roles}

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	f.wenv = suite.NewTestWorkflowEnvironment()
	f.wenv.SetTestTimeout(2 * time.Minute)
	workflows.Register(f.wenv)
	(&activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}).Register(f.wenv)
	f.start = f.wenv.Now()
	// An accepted offer starts the grant's workflow; here only its start is checked.
	f.wenv.OnWorkflow(workflows.GrantWorkflowName, mock.Anything, mock.Anything).Return(workflows.GrantResult{Status: "closed"}, nil).Maybe()
	return f
}

// deadline is a first assignment's deadline: the round's close (later than
// the workflow's start) plus the assessment window.
func (f *caseFixture) deadline() time.Time { return f.closes.Add(window) }

// at schedules fn at workflow time f.start+d.
func (f *caseFixture) at(d time.Duration, fn func()) { f.wenv.RegisterDelayedCallback(fn, d) }

// atTime schedules fn at the absolute workflow time when.
func (f *caseFixture) atTime(when time.Time, fn func()) { f.at(when.Sub(f.start), fn) }

// send sends an Update at offset d, its argument built then (ids known).
func (f *caseFixture) send(d time.Duration, label, name string, arg func() any) {
	f.at(d, func() { f.sendNow(label, name, arg()) })
}

func (f *caseFixture) sendNow(label, name string, arg any) {
	o := &updateOutcome{}
	f.outcomes[label] = o
	f.wenv.UpdateWorkflow(name, label, &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { o.rejected, o.done = err, true },
		OnAccept:   func() {},
		OnComplete: func(_ any, err error) { o.err, o.done = err, true },
	}, arg)
}

// run executes the case to its end and returns its result.
func (f *caseFixture) run() workflows.ApplicationResult {
	f.t.Helper()
	f.wenv.ExecuteWorkflow(workflows.ApplicationWorkflowName, workflows.ApplicationInput{ApplicationID: f.appID})
	require.True(f.t, f.wenv.IsWorkflowCompleted())
	require.NoError(f.t, f.wenv.GetWorkflowError())
	var res workflows.ApplicationResult
	require.NoError(f.t, f.wenv.GetWorkflowResult(&res))
	return res
}

func (f *caseFixture) assessments() []sqlc.Assessment {
	f.t.Helper()
	rows, err := f.env.Store.AssessmentListByApplication(context.Background(), f.appID)
	require.NoError(f.t, err)
	return rows
}

// live returns the case's assigned or scored assessments.
func (f *caseFixture) live() []sqlc.Assessment {
	var out []sqlc.Assessment
	for _, a := range f.assessments() {
		if a.Status == workflows.AssessmentAssigned || a.Status == workflows.AssessmentScored {
			out = append(out, a)
		}
	}
	return out
}

func (f *caseFixture) caller(userID string) workflows.Caller {
	for _, a := range f.assessors {
		if a.ID == userID {
			return workflows.Caller{ID: a.ID, Roles: a.Roles}
		}
	}
	f.t.Fatalf("no assessor %s", userID)
	return workflows.Caller{}
}

func chairCaller(a app.Actor) workflows.Caller { return workflows.Caller{ID: a.ID, Roles: a.Roles} }

// goodScores scores every criterion of the example round s out of 5.
func goodScores(s int) map[string]workflows.CriterionScore {
	out := map[string]workflows.CriterionScore{}
	for _, k := range []string{"need", "led_by", "delivery"} {
		out[k] = workflows.CriterionScore{Score: s, Justification: "Clear evidence in the answers"}
	}
	return out
}

// scoreAll has every live assessor score s at offset d.
func (f *caseFixture) scoreAll(d time.Duration, s int) {
	f.at(d, func() {
		for i, a := range f.live() {
			f.sendNow(fmt.Sprintf("score-%d", i), workflows.UpdateScore,
				workflows.ScoreUpdate{Caller: f.caller(a.AssessorID), AssessmentID: a.ID, Scores: goodScores(s)})
		}
	})
}

func (f *caseFixture) application() sqlc.Application {
	f.t.Helper()
	row, err := f.env.Store.ApplicationGet(context.Background(), f.appID)
	require.NoError(f.t, err)
	return row
}

func (f *caseFixture) notifications(userID, kind string) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.env.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2`, userID, kind).Scan(&n))
	return n
}

func (f *caseFixture) verifyAudit() {
	f.t.Helper()
	_, err := audit.Verify(context.Background(), f.env.Store.Queries, "application:"+f.appID)
	require.NoError(f.t, err)
}

func (f *caseFixture) requireRejected(label, kind string, fields ...string) {
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

func (f *caseFixture) requireOK(labels ...string) {
	f.t.Helper()
	for _, l := range labels {
		require.True(f.t, f.outcomes[l].ok(), "%s: %+v", l, f.outcomes[l])
	}
}

// From submission to an accepted offer: assignment to two assessors,
// scoring, the chair's approval (budget committed, grant offered with its
// schedules), acceptance by the applicant, the grant's workflow started.
func TestCaseFromAssessmentToAcceptedOffer(t *testing.T) {
	t.Parallel()
	f := newCase(t, 3)
	f.at(minute, func() { require.Len(t, f.live(), 2, "assigned as soon as eligible") })
	f.scoreAll(2*minute, 4)
	f.send(3*minute, "approve", workflows.UpdateDecide, func() any {
		return workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(200000))}
	})
	f.send(4*minute, "accept", workflows.UpdateAccept, func() any {
		return workflows.AcceptUpdate{Caller: workflows.Caller{ID: f.applicant.ID}, GrantID: *f.application().GrantID,
			SignatoryName: "Ada Okafor", SignatoryRole: "Chair of trustees"}
	})
	res := f.run()

	f.requireOK("score-0", "score-1", "approve", "accept")
	require.Equal(t, workflows.StatusApproved, res.Status)
	require.Equal(t, workflows.GrantAccepted, res.Grant)
	ctx := context.Background()
	row := f.application()
	require.Equal(t, "approved", row.Status)
	require.Equal(t, res.GrantID, *row.GrantID)
	g, err := f.env.Store.GrantGet(ctx, res.GrantID)
	require.NoError(t, err)
	require.Equal(t, "active", g.Status)
	require.Equal(t, int64(200000), g.AwardPence)
	require.Equal(t, "Ada Okafor", *g.SignatoryName)
	pays, err := f.env.Store.PaymentListByGrant(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, pays, 2)
	require.Equal(t, int64(200000), pays[0].AmountPence+pays[1].AmountPence)
	reports, err := f.env.Store.ReportListByGrant(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, reports, 2)
	require.NotNil(t, reports[0].DueAt, "report deadlines count from acceptance")
	left, err := f.env.Store.BudgetCommitted(ctx, f.round.ID)
	require.NoError(t, err)
	require.Equal(t, int64(200000), left)
	for _, a := range f.live() {
		require.Equal(t, workflows.AssessmentScored, a.Status)
		require.Equal(t, int64(8000), *a.TotalHundredths, "4 of 5 on every criterion is 80")
	}
	f.wenv.AssertWorkflowCalled(t, workflows.GrantWorkflowName, mock.Anything, workflows.GrantInput{GrantID: g.ID, ApplicationID: f.appID})
	f.verifyAudit()
}

// Nobody scores: reminders go out reminder_lead before the deadline; at the
// deadline both assignments are released and reassigned once with a fresh
// window; when the reassignments also pass unscored the case is flagged to
// managers; the chair may then decide.
func TestUnscoredAssignmentsAreRemindedReassignedOnceThenFlagged(t *testing.T) {
	t.Parallel()
	f := newCase(t, 4)
	var first []sqlc.Assessment
	f.at(minute, func() { first = f.live(); require.Len(t, first, 2) })
	// Just before the reminders: none sent.
	f.atTime(f.deadline().Add(-lead-minute), func() {
		for _, a := range first {
			require.Zero(t, f.notifications(a.AssessorID, "reminder"), "no reminder before reminder_lead")
		}
	})
	f.atTime(f.deadline().Add(-lead+minute), func() {
		for _, a := range first {
			require.Equal(t, 1, f.notifications(a.AssessorID, "reminder"), "reminded once at reminder_lead")
		}
	})
	// The chair may not decide while assessment is under way.
	f.atTime(f.deadline().Add(-minute), func() {
		f.sendNow("early-decision", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeReject, Reason: "Too early"})
	})
	var second []sqlc.Assessment
	f.atTime(f.deadline().Add(minute), func() {
		second = f.live()
		require.Len(t, second, 2, "reassigned to the two assessors not yet used")
		for _, a := range second {
			require.Equal(t, int32(1), a.Generation)
			require.WithinDuration(t, f.deadline().Add(window), a.Deadline, time.Second, "a fresh window")
			for _, old := range first {
				require.NotEqual(t, old.AssessorID, a.AssessorID)
			}
		}
		for _, a := range f.assessments() {
			if a.Generation == 0 {
				require.Equal(t, workflows.AssessmentReleased, a.Status)
			}
		}
		require.NotContains(t, f.application().Flags, workflows.FlagUnscored)
	})
	f.atTime(f.deadline().Add(window).Add(-lead+minute), func() {
		for _, a := range second {
			require.Equal(t, 1, f.notifications(a.AssessorID, "reminder"))
		}
	})
	f.atTime(f.deadline().Add(window).Add(minute), func() {
		require.Empty(t, f.live(), "reassignments released in turn, not reassigned again")
		require.Contains(t, f.application().Flags, workflows.FlagUnscored)
		require.Positive(t, f.notifications(f.manager.ID, "flag"), "managers told")
		f.sendNow("reject", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeReject, Reason: "Not assessed"})
	})
	res := f.run()

	f.requireRejected("early-decision", workflows.RejectInvalidState)
	f.requireOK("reject")
	require.Equal(t, workflows.StatusRejected, res.Status)
	require.Equal(t, "rejected", f.application().Status)
	f.verifyAudit()
}

// A declared conflict releases the assessor, reassigns the case to someone
// else and stops the assessor scoring it; a later application from the
// same organisation never reaches them.
func TestDeclaredConflictReassigns(t *testing.T) {
	t.Parallel()
	f := newCase(t, 3)
	var conflicted sqlc.Assessment
	f.at(minute, func() {
		conflicted = f.live()[0]
		f.sendNow("conflict", workflows.UpdateDeclareConflict, workflows.ConflictUpdate{
			Caller: f.caller(conflicted.AssessorID), AssessmentID: conflicted.ID, Reason: "I am a trustee of this charity"})
	})
	f.at(2*minute, func() {
		live := f.live()
		require.Len(t, live, 2, "replaced")
		for _, a := range live {
			require.NotEqual(t, conflicted.AssessorID, a.AssessorID)
		}
		f.sendNow("score-after-conflict", workflows.UpdateScore, workflows.ScoreUpdate{
			Caller: f.caller(conflicted.AssessorID), AssessmentID: conflicted.ID, Scores: goodScores(5)})
		f.sendNow("conflict-again", workflows.UpdateDeclareConflict, workflows.ConflictUpdate{
			Caller: f.caller(conflicted.AssessorID), AssessmentID: conflicted.ID, Reason: "again"})
	})
	f.send(3*minute, "withdraw", workflows.UpdateWithdraw, func() any {
		return workflows.WithdrawUpdate{Caller: workflows.Caller{ID: f.applicant.ID}}
	})
	res := f.run()

	f.requireOK("conflict", "withdraw")
	f.requireRejected("score-after-conflict", workflows.RejectInvalidState)
	f.requireRejected("conflict-again", workflows.RejectInvalidState)
	require.Equal(t, workflows.StatusWithdrawn, res.Status)
	var n int
	require.NoError(t, f.env.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM assessor_conflicts WHERE assessor_id = $1`, conflicted.AssessorID).Scan(&n))
	require.Equal(t, 1, n)
	require.Empty(t, f.live(), "withdrawal releases every assignment")
	require.Equal(t, "withdrawn", f.application().Status)
	f.verifyAudit()
}

// Bad input to every Update is refused by its validator (or, for the
// budget, by the activity) and changes nothing.
func TestBadUpdatesAreRefusedAndChangeNothing(t *testing.T) {
	t.Parallel()
	f := newCase(t, 3)
	// Another award leaves 150,000 pence of the round's budget.
	elsewhere := f.env.Submitted(t, f.round, "other@example.org", true)
	require.NoError(t, f.env.Store.InTx(context.Background(), func(q *sqlc.Queries) error {
		_, err := budget.Commit(context.Background(), q, f.round.ID, elsewhere, f.round.BudgetPence-150000)
		return err
	}))
	// A chair who is a member of the applicant: the validator knows from
	// the case's parties.
	memberChair := f.env.User(t, "chair-member@example.org", app.RoleChair)
	require.NoError(t, f.env.Store.OrganisationMemberAdd(context.Background(), sqlc.OrganisationMemberAddParams{
		OrganisationID: f.application().OrganisationID, UserID: memberChair.ID, Role: app.MemberMember}))
	var asm []sqlc.Assessment
	var before string
	var other workflows.Caller
	f.at(minute, func() {
		asm = f.live()
		require.Len(t, asm, 2)
		for id := range f.assessors {
			if id != asm[0].AssessorID && id != asm[1].AssessorID {
				other = f.caller(id)
			}
		}
		raw, _ := json.Marshal(f.assessments())
		before = string(raw)
		mine := f.caller(asm[0].AssessorID)
		out := goodScores(3)
		out["need"] = workflows.CriterionScore{Score: 6, Justification: "x"}
		out["led_by"] = workflows.CriterionScore{Score: 2, Justification: "  "}
		delete(out, "delivery")
		out["vibes"] = workflows.CriterionScore{Score: 1, Justification: "y"}
		f.sendNow("out-of-range", workflows.UpdateScore, workflows.ScoreUpdate{Caller: mine, AssessmentID: asm[0].ID, Scores: out})
		f.sendNow("someone-elses", workflows.UpdateScore, workflows.ScoreUpdate{Caller: other, AssessmentID: asm[0].ID, Scores: goodScores(3)})
		f.sendNow("no-such", workflows.UpdateScore, workflows.ScoreUpdate{Caller: mine, AssessmentID: "asm_nope", Scores: goodScores(3)})
		f.sendNow("conflict-no-reason", workflows.UpdateDeclareConflict, workflows.ConflictUpdate{Caller: mine, AssessmentID: asm[0].ID})
		f.sendNow("decide-non-chair", workflows.UpdateDecide, workflows.DecideUpdate{Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, Outcome: workflows.OutcomeReject, Reason: "no"})
		f.sendNow("moderate-non-manager", workflows.UpdateModerate, workflows.ModerateUpdate{Caller: chairCaller(f.chair), TotalHundredths: 5000, Rationale: "x"})
		f.sendNow("moderate-bad", workflows.UpdateModerate, workflows.ModerateUpdate{Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, TotalHundredths: 10001})
		f.sendNow("accept-no-offer", workflows.UpdateAccept, workflows.AcceptUpdate{Caller: workflows.Caller{ID: f.applicant.ID}, GrantID: "gnt_x", SignatoryName: "A", SignatoryRole: "B"})
		f.sendNow("promote-not-waitlisted", workflows.UpdatePromote, workflows.PromoteUpdate{AwardPence: 100000})
		f.sendNow("decide-interested", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(memberChair), Outcome: workflows.OutcomeReject, Reason: "no"})
		f.sendNow("withdraw-stranger", workflows.UpdateWithdraw, workflows.WithdrawUpdate{Caller: chairCaller(f.chair)})
		f.sendNow("accept-non-admin", workflows.UpdateAccept, workflows.AcceptUpdate{Caller: chairCaller(memberChair), GrantID: "gnt_x", SignatoryName: "A", SignatoryRole: "B"})
	})
	f.at(2*minute, func() {
		raw, _ := json.Marshal(f.assessments())
		require.JSONEq(t, before, string(raw), "nothing changed")
	})
	f.scoreAll(3*minute, 5)
	// After the deadline (the round closes in 24 h): too late to revise.
	f.atTime(f.deadline().Add(minute), func() {
		f.sendNow("score-late", workflows.UpdateScore, workflows.ScoreUpdate{Caller: f.caller(asm[0].AssessorID), AssessmentID: asm[0].ID, Scores: goodScores(1)})
		chair := chairCaller(f.chair)
		f.sendNow("award-above-request", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: workflows.OutcomeApprove, AwardPence: ptr(reqPence + 1)})
		f.sendNow("award-below-tier", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(99999))})
		f.sendNow("award-missing", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: workflows.OutcomeApprove})
		f.sendNow("reject-no-reason", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: workflows.OutcomeReject})
		f.sendNow("bad-outcome", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: "maybe"})
		f.sendNow("over-budget", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chair, Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(200000))})
	})
	f.atTime(f.deadline().Add(2*minute), func() {
		require.Equal(t, "in_assessment", f.application().Status, "nothing decided")
		n, err := f.env.Store.BudgetCommitted(context.Background(), f.round.ID)
		require.NoError(t, err)
		require.Equal(t, f.round.BudgetPence-150000, n, "nothing more committed")
		f.sendNow("approve", workflows.UpdateDecide, workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(150000))})
	})
	// The offer is not accepted in time: it lapses, its budget is released
	// and the round is told. (The case then ends, so a later acceptance is
	// refused by the API as invalid_state: see the integration test.)
	f.wenv.OnSignalExternalWorkflow(mock.Anything, workflows.RoundWorkflowID(f.round.ID), "", workflows.SignalBudgetReleased, mock.Anything).Return(nil).Once()
	res := f.run()

	f.requireRejected("out-of-range", workflows.RejectInvalid, "scores.need.score", "scores.led_by.justification", "scores.delivery", "scores.vibes")
	f.requireRejected("someone-elses", workflows.RejectForbidden)
	f.requireRejected("no-such", workflows.RejectNotFound)
	f.requireRejected("conflict-no-reason", workflows.RejectInvalid, "reason")
	f.requireRejected("decide-non-chair", workflows.RejectForbidden)
	f.requireRejected("moderate-non-manager", workflows.RejectForbidden)
	f.requireRejected("moderate-bad", workflows.RejectInvalid, "total", "rationale")
	f.requireRejected("accept-no-offer", workflows.RejectInvalidState)
	f.requireRejected("promote-not-waitlisted", workflows.RejectInvalidState)
	f.requireRejected("decide-interested", workflows.RejectForbidden)
	f.requireRejected("withdraw-stranger", workflows.RejectForbidden)
	f.requireRejected("accept-non-admin", workflows.RejectForbidden)
	f.requireRejected("score-late", workflows.RejectInvalidState)
	f.requireRejected("award-above-request", workflows.RejectInvalid, "award_pence")
	f.requireRejected("award-below-tier", workflows.RejectInvalid, "award_pence")
	f.requireRejected("award-missing", workflows.RejectInvalid, "award_pence")
	f.requireRejected("reject-no-reason", workflows.RejectInvalid, "reason")
	f.requireRejected("bad-outcome", workflows.RejectInvalid, "outcome")
	f.requireRejected("over-budget", workflows.RejectConflict)
	f.requireOK("approve")

	require.Equal(t, workflows.GrantLapsed, res.Grant)
	g, err := f.env.Store.GrantGet(context.Background(), res.GrantID)
	require.NoError(t, err)
	require.Equal(t, "lapsed", g.Status)
	n, err := f.env.Store.BudgetCommitted(context.Background(), f.round.ID)
	require.NoError(t, err)
	require.Equal(t, f.round.BudgetPence-150000, n, "the lapsed offer's budget is released")
	f.wenv.AssertExpectations(t)
	f.verifyAudit()
}

// A waitlisted case waits; the round's promotion Update turns it into an
// offer, which is then accepted. Moderation is allowed while waitlisted.
func TestWaitlistedCaseIsPromoted(t *testing.T) {
	t.Parallel()
	f := newCase(t, 2)
	f.scoreAll(minute, 3)
	f.send(2*minute, "waitlist", workflows.UpdateDecide, func() any {
		return workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeWaitlist}
	})
	f.send(3*minute, "waitlist-again", workflows.UpdateDecide, func() any {
		return workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeWaitlist}
	})
	f.send(4*minute, "moderate", workflows.UpdateModerate, func() any {
		return workflows.ModerateUpdate{Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, TotalHundredths: 7050, Rationale: "Panel discussion"}
	})
	// Weeks later an offer lapses elsewhere and the round promotes this case.
	f.send(30*24*time.Hour, "promote-over-request", workflows.UpdatePromote, func() any { return workflows.PromoteUpdate{AwardPence: reqPence + 1} })
	f.send(30*24*time.Hour+minute, "promote", workflows.UpdatePromote, func() any { return workflows.PromoteUpdate{AwardPence: reqPence} })
	f.send(30*24*time.Hour+2*minute, "accept", workflows.UpdateAccept, func() any {
		return workflows.AcceptUpdate{Caller: workflows.Caller{ID: f.applicant.ID}, GrantID: *f.application().GrantID, SignatoryName: "Ada", SignatoryRole: "Chair"}
	})
	res := f.run()

	f.requireOK("waitlist", "moderate", "promote", "accept")
	f.requireRejected("waitlist-again", workflows.RejectInvalidState)
	f.requireRejected("promote-over-request", workflows.RejectInvalid, "award_pence")
	require.Equal(t, workflows.GrantAccepted, res.Grant)
	row := f.application()
	require.Equal(t, "approved", row.Status)
	require.Equal(t, int64(7050), *row.ModeratedTotal)
	require.Equal(t, workflows.SystemActor, *row.DecidedBy)
	require.Equal(t, 1, f.notifications(f.chair.ID, "promotion"), "the chair is told of the promotion")
	f.verifyAudit()
}

func ptr[T any](v T) *T { return &v }

// With too few assessors the case is flagged and asks the pool again from
// time to time: a new assessor is assigned without anyone doing anything.
func TestShortPoolIsRetried(t *testing.T) {
	t.Parallel()
	f := newCase(t, 1)
	f.at(minute, func() {
		require.Len(t, f.live(), 1)
		require.Contains(t, f.application().Flags, workflows.FlagPoolExhausted)
	})
	var late app.Actor
	f.at(90*minute, func() { late = f.env.User(t, "late-assessor@example.org", app.RoleAssessor) })
	f.at(3*time.Hour, func() {
		live := f.live()
		require.Len(t, live, 2, "the new assessor was picked up")
		require.Equal(t, late.ID, live[1].AssessorID)
		f.sendNow("withdraw", workflows.UpdateWithdraw, workflows.WithdrawUpdate{Caller: workflows.Caller{ID: f.applicant.ID}})
	})
	res := f.run()
	f.requireOK("withdraw")
	require.Equal(t, workflows.StatusWithdrawn, res.Status)
}
