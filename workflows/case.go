package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/workday"
)

// Refusals of a case's callers, shared by CaseWorkflow's validators and
// its activities.
const (
	RefuseCaseClosed      = "This case is closed"
	RefuseNotCaseworker   = "Only a caseworker can do this"
	RefuseOwnOrganisation = "You are a member of this group, so you cannot work on its case as staff"
	RefuseNotCaseParty    = "Only caseworkers and members of the group can add notes to this case"
)

// caseReminderHour is the London hour at which a case's reminders are
// sent.
const caseReminderHour = 9

// ActionReminderAt is when the owner of an action due on due is reminded:
// 09:00 London on the working day before.
func ActionReminderAt(due workday.Date) time.Time {
	return workday.AddWorkingDays(due, -1).At(caseReminderHour, 0, 0, 0)
}

// KeyDateWeekReminderAt is when a key date on d is first reminded: 09:00
// London a week (seven calendar days) before, moved back to a working day
// (workday.ShiftBack).
func KeyDateWeekReminderAt(d workday.Date) time.Time {
	return workday.ShiftBack(d.AddDays(-7).At(caseReminderHour, 0, 0, 0))
}

// KeyDateDayReminderAt is when a key date on d is reminded again: 09:00
// London on the working day before.
func KeyDateDayReminderAt(d workday.Date) time.Time {
	return workday.AddWorkingDays(d, -1).At(caseReminderHour, 0, 0, 0)
}

// ReviewAt is when the caseworker is asked to review a case due a review
// on d: 09:00 London that day.
func ReviewAt(d workday.Date) time.Time { return d.At(caseReminderHour, 0, 0, 0) }

// CaseClockResult is what CaseClockStep did: Changed is false when
// PostgreSQL had the step done already (a retry) or no longer due (the
// case closed, the action done).
type CaseClockResult struct {
	Changed bool `json:"changed"`
}

// CaseWorkflow follows an open case until it closes.
//
// Each turn of its loop reads the case's clock afresh (LoadCaseClock) and
// takes at most one step (planCase): escalate a first contact not made by
// the end of its promised day; remind an action's owner the working day
// before it is due and escalate it once its day has passed; remind the
// caseworker and the group of a key date a week and the working day
// before; ask the caseworker to review the case on its review date. Each
// step is marked in PostgreSQL by the activity that tells people, so none
// is taken twice. With nothing due it sleeps until the next step's time
// or an Update. Updates (the case's plan, notes, contacts, key dates,
// documents, reassignment and closure) run their activity under the
// case's mutex and wake the loop; once the case is closed the workflow
// ends. A long case continues as new with just its id: its state is in
// PostgreSQL.
func CaseWorkflow(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	ctx = activityOptions(ctx)
	c := &caseFlow{id: in.CaseID, mu: workflow.NewMutex(ctx), wake: workflow.NewBufferedChannel(ctx, 1), stale: map[string]bool{}}
	if err := c.registerUpdates(ctx); err != nil {
		return CaseResult{}, err
	}
	for {
		if err := c.mu.Lock(ctx); err != nil {
			return CaseResult{}, err
		}
		acted, err := c.turn(ctx)
		c.mu.Unlock()
		if err != nil {
			return CaseResult{}, err
		}
		if c.clock.Status == casework.CaseClosed {
			if err := awaitHandlers(ctx); err != nil {
				return CaseResult{}, err
			}
			return CaseResult{Status: c.clock.Status, Outcome: c.clock.Outcome}, nil
		}
		if acted {
			continue
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := awaitHandlers(ctx); err != nil {
				return CaseResult{}, err
			}
			if c.wake.ReceiveAsync(nil) {
				continue // an Update changed the case meanwhile: look again first
			}
			return CaseResult{}, workflow.NewContinueAsNewError(ctx, CaseWorkflowName, CaseInput{CaseID: c.id})
		}
		c.wait(ctx)
	}
}

// caseFlow is a case's workflow state between turns.
type caseFlow struct {
	id     string
	mu     workflow.Mutex
	wake   workflow.Channel
	clock  CaseClock
	loaded bool
	next   time.Time // when the next step falls due (zero: none)
	// stale holds steps PostgreSQL said were not to be taken although the
	// clock read said they were: not tried again until an Update.
	stale map[string]bool
}

