package workflows

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/workday"
)

// london is a London wall-clock instant in the tables.
func london(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, workday.London)
}

// The examples of the tables fall around bank holidays: they are checked
// here against workday, so a wrong assumption fails loudly rather than
// making the table test something else.
func TestCasePlanExamplesAreWhatTheySay(t *testing.T) {
	t.Parallel()
	// Accepted on Thursday 24 December 2026 with five working days: 25
	// December, Boxing Day's substitute (Monday 28) and New Year's Day are
	// skipped, so the promise runs to Tuesday 5 January 2027.
	require.Equal(t, workday.NewDate(2027, time.January, 5), casework.FirstContactDue(london(2026, time.December, 24, 10, 0), 5))
	for _, d := range []workday.Date{workday.NewDate(2026, time.December, 25), workday.NewDate(2026, time.December, 28),
		workday.NewDate(2027, time.January, 1), workday.NewDate(2027, time.March, 26), workday.NewDate(2027, time.March, 29)} {
		require.True(t, workday.IsBankHoliday(d), d.String())
	}
	require.Equal(t, time.Saturday, workday.NewDate(2027, time.June, 19).Weekday())
}

func TestPlanCase(t *testing.T) {
	t.Parallel()
	none := CaseClockStep{}
	step := func(kind, id string) CaseClockStep { return CaseClockStep{CaseID: "cas_1", Step: kind, ID: id} }
	base := func(edit func(*CaseClock)) CaseClock {
		c := CaseClock{CaseID: "cas_1", Status: casework.CaseOpen, FirstContactDueOn: "2027-01-05",
			Actions: []CaseClockItem{}, KeyDates: []CaseClockEntry{}}
		contacted := london(2027, time.January, 4, 11, 0)
		c.FirstContactAt = &contacted
		if edit != nil {
			edit(&c)
		}
		return c
	}
	notContacted := func(c *CaseClock) { c.FirstContactAt = nil }
	// An action due on Tuesday 30 March 2027, the day after Easter Monday:
	// reminded on Thursday 25 March (Good Friday, the weekend and Easter
	// Monday are not working days), escalated from midnight after its day
	// (British Summer Time by then).
	action := func(reminded bool) func(*CaseClock) {
		return func(c *CaseClock) {
			c.Actions = []CaseClockItem{{ID: "act_1", DueOn: "2027-03-30", Reminded: reminded}}
		}
	}
	actionRemind, actionEnd := london(2027, time.March, 25, 9, 0), london(2027, time.March, 31, 0, 0)
	// A hearing on Friday 2 April 2027: a week before is Good Friday, so
	// the week reminder goes on Thursday 25 March; the day reminder on
	// Thursday 1 April.
	hearing := func(week, day bool) func(*CaseClock) {
		return func(c *CaseClock) {
			c.KeyDates = []CaseClockEntry{{ID: "kd_1", On: "2027-04-02", RemindedWeek: week, RemindedDay: day}}
		}
	}
	hearingWeek, hearingDay := london(2027, time.March, 25, 9, 0), london(2027, time.April, 1, 9, 0)
	// A lease ending on Saturday 19 June 2027: a week before is Saturday
	// 12 June, so Friday 11 June; the working day before is Friday 18.
	leaseEnd := func(c *CaseClock) { c.KeyDates = []CaseClockEntry{{ID: "kd_2", On: "2027-06-19"}} }

	for _, tc := range []struct {
		name  string
		clock CaseClock
		now   time.Time
		want  CaseClockStep
		next  time.Time
	}{
		{"nothing to do", base(nil), london(2027, time.January, 6, 0, 0), none, time.Time{}},
		{"first contact still promised at 23:59 on its day", base(notContacted), london(2027, time.January, 5, 23, 59),
			none, london(2027, time.January, 6, 0, 0)},
		{"first contact missed from midnight", base(notContacted), london(2027, time.January, 6, 0, 0),
			step(CaseStepEscalateFirstContact, ""), time.Time{}},
		{"first contact made in time", base(nil), london(2027, time.January, 20, 0, 0), none, time.Time{}},
		{"first contact escalated once", base(func(c *CaseClock) { notContacted(c); c.FirstContactEscalated = true }),
			london(2027, time.January, 20, 0, 0), none, time.Time{}},
		{"action before its reminder", base(action(false)), london(2027, time.March, 24, 12, 0), none, actionRemind},
		{"action reminded the working day before, Easter skipped", base(action(false)), actionRemind, step(CaseStepRemindAction, "act_1"), time.Time{}},
		{"action reminded waits for its day to end", base(action(true)), london(2027, time.March, 30, 23, 59), none, actionEnd},
		{"action escalated after its day", base(action(true)), actionEnd, step(CaseStepEscalateAction, "act_1"), time.Time{}},
		{"an action past its day is escalated, not reminded", base(action(false)), actionEnd.Add(time.Hour),
			step(CaseStepEscalateAction, "act_1"), time.Time{}},
		{"key date before its week reminder", base(hearing(false, false)), london(2027, time.March, 20, 9, 0), none, hearingWeek},
		{"key date week reminder moved off Good Friday", base(hearing(false, false)), hearingWeek,
			step(CaseStepRemindKeyDateWeek, "kd_1"), time.Time{}},
		{"key date waits for its day reminder", base(hearing(true, false)), hearingWeek.Add(time.Minute), none, hearingDay},
		{"key date day reminder", base(hearing(true, false)), hearingDay, step(CaseStepRemindKeyDateDay, "kd_1"), time.Time{}},
		{"a late key date gets the day reminder only", base(hearing(false, false)), hearingDay.Add(time.Hour),
			step(CaseStepRemindKeyDateDay, "kd_1"), time.Time{}},
		{"a key date added after its week reminder's time is reminded the day before only", base(func(c *CaseClock) {
			hearing(false, false)(c)
			c.KeyDates[0].AddedAt = hearingWeek.Add(time.Hour)
		}), hearingWeek.Add(2 * time.Hour), none, hearingDay},
		{"a key date added after its day reminder's time is not reminded", base(func(c *CaseClock) {
			hearing(false, false)(c)
			c.KeyDates[0].AddedAt = hearingDay.Add(time.Hour)
		}), hearingDay.Add(2 * time.Hour), none, time.Time{}},
		{"an action added after its reminder's time is not reminded, but is escalated", base(func(c *CaseClock) {
			action(false)(c)
			c.Actions[0].AddedAt = actionRemind.Add(time.Hour)
		}), actionRemind.Add(2 * time.Hour), none, actionEnd},
		{"an action added before its reminder's time is reminded", base(func(c *CaseClock) {
			action(false)(c)
			c.Actions[0].AddedAt = actionRemind.Add(-time.Second)
		}), actionRemind, step(CaseStepRemindAction, "act_1"), time.Time{}},
		{"a key date reminded the day before is done", base(hearing(true, true)), hearingDay.Add(time.Hour), none, time.Time{}},
		{"a key date whose day has come is past reminding", base(hearing(false, false)), london(2027, time.April, 2, 0, 0), none, time.Time{}},
		{"weekend key date: week reminder on the Friday before", base(leaseEnd), london(2027, time.June, 1, 9, 0),
			none, london(2027, time.June, 11, 9, 0)},
		{"weekend key date: week reminder due", base(leaseEnd), london(2027, time.June, 11, 9, 0),
			step(CaseStepRemindKeyDateWeek, "kd_2"), time.Time{}},
		{"weekend key date: day reminder on Friday", base(func(c *CaseClock) { leaseEnd(c); c.KeyDates[0].RemindedWeek = true }),
			london(2027, time.June, 18, 8, 59), none, london(2027, time.June, 18, 9, 0)},
		{"review before its day", base(func(c *CaseClock) { c.ReviewDueOn = "2027-02-01" }), london(2027, time.January, 31, 12, 0),
			none, london(2027, time.February, 1, 9, 0)},
		{"review due at 9am", base(func(c *CaseClock) { c.ReviewDueOn = "2027-02-01" }), london(2027, time.February, 1, 9, 0),
			step(CaseStepReview, ""), time.Time{}},
		{"first contact before actions and the review", base(func(c *CaseClock) {
			notContacted(c)
			action(false)(c)
			c.ReviewDueOn = "2027-01-05"
		}), london(2027, time.March, 31, 0, 0), step(CaseStepEscalateFirstContact, ""), time.Time{}},
		{"the earliest of several is next", base(func(c *CaseClock) {
			action(false)(c)
			hearing(false, false)(c)
			c.KeyDates[0].On = "2027-03-31" // week reminder Wednesday 24 March
			c.ReviewDueOn = "2027-06-01"
		}), london(2027, time.March, 1, 9, 0), none, london(2027, time.March, 24, 9, 0)},
		{"dates it cannot read are skipped", base(func(c *CaseClock) {
			c.FirstContactDueOn = "soon"
			c.FirstContactAt = nil
			c.Actions = []CaseClockItem{{ID: "act_x", DueOn: "2027-02-30"}}
			c.KeyDates = []CaseClockEntry{{ID: "kd_x", On: ""}}
			c.ReviewDueOn = "never"
		}), london(2027, time.March, 1, 9, 0), none, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, next := planCase(tc.clock, tc.now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("step (-want +got):\n%s", diff)
			}
			require.True(t, tc.next.Equal(next), "next %s, want %s", next, tc.next)
		})
	}
}

