package workflows_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/casework/casetest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// ldn is a London wall-clock instant.
func ldn(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, workday.London)
}

// clockCall is one step the case's clock took, as the workflow asked it.
type clockCall struct {
	Step string
	ID   string
	At   time.Time // UTC
}

// workedCase is a case opened at start and run by CaseWorkflow in the
// SDK's test environment (time skipping), with the real activities on a
// real database; the clock's steps are recorded as the workflow asks them.
type workedCase struct {
	t          *testing.T
	env        *apptest.Env
	acts       *activities.Activities
	wenv       *testsuite.TestWorkflowEnvironment
	start      time.Time
	caseID     string
	orgID      string
	admin      app.Actor
	member     app.Actor
	caseworker app.Actor
	calls      []clockCall
	// unchanged makes every clock step answer that PostgreSQL had nothing
	// to do, without running it.
	unchanged bool
	outcomes  map[string]*updateOutcome
	pending   atomic.Int32
}

// newWorkedCase opens a case at start; edit (may be nil) changes it
// before it is written.
func newWorkedCase(t *testing.T, start time.Time, edit func(*casetest.Case)) *workedCase {
	t.Helper()
	env := apptest.New(t)
	f := &workedCase{t: t, env: env, start: start, outcomes: map[string]*updateOutcome{}}
	f.admin = env.User(t, "admin@group.example.org")
	f.member = env.User(t, "member@group.example.org")
	f.caseworker = env.User(t, "caseworker@example.org", app.RoleCaseworker)
	f.orgID = env.Organisation(t, f.admin, "Old Library Friends").ID
	require.NoError(t, env.Store.OrganisationMemberAdd(context.Background(),
		sqlc.OrganisationMemberAddParams{OrganisationID: f.orgID, UserID: f.member.ID, Role: "member"}))
	c := casetest.Case{OrganisationID: f.orgID, RequestedBy: f.admin.ID, CaseworkerID: f.caseworker.ID, OpenedAt: start}
	if edit != nil {
		edit(&c)
	}
	f.caseID = casetest.Open(t, env.Store, c)
	f.acts = &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)}
	f.wenv = f.newEnv(start)
	return f
}

// newEnv makes a test environment starting at start, with the real
// activities and the clock's steps recorded.
func (f *workedCase) newEnv(start time.Time) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(f.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.SetTestTimeout(time.Minute)
	wenv.SetStartTime(start)
	workflows.Register(wenv)
	f.acts.Register(wenv)
	wenv.OnActivity(workflows.ActivityCaseClockStep, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in workflows.CaseClockStep) (workflows.CaseClockResult, error) {
			require.True(f.t, in.At.Equal(wenv.Now()), "the step runs when the workflow says")
			f.calls = append(f.calls, clockCall{Step: in.Step, ID: in.ID, At: in.At.UTC()})
			if f.unchanged {
				return workflows.CaseClockResult{}, nil
			}
			return f.acts.CaseClockStep(ctx, in)
		})
	return wenv
}

// at schedules fn at the workflow time when; run fails if the workflow
// ends before it ran.
func (f *workedCase) at(when time.Time, fn func()) {
	f.pending.Add(1)
	f.wenv.RegisterDelayedCallback(func() {
		defer f.pending.Add(-1)
		fn()
	}, when.Sub(f.start))
}

// update sends an Update now.
func (f *workedCase) update(label, name string, arg any) {
	o := &updateOutcome{}
	f.outcomes[label] = o
	f.wenv.UpdateWorkflow(name, label, callbacks(o), arg)
}

func (f *workedCase) cw() workflows.Caller { return caller(f.caseworker) }

// contact logs a call now (Update "contact").
func (f *workedCase) contact() {
	f.update("contact", workflows.UpdateCaseAddContact, workflows.CaseContactUpdate{Caller: f.cw(), ContactID: id.New("con"),
		ContactAt: f.wenv.Now(), Kind: "call", Minutes: 20, Summary: "Called the chair"})
}

