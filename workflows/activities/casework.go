package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
)

// CaseWorkflow's activities (issue 16). Each Update's activity runs in one
// transaction that first locks the case's row (so changes to one case are
// serialised), refuses a closed case, checks the caller against
// PostgreSQL, writes the row with the id the use case chose (a retry finds
// it there and does nothing more), appends to the audit chain case:<id>
// and tells people. Audit data carries ids, kinds, dates and lengths,
// never the text of a note, a summary or a description.

// Notification kinds of casework.
const (
	NoticeCaseAction     = "case_action"     // an action was given to someone
	NoticeCaseNote       = "case_note"       // a note the reader may see was added
	NoticeCaseKeyDate    = "case_key_date"   // a key date was added
	NoticeCaseAssigned   = "case_assigned"   // a case was given to a caseworker
	NoticeCaseClosed     = "case_closed"     // a case was closed with its outcome
	NoticeCaseReminder   = "case_reminder"   // an action or a key date is coming up
	NoticeCaseEscalation = "case_escalation" // a promise was missed
	NoticeCaseReview     = "case_review"     // a case is due its review
)

// caseEntity is what a case's audit events and notifications are about.
func caseEntity(caseID string) string { return workflows.CaseChain(caseID) }

// lockOpenCase locks a case's row for the transaction and refuses a
// closed case.
func lockOpenCase(ctx context.Context, q *sqlc.Queries, caseID string) (sqlc.Case, error) {
	c, err := q.CaseGetForUpdate(ctx, caseID)
	if err != nil {
		return c, fmt.Errorf("load case %s: %w", caseID, err)
	}
	if c.Status != casework.CaseOpen {
		return c, workflows.Reject(workflows.RejectInvalidState, workflows.RefuseCaseClosed, nil)
	}
	return c, nil
}

// activeUser reads a user; ok is false when there is none or the account
// is deactivated.
func activeUser(ctx context.Context, q *sqlc.Queries, userID string) (sqlc.User, bool, error) {
	u, err := q.UserGet(ctx, userID)
	switch {
	case isNotFound(err):
		return u, false, nil
	case err != nil:
		return u, false, fmt.Errorf("read user: %w", err)
	}
	return u, u.DeactivatedAt == nil, nil
}

// isMember reports whether a user is a member (any role) of an
// organisation.
func isMember(ctx context.Context, q *sqlc.Queries, orgID, userID string) (bool, error) {
	_, err := q.OrganisationMemberRole(ctx, sqlc.OrganisationMemberRoleParams{OrganisationID: orgID, UserID: userID})
	switch {
	case isNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read membership: %w", err)
	}
	return true, nil
}

// caseworkerRefusal says why a user may not work a case as staff ("" if
// they may): only an active caseworker who is not a member of the case's
// organisation may.
func caseworkerRefusal(ctx context.Context, q *sqlc.Queries, c sqlc.Case, userID string) (string, error) {
	u, active, err := activeUser(ctx, q, userID)
	if err != nil {
		return "", err
	}
	if !active || !slices.Contains(u.Roles, workflows.RoleCaseworker) {
		return workflows.RefuseNotCaseworker, nil
	}
	member, err := isMember(ctx, q, c.OrganisationID, userID)
	if err != nil {
		return "", err
	}
	if member {
		return workflows.RefuseOwnOrganisation, nil
	}
	return "", nil
}

// requireCaseworker refuses (forbidden) a caller who may not work the
// case as staff.
func requireCaseworker(ctx context.Context, q *sqlc.Queries, c sqlc.Case, userID string) error {
	why, err := caseworkerRefusal(ctx, q, c, userID)
	if err != nil {
		return err
	}
	if why != "" {
		return workflows.Reject(workflows.RejectForbidden, why, nil)
	}
	return nil
}

// caseDate reads a London civil date of an Update (the use case checked
// it; a bad one is still refused, naming field).
func caseDate(s, field string) (workday.Date, error) {
	d, ok := casework.ParseDate(s)
	if !ok {
		return d, workflows.Invalid(map[string]string{field: "Enter a date as YYYY-MM-DD"})
	}
	return d, nil
}