func TestCaseReminderTimes(t *testing.T) {
	t.Parallel()
	// 9am London is 9am GMT in winter and 8am UTC in summer.
	require.Equal(t, time.Date(2027, time.March, 25, 9, 0, 0, 0, time.UTC), ActionReminderAt(workday.NewDate(2027, time.March, 30)).UTC())
	require.Equal(t, time.Date(2027, time.June, 11, 8, 0, 0, 0, time.UTC), KeyDateWeekReminderAt(workday.NewDate(2027, time.June, 19)).UTC())
	require.Equal(t, time.Date(2027, time.June, 18, 8, 0, 0, 0, time.UTC), KeyDateDayReminderAt(workday.NewDate(2027, time.June, 19)).UTC())
	require.Equal(t, time.Date(2027, time.February, 1, 9, 0, 0, 0, time.UTC), ReviewAt(workday.NewDate(2027, time.February, 1)).UTC())
}

// The validators, without I/O: the caseworker role for everything but a
// note, which anyone may send (its activity checks who they are); nothing
// once the case is known to be closed; an outcome or a status from the
// lists.
func TestCaseValidators(t *testing.T) {
	t.Parallel()
	staff := Caller{ID: "usr_cw", Roles: []string{RoleCaseworker}}
	member := Caller{ID: "usr_member"}
	manager := Caller{ID: "usr_mgr", Roles: []string{RoleManager}}
	validators := func(c *caseFlow, who Caller) map[string]error {
		return map[string]error{
			UpdateCaseAddAction:    c.validateStaff(who),
			UpdateCaseActionStatus: c.validateActionStatus(CaseActionStatusUpdate{Caller: who, Status: casework.ActionDone}),
			UpdateCaseAddNote:      c.validateOpen(),
			UpdateCaseClose:        c.validateClose(CaseCloseUpdate{Caller: who, Outcome: "secured"}),
		}
	}
	kind := func(err error) string {
		if err == nil {
			return ""
		}
		r, ok := AsRejection(err)
		require.True(t, ok, err)
		return r.Kind
	}
	for _, tc := range []struct {
		name   string
		status string
		who    Caller
		want   map[string]string // Update → rejection kind ("" passes)
	}{
		{"caseworker on an open case", casework.CaseOpen, staff, map[string]string{UpdateCaseAddAction: "", UpdateCaseActionStatus: "",
			UpdateCaseAddNote: "", UpdateCaseClose: ""}},
		{"before the first read", "", staff, map[string]string{UpdateCaseAddAction: "", UpdateCaseActionStatus: "",
			UpdateCaseAddNote: "", UpdateCaseClose: ""}},
		{"member", casework.CaseOpen, member, map[string]string{UpdateCaseAddAction: RejectForbidden, UpdateCaseActionStatus: RejectForbidden,
			UpdateCaseAddNote: "", UpdateCaseClose: RejectForbidden}},
		{"manager without the role", casework.CaseOpen, manager, map[string]string{UpdateCaseAddAction: RejectForbidden,
			UpdateCaseActionStatus: RejectForbidden, UpdateCaseAddNote: "", UpdateCaseClose: RejectForbidden}},
		{"closed case", casework.CaseClosed, staff, map[string]string{UpdateCaseAddAction: RejectInvalidState,
			UpdateCaseActionStatus: RejectInvalidState, UpdateCaseAddNote: RejectInvalidState, UpdateCaseClose: RejectInvalidState}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]string{}
			for name, err := range validators(&caseFlow{clock: CaseClock{Status: tc.status}}, tc.who) {
				got[name] = kind(err)
			}
			require.Equal(t, tc.want, got)
		})
	}
	open := &caseFlow{clock: CaseClock{Status: casework.CaseOpen}}
	require.Equal(t, RejectInvalid, kind(open.validateClose(CaseCloseUpdate{Caller: staff, Outcome: "won"})))
	require.Equal(t, RejectInvalid, kind(open.validateActionStatus(CaseActionStatusUpdate{Caller: staff, Status: "maybe"})))
	r, _ := AsRejection(open.validateClose(CaseCloseUpdate{Caller: staff, Outcome: "won"}))
	require.Contains(t, r.Fields, "outcome")
}
