package activities_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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

// caseBundle is an open case: its group (an admin and a member), its
// caseworker, another caseworker, and the activities.
type caseBundle struct {
	env        *apptest.Env
	acts       *activities.Activities
	ctx        context.Context
	admin      app.Actor // the group's admin, who asked for support
	member     app.Actor
	caseworker app.Actor
	other      app.Actor // another caseworker
	orgID      string
	caseID     string
	at         time.Time
}

func newCaseBundle(t *testing.T) *caseBundle {
	t.Helper()
	env := apptest.New(t)
	b := &caseBundle{env: env, acts: &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)},
		ctx: context.Background(), at: time.Now().UTC().Truncate(time.Microsecond)}
	b.admin = env.User(t, "admin@group.example.org")
	b.member = env.User(t, "member@group.example.org")
	b.caseworker = env.User(t, "caseworker@example.org", app.RoleCaseworker)
	b.other = env.User(t, "caseworker2@example.org", app.RoleCaseworker)
	b.orgID = env.Organisation(t, b.admin, "Old Library Friends").ID
	b.join(t, b.member)
	b.caseID = casetest.Open(t, env.Store, casetest.Case{OrganisationID: b.orgID, RequestedBy: b.admin.ID,
		CaseworkerID: b.caseworker.ID, OpenedAt: b.at.Add(-time.Hour)})
	return b
}

// join makes u a member of the group.
func (b *caseBundle) join(t *testing.T, u app.Actor) {
	t.Helper()
	require.NoError(t, b.env.Store.OrganisationMemberAdd(b.ctx, sqlc.OrganisationMemberAddParams{OrganisationID: b.orgID, UserID: u.ID, Role: "member"}))
}

func who(a app.Actor) workflows.Caller { return workflows.Caller{ID: a.ID, Roles: a.Roles} }

func (b *caseBundle) row(t *testing.T) sqlc.Case {
	t.Helper()
	c, err := b.env.Store.CaseGetForUpdate(b.ctx, b.caseID)
	require.NoError(t, err)
	return c
}

// audit lists the case's chain's actions, verified.
func (b *caseBundle) audit(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, e := range (&bundle{env: b.env, ctx: b.ctx}).chain(t, workflows.CaseChain(b.caseID)) {
		out = append(out, e.Action)
	}
	return out
}

func (b *caseBundle) notes(t *testing.T, u app.Actor, kind string) []sqlc.Notification {
	t.Helper()
	return byKind((&bundle{env: b.env, ctx: b.ctx}).notes(t, u.ID), kind)
}

// snapshot is what a refused Update must leave as it was.
func (b *caseBundle) snapshot(t *testing.T) map[string]string {
	t.Helper()
	return b.env.Snapshot(t, "cases", "case_actions", "case_notes", "case_contacts", "case_key_dates", "case_documents",
		"audit_events", "notifications")
}

func (b *caseBundle) action(caller app.Actor, owner *string, due string) workflows.CaseActionUpdate {
	return workflows.CaseActionUpdate{Caller: who(caller), CaseID: b.caseID, ActionID: id.New("act"), Title: "Ask the council for the lease terms",
		OwnerID: owner, DueOn: due, At: b.at}
}