// londonDay writes a date as people read it: "Tuesday 5 January 2027".
func londonDay(d workday.Date) string { return d.At(12, 0, 0, 0).Format("Monday 2 January 2006") }

// organisationMembers lists the ids of every member of an organisation.
func organisationMembers(ctx context.Context, q *sqlc.Queries, orgID string) ([]string, error) {
	members, err := q.OrganisationMemberList(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return ids, nil
}

// notifyGroup writes m for every member of the case's organisation, and
// for also (the caseworker, say) when given.
func notifyGroup(ctx context.Context, q *sqlc.Queries, c sqlc.Case, m message, also ...string) error {
	ids, err := organisationMembers(ctx, q, c.OrganisationID)
	if err != nil {
		return err
	}
	return notify(ctx, q, append(also, ids...), m)
}

// spaceName is the name of the space a case is about, for messages.
func spaceName(ctx context.Context, q *sqlc.Queries, caseID string) (string, error) {
	c, err := q.CaseGet(ctx, caseID)
	if err != nil {
		return "", fmt.Errorf("load case %s: %w", caseID, err)
	}
	return c.SpaceName, nil
}

// caseUpdate runs an Update's change in one transaction on the open case,
// locked, and answers the case's status after it.
func (a *Activities) caseUpdate(ctx context.Context, caseID string, fn func(q *sqlc.Queries, c sqlc.Case) error) (workflows.CaseUpdateResult, error) {
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := lockOpenCase(ctx, q, caseID)
		if err != nil {
			return err
		}
		return fn(q, c)
	})
	return workflows.CaseUpdateResult{Status: casework.CaseOpen}, classify(err)
}

// staffUpdate is caseUpdate for a change only the case's staff make: the
// caller must be an active caseworker outside the group.
func (a *Activities) staffUpdate(ctx context.Context, caseID, callerID string, fn func(q *sqlc.Queries, c sqlc.Case) error) (workflows.CaseUpdateResult, error) {
	return a.caseUpdate(ctx, caseID, func(q *sqlc.Queries, c sqlc.Case) error {
		if err := requireCaseworker(ctx, q, c, callerID); err != nil {
			return err
		}
		return fn(q, c)
	})
}

// CaseAddAction adds an action to a case's plan. Its owner, when named,
// must be an active caseworker or a member of the group; someone other
// than the caller is told.
func (a *Activities) CaseAddAction(ctx context.Context, in workflows.CaseActionUpdate) (workflows.CaseUpdateResult, error) {
	return a.staffUpdate(ctx, in.CaseID, in.Caller.ID, func(q *sqlc.Queries, c sqlc.Case) error {
		due, err := caseDate(in.DueOn, "due_on")
		if err != nil {
			return err
		}
		owner := deref(in.OwnerID)
		if owner != "" {
			if err := requireOwner(ctx, q, c, owner); err != nil {
				return err
			}
		}
		row, err := q.CaseActionInsert(ctx, sqlc.CaseActionInsertParams{ID: in.ActionID, CaseID: c.ID, Title: in.Title,
			OwnerID: nilIfEmpty(owner), DueOn: casework.DateTime(due), CreatedBy: in.Caller.ID, CreatedAt: in.At})
		switch {
		case isNotFound(err):
			return nil // added by an earlier try
		case err != nil:
			return fmt.Errorf("add action: %w", err)
		}
		if err := record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.action_added", caseEntity(c.ID), in.At,
			map[string]any{"action_id": row.ID, "title_length": len([]rune(row.Title)), "owner_id": row.OwnerID, "due_on": due.String()}); err != nil {
			return err
		}
		if owner == "" || owner == in.Caller.ID {
			return nil
		}
		space, err := spaceName(ctx, q, c.ID)
		if err != nil {
			return err
		}
		return notify(ctx, q, []string{owner}, message{kind: NoticeCaseAction,
			subject: "An action on the case for " + space + " is yours",
			body:    fmt.Sprintf("You have been asked to do this by %s: %s", londonDay(due), row.Title),
			entity:  caseEntity(c.ID), key: "case:" + c.ID + ":action:" + row.ID})
	})
}

