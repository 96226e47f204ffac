package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/workday"
)

// Reminders that help people finish (issue 14). Every reminder instant is
// moved by workday.ShiftBack: one whose London date is a weekend or an
// England and Wales bank holiday is sent at the same London clock time on
// the working day before, never later than meant.

// Activity names of the reminders.
const (
	ActivityRemindDrafts = "RemindDrafts"
	ActivityRemindOffer  = "RemindOffer"
)

// Version change IDs (workflow.GetVersion) of the reminders: histories
// recorded before them replay without the new timers and activities.
const (
	// draftReminderVersion adds the draft reminders to RoundWorkflow. A
	// run started before it turns them on at its first live wake-up, under
	// the change ID draftReminderVersion + "-wake-<n>" (n counts the
	// wake-ups of the run), so replay finds that marker where it was made.
	draftReminderVersion = "draft-reminders"
	// offerReminderVersion adds the offer reminder to ApplicationWorkflow.
	offerReminderVersion = "offer-reminder"
	// reportReminderVersion moves GrantWorkflow's report reminder off
	// weekends and bank holidays.
	reportReminderVersion = "report-reminder-workday"
)

// Draft reminders: how long before a round closes its draft owners are
// told (each then moved by workday.ShiftBack).
const (
	DraftReminderWeek = "7d"  // close − 7 days
	DraftReminder48h  = "48h" // close − 48 hours
)

// draftReminders are the draft reminders in the order they fall due.
var draftReminders = []struct {
	name string
	lead time.Duration
}{
	{DraftReminderWeek, 7 * 24 * time.Hour},
	{DraftReminder48h, 48 * time.Hour},
}

// OfferReminderLead is how long before an offer expires the applicant's
// admins are reminded (then moved by workday.ShiftBack).
const OfferReminderLead = 3 * 24 * time.Hour

// DraftReminderAt is when the draft reminder lead before closesAt is sent.
func DraftReminderAt(closesAt time.Time, lead time.Duration) time.Time {
	return workday.ShiftBack(closesAt.Add(-lead))
}

// OfferReminderAt is when the reminder of an offer expiring at expiresAt
// is sent.
func OfferReminderAt(expiresAt time.Time) time.Time {
	return workday.ShiftBack(expiresAt.Add(-OfferReminderLead))
}

// DraftReminderInput asks RemindDrafts to tell the owners of every draft in
// a round that it closes at ClosesAt (the time the workflow read; a round
// whose closing time has moved since is left to the next reading).
type DraftReminderInput struct {
	RoundID  string    `json:"round_id"`
	Reminder string    `json:"reminder"` // DraftReminderWeek or DraftReminder48h
	ClosesAt time.Time `json:"closes_at"`
	At       time.Time `json:"at"`
}

// OfferReminderInput asks RemindOffer to remind the applicant's admins of
// an offer still open.
type OfferReminderInput struct {
	ApplicationID string    `json:"application_id"`
	GrantID       string    `json:"grant_id"`
	At            time.Time `json:"at"`
}

// draftReminderPlan follows a round's draft reminders across wake-ups. A
// reminder is armed when the workflow first sees its instant still ahead;
// only an armed reminder is sent, so one already past when its closing
// time is first read (a round created or extended late, a fresh run after
// continue-as-new) is skipped rather than sent late. Reminders are keyed by
// the closing time, so a moved closing time arms a new pair.
type draftReminderPlan struct {
	armed map[string]bool
	done  map[string]bool
}

// draftRemindersFrom returns a fresh plan when the run has the draft
// reminders under changeID (workflow.GetVersion), nil when it has not.
func draftRemindersFrom(ctx workflow.Context, changeID string) *draftReminderPlan {
	if workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return &draftReminderPlan{armed: map[string]bool{}, done: map[string]bool{}}
}

// step returns the reminder to send now (ok false if none) and the instant
// of the next armed one (zero if none). When several are due at once (the
// worker was away) only the latest is sent; the earlier are superseded.
// Reminders are sent only while the round is open.
func (p *draftReminderPlan) step(info RoundInfo, now time.Time) (due string, ok bool, next time.Time) {
	open := !now.Before(info.OpensAt) && now.Before(info.ClosesAt)
	for _, r := range draftReminders {
		key := r.name + "@" + info.ClosesAt.UTC().Format(time.RFC3339Nano)
		if p.done[key] {
			continue
		}
		at := DraftReminderAt(info.ClosesAt, r.lead)
		if now.Before(at) {
			p.armed[key] = true
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		p.done[key] = true
		if p.armed[key] && open {
			due, ok = r.name, true
		}
	}
	return due, ok, next
}

// remindDrafts sends the draft reminder due now, if any, and returns when
// the next one falls due (zero if none is armed).
func (p *draftReminderPlan) remindDrafts(ctx workflow.Context, roundID string, info RoundInfo, now time.Time) (time.Time, error) {
	due, ok, next := p.step(info, now)
	if !ok {
		return next, nil
	}
	in := DraftReminderInput{RoundID: roundID, Reminder: due, ClosesAt: info.ClosesAt, At: now}
	return next, workflow.ExecuteActivity(ctx, ActivityRemindDrafts, in).Get(ctx, nil)
}