// turn reads the case's clock and takes the step due now, if any.
func (c *caseFlow) turn(ctx workflow.Context) (acted bool, err error) {
	if err := workflow.ExecuteActivity(ctx, ActivityLoadCaseClock, CaseInput{CaseID: c.id}).Get(ctx, &c.clock); err != nil {
		return false, err
	}
	c.loaded = true
	if c.clock.Status != casework.CaseOpen {
		return false, nil
	}
	now := workflow.Now(ctx)
	step, next := planCase(c.clock, now)
	c.next = next
	if step.Step == "" {
		return false, nil
	}
	key := step.Step + ":" + step.ID
	if c.stale[key] {
		// Should not happen (the clock and the activity read the same
		// rows); look again in an hour rather than spin.
		c.next = now.Add(time.Hour)
		return false, nil
	}
	step.CaseID, step.At = c.id, now
	var res CaseClockResult
	if err := workflow.ExecuteActivity(ctx, ActivityCaseClockStep, step).Get(ctx, &res); err != nil {
		return false, err
	}
	if !res.Changed {
		c.stale[key] = true
	}
	return true, nil
}

// wait sleeps until the next step's time or an Update.
func (c *caseFlow) wait(ctx workflow.Context) {
	wctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	sel := workflow.NewSelector(ctx)
	if !c.next.IsZero() {
		sel.AddFuture(workflow.NewTimer(wctx, max(c.next.Sub(workflow.Now(ctx)), time.Second)), func(workflow.Future) {})
	}
	sel.AddReceive(c.wake, func(ch workflow.ReceiveChannel, _ bool) { ch.Receive(ctx, nil) })
	sel.Select(ctx)
}