// requireOwner refuses (validation_failed on owner_id) an action's owner
// who is neither an active caseworker nor an active member of the group.
func requireOwner(ctx context.Context, q *sqlc.Queries, c sqlc.Case, userID string) error {
	u, active, err := activeUser(ctx, q, userID)
	if err != nil {
		return err
	}
	ok := active && slices.Contains(u.Roles, workflows.RoleCaseworker)
	if active && !ok {
		if ok, err = isMember(ctx, q, c.OrganisationID, userID); err != nil {
			return err
		}
	}
	if !ok {
		return workflows.Invalid(map[string]string{"owner_id": "Choose a caseworker or a member of the group"})
	}
	return nil
}

// nilIfEmpty is nil for "", else a pointer to s.
func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CaseActionStatus marks an action done, or open again. Marking it as it
// already is changes nothing.
func (a *Activities) CaseActionStatus(ctx context.Context, in workflows.CaseActionStatusUpdate) (workflows.CaseUpdateResult, error) {
	return a.staffUpdate(ctx, in.CaseID, in.Caller.ID, func(q *sqlc.Queries, c sqlc.Case) error {
		if in.Status != casework.ActionOpen && in.Status != casework.ActionDone {
			return workflows.Invalid(map[string]string{"status": "Status must be open or done"})
		}
		act, err := q.CaseActionGet(ctx, sqlc.CaseActionGetParams{ID: in.ActionID, CaseID: c.ID})
		switch {
		case isNotFound(err):
			return workflows.Reject(workflows.RejectNotFound, "Action not found", nil)
		case err != nil:
			return fmt.Errorf("load action: %w", err)
		case act.Status == in.Status:
			return nil
		}
		if _, err := q.CaseActionSetStatus(ctx, sqlc.CaseActionSetStatusParams{Status: in.Status, At: in.At, DoneBy: &in.Caller.ID,
			ID: act.ID, CaseID: c.ID}); err != nil {
			return fmt.Errorf("set action status: %w", err)
		}
		action := "case.action_done"
		if in.Status == casework.ActionOpen {
			action = "case.action_reopened"
		}
		return record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, action, caseEntity(c.ID), in.At,
			map[string]any{"action_id": act.ID})
	})
}

// caseParty checks that the caller may add to the case: an active
// caseworker outside the group (staff), or an active member of the group
// (whose additions are always shared). Anyone else is refused.
func caseParty(ctx context.Context, q *sqlc.Queries, c sqlc.Case, callerID string) (staff bool, err error) {
	why, err := caseworkerRefusal(ctx, q, c, callerID)
	if err != nil || why == "" {
		return err == nil, err
	}
	_, active, err := activeUser(ctx, q, callerID)
	if err != nil {
		return false, err
	}
	member, err := isMember(ctx, q, c.OrganisationID, callerID)
	if err != nil {
		return false, err
	}
	if !active || !member {
		return false, workflows.Reject(workflows.RejectForbidden, workflows.RefuseNotCaseParty, nil)
	}
	return false, nil
}

// CaseAddNote adds a note. A caseworker's note is private to staff or
// shared with the group, whose members are then told; a member of the
// group may add a note too, always shared, and the caseworker is told.
func (a *Activities) CaseAddNote(ctx context.Context, in workflows.CaseNoteUpdate) (workflows.CaseUpdateResult, error) {
	return a.caseUpdate(ctx, in.CaseID, func(q *sqlc.Queries, c sqlc.Case) error {
		staff, err := caseParty(ctx, q, c, in.Caller.ID)
		if err != nil {
			return err
		}
		shared := in.Shared || !staff
		row, err := q.CaseNoteInsert(ctx, sqlc.CaseNoteInsertParams{ID: in.NoteID, CaseID: c.ID, Body: in.Body, Shared: shared,
			AuthorID: in.Caller.ID, CreatedAt: in.At})
		switch {
		case isNotFound(err):
			return nil // added by an earlier try
		case err != nil:
			return fmt.Errorf("add note: %w", err)
		}
		by := "member"
		if staff {
			by = "staff"
		}
		if err := record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.note_added", caseEntity(c.ID), in.At,
			map[string]any{"note_id": row.ID, "shared": row.Shared, "by": by, "length": len([]rune(row.Body))}); err != nil {
			return err
		}
		if !shared {
			return nil
		}
		space, err := spaceName(ctx, q, c.ID)
		if err != nil {
			return err
		}
		m := message{kind: NoticeCaseNote, entity: caseEntity(c.ID), key: "case:" + c.ID + ":note:" + row.ID}
		if staff {
			m.subject = "A caseworker added a note to the case for " + space
			m.body = "Sign in to read it. Everyone in your group can see it."
			return notifyGroup(ctx, q, c, m)
		}
		m.subject = "The group added a note to the case for " + space
		m.body = "A member of the group added a note to a case you work on. Sign in to read it."
		return notify(ctx, q, []string{c.CaseworkerID}, m)
	})
}

