package workflows

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// planGrant is the whole of GrantWorkflow's judgement: which step a grant
// needs at an instant. Each case is a snapshot, a time and the payments
// whose workflows have started; the step is compared whole.
func TestPlanGrant(t *testing.T) {
	t.Parallel()
	const (
		lead  = 48 * time.Hour
		grace = 72 * time.Hour
	)
	due := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	remind, escalate := due.Add(-lead), due.Add(grace)
	report := func(id, kind, status string) ReportSnap {
		return ReportSnap{ID: id, Kind: kind, Status: status, DueAt: due}
	}
	escalated := ReportSnap{ID: "rep_i", Kind: "interim", Status: ReportOverdue, DueAt: due, Escalated: true}
	pay := func(id, condition, status string) PaymentSnap {
		return PaymentSnap{ID: id, Condition: condition, Status: status, AmountPence: 100}
	}
	onAcceptance := func(status string) PaymentSnap { return pay("pay_1", ConditionOnAcceptance, status) }
	afterInterim := func(status string) PaymentSnap { return pay("pay_2", "after_report:interim", status) }
	snap := func(ready bool, reports []ReportSnap, pays ...PaymentSnap) GrantSnapshot {
		return GrantSnapshot{GrantID: "gnt_1", Status: GrantStatusActive, Provider: ProviderStripe, PayoutReady: ready,
			ReminderLead: lead, ReportGrace: grace, Reports: reports, Payments: pays}
	}
	reports := func(r ...ReportSnap) []ReportSnap { return r }
	ns := time.Nanosecond

	for _, tc := range []struct {
		name    string
		snap    GrantSnapshot
		now     time.Time
		started []string
		want    grantStep
	}{
		// The report clock, each boundary exactly at its instant.
		{"upcoming before the reminder: wait for it", snap(false, reports(report("rep_i", "interim", ReportUpcoming))), remind.Add(-ns), nil,
			grantStep{kind: stepNone, next: remind}},
		{"upcoming at the reminder: due", snap(false, reports(report("rep_i", "interim", ReportUpcoming))), remind, nil,
			grantStep{kind: stepReport, id: "rep_i", report: ReportStepDue}},
		{"upcoming at the due time: straight to overdue", snap(false, reports(report("rep_i", "interim", ReportUpcoming))), due, nil,
			grantStep{kind: stepReport, id: "rep_i", report: ReportStepOverdue}},
		{"due before its time: wait for it", snap(false, reports(report("rep_i", "interim", ReportDue))), due.Add(-ns), nil,
			grantStep{kind: stepNone, next: due}},
		{"due at its time: overdue", snap(false, reports(report("rep_i", "interim", ReportDue))), due, nil,
			grantStep{kind: stepReport, id: "rep_i", report: ReportStepOverdue}},
		{"overdue within the grace: wait for its end", snap(false, reports(report("rep_i", "interim", ReportOverdue))), escalate.Add(-ns), nil,
			grantStep{kind: stepNone, next: escalate}},
		{"overdue at the end of the grace: escalate", snap(false, reports(report("rep_i", "interim", ReportOverdue))), escalate, nil,
			grantStep{kind: stepReport, id: "rep_i", report: ReportStepEscalate}},
		{"escalated already: no second escalation", snap(false, reports(escalated)), escalate.Add(time.Hour), nil,
			grantStep{kind: stepNone}},
		{"submitted, accepted and changes requested have no clock",
			snap(false, reports(report("rep_a", "a", ReportSubmitted), report("rep_b", "b", ReportAccepted), report("rep_c", "c", ReportChangesRequested))),
			escalate.Add(time.Hour), nil, grantStep{kind: stepNone}},
		{"no due time yet: no clock", snap(false, reports(ReportSnap{ID: "rep_i", Kind: "interim", Status: ReportUpcoming})), due, nil,
			grantStep{kind: stepNone}},
		{"the earliest deadline of several is next",
			snap(false, reports(report("rep_i", "interim", ReportDue), ReportSnap{ID: "rep_f", Kind: "final", Status: ReportUpcoming, DueAt: due.Add(30 * 24 * time.Hour)})),
			remind, nil, grantStep{kind: stepNone, next: due}},

		// Holding while a report is escalated, and releasing the hold.
		{"escalated: a scheduled tranche is held", snap(true, reports(escalated), onAcceptance(PaymentPaid), afterInterim(PaymentScheduled)), escalate, nil,
			grantStep{kind: stepHold}},
		{"escalated: a tranche awaiting approval is held", snap(true, reports(escalated), onAcceptance(PaymentAwaitingApproval)), escalate, []string{"pay_1"},
			grantStep{kind: stepHold}},
		{"escalated: approved and held tranches stay", snap(true, reports(escalated), onAcceptance(PaymentApproved), afterInterim(PaymentHeld)), escalate, []string{"pay_1"},
			grantStep{kind: stepNone}},
		{"escalated: a held tranche is not released even with its condition met",
			snap(true, reports(escalated, report("rep_f", "final", ReportAccepted)), pay("pay_3", "after_report:final", PaymentHeld)), escalate, nil,
			grantStep{kind: stepNone}},
		{"submitted after escalation: the hold is lifted",
			snap(true, reports(ReportSnap{ID: "rep_i", Kind: "interim", Status: ReportSubmitted, DueAt: due, Escalated: true}), afterInterim(PaymentHeld)),
			escalate, nil, grantStep{kind: stepUnhold}},

		// Release: payout-ready and the tranche's condition.
		{"on acceptance but the payee cannot be paid yet", snap(false, nil, onAcceptance(PaymentScheduled)), due, nil,
			grantStep{kind: stepNone}},
		{"on acceptance and payout-ready: released", snap(true, nil, onAcceptance(PaymentScheduled)), due, nil,
			grantStep{kind: stepRelease, id: "pay_1"}},
		{"after a report that is only submitted: not released",
			snap(true, reports(report("rep_i", "interim", ReportSubmitted)), onAcceptance(PaymentPaid), afterInterim(PaymentScheduled)), due, nil,
			grantStep{kind: stepNone}},
		{"after a report that was accepted: released",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentPaid), afterInterim(PaymentScheduled)), due, nil,
			grantStep{kind: stepRelease, id: "pay_2"}},
		{"after a report accepted but the payee cannot be paid",
			snap(false, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentPaid), afterInterim(PaymentScheduled)), due, nil,
			grantStep{kind: stepNone}},
		{"after a report the grant does not have: never released",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), pay("pay_3", "after_report:final", PaymentScheduled)), due, nil,
			grantStep{kind: stepNone}},

		// Starting a payment's workflow.
		{"due and not started: start it", snap(true, nil, onAcceptance(PaymentAwaitingApproval)), due, nil,
			grantStep{kind: stepStart, id: "pay_1"}},
		{"due and started: nothing to do", snap(true, nil, onAcceptance(PaymentAwaitingApproval)), due, []string{"pay_1"},
			grantStep{kind: stepNone}},
		{"approved, not started (lost across a restart): start it", snap(true, nil, onAcceptance(PaymentApproved)), due, nil,
			grantStep{kind: stepStart, id: "pay_1"}},
		{"sending, not started: start it", snap(true, nil, onAcceptance(PaymentSending)), due, []string{"pay_other"},
			grantStep{kind: stepStart, id: "pay_1"}},
		{"failed, not started: start it", snap(true, nil, onAcceptance(PaymentFailed)), due, nil,
			grantStep{kind: stepStart, id: "pay_1"}},

		// Completion.
		{"everything paid and accepted: complete",
			snap(true, reports(report("rep_i", "interim", ReportAccepted), report("rep_f", "final", ReportAccepted)), onAcceptance(PaymentPaid), afterInterim(PaymentPaid)),
			due, []string{"pay_1", "pay_2"}, grantStep{kind: stepComplete}},
		{"a tranche cancelled, the other paid: complete",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentPaid), afterInterim(PaymentCancelled)), due, nil,
			grantStep{kind: stepComplete}},
		{"a reversed tranche counts as settled and paid",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentReversed)), due, nil,
			grantStep{kind: stepComplete}},
		{"every tranche cancelled: nothing paid, not complete",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentCancelled), afterInterim(PaymentCancelled)), due, nil,
			grantStep{kind: stepNone}},
		{"a failed tranche is not settled",
			snap(true, reports(report("rep_i", "interim", ReportAccepted)), onAcceptance(PaymentPaid), afterInterim(PaymentFailed)), due, []string{"pay_2"},
			grantStep{kind: stepNone}},
		{"a report not yet accepted: not complete",
			snap(true, reports(report("rep_i", "interim", ReportAccepted), report("rep_f", "final", ReportSubmitted)), onAcceptance(PaymentPaid), afterInterim(PaymentPaid)),
			due, nil, grantStep{kind: stepNone}},
		{"a report with changes requested: not complete",
			snap(true, reports(report("rep_i", "interim", ReportChangesRequested)), onAcceptance(PaymentPaid)), due, nil,
			grantStep{kind: stepNone}},
		{"no reports owed and paid: complete", snap(true, nil, onAcceptance(PaymentPaid)), due, nil,
			grantStep{kind: stepComplete}},
		{"no payments at all: not complete", snap(true, nil), due, nil,
			grantStep{kind: stepNone}},

		// Order: the report clock comes before payments.
		{"a report step comes before a release",
			snap(true, reports(report("rep_i", "interim", ReportUpcoming)), onAcceptance(PaymentScheduled)), remind, nil,
			grantStep{kind: stepReport, id: "rep_i", report: ReportStepDue}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := planGrant(tc.snap, tc.now, tc.started, false)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(grantStep{})); diff != "" {
				t.Errorf("planGrant (-want +got):\n%s", diff)
			}
		})
	}
}