// Every Update's activity writes its row and its audit event and tells
// the right people; each, run again with the same id, changes nothing.
func TestCaseUpdatesWriteAndRetryIsANoOp(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	cw := who(b.caseworker)
	due := workday.DateOf(b.at).AddDays(10).String()
	doc := workflows.CaseDocumentUpdate{Caller: cw, CaseID: b.caseID, DocumentID: id.New(id.Document), Filename: "lease.pdf",
		ContentType: "application/pdf", SizeBytes: 2048, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Shared: true, At: b.at}
	act := b.action(b.caseworker, &b.member.ID, due)
	private := workflows.CaseNoteUpdate{Caller: cw, CaseID: b.caseID, NoteID: id.New("nte"), Body: "The landlord may sell.", At: b.at}
	shared := workflows.CaseNoteUpdate{Caller: cw, CaseID: b.caseID, NoteID: id.New("nte"), Body: "We met the council.", Shared: true, At: b.at}
	contactAt := b.at.Add(-30 * time.Minute)
	contact := workflows.CaseContactUpdate{Caller: cw, CaseID: b.caseID, ContactID: id.New("con"), ContactAt: contactAt, Kind: "call",
		Minutes: 25, Summary: "First call with the chair.", At: b.at}
	keyDate := workflows.CaseKeyDateUpdate{Caller: cw, CaseID: b.caseID, KeyDateID: id.New("kdt"), Kind: "hearing", On: due,
		Description: "Licensing hearing at the town hall", At: b.at}
	done := workflows.CaseActionStatusUpdate{Caller: cw, CaseID: b.caseID, ActionID: act.ActionID, Status: casework.ActionDone, At: b.at}
	reassign := workflows.CaseReassignUpdate{Caller: cw, CaseID: b.caseID, CaseworkerID: b.other.ID, At: b.at}
	steps := []struct {
		name string
		run  func() (workflows.CaseUpdateResult, error)
	}{
		{"action", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddAction(b.ctx, act) }},
		{"done", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseActionStatus(b.ctx, done) }},
		{"private note", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddNote(b.ctx, private) }},
		{"shared note", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddNote(b.ctx, shared) }},
		{"contact", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddContact(b.ctx, contact) }},
		{"key date", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddKeyDate(b.ctx, keyDate) }},
		{"document", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseAddDocument(b.ctx, doc) }},
		{"reassign", func() (workflows.CaseUpdateResult, error) { return b.acts.CaseReassign(b.ctx, reassign) }},
	}
	for _, s := range steps {
		res, err := s.run()
		require.NoError(t, err, s.name)
		require.Equal(t, casework.CaseOpen, res.Status, s.name)
		before := b.snapshot(t)
		_, err = s.run()
		require.NoError(t, err, s.name+" again")
		require.Equal(t, before, b.snapshot(t), "%s again changed nothing", s.name)
	}
	require.Equal(t, []string{"case.action_added", "case.action_done", "case.note_added", "case.note_added", "case.contact_logged",
		"case.key_date_added", "case.document_added", "case.reassigned"}, b.audit(t))

	c := b.row(t)
	require.Equal(t, b.other.ID, c.CaseworkerID)
	require.NotNil(t, c.FirstContactAt)
	require.True(t, contactAt.Truncate(time.Microsecond).Equal(*c.FirstContactAt))
	a, err := b.env.Store.CaseActionGet(b.ctx, sqlc.CaseActionGetParams{ID: act.ActionID, CaseID: b.caseID})
	require.NoError(t, err)
	require.Equal(t, casework.ActionDone, a.Status)
	require.Equal(t, b.member.ID, *a.OwnerID)
	notes, err := b.env.Store.CaseNoteList(b.ctx, sqlc.CaseNoteListParams{CaseIds: []string{b.caseID}, SharedOnly: true})
	require.NoError(t, err)
	require.Len(t, notes, 1, "members see the shared note only")
	require.Equal(t, shared.NoteID, notes[0].ID)
	docs, err := b.env.Store.CaseDocumentList(b.ctx, sqlc.CaseDocumentListParams{CaseIds: []string{b.caseID}})
	require.NoError(t, err)
	require.Len(t, docs, 1)
	require.True(t, b.at.Equal(docs[0].CreatedAt), "recorded at the workflow's time")

	// Notes' text stays out of the audit trail.
	var leaked int
	require.NoError(t, b.env.Store.Pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_events WHERE chain = $1
		AND (data::text LIKE '%landlord may sell%' OR data::text LIKE '%met the council%' OR data::text LIKE '%First call%')`,
		workflows.CaseChain(b.caseID)).Scan(&leaked))
	require.Zero(t, leaked)

	// Who was told what.
	require.Len(t, b.notes(t, b.member, activities.NoticeCaseAction), 1, "the action's owner")
	require.Len(t, b.notes(t, b.member, activities.NoticeCaseNote), 1, "the shared note, not the private one")
	require.Len(t, b.notes(t, b.admin, activities.NoticeCaseNote), 1)
	require.Len(t, b.notes(t, b.admin, activities.NoticeCaseKeyDate), 1)
	require.Empty(t, b.notes(t, b.caseworker, activities.NoticeCaseNote), "staff's own notes tell no staff")
	require.Len(t, b.notes(t, b.other, activities.NoticeCaseAssigned), 1)
}

// A member of the group adds notes too: always shared, and the caseworker
// is told; someone who is neither staff on the case nor a member cannot.
func TestCaseMemberNoteIsShared(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	note := workflows.CaseNoteUpdate{Caller: who(b.member), CaseID: b.caseID, NoteID: id.New("nte"), Body: "The landlord called us.", Shared: false, At: b.at}
	_, err := b.acts.CaseAddNote(b.ctx, note)
	require.NoError(t, err)
	notes, err := b.env.Store.CaseNoteList(b.ctx, sqlc.CaseNoteListParams{CaseIds: []string{b.caseID}, SharedOnly: true})
	require.NoError(t, err)
	require.Len(t, notes, 1)
	require.True(t, notes[0].Shared, "a member's note is shared")
	require.Len(t, b.notes(t, b.caseworker, activities.NoticeCaseNote), 1)
	require.Empty(t, b.notes(t, b.member, activities.NoticeCaseNote))

	before := b.snapshot(t)
	stranger := b.env.User(t, "stranger@example.org")
	manager := b.env.Manager
	for _, u := range []app.Actor{stranger, manager} {
		_, err = b.acts.CaseAddNote(b.ctx, workflows.CaseNoteUpdate{Caller: who(u), CaseID: b.caseID, NoteID: id.New("nte"), Body: "Hello", At: b.at})
		r := requireRejection(t, err, workflows.RejectForbidden)
		require.Equal(t, workflows.RefuseNotCaseParty, r.Message)
	}
	require.Equal(t, before, b.snapshot(t))
}

// A member's document is always shared; someone outside the case is
// refused.
func TestCaseMemberDocumentIsShared(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	doc := workflows.CaseDocumentUpdate{Caller: who(b.member), CaseID: b.caseID, DocumentID: id.New("doc"), Filename: "lease.pdf",
		ContentType: "application/pdf", SizeBytes: 10, SHA256: strings.Repeat("a", 64), Shared: false, At: b.at}
	_, err := b.acts.CaseAddDocument(b.ctx, doc)
	require.NoError(t, err)
	docs, err := b.env.Store.CaseDocumentList(b.ctx, sqlc.CaseDocumentListParams{CaseIds: []string{b.caseID}, SharedOnly: true})
	require.NoError(t, err)
	require.Len(t, docs, 1)
	require.True(t, docs[0].Shared)

	before := b.snapshot(t)
	doc.Caller, doc.DocumentID = who(b.env.User(t, "stranger@example.org")), id.New("doc")
	_, err = b.acts.CaseAddDocument(b.ctx, doc)
	requireRejection(t, err, workflows.RejectForbidden)
	require.Equal(t, before, b.snapshot(t))
}

// Least privilege: a caseworker who belongs to the group cannot work its
// case as staff (a note from them is a member's note); nor can a
// deactivated caseworker, nor someone without the role; an action's owner
// must be on the case; a case goes only to a caseworker outside the group.
func TestCaseCallersCheckedAgainstPostgreSQL(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	inside := b.env.User(t, "caseworker-inside@example.org", app.RoleCaseworker)
	b.join(t, inside)
	gone := b.env.User(t, "caseworker-gone@example.org", app.RoleCaseworker)
	_, err := b.env.Store.UserSetDeactivated(b.ctx, sqlc.UserSetDeactivatedParams{ID: gone.ID, DeactivatedAt: &b.at})
	require.NoError(t, err)
	due := workday.DateOf(b.at).AddDays(5).String()
	stranger := b.env.User(t, "stranger@example.org")
	before := b.snapshot(t)

	_, err = b.acts.CaseAddAction(b.ctx, b.action(inside, nil, due))
	require.Equal(t, workflows.RefuseOwnOrganisation, requireRejection(t, err, workflows.RejectForbidden).Message)
	_, err = b.acts.CaseAddAction(b.ctx, b.action(gone, nil, due))
	require.Equal(t, workflows.RefuseNotCaseworker, requireRejection(t, err, workflows.RejectForbidden).Message)
	// Roles claimed by the caller are not believed.
	_, err = b.acts.CaseAddAction(b.ctx, workflows.CaseActionUpdate{Caller: workflows.Caller{ID: stranger.ID, Roles: []string{workflows.RoleCaseworker}},
		CaseID: b.caseID, ActionID: id.New("act"), Title: "x", DueOn: due, At: b.at})
	requireRejection(t, err, workflows.RejectForbidden)
	_, err = b.acts.CaseAddAction(b.ctx, b.action(b.caseworker, &stranger.ID, due))
	require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "owner_id")
	_, err = b.acts.CaseAddAction(b.ctx, b.action(b.caseworker, &gone.ID, due))
	require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "owner_id", "a deactivated owner")
	for _, to := range []app.Actor{inside, gone, stranger} {
		_, err = b.acts.CaseReassign(b.ctx, workflows.CaseReassignUpdate{Caller: who(b.caseworker), CaseID: b.caseID, CaseworkerID: to.ID, At: b.at})
		require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "caseworker_id", to.Email)
	}
	_, err = b.acts.CaseActionStatus(b.ctx, workflows.CaseActionStatusUpdate{Caller: who(b.caseworker), CaseID: b.caseID, ActionID: id.New("act"),
		Status: casework.ActionDone, At: b.at})
	requireRejection(t, err, workflows.RejectNotFound)
	require.Equal(t, before, b.snapshot(t), "nothing changed")

	// Owners may be other caseworkers or members of the group.
	for _, owner := range []app.Actor{b.other, b.admin, inside} {
		_, err = b.acts.CaseAddAction(b.ctx, b.action(b.caseworker, &owner.ID, due))
		require.NoError(t, err, owner.Email)
	}
	// The caseworker inside the group may still add a note, as a member:
	// shared whatever they asked.
	note := workflows.CaseNoteUpdate{Caller: who(inside), CaseID: b.caseID, NoteID: id.New("nte"), Body: "As a trustee: thanks.", At: b.at}
	_, err = b.acts.CaseAddNote(b.ctx, note)
	require.NoError(t, err)
	notes, err := b.env.Store.CaseNoteList(b.ctx, sqlc.CaseNoteListParams{CaseIds: []string{b.caseID}, SharedOnly: true})
	require.NoError(t, err)
	require.Len(t, notes, 1)
	require.Equal(t, inside.ID, notes[0].AuthorID)
}

// A closed case refuses every Update, a second close included; the
// close itself, run again, finds itself done.
func TestClosedCaseRefusesEverything(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	cw := who(b.caseworker)
	closeIt := workflows.CaseCloseUpdate{Caller: cw, CaseID: b.caseID, Outcome: "lease_renewed", Summary: "A new ten-year lease at the old rent.", At: b.at}
	res, err := b.acts.CaseClose(b.ctx, closeIt)
	require.NoError(t, err)
	require.Equal(t, casework.CaseClosed, res.Status)
	c := b.row(t)
	require.Equal(t, "lease_renewed", *c.Outcome)
	closed := b.notes(t, b.member, activities.NoticeCaseClosed)
	require.Len(t, closed, 1)
	require.Contains(t, closed[0].Subject, "Lease renewed")
	require.Len(t, b.notes(t, b.admin, activities.NoticeCaseClosed), 1)

	before := b.snapshot(t)
	res, err = b.acts.CaseClose(b.ctx, closeIt)
	require.NoError(t, err, "a retry of the close")
	require.Equal(t, casework.CaseClosed, res.Status)
	require.Equal(t, before, b.snapshot(t))

	due := workday.DateOf(b.at).AddDays(5).String()
	for name, run := range map[string]func() error{
		"close again": func() error {
			again := closeIt
			again.At = b.at.Add(time.Minute)
			_, err := b.acts.CaseClose(b.ctx, again)
			return err
		},
		"action": func() error { _, err := b.acts.CaseAddAction(b.ctx, b.action(b.caseworker, nil, due)); return err },
		"status": func() error {
			_, err := b.acts.CaseActionStatus(b.ctx, workflows.CaseActionStatusUpdate{Caller: cw, CaseID: b.caseID, ActionID: "act_x", Status: "done", At: b.at})
			return err
		},
		"note": func() error {
			_, err := b.acts.CaseAddNote(b.ctx, workflows.CaseNoteUpdate{Caller: who(b.member), CaseID: b.caseID, NoteID: id.New("nte"), Body: "x", At: b.at})
			return err
		},
		"contact": func() error {
			_, err := b.acts.CaseAddContact(b.ctx, workflows.CaseContactUpdate{Caller: cw, CaseID: b.caseID, ContactID: id.New("con"), ContactAt: b.at,
				Kind: "call", Minutes: 5, Summary: "x", At: b.at})
			return err
		},
		"key date": func() error {
			_, err := b.acts.CaseAddKeyDate(b.ctx, workflows.CaseKeyDateUpdate{Caller: cw, CaseID: b.caseID, KeyDateID: id.New("kdt"), Kind: "notice",
				On: due, Description: "x", At: b.at})
			return err
		},
		"document": func() error {
			_, err := b.acts.CaseAddDocument(b.ctx, workflows.CaseDocumentUpdate{Caller: cw, CaseID: b.caseID, DocumentID: id.New(id.Document),
				Filename: "a.pdf", ContentType: "application/pdf", SizeBytes: 1, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", At: b.at})
			return err
		},
		"reassign": func() error {
			_, err := b.acts.CaseReassign(b.ctx, workflows.CaseReassignUpdate{Caller: cw, CaseID: b.caseID, CaseworkerID: b.other.ID, At: b.at})
			return err
		},
	} {
		r := requireRejection(t, run(), workflows.RejectInvalidState)
		require.Equal(t, workflows.RefuseCaseClosed, r.Message, name)
	}
	require.Equal(t, before, b.snapshot(t), "nothing changed")
	require.Equal(t, []string{"case.closed"}, b.audit(t))

	clock, err := b.acts.LoadCaseClock(b.ctx, workflows.CaseInput{CaseID: b.caseID})
	require.NoError(t, err)
	require.Equal(t, casework.CaseClosed, clock.Status)
	require.Equal(t, "lease_renewed", clock.Outcome)
	step, err := b.acts.CaseClockStep(b.ctx, workflows.CaseClockStep{CaseID: b.caseID, Step: workflows.CaseStepReview, At: b.at.Add(365 * 24 * time.Hour)})
	require.NoError(t, err)
	require.False(t, step.Changed, "a closed case's clock does nothing")
}

// The clock's steps mark and tell once: a retry tells nobody twice, and a
// step PostgreSQL no longer needs (a contact logged, an action done)
// changes nothing.
func TestCaseClockStepsTellOnce(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	cw := who(b.caseworker)
	ownerless := b.action(b.caseworker, nil, workday.DateOf(b.at).AddDays(3).String())
	owned := b.action(b.caseworker, &b.member.ID, workday.DateOf(b.at).AddDays(4).String())
	finished := b.action(b.caseworker, nil, workday.DateOf(b.at).AddDays(4).String())
	for _, a := range []workflows.CaseActionUpdate{ownerless, owned, finished} {
		_, err := b.acts.CaseAddAction(b.ctx, a)
		require.NoError(t, err)
	}
	_, err := b.acts.CaseActionStatus(b.ctx, workflows.CaseActionStatusUpdate{Caller: cw, CaseID: b.caseID, ActionID: finished.ActionID,
		Status: casework.ActionDone, At: b.at})
	require.NoError(t, err)
	keyDate := workflows.CaseKeyDateUpdate{Caller: cw, CaseID: b.caseID, KeyDateID: id.New("kdt"), Kind: "lease_end",
		On: workday.DateOf(b.at).AddDays(20).String(), Description: "The lease ends", At: b.at}
	_, err = b.acts.CaseAddKeyDate(b.ctx, keyDate)
	require.NoError(t, err)

	clock, err := b.acts.LoadCaseClock(b.ctx, workflows.CaseInput{CaseID: b.caseID})
	require.NoError(t, err)
	require.Equal(t, casework.CaseOpen, clock.Status)
	require.Nil(t, clock.FirstContactAt)
	require.Len(t, clock.Actions, 2, "open actions only")
	require.Len(t, clock.KeyDates, 1)
	require.Equal(t, keyDate.On, clock.KeyDates[0].On)
	require.Equal(t, casework.NextReview(workday.DateOf(b.at.Add(-time.Hour))).String(), clock.ReviewDueOn)

	run := func(step, itemID string, at time.Time) bool {
		t.Helper()
		res, err := b.acts.CaseClockStep(b.ctx, workflows.CaseClockStep{CaseID: b.caseID, Step: step, ID: itemID, At: at})
		require.NoError(t, err, step)
		return res.Changed
	}
	later := b.at.Add(time.Hour)
	for _, s := range []struct{ step, id string }{
		{workflows.CaseStepEscalateFirstContact, ""},
		{workflows.CaseStepRemindAction, ownerless.ActionID},
		{workflows.CaseStepRemindAction, owned.ActionID},
		{workflows.CaseStepEscalateAction, owned.ActionID},
		{workflows.CaseStepRemindKeyDateWeek, keyDate.KeyDateID},
		{workflows.CaseStepRemindKeyDateDay, keyDate.KeyDateID},
	} {
		require.True(t, run(s.step, s.id, later), s.step)
		require.False(t, run(s.step, s.id, later), "%s again", s.step)
	}
	require.False(t, run(workflows.CaseStepRemindAction, finished.ActionID, later), "a done action is not reminded")

	require.Len(t, b.notes(t, b.caseworker, activities.NoticeCaseEscalation), 2, "first contact and the owned action")
	require.Len(t, b.notes(t, b.env.Manager, activities.NoticeCaseEscalation), 2, "the casework lead")
	require.Len(t, b.notes(t, b.caseworker, activities.NoticeCaseReminder), 3, "the ownerless action and the key date twice")
	require.Len(t, b.notes(t, b.member, activities.NoticeCaseReminder), 3, "the owned action and the key date twice")
	require.Len(t, b.notes(t, b.admin, activities.NoticeCaseReminder), 2, "the key date twice")

	// The review: asked once per review date, the next set ReviewEvery
	// working days after the day it was asked.
	reviewDay := casework.DateFrom(*b.row(t).ReviewDueOn)
	require.False(t, run(workflows.CaseStepReview, "", reviewDay.AddDays(-1).At(9, 0, 0, 0)), "not before its day")
	asked := reviewDay.At(9, 0, 0, 0)
	require.True(t, run(workflows.CaseStepReview, "", asked))
	require.False(t, run(workflows.CaseStepReview, "", asked))
	c := b.row(t)
	require.Equal(t, casework.NextReview(reviewDay), casework.DateFrom(*c.ReviewDueOn))
	require.Equal(t, reviewDay, casework.DateFrom(*c.ReviewRemindedOn))
	require.Len(t, b.notes(t, b.caseworker, activities.NoticeCaseReview), 1)

	require.Equal(t, []string{"case.action_added", "case.action_added", "case.action_added", "case.action_done", "case.key_date_added",
		"case.first_contact_escalated", "case.action_reminded", "case.action_reminded", "case.action_escalated",
		"case.key_date_reminded", "case.key_date_reminded", "case.review_due"}, b.audit(t))

	clock, err = b.acts.LoadCaseClock(b.ctx, workflows.CaseInput{CaseID: b.caseID})
	require.NoError(t, err)
	require.True(t, clock.FirstContactEscalated)
	require.Len(t, clock.Actions, 1, "the escalated action is done with")
	require.Equal(t, workflows.CaseClockItem{ID: ownerless.ActionID, DueOn: ownerless.DueOn, Reminded: true, AddedAt: clock.Actions[0].AddedAt},
		clock.Actions[0])
	require.True(t, b.at.Equal(clock.Actions[0].AddedAt), "added at the workflow's time")
	require.Empty(t, clock.KeyDates, "reminded the day before: done with")
}

// A contact logged before the promise is missed stops the escalation.
func TestCaseFirstContactKeptIsNotEscalated(t *testing.T) {
	t.Parallel()
	b := newCaseBundle(t)
	_, err := b.acts.CaseAddContact(b.ctx, workflows.CaseContactUpdate{Caller: who(b.caseworker), CaseID: b.caseID, ContactID: id.New("con"),
		ContactAt: b.at, Kind: "visit", Minutes: 90, Summary: "Visited the hall", At: b.at})
	require.NoError(t, err)
	res, err := b.acts.CaseClockStep(b.ctx, workflows.CaseClockStep{CaseID: b.caseID, Step: workflows.CaseStepEscalateFirstContact, At: b.at})
	require.NoError(t, err)
	require.False(t, res.Changed)
	require.Empty(t, b.notes(t, b.env.Manager, activities.NoticeCaseEscalation))
	_, err = b.acts.CaseAddContact(b.ctx, workflows.CaseContactUpdate{Caller: who(b.caseworker), CaseID: b.caseID, ContactID: id.New("con"),
		ContactAt: b.at, Kind: "phone", Minutes: 5, Summary: "x", At: b.at})
	require.Contains(t, requireRejection(t, err, workflows.RejectInvalid).Fields, "kind")
}