// CaseAddContact logs a contact or a meeting; the earliest contact is the
// case's first contact (the promise kept).
func (a *Activities) CaseAddContact(ctx context.Context, in workflows.CaseContactUpdate) (workflows.CaseUpdateResult, error) {
	return a.staffUpdate(ctx, in.CaseID, in.Caller.ID, func(q *sqlc.Queries, c sqlc.Case) error {
		if err := checkContact(in); err != nil {
			return err
		}
		row, err := q.CaseContactInsert(ctx, sqlc.CaseContactInsertParams{ID: in.ContactID, CaseID: c.ID, At: in.ContactAt, Kind: in.Kind,
			Minutes: int32(in.Minutes), Summary: in.Summary, RecordedBy: in.Caller.ID, CreatedAt: in.At})
		switch {
		case isNotFound(err):
			return nil // logged by an earlier try
		case err != nil:
			return fmt.Errorf("log contact: %w", err)
		}
		_, err = q.CaseMarkFirstContact(ctx, sqlc.CaseMarkFirstContactParams{At: &row.At, ID: c.ID})
		first := err == nil
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("record first contact: %w", err)
		}
		return record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.contact_logged", caseEntity(c.ID), in.At,
			map[string]any{"contact_id": row.ID, "kind": row.Kind, "minutes": row.Minutes, "at": row.At, "first_contact": first})
	})
}

// checkContact refuses a contact's kind or minutes that PostgreSQL would
// not take (the use case checks them first).
func checkContact(in workflows.CaseContactUpdate) error {
	fields := map[string]string{}
	if !casework.Known(casework.ContactKinds, in.Kind) {
		fields["kind"] = "Choose call, meeting, email or visit"
	}
	if in.Minutes < 0 || in.Minutes > casework.MaxMinutes {
		fields["minutes"] = fmt.Sprintf("Enter the minutes it took, from 0 to %d", casework.MaxMinutes)
	}
	return workflows.Invalid(fields)
}

// CaseAddKeyDate adds a key date; the group is told.
func (a *Activities) CaseAddKeyDate(ctx context.Context, in workflows.CaseKeyDateUpdate) (workflows.CaseUpdateResult, error) {
	return a.staffUpdate(ctx, in.CaseID, in.Caller.ID, func(q *sqlc.Queries, c sqlc.Case) error {
		on, err := caseDate(in.On, "on")
		if err != nil {
			return err
		}
		if !casework.Known(casework.KeyDateKinds, in.Kind) {
			return workflows.Invalid(map[string]string{"kind": "Choose the kind of key date"})
		}
		row, err := q.CaseKeyDateInsert(ctx, sqlc.CaseKeyDateInsertParams{ID: in.KeyDateID, CaseID: c.ID, Kind: in.Kind,
			OnDate: casework.DateTime(on), Description: in.Description, CreatedBy: in.Caller.ID, CreatedAt: in.At})
		switch {
		case isNotFound(err):
			return nil // added by an earlier try
		case err != nil:
			return fmt.Errorf("add key date: %w", err)
		}
		if err := record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.key_date_added", caseEntity(c.ID), in.At,
			map[string]any{"key_date_id": row.ID, "kind": row.Kind, "on": on.String()}); err != nil {
			return err
		}
		space, err := spaceName(ctx, q, c.ID)
		if err != nil {
			return err
		}
		what := casework.Label(casework.KeyDateKinds, row.Kind)
		return notifyGroup(ctx, q, c, message{kind: NoticeCaseKeyDate,
			subject: fmt.Sprintf("A key date for %s: %s on %s", space, what, londonDay(on)),
			body:    row.Description + "\n\nWe will remind you a week before and the working day before.",
			entity:  caseEntity(c.ID), key: "case:" + c.ID + ":key_date:" + row.ID})
	})
}