// With shiftReminders a report reminder that falls on a weekend or a bank
// holiday is sent at the same London clock time on the working day
// before; the due time itself never moves.
func TestPlanGrantShiftsRemindersToWorkingDays(t *testing.T) {
	t.Parallel()
	const lead = 48 * time.Hour
	for _, tc := range []struct {
		name   string
		due    time.Time
		remind time.Time
	}{
		// 48 hours before is Sunday 30 May; Monday 31 May is the spring
		// bank holiday, so Friday 28 May at 1pm BST.
		{"Sunday to Friday", time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(2027, 5, 28, 12, 0, 0, 0, time.UTC)},
		// 48 hours before is Easter Monday 29 March 2027 (after the clocks
		// went forward); Good Friday too, so Thursday 25 March at 10am GMT.
		{"Easter Monday to Maundy Thursday", time.Date(2027, 3, 31, 9, 0, 0, 0, time.UTC), time.Date(2027, 3, 25, 10, 0, 0, 0, time.UTC)},
		{"a working day stays", time.Date(2027, 6, 4, 12, 0, 0, 0, time.UTC), time.Date(2027, 6, 2, 12, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := GrantSnapshot{GrantID: "gnt_1", Status: GrantStatusActive, ReminderLead: lead, ReportGrace: 72 * time.Hour,
				Reports: []ReportSnap{{ID: "rep_i", Kind: "interim", Status: ReportUpcoming, DueAt: tc.due}}}
			ns := time.Nanosecond
			for _, c := range []struct {
				now  time.Time
				want grantStep
			}{
				{tc.remind.Add(-ns), grantStep{kind: stepNone, next: tc.remind}},
				{tc.remind, grantStep{kind: stepReport, id: "rep_i", report: ReportStepDue}},
			} {
				if diff := cmp.Diff(c.want, planGrant(s, c.now, nil, true), cmp.AllowUnexported(grantStep{})); diff != "" {
					t.Errorf("at %s (-want +got):\n%s", c.now, diff)
				}
			}
			s.Reports[0].Status = ReportDue
			want := grantStep{kind: stepNone, next: tc.due}
			if diff := cmp.Diff(want, planGrant(s, tc.due.Add(-ns), nil, true), cmp.AllowUnexported(grantStep{})); diff != "" {
				t.Errorf("the due time moved (-want +got):\n%s", diff)
			}
		})
	}
}