// planCase decides a case's next step from its clock at now: the first
// step due (first contact, then actions, key dates and the review), or
// none and the time the earliest falls due (zero if none ever will). Pure,
// so the workflow stays deterministic and the rules are tested on their
// own. A reminder whose time had passed when its action or key date was
// added is not sent (whoever added it knows, and the group is told of a
// key date when it is added). Dates the clock cannot read are skipped.
func planCase(c CaseClock, now time.Time) (CaseClockStep, time.Time) {
	var next time.Time
	// due reports whether at has come; if not, it may be the next wake-up.
	due := func(at time.Time) bool {
		if !now.Before(at) {
			return true
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
		return false
	}
	step := func(kind, id string) (CaseClockStep, time.Time) {
		return CaseClockStep{CaseID: c.CaseID, Step: kind, ID: id}, time.Time{}
	}
	if d, ok := casework.ParseDate(c.FirstContactDueOn); ok && c.FirstContactAt == nil && !c.FirstContactEscalated &&
		due(casework.EndOfDay(d)) {
		return step(CaseStepEscalateFirstContact, "")
	}
	// remind reports whether a reminder at at is due; one whose time had
	// passed when its item was added is never sent.
	remind := func(at, added time.Time) bool { return added.Before(at) && due(at) }
	for _, a := range c.Actions {
		d, ok := casework.ParseDate(a.DueOn)
		if !ok || a.Escalated {
			continue
		}
		if due(casework.EndOfDay(d)) {
			return step(CaseStepEscalateAction, a.ID)
		}
		if !a.Reminded && remind(ActionReminderAt(d), a.AddedAt) {
			return step(CaseStepRemindAction, a.ID)
		}
	}
	for _, k := range c.KeyDates {
		d, ok := casework.ParseDate(k.On)
		// A key date whose day has come is past reminding; the week
		// reminder is superseded once the day reminder is due.
		if !ok || k.RemindedDay || !now.Before(d.At(0, 0, 0, 0)) {
			continue
		}
		dayAt := KeyDateDayReminderAt(d)
		if remind(dayAt, k.AddedAt) {
			return step(CaseStepRemindKeyDateDay, k.ID)
		}
		if !k.RemindedWeek && now.Before(dayAt) && remind(KeyDateWeekReminderAt(d), k.AddedAt) {
			return step(CaseStepRemindKeyDateWeek, k.ID)
		}
	}
	if d, ok := casework.ParseDate(c.ReviewDueOn); ok && due(ReviewAt(d)) {
		return step(CaseStepReview, "")
	}
	return CaseClockStep{}, next
}

// registerUpdates registers CaseWorkflow's Updates. Validators check,
// without I/O, the caller's role and whether the case is still open (as
// last read); handlers take the case's mutex, check again, run the
// activity (which checks everything against PostgreSQL) and wake the
// loop.
func (c *caseFlow) registerUpdates(ctx workflow.Context) error {
	addAction := func(u CaseActionUpdate) error { return c.validateStaff(u.Caller) }
	addNote := func(CaseNoteUpdate) error { return c.validateOpen() }
	addContact := func(u CaseContactUpdate) error { return c.validateStaff(u.Caller) }
	addKeyDate := func(u CaseKeyDateUpdate) error { return c.validateStaff(u.Caller) }
	addDocument := func(CaseDocumentUpdate) error { return c.validateOpen() }
	reassign := func(u CaseReassignUpdate) error { return c.validateStaff(u.Caller) }
	// A slice, not a map: workflow code iterates in a fixed order.
	for _, u := range []struct {
		name               string
		handler, validator any
	}{
		{UpdateCaseAddAction, handler(c, ActivityCaseAddAction, addAction), addAction},
		{UpdateCaseActionStatus, handler(c, ActivityCaseActionStatus, c.validateActionStatus), c.validateActionStatus},
		{UpdateCaseAddNote, handler(c, ActivityCaseAddNote, addNote), addNote},
		{UpdateCaseAddContact, handler(c, ActivityCaseAddContact, addContact), addContact},
		{UpdateCaseAddKeyDate, handler(c, ActivityCaseAddKeyDate, addKeyDate), addKeyDate},
		{UpdateCaseAddDocument, handler(c, ActivityCaseAddDocument, addDocument), addDocument},
		{UpdateCaseReassign, handler(c, ActivityCaseReassign, reassign), reassign},
		{UpdateCaseClose, handler(c, ActivityCaseClose, c.validateClose), c.validateClose},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
}

// validateOpen rejects an Update to a closed case. Before the first read
// every Update passes; its handler waits for the read and checks again.
func (c *caseFlow) validateOpen() error {
	if c.clock.Status == casework.CaseClosed {
		return Reject(RejectInvalidState, RefuseCaseClosed, nil)
	}
	return nil
}

// validateStaff rejects a caller without the caseworker role, or an
// Update to a closed case.
func (c *caseFlow) validateStaff(caller Caller) error {
	if !caller.Has(RoleCaseworker) {
		return Reject(RejectForbidden, RefuseNotCaseworker, nil)
	}
	return c.validateOpen()
}

func (c *caseFlow) validateActionStatus(u CaseActionStatusUpdate) error {
	if err := c.validateStaff(u.Caller); err != nil {
		return err
	}
	if u.Status != casework.ActionOpen && u.Status != casework.ActionDone {
		return Invalid(map[string]string{"status": "Status must be open or done"})
	}
	return nil
}

func (c *caseFlow) validateClose(u CaseCloseUpdate) error {
	if err := c.validateStaff(u.Caller); err != nil {
		return err
	}
	if !casework.Known(casework.Outcomes, u.Outcome) {
		return Invalid(map[string]string{"outcome": "Choose the outcome of the case"})
	}
	return nil
}

// caseArg is an Update's argument, which the handler stamps with the
// case's id and the workflow's time before its activity runs (the
// caller's id for the case is not trusted).
type caseArg interface {
	stamp(caseID string, at time.Time)
}

func (u *CaseActionUpdate) stamp(caseID string, at time.Time)       { u.CaseID, u.At = caseID, at }
func (u *CaseActionStatusUpdate) stamp(caseID string, at time.Time) { u.CaseID, u.At = caseID, at }
func (u *CaseNoteUpdate) stamp(caseID string, at time.Time)         { u.CaseID, u.At = caseID, at }
func (u *CaseContactUpdate) stamp(caseID string, at time.Time)      { u.CaseID, u.At = caseID, at }
func (u *CaseKeyDateUpdate) stamp(caseID string, at time.Time)      { u.CaseID, u.At = caseID, at }
func (u *CaseDocumentUpdate) stamp(caseID string, at time.Time)     { u.CaseID, u.At = caseID, at }
func (u *CaseReassignUpdate) stamp(caseID string, at time.Time)     { u.CaseID, u.At = caseID, at }
func (u *CaseCloseUpdate) stamp(caseID string, at time.Time)        { u.CaseID, u.At = caseID, at }

// handler makes the handler of an Update whose argument is a T: holding
// the case's mutex, once validate passes again, it stamps the argument
// and runs activity with it, then wakes the loop.
func handler[T any, P interface {
	*T
	caseArg
}](c *caseFlow, activity string, validate func(T) error) func(workflow.Context, T) (CaseUpdateResult, error) {
	return func(ctx workflow.Context, u T) (CaseUpdateResult, error) {
		ctx = activityOptions(ctx) // a handler runs on a context of its own
		out := CaseUpdateResult{Status: c.clock.Status}
		// An Update that arrives before the first read waits for it.
		if err := workflow.Await(ctx, func() bool { return c.loaded }); err != nil {
			return out, err
		}
		if err := c.mu.Lock(ctx); err != nil {
			return out, err
		}
		defer c.mu.Unlock()
		if err := validate(u); err != nil {
			return CaseUpdateResult{Status: c.clock.Status}, err
		}
		P(&u).stamp(c.id, workflow.Now(ctx))
		err := workflow.ExecuteActivity(ctx, activity, u).Get(ctx, &out)
		if err == nil && out.Status != "" {
			c.clock.Status = out.Status
		}
		clear(c.stale)
		c.wake.SendAsync(true)
		return out, err
	}
}