// CaseAddDocument records a document whose bytes the use case stored: a
// caseworker's, shared or not, or a member's, always shared.
func (a *Activities) CaseAddDocument(ctx context.Context, in workflows.CaseDocumentUpdate) (workflows.CaseUpdateResult, error) {
	return a.caseUpdate(ctx, in.CaseID, func(q *sqlc.Queries, c sqlc.Case) error {
		staff, err := caseParty(ctx, q, c, in.Caller.ID)
		if err != nil {
			return err
		}
		row, err := q.CaseDocumentAdd(ctx, sqlc.CaseDocumentAddParams{ID: in.DocumentID, CaseID: c.ID, Filename: in.Filename,
			ContentType: in.ContentType, SizeBytes: in.SizeBytes, Sha256: in.SHA256, Shared: in.Shared || !staff, UploadedBy: in.Caller.ID,
			CreatedAt: in.At})
		switch {
		case isNotFound(err):
			return nil // added by an earlier try
		case err != nil:
			return fmt.Errorf("add document: %w", err)
		}
		return record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.document_added", caseEntity(c.ID), in.At,
			map[string]any{"document_id": row.ID, "content_type": row.ContentType, "size_bytes": row.SizeBytes, "sha256": row.Sha256,
				"shared": row.Shared})
	})
}

// CaseReassign gives the case to another caseworker, who is told. Giving
// it to its caseworker changes nothing.
func (a *Activities) CaseReassign(ctx context.Context, in workflows.CaseReassignUpdate) (workflows.CaseUpdateResult, error) {
	return a.staffUpdate(ctx, in.CaseID, in.Caller.ID, func(q *sqlc.Queries, c sqlc.Case) error {
		if in.CaseworkerID == c.CaseworkerID {
			return nil
		}
		why, err := caseworkerRefusal(ctx, q, c, in.CaseworkerID)
		if err != nil {
			return err
		}
		if why != "" {
			return workflows.Invalid(map[string]string{"caseworker_id": "Choose an active caseworker who is not a member of this group"})
		}
		if _, err := q.CaseReassign(ctx, sqlc.CaseReassignParams{CaseworkerID: in.CaseworkerID, ID: c.ID}); err != nil {
			return fmt.Errorf("reassign case: %w", err)
		}
		if err := record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.reassigned", caseEntity(c.ID), in.At,
			map[string]any{"from": c.CaseworkerID, "to": in.CaseworkerID}); err != nil {
			return err
		}
		space, err := spaceName(ctx, q, c.ID)
		if err != nil {
			return err
		}
		return notify(ctx, q, []string{in.CaseworkerID}, message{kind: NoticeCaseAssigned,
			subject: "You are now the caseworker for " + space,
			body:    "A case has been given to you. Sign in to see its plan, contacts and key dates.",
			entity:  caseEntity(c.ID), key: "case:" + c.ID + ":assigned:" + in.At.UTC().Format(time.RFC3339Nano)})
	})
}

