package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// draftCall is one RemindDrafts call as the workflow made it.
type draftCall struct {
	Reminder string
	ClosesAt time.Time
	At       time.Time
}

// roundReminders runs RoundWorkflow from start with the round's timeline
// given by timeline (read at every LoadRound, so a callback may change it)
// and every activity stubbed, and returns the RemindDrafts calls. setup
// (may be nil) adds to the environment before the run.
func roundReminders(t *testing.T, start time.Time, timeline func() workflows.RoundInfo, callbacks map[time.Time]func(),
	setup func(*testsuite.TestWorkflowEnvironment)) []draftCall {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.SetTestTimeout(time.Minute)
	wenv.SetStartTime(start)
	workflows.Register(wenv)
	(&activities.Activities{}).Register(wenv)
	wenv.OnActivity(workflows.ActivityLoadRound, mock.Anything, mock.Anything).Return(
		func(context.Context, workflows.RoundInput) (workflows.RoundInfo, error) { return timeline(), nil })
	wenv.OnActivity(workflows.ActivityRoundEvent, mock.Anything, mock.Anything).Return(nil)
	wenv.OnActivity(workflows.ActivityRoundOutstanding, mock.Anything, mock.Anything).Return(workflows.Outstanding{}, nil)
	var calls []draftCall
	wenv.OnActivity(workflows.ActivityRemindDrafts, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in workflows.DraftReminderInput) error {
			require.Equal(t, "rnd_1", in.RoundID)
			require.True(t, in.At.Equal(wenv.Now()), "the activity runs when the workflow says")
			calls = append(calls, draftCall{Reminder: in.Reminder, ClosesAt: in.ClosesAt.UTC(), At: in.At.UTC()})
			return nil
		})
	for when, fn := range callbacks {
		wenv.RegisterDelayedCallback(fn, when.Sub(start))
	}
	if setup != nil {
		setup(wenv)
	}
	wenv.ExecuteWorkflow(workflows.RoundWorkflowName, workflows.RoundInput{RoundID: "rnd_1"})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())
	return calls
}

// utc is a UTC instant in the test tables.
func utc(m time.Month, d, h int) time.Time { return time.Date(2027, m, d, h, 0, 0, 0, time.UTC) }

// A round closing on Friday 2 April 2027 at 5pm BST: a week before is
// Good Friday (26 March, 4pm GMT), so the first reminder is sent on
// Thursday 25 March at 4pm; 48 hours before is Wednesday 31 March, a
// working day.
func TestDraftRemindersSkipBankHolidays(t *testing.T) {
	t.Parallel()
	closes := utc(time.April, 2, 16)
	info := workflows.RoundInfo{RoundID: "rnd_1", OpensAt: utc(time.March, 1, 9), ClosesAt: closes, DecisionDeadline: closes.Add(time.Hour)}
	calls := roundReminders(t, utc(time.March, 20, 0), func() workflows.RoundInfo { return info }, nil, nil)
	want := []draftCall{
		{workflows.DraftReminderWeek, closes, utc(time.March, 25, 16)},
		{workflows.DraftReminder48h, closes, utc(time.March, 31, 16)},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
	require.False(t, workday.IsWorkingDay(workday.DateOf(closes.Add(-7*24*time.Hour))), "the example does fall on a holiday")
}

// A reminder already past when the workflow first reads the closing time
// is skipped; a closing time moved later reminds again for the new time
// (both reminders), at the new instants.
func TestDraftRemindersFollowAMovedCloseAndSkipThePast(t *testing.T) {
	t.Parallel()
	first, moved := utc(time.June, 4, 16), utc(time.June, 18, 16)
	info := workflows.RoundInfo{RoundID: "rnd_1", OpensAt: utc(time.May, 1, 9), ClosesAt: first}
	info.DecisionDeadline = moved.Add(time.Hour)
	calls := roundReminders(t, utc(time.June, 1, 9), func() workflows.RoundInfo { return info }, map[time.Time]func(){
		utc(time.June, 3, 10): func() { info.ClosesAt = moved },
	}, nil)
	want := []draftCall{
		// 4 June − 7 days (28 May) was past at the start: skipped.
		{workflows.DraftReminder48h, first, utc(time.June, 2, 16)},
		// The workflow wakes at the old close, reads the new one.
		{workflows.DraftReminderWeek, moved, utc(time.June, 11, 16)},
		{workflows.DraftReminder48h, moved, utc(time.June, 16, 16)},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
}

// A round that opens after its reminders' instants, or closes within 48
// hours of starting, reminds nobody; one whose 48-hour reminder falls on a
// weekend sends it on the Friday.
func TestDraftRemindersOnlyWhileOpen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start time.Time
		info  workflows.RoundInfo
		want  []draftCall
	}{
		{"opens a day before it closes", utc(time.June, 1, 9),
			workflows.RoundInfo{OpensAt: utc(time.June, 10, 9), ClosesAt: utc(time.June, 11, 16)}, nil},
		{"started a day before the close", utc(time.June, 10, 9),
			workflows.RoundInfo{OpensAt: utc(time.June, 1, 9), ClosesAt: utc(time.June, 11, 16)}, nil},
		// Closes Monday 14 June at 9am BST: 48 hours before is Saturday,
		// so Friday 11 June at 9am; a week before is Monday 7 June.
		{"48 hours before is a Saturday", utc(time.June, 1, 9),
			workflows.RoundInfo{OpensAt: utc(time.June, 1, 9), ClosesAt: utc(time.June, 14, 8)},
			[]draftCall{{workflows.DraftReminderWeek, utc(time.June, 14, 8), utc(time.June, 7, 8)},
				{workflows.DraftReminder48h, utc(time.June, 14, 8), utc(time.June, 11, 8)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			info := tc.info
			info.RoundID, info.DecisionDeadline = "rnd_1", info.ClosesAt.Add(time.Hour)
			calls := roundReminders(t, tc.start, func() workflows.RoundInfo { return info }, nil, nil)
			if diff := cmp.Diff(tc.want, calls); diff != "" {
				t.Errorf("reminders (-want +got):\n%s", diff)
			}
		})
	}
}

// A run started before the draft reminders (its start and first wake-up
// replayed without a version marker, mocked here) turns them on at its
// first live wake-up (a signal on 5 June) and reminds for the instants
// still ahead; with no live wake-up before the close it never does.
func TestDraftRemindersTurnOnInARunOlderThanThem(t *testing.T) {
	t.Parallel()
	closes := utc(time.June, 18, 16)
	info := workflows.RoundInfo{RoundID: "rnd_1", OpensAt: utc(time.May, 1, 9), ClosesAt: closes, DecisionDeadline: closes.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		live string // the change ID of the first live wake-up
		want []draftCall
	}{
		{"live at the signal", "draft-reminders-wake-1", []draftCall{
			{workflows.DraftReminderWeek, closes, utc(time.June, 11, 16)}, {workflows.DraftReminder48h, closes, utc(time.June, 16, 16)}}},
		{"live only after the close", "draft-reminders-wake-2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := roundReminders(t, utc(time.June, 1, 9), func() workflows.RoundInfo { return info }, nil, func(wenv *testsuite.TestWorkflowEnvironment) {
				for _, id := range []string{"draft-reminders", "draft-reminders-wake-0", "draft-reminders-wake-1"} {
					if id != tc.live {
						wenv.OnGetVersion(id, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
					}
				}
				wenv.OnActivity(workflows.ActivityPromoteWaitlisted, mock.Anything, mock.Anything).Return(workflows.PromoteResult{}, nil)
				wenv.RegisterDelayedCallback(func() {
					wenv.SignalWorkflow(workflows.SignalBudgetReleased, workflows.LapseResult{ReleasedPence: 1})
				}, utc(time.June, 5, 9).Sub(utc(time.June, 1, 9)))
			})
			if diff := cmp.Diff(tc.want, calls); diff != "" {
				t.Errorf("reminders (-want +got):\n%s", diff)
			}
		})
	}
}