// addAction adds an action due on due, owned by owner (nil: the
// caseworker), and returns its id.
func (f *workedCase) addAction(label, due string, owner *string) string {
	actionID := id.New("act")
	f.update(label, workflows.UpdateCaseAddAction, workflows.CaseActionUpdate{Caller: f.cw(), ActionID: actionID,
		Title: "Write to the landlord", OwnerID: owner, DueOn: due})
	return actionID
}

func (f *workedCase) closeCase(label, outcome string) {
	f.update(label, workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: f.cw(), Outcome: outcome, Summary: "The lease was renewed for ten years."})
}

// run executes the case's workflow to its end.
func (f *workedCase) run() workflows.CaseResult {
	f.t.Helper()
	f.wenv.ExecuteWorkflow(workflows.CaseWorkflowName, workflows.CaseInput{CaseID: f.caseID})
	require.True(f.t, f.wenv.IsWorkflowCompleted())
	require.NoError(f.t, f.wenv.GetWorkflowError())
	require.Zero(f.t, f.pending.Load(), "scheduled callbacks that never ran")
	var res workflows.CaseResult
	require.NoError(f.t, f.wenv.GetWorkflowResult(&res))
	return res
}

func (f *workedCase) requireOK(labels ...string) {
	f.t.Helper()
	for _, l := range labels {
		o := f.outcomes[l]
		require.NotNil(f.t, o, l)
		require.True(f.t, o.ok(), "%s: done %v, %v", l, o.done, o.failure())
	}
}

// requireRejected checks an Update's rejection, by its validator (early)
// or its handler.
func (f *workedCase) requireRejected(label, kind string, early bool) {
	f.t.Helper()
	o := f.outcomes[label]
	require.NotNil(f.t, o, label)
	require.True(f.t, o.done, label)
	r, ok := workflows.AsRejection(o.failure())
	require.True(f.t, ok, "%s: %v", label, o.failure())
	require.Equal(f.t, kind, r.Kind, "%s: %s", label, r.Message)
	require.Equal(f.t, early, o.rejected != nil, "%s rejected by the validator", label)
}

func (f *workedCase) requireCalls(want ...clockCall) {
	f.t.Helper()
	if diff := cmp.Diff(want, f.calls); diff != "" {
		f.t.Errorf("clock steps (-want +got):\n%s", diff)
	}
}