// CaseClose closes the case with its outcome; the group is told. A retry
// of a close that was made finds it made; any other Update to a closed
// case, a second close included, is invalid_state.
func (a *Activities) CaseClose(ctx context.Context, in workflows.CaseCloseUpdate) (workflows.CaseUpdateResult, error) {
	out := workflows.CaseUpdateResult{Status: casework.CaseClosed}
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := q.CaseGetForUpdate(ctx, in.CaseID)
		if err != nil {
			return fmt.Errorf("load case %s: %w", in.CaseID, err)
		}
		if c.Status == casework.CaseClosed && deref(c.ClosedBy) == in.Caller.ID && c.ClosedAt != nil &&
			c.ClosedAt.Equal(in.At.Truncate(time.Microsecond)) {
			return nil // closed by an earlier try
		}
		if c.Status != casework.CaseOpen {
			return workflows.Reject(workflows.RejectInvalidState, workflows.RefuseCaseClosed, nil)
		}
		if err := requireCaseworker(ctx, q, c, in.Caller.ID); err != nil {
			return err
		}
		if !casework.Known(casework.Outcomes, in.Outcome) {
			return workflows.Invalid(map[string]string{"outcome": "Choose the outcome of the case"})
		}
		if _, err := q.CaseClose(ctx, sqlc.CaseCloseParams{Outcome: &in.Outcome, OutcomeSummary: &in.Summary, ClosedAt: &in.At,
			ClosedBy: &in.Caller.ID, ID: c.ID}); err != nil {
			return fmt.Errorf("close case: %w", err)
		}
		if err := record(ctx, q, workflows.CaseChain(c.ID), in.Caller.ID, "case.closed", caseEntity(c.ID), in.At,
			map[string]any{"outcome": in.Outcome, "saved": casework.Saved(in.Outcome), "summary_length": len([]rune(in.Summary))}); err != nil {
			return err
		}
		space, err := spaceName(ctx, q, c.ID)
		if err != nil {
			return err
		}
		return notifyGroup(ctx, q, c, message{kind: NoticeCaseClosed,
			subject: "Your case for " + space + " is closed: " + casework.Label(casework.Outcomes, in.Outcome),
			body:    "What changed: " + in.Summary + "\n\nIf you need support again, you can ask for it at any time.",
			entity:  caseEntity(c.ID), key: "case:" + c.ID + ":closed"})
	})
	return out, classify(err)
}

// LoadCaseClock reads what a case's clock needs: its promise of first
// contact, its review date, its open actions not yet escalated and its key
// dates not yet reminded the day before. Which of them are still to come
// is the workflow's to decide, by its own clock.
func (a *Activities) LoadCaseClock(ctx context.Context, in workflows.CaseInput) (workflows.CaseClock, error) {
	q := a.Store.Queries
	row, err := q.CaseClockLoad(ctx, in.CaseID)
	if err != nil {
		return workflows.CaseClock{}, classify(fmt.Errorf("load case %s: %w", in.CaseID, err))
	}
	out := workflows.CaseClock{CaseID: row.ID, Status: row.Status, FirstContactDueOn: casework.DateFrom(row.FirstContactDueOn).String(),
		FirstContactAt: row.FirstContactAt, FirstContactEscalated: row.FirstContactEscalatedAt != nil,
		Actions: []workflows.CaseClockItem{}, KeyDates: []workflows.CaseClockEntry{}}
	if row.ReviewDueOn != nil {
		out.ReviewDueOn = casework.DateFrom(*row.ReviewDueOn).String()
	}
	if row.Status != casework.CaseOpen {
		c, err := q.CaseGet(ctx, row.ID)
		if err != nil {
			return out, classify(fmt.Errorf("load case %s: %w", row.ID, err))
		}
		out.Outcome = deref(c.Outcome)
		return out, nil
	}
	actions, err := q.CaseActionList(ctx, []string{row.ID})
	if err != nil {
		return out, classify(fmt.Errorf("list actions: %w", err))
	}
	for _, act := range actions {
		if act.Status == casework.ActionOpen && act.EscalatedAt == nil {
			out.Actions = append(out.Actions, workflows.CaseClockItem{ID: act.ID, DueOn: casework.DateFrom(act.DueOn).String(),
				Reminded: act.RemindedAt != nil, AddedAt: act.CreatedAt})
		}
	}
	keyDates, err := q.CaseKeyDateList(ctx, []string{row.ID})
	if err != nil {
		return out, classify(fmt.Errorf("list key dates: %w", err))
	}
	for _, k := range keyDates {
		if k.RemindedDayAt == nil {
			out.KeyDates = append(out.KeyDates, workflows.CaseClockEntry{ID: k.ID, On: casework.DateFrom(k.On).String(),
				RemindedWeek: k.RemindedWeekAt != nil, AddedAt: k.CreatedAt})
		}
	}
	return out, nil
}