// offerCase is a case approved two minutes in, with RemindOffer running
// the real activity and recording when the workflow called it.
func offerCase(t *testing.T) (*caseFixture, *[]time.Time) {
	t.Helper()
	f := newCase(t, 2)
	f.scoreAll(minute, 4)
	f.send(2*minute, "approve", workflows.UpdateDecide, func() any {
		return workflows.DecideUpdate{Caller: chairCaller(f.chair), Outcome: workflows.OutcomeApprove, AwardPence: ptr(int64(200000))}
	})
	acts := &activities.Activities{Store: f.env.Store, Log: slog.New(slog.DiscardHandler)}
	var at []time.Time
	f.wenv.OnActivity(workflows.ActivityRemindOffer, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in workflows.OfferReminderInput) error {
			require.True(t, in.At.Equal(f.wenv.Now()))
			at = append(at, in.At)
			return acts.RemindOffer(ctx, in)
		}).Maybe()
	return f, &at
}

// An offer nobody answers: the applicant's admin is reminded once, three
// days before it expires (on the working day on or before), and it lapses.
func TestOfferReminderBeforeExpiry(t *testing.T) {
	t.Parallel()
	f, at := offerCase(t)
	f.wenv.OnSignalExternalWorkflow(mock.Anything, workflows.RoundWorkflowID(f.round.ID), "", workflows.SignalBudgetReleased, mock.Anything).Return(nil).Once()
	res := f.run()
	require.Equal(t, workflows.GrantLapsed, res.Grant)
	g := f.grant(res.GrantID)
	want := workday.ShiftBack(g.OfferExpiresAt.Add(-72 * time.Hour))
	require.Len(t, *at, 1)
	// PostgreSQL keeps microseconds; the workflow's expiry has the
	// nanoseconds of the decision's workflow time.
	require.True(t, want.Equal((*at)[0].Truncate(time.Microsecond)), "reminded at %s, want %s", (*at)[0], want)
	require.True(t, workday.IsWorkingDay(workday.DateOf((*at)[0])))
	require.Equal(t, 1, f.notifications(f.applicant.ID, "offer_reminder"))
	require.Zero(t, f.notifications(f.chair.ID, "offer_reminder"))
}

// An offer accepted, or declined, before the reminder is due is never
// reminded.
func TestOfferReminderNotSentOnceAnswered(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{workflows.UpdateAccept, workflows.UpdateDecline} {
		t.Run(answer, func(t *testing.T) {
			t.Parallel()
			f, at := offerCase(t)
			f.send(3*minute, answer, answer, func() any {
				grantID, admin := *f.application().GrantID, workflows.Caller{ID: f.applicant.ID}
				if answer == workflows.UpdateAccept {
					return workflows.AcceptUpdate{Caller: admin, GrantID: grantID, SignatoryName: "Ada", SignatoryRole: "Chair"}
				}
				return workflows.DeclineUpdate{Caller: admin, GrantID: grantID}
			})
			f.wenv.OnSignalExternalWorkflow(mock.Anything, workflows.RoundWorkflowID(f.round.ID), "", workflows.SignalBudgetReleased, mock.Anything).Return(nil).Maybe()
			f.run()
			f.requireOK(answer)
			require.Empty(t, *at)
			require.Zero(t, f.notifications(f.applicant.ID, "offer_reminder"))
		})
	}
}