func (f *workedCase) notifications(userID, kind string) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.env.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2`, userID, kind).Scan(&n))
	return n
}

func (f *workedCase) row() sqlc.Case {
	f.t.Helper()
	c, err := f.env.Store.CaseGetForUpdate(context.Background(), f.caseID)
	require.NoError(f.t, err)
	return c
}

func call(step, itemID string, at time.Time) clockCall {
	return clockCall{Step: step, ID: itemID, At: at.UTC()}
}

// farReview keeps the review cycle out of a test about something else.
func farReview(c *casetest.Case) {
	c.ReviewDueOn = &workday.Date{Year: 2030, Month: time.January, Day: 7}
}

// A case accepted on Christmas Eve 2026 promises first contact within five
// working days: by the end of Tuesday 5 January 2027 (Christmas, Boxing
// Day's substitute and New Year's Day skipped). Nobody calls: the lead
// (every manager) and the caseworker are told once, at midnight.
func TestCaseFirstContactMissedIsEscalatedOnce(t *testing.T) {
	t.Parallel()
	start := ldn(2026, time.December, 24, 10, 0)
	f := newWorkedCase(t, start, farReview)
	require.Equal(t, workday.NewDate(2027, time.January, 5), casework.DateFrom(f.row().FirstContactDueOn))
	f.at(ldn(2027, time.January, 5, 23, 59), func() {
		require.Empty(t, f.calls, "not before the promised day has ended")
	})
	f.at(ldn(2027, time.January, 20, 12, 0), func() { f.closeCase("close", "secured") })
	res := f.run()
	require.Equal(t, workflows.CaseResult{Status: casework.CaseClosed, Outcome: "secured"}, res)
	f.requireOK("close")
	f.requireCalls(call(workflows.CaseStepEscalateFirstContact, "", ldn(2027, time.January, 6, 0, 0)))
	require.Equal(t, 1, f.notifications(f.env.Manager.ID, activities.NoticeCaseEscalation))
	require.Equal(t, 1, f.notifications(f.caseworker.ID, activities.NoticeCaseEscalation))
	require.Zero(t, f.notifications(f.member.ID, activities.NoticeCaseEscalation))
}

// A first contact logged on the promised day stops the escalation.
func TestCaseFirstContactInTimeIsNotEscalated(t *testing.T) {
	t.Parallel()
	start := ldn(2026, time.December, 24, 10, 0)
	f := newWorkedCase(t, start, farReview)
	f.at(ldn(2027, time.January, 5, 16, 0), func() { f.contact() })
	f.at(ldn(2027, time.January, 20, 12, 0), func() { f.closeCase("close", "lost") })
	f.run()
	f.requireOK("contact", "close")
	f.requireCalls()
	require.Zero(t, f.notifications(f.env.Manager.ID, activities.NoticeCaseEscalation))
	require.NotNil(t, f.row().FirstContactAt)
}

// An action due on Tuesday 30 March 2027, the day after Easter Monday, is
// reminded to its owner on Thursday 25 March at 9am and escalated at
// midnight after its day; one marked done before is never reminded.
func TestCaseActionReminderThenEscalation(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	f := newWorkedCase(t, start, farReview)
	var owned, done string
	f.at(start.Add(time.Minute), func() {
		f.contact()
		owned = f.addAction("owned", "2027-03-30", &f.member.ID)
		done = f.addAction("done", "2027-03-30", nil)
	})
	f.at(ldn(2027, time.March, 10, 12, 0), func() {
		f.update("mark done", workflows.UpdateCaseActionStatus, workflows.CaseActionStatusUpdate{Caller: f.cw(), ActionID: done, Status: casework.ActionDone})
	})
	f.at(ldn(2027, time.April, 5, 12, 0), func() { f.closeCase("close", "rent_reduced") })
	f.run()
	f.requireOK("contact", "owned", "done", "mark done", "close")
	f.requireCalls(call(workflows.CaseStepRemindAction, owned, ldn(2027, time.March, 25, 9, 0)),
		call(workflows.CaseStepEscalateAction, owned, ldn(2027, time.March, 31, 0, 0)))
	require.Equal(t, 1, f.notifications(f.member.ID, activities.NoticeCaseReminder), "the owner is reminded")
	require.Zero(t, f.notifications(f.caseworker.ID, activities.NoticeCaseReminder))
	require.Equal(t, 1, f.notifications(f.env.Manager.ID, activities.NoticeCaseEscalation))
	require.Equal(t, 1, f.notifications(f.caseworker.ID, activities.NoticeCaseEscalation))
}

// Key dates are reminded a week before (a hearing on Friday 2 April 2027:
// Good Friday is a week before, so Thursday 25 March) and the working day
// before (a lease ending on Saturday 19 June: Friday 11 and Friday 18
// June), to the caseworker and the whole group. A key date added within
// the week (on Tuesday 15 June, for Monday 21) has missed its week
// reminder: it gets the day reminder only.
func TestCaseKeyDateReminders(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	f := newWorkedCase(t, start, farReview)
	hearing, lease, late := id.New("kdt"), id.New("kdt"), id.New("kdt")
	f.at(start.Add(time.Minute), func() {
		f.contact()
		f.update("hearing", workflows.UpdateCaseAddKeyDate, workflows.CaseKeyDateUpdate{Caller: f.cw(), KeyDateID: hearing, Kind: "hearing",
			On: "2027-04-02", Description: "Licensing hearing"})
		f.update("lease", workflows.UpdateCaseAddKeyDate, workflows.CaseKeyDateUpdate{Caller: f.cw(), KeyDateID: lease, Kind: "lease_end",
			On: "2027-06-19", Description: "The lease ends"})
	})
	f.at(ldn(2027, time.June, 15, 10, 0), func() {
		f.update("late", workflows.UpdateCaseAddKeyDate, workflows.CaseKeyDateUpdate{Caller: f.cw(), KeyDateID: late, Kind: "notice",
			On: "2027-06-21", Description: "Notice to quit takes effect"})
	})
	f.at(ldn(2027, time.June, 21, 12, 0), func() { f.closeCase("close", "relocated") })
	f.run()
	f.requireOK("contact", "hearing", "lease", "late", "close")
	f.requireCalls(
		call(workflows.CaseStepRemindKeyDateWeek, hearing, ldn(2027, time.March, 25, 9, 0)),
		call(workflows.CaseStepRemindKeyDateDay, hearing, ldn(2027, time.April, 1, 9, 0)),
		call(workflows.CaseStepRemindKeyDateWeek, lease, ldn(2027, time.June, 11, 9, 0)),
		call(workflows.CaseStepRemindKeyDateDay, lease, ldn(2027, time.June, 18, 9, 0)),
		call(workflows.CaseStepRemindKeyDateDay, late, ldn(2027, time.June, 18, 9, 0)))
	for _, u := range []app.Actor{f.caseworker, f.admin, f.member} {
		require.Equal(t, 5, f.notifications(u.ID, activities.NoticeCaseReminder), u.Email)
	}
	require.Equal(t, 3, f.notifications(f.member.ID, activities.NoticeCaseKeyDate), "the group is told of each key date as it is added")
	require.Zero(t, f.notifications(f.caseworker.ID, activities.NoticeCaseKeyDate), "who added it knows")
}

// An open case is reviewed on a cycle: its caseworker is asked on its
// review date at 9am, and again ReviewEvery working days later, until it
// closes.
func TestCaseReviewCycle(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	first := workday.NewDate(2027, time.March, 10)
	f := newWorkedCase(t, start, func(c *casetest.Case) { c.ReviewDueOn = &first })
	second := casework.NextReview(first)
	third := casework.NextReview(second)
	f.at(start.Add(time.Minute), func() { f.contact() })
	f.at(third.At(8, 0, 0, 0), func() {
		require.Equal(t, third, casework.DateFrom(*f.row().ReviewDueOn))
		f.closeCase("close", "secured")
	})
	f.run()
	f.requireOK("contact", "close")
	f.requireCalls(call(workflows.CaseStepReview, "", first.At(9, 0, 0, 0)), call(workflows.CaseStepReview, "", second.At(9, 0, 0, 0)))
	require.Equal(t, 2, f.notifications(f.caseworker.ID, activities.NoticeCaseReview))
	require.Equal(t, second, casework.DateFrom(*f.row().ReviewRemindedOn))
}

// Closing ends the workflow with its outcome. A second close sent with it
// is refused (invalid_state) by its handler, which finds the case closed;
// so is any other Update; a caller without the role is refused by the
// validator.
func TestCaseCloseEndsTheWorkflow(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	f := newWorkedCase(t, start, farReview)
	f.at(start.Add(time.Minute), func() {
		f.update("not staff", workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: caller(f.member), Outcome: "secured", Summary: "x"})
		f.update("bad outcome", workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: f.cw(), Outcome: "won", Summary: "x"})
		f.contact()
	})
	f.at(start.Add(time.Hour), func() {
		f.closeCase("close", "lease_renewed")
		f.closeCase("close again", "lost")
		f.update("note after", workflows.UpdateCaseAddNote, workflows.CaseNoteUpdate{Caller: caller(f.member), NoteID: id.New("nte"), Body: "Thanks"})
		f.addAction("action after", "2027-03-20", nil)
	})
	res := f.run()
	require.Equal(t, workflows.CaseResult{Status: casework.CaseClosed, Outcome: "lease_renewed"}, res)
	f.requireOK("contact", "close")
	f.requireRejected("not staff", workflows.RejectForbidden, true)
	f.requireRejected("bad outcome", workflows.RejectInvalid, true)
	for _, l := range []string{"close again", "note after", "action after"} {
		f.requireRejected(l, workflows.RejectInvalidState, false)
	}
	c := f.row()
	require.Equal(t, "lease_renewed", *c.Outcome)
	require.True(t, start.Add(time.Hour).Equal(*c.ClosedAt), "closed at the workflow's time")
	require.Equal(t, 1, f.notifications(f.member.ID, activities.NoticeCaseClosed))
	f.requireCalls()
}

// A case already closed when its workflow (re)starts ends at once with
// its outcome, taking no step.
func TestCaseWorkflowOfAClosedCase(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	f := newWorkedCase(t, start, farReview)
	_, err := f.acts.CaseClose(context.Background(), workflows.CaseCloseUpdate{Caller: f.cw(), CaseID: f.caseID, Outcome: "referred",
		Summary: "Referred to the council's community assets team", At: start})
	require.NoError(t, err)
	res := f.run()
	require.Equal(t, workflows.CaseResult{Status: casework.CaseClosed, Outcome: "referred"}, res)
	f.requireCalls()
}

// A long case continues as new when Temporal suggests it, once no Update
// is running; the new run reads the case afresh and goes on where the
// last left off: nothing done is done again.
func TestCaseContinuesAsNew(t *testing.T) {
	t.Parallel()
	start := ldn(2027, time.March, 1, 10, 0)
	f := newWorkedCase(t, start, farReview)
	var actionID string
	f.at(start.Add(time.Minute), func() {
		f.contact()
		actionID = f.addAction("action", "2027-03-30", nil)
	})
	suggested := ldn(2027, time.March, 26, 12, 0)
	f.at(suggested, func() {
		f.wenv.SetContinueAsNewSuggested(true)
		f.update("note", workflows.UpdateCaseAddNote, workflows.CaseNoteUpdate{Caller: f.cw(), NoteID: id.New("nte"), Body: "Chased the landlord"})
	})
	f.wenv.ExecuteWorkflow(workflows.CaseWorkflowName, workflows.CaseInput{CaseID: f.caseID})
	require.True(t, f.wenv.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(f.wenv.GetWorkflowError(), &can), "continued as new: %v", f.wenv.GetWorkflowError())
	require.Equal(t, workflows.CaseWorkflowName, can.WorkflowType.Name)
	require.Zero(t, f.pending.Load())
	f.requireOK("contact", "action", "note")
	f.requireCalls(call(workflows.CaseStepRemindAction, actionID, ldn(2027, time.March, 25, 9, 0)))

	// The next run, with the input it was given: the case's id alone.
	var in workflows.CaseInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
	require.Equal(t, workflows.CaseInput{CaseID: f.caseID}, in)
	f.start = suggested
	f.wenv = f.newEnv(suggested)
	f.at(ldn(2027, time.April, 5, 12, 0), func() { f.closeCase("close", "secured") })
	res := f.run()
	require.Equal(t, casework.CaseClosed, res.Status)
	f.requireOK("close")
	f.requireCalls(call(workflows.CaseStepRemindAction, actionID, ldn(2027, time.March, 25, 9, 0)),
		call(workflows.CaseStepEscalateAction, actionID, ldn(2027, time.March, 31, 0, 0)))
	require.Equal(t, 1, f.notifications(f.caseworker.ID, activities.NoticeCaseReminder), "reminded once across the runs")
}

// Should PostgreSQL ever disagree with the clock it read (a step it says
// there was nothing to do for), the workflow does not ask again and again:
// it looks again after an Update.
func TestCaseStepPostgreSQLRefusesIsNotRepeated(t *testing.T) {
	t.Parallel()
	start := ldn(2026, time.December, 24, 10, 0)
	f := newWorkedCase(t, start, farReview)
	f.unchanged = true
	missed := ldn(2027, time.January, 6, 0, 0)
	f.at(ldn(2027, time.January, 6, 5, 30), func() {
		f.update("note", workflows.UpdateCaseAddNote, workflows.CaseNoteUpdate{Caller: f.cw(), NoteID: id.New("nte"), Body: "Tried to call"})
	})
	f.at(ldn(2027, time.January, 6, 12, 0), func() { f.closeCase("close", "lost") })
	f.run()
	f.requireOK("note", "close")
	f.requireCalls(call(workflows.CaseStepEscalateFirstContact, "", missed),
		call(workflows.CaseStepEscalateFirstContact, "", ldn(2027, time.January, 6, 5, 30)))
}