// CaseClockStep takes one step of a case's clock: it marks the step done
// and tells people, in one transaction, so that a retry (or a replayed
// timer) tells nobody twice. A step PostgreSQL has done already, or that
// no longer applies (the case closed, the action done, a contact made),
// changes nothing.
func (a *Activities) CaseClockStep(ctx context.Context, in workflows.CaseClockStep) (workflows.CaseClockResult, error) {
	var out workflows.CaseClockResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := q.CaseGetForUpdate(ctx, in.CaseID)
		if err != nil {
			return fmt.Errorf("load case %s: %w", in.CaseID, err)
		}
		if c.Status != casework.CaseOpen {
			return nil
		}
		info, err := q.CaseGet(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("load case %s: %w", c.ID, err)
		}
		s := clockStep{q: q, c: c, space: info.SpaceName, in: in}
		switch in.Step {
		case workflows.CaseStepEscalateFirstContact:
			out.Changed, err = s.escalateFirstContact(ctx)
		case workflows.CaseStepRemindAction, workflows.CaseStepEscalateAction:
			out.Changed, err = s.action(ctx)
		case workflows.CaseStepRemindKeyDateWeek, workflows.CaseStepRemindKeyDateDay:
			out.Changed, err = s.keyDate(ctx)
		case workflows.CaseStepReview:
			out.Changed, err = s.review(ctx)
		default:
			err = fmt.Errorf("case clock step %q: %w", in.Step, errStored)
		}
		return err
	})
	if err != nil {
		out.Changed = false
	}
	return out, classify(err)
}

// clockStep is one step of a case's clock in its transaction.
type clockStep struct {
	q     *sqlc.Queries
	c     sqlc.Case
	space string
	in    workflows.CaseClockStep
}

func (s clockStep) record(ctx context.Context, action string, data map[string]any) error {
	return record(ctx, s.q, workflows.CaseChain(s.c.ID), workflows.SystemActor, action, caseEntity(s.c.ID), s.in.At, data)
}

// message is the step's notification, keyed by the case, step and item.
func (s clockStep) message(kind, subject, body string) message {
	key := "case:" + s.c.ID + ":" + s.in.Step
	if s.in.ID != "" {
		key += ":" + s.in.ID
	}
	return message{kind: kind, subject: subject, body: body, entity: caseEntity(s.c.ID), key: key}
}

// escalate tells the casework lead (every manager) and the caseworker.
func (s clockStep) escalate(ctx context.Context, m message) error {
	if err := notifyRole(ctx, s.q, workflows.RoleManager, m); err != nil {
		return err
	}
	return notify(ctx, s.q, []string{s.c.CaseworkerID}, m)
}

func (s clockStep) escalateFirstContact(ctx context.Context) (bool, error) {
	if _, err := s.q.CaseMarkFirstContactEscalated(ctx, sqlc.CaseMarkFirstContactEscalatedParams{At: &s.in.At, ID: s.c.ID}); err != nil {
		if isNotFound(err) {
			return false, nil // escalated already, or a contact was made
		}
		return false, fmt.Errorf("mark first contact escalated: %w", err)
	}
	due := casework.DateFrom(s.c.FirstContactDueOn)
	if err := s.record(ctx, "case.first_contact_escalated", map[string]any{"first_contact_due_on": due.String()}); err != nil {
		return false, err
	}
	return true, s.escalate(ctx, s.message(NoticeCaseEscalation, "First contact missed: "+s.space,
		fmt.Sprintf("We promised the group behind %s a first contact by the end of %s, and none has been logged. "+
			"Contact them, then log the contact on the case.", s.space, londonDay(due))))
}

func (s clockStep) action(ctx context.Context) (bool, error) {
	act, err := s.q.CaseActionGet(ctx, sqlc.CaseActionGetParams{ID: s.in.ID, CaseID: s.c.ID})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load action: %w", err)
	}
	at := &s.in.At
	if s.in.Step == workflows.CaseStepRemindAction {
		_, err = s.q.CaseActionMarkReminded(ctx, sqlc.CaseActionMarkRemindedParams{At: at, ID: act.ID})
	} else {
		_, err = s.q.CaseActionMarkEscalated(ctx, sqlc.CaseActionMarkEscalatedParams{At: at, ID: act.ID})
	}
	if isNotFound(err) {
		return false, nil // done, or this step taken already
	}
	if err != nil {
		return false, fmt.Errorf("mark action %s: %w", s.in.Step, err)
	}
	due := casework.DateFrom(act.DueOn)
	if s.in.Step == workflows.CaseStepRemindAction {
		if err := s.record(ctx, "case.action_reminded", map[string]any{"action_id": act.ID}); err != nil {
			return false, err
		}
		owner := deref(act.OwnerID)
		if owner == "" {
			owner = s.c.CaseworkerID
		}
		return true, notify(ctx, s.q, []string{owner}, s.message(NoticeCaseReminder, "An action is due on "+londonDay(due),
			fmt.Sprintf("On the case for %s: %s\n\nIt is due by the end of %s.",
				s.space, act.Title, londonDay(due))))
	}
	if err := s.record(ctx, "case.action_escalated", map[string]any{"action_id": act.ID}); err != nil {
		return false, err
	}
	return true, s.escalate(ctx, s.message(NoticeCaseEscalation, "An action is overdue: "+s.space,
		fmt.Sprintf("This action on the case for %s was due by the end of %s and is not done: %s", s.space, londonDay(due), act.Title)))
}

func (s clockStep) keyDate(ctx context.Context) (bool, error) {
	week := s.in.Step == workflows.CaseStepRemindKeyDateWeek
	k, err := s.q.CaseKeyDateMarkReminded(ctx, sqlc.CaseKeyDateMarkRemindedParams{Week: week, At: s.in.At, ID: s.in.ID})
	if isNotFound(err) {
		return false, nil // reminded already
	}
	if err != nil {
		return false, fmt.Errorf("mark key date reminded: %w", err)
	}
	if k.CaseID != s.c.ID {
		return false, fmt.Errorf("key date %s is not of case %s: %w", k.ID, s.c.ID, errStored)
	}
	reminder := "day"
	if week {
		reminder = "week"
	}
	if err := s.record(ctx, "case.key_date_reminded", map[string]any{"key_date_id": k.ID, "reminder": reminder}); err != nil {
		return false, err
	}
	on := casework.DateFrom(k.On)
	what := casework.Label(casework.KeyDateKinds, k.Kind)
	return true, notifyGroup(ctx, s.q, s.c, s.message(NoticeCaseReminder, fmt.Sprintf("Coming up for %s: %s on %s", s.space, what, londonDay(on)),
		k.Description+"\n\nSign in to see the case's plan."), s.c.CaseworkerID)
}

func (s clockStep) review(ctx context.Context) (bool, error) {
	today := workday.DateOf(s.in.At)
	if s.c.ReviewDueOn == nil || today.Before(casework.DateFrom(*s.c.ReviewDueOn)) {
		return false, nil // not due (reviewed already)
	}
	was := casework.DateFrom(*s.c.ReviewDueOn)
	next := casework.DateTime(casework.NextReview(today))
	if _, err := s.q.CaseMarkReviewReminded(ctx, sqlc.CaseMarkReviewRemindedParams{NextReviewOn: &next, ID: s.c.ID,
		ReviewDueOn: s.c.ReviewDueOn}); err != nil {
		return false, fmt.Errorf("mark review reminded: %w", err)
	}
	if err := s.record(ctx, "case.review_due", map[string]any{"review_due_on": was.String(),
		"next_review_on": casework.DateFrom(next).String()}); err != nil {
		return false, err
	}
	m := s.message(NoticeCaseReview, "Review the case for "+s.space,
		fmt.Sprintf("The case for %s is due its review. If the work is done, close it with its outcome; "+
			"if not, plan what is next. We will ask again on %s.", s.space, londonDay(casework.DateFrom(next))))
	m.key += ":" + was.String()
	return true, notify(ctx, s.q, []string{s.c.CaseworkerID}, m)
}
