package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Case is a Spaces at Risk case. Caseworkers see all of it; the group's
// members see its shared parts: status, the plan (next steps), key dates,
// shared notes and documents, the outcome — never contacts, private notes
// or time spent.
type Case struct {
	ID               string  `json:"id"`
	OrganisationID   string  `json:"organisation_id"`
	OrganisationName string  `json:"organisation_name"`
	SupportRequestID string  `json:"support_request_id"`
	ApplicationID    *string `json:"application_id"`
	CaseworkerID     string  `json:"caseworker_id"`
	CaseworkerName   string  `json:"caseworker_name"`
	Status           string  `json:"status"`
	Space            struct {
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		Borough string `json:"borough"`
	} `json:"space"`
	Risk struct {
		Kind    string  `json:"kind"`
		KeyDate *string `json:"key_date"`
	} `json:"risk"`
	OpenedAt          time.Time      `json:"opened_at"`
	FirstContactDueOn string         `json:"first_contact_due_on"`
	FirstContactAt    *time.Time     `json:"first_contact_at"`
	Actions           []CaseAction   `json:"actions"`
	KeyDates          []CaseKeyDate  `json:"key_dates"`
	Notes             []CaseNote     `json:"notes"`
	Documents         []CaseDocument `json:"documents"`
	// Contacts and Minutes are for caseworkers only.
	Contacts       []CaseContact `json:"contacts,omitempty"`
	Minutes        *int64        `json:"minutes,omitempty"`
	Outcome        *string       `json:"outcome"`
	OutcomeSummary *string       `json:"outcome_summary"`
	ClosedAt       *time.Time    `json:"closed_at"`
}

// CaseAction is one step of a case's plan.
type CaseAction struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	OwnerID   *string    `json:"owner_id"`
	OwnerName *string    `json:"owner_name"`
	DueOn     string     `json:"due_on"`
	Status    string     `json:"status"`
	DoneAt    *time.Time `json:"done_at"`
}

// CaseKeyDate is a date the space's future turns on.
type CaseKeyDate struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	On          string `json:"on"`
	Description string `json:"description"`
}

// CaseNote is a note on a case (DESIGN §10 shape).
type CaseNote struct {
	ID         string    `json:"id"`
	Body       string    `json:"body"`
	Shared     bool      `json:"shared"`
	AuthorID   string    `json:"author_id"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// CaseContact is a logged contact or meeting.
type CaseContact struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	Kind         string    `json:"kind"`
	Minutes      int32     `json:"minutes"`
	Summary      string    `json:"summary"`
	RecordedBy   string    `json:"recorded_by"`
	RecordedName string    `json:"recorded_by_name"`
}

// CaseDocument is a document of a case.
type CaseDocument struct {
	ID          string    `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	Shared      bool      `json:"shared"`
	CreatedAt   time.Time `json:"created_at"`
}

func caseDocumentView(d sqlc.CaseDocument) CaseDocument {
	return CaseDocument{ID: d.ID, Filename: d.Filename, ContentType: d.ContentType, SizeBytes: d.SizeBytes, SHA256: d.Sha256,
		Shared: d.Shared, CreatedAt: d.CreatedAt}
}

// Download is the document as SetDownloadHeaders takes it.
func (d CaseDocument) Download() Document {
	return Document{ID: d.ID, Filename: d.Filename, ContentType: d.ContentType, SizeBytes: d.SizeBytes, SHA256: d.SHA256,
		CreatedAt: d.CreatedAt}
}

// CaseFilter is the query of GET /cases: status (open, closed), mine
// (true: the caller's cases) and organisation_id.
type CaseFilter struct {
	Status         string
	Mine           string
	OrganisationID string
	Page           PageQuery
}

// caseReader is who reads a case: its caseworkers see everything.
type caseReader struct {
	staff bool
}

// loadCase reads a case for actor: a caseworker, or a member of its
// organisation (anyone else: 404).
func (a *App) loadCase(ctx context.Context, q *sqlc.Queries, actor Actor, caseID string) (sqlc.CaseGetRow, caseReader, error) {
	if !id.Valid(id.Case, caseID) {
		return sqlc.CaseGetRow{}, caseReader{}, notFound("Case")
	}
	c, err := q.CaseGet(ctx, caseID)
	if isNotFound(err) {
		return c, caseReader{}, notFound("Case")
	}
	if err != nil {
		return c, caseReader{}, fmt.Errorf("get case: %w", err)
	}
	if actor.Has(RoleCaseworker) {
		return c, caseReader{staff: true}, nil
	}
	role, err := memberRole(ctx, q, c.OrganisationID, actor.ID)
	if err != nil {
		return c, caseReader{}, err
	}
	if role == "" {
		return c, caseReader{}, notFound("Case")
	}
	return c, caseReader{}, nil
}

// GetCase reads a case with its plan, key dates, notes and documents.
func (a *App) GetCase(ctx context.Context, actor Actor, caseID string) (Case, error) {
	c, who, err := a.loadCase(ctx, a.store.Queries, actor, caseID)
	if err != nil {
		return Case{}, err
	}
	return a.caseView(ctx, a.store.Queries, c, who)
}

func (a *App) caseView(ctx context.Context, q *sqlc.Queries, c sqlc.CaseGetRow, who caseReader) (Case, error) {
	out := Case{ID: c.ID, OrganisationID: c.OrganisationID, OrganisationName: c.OrganisationName, SupportRequestID: c.SupportRequestID,
		ApplicationID: c.ApplicationID, CaseworkerID: c.CaseworkerID, CaseworkerName: c.CaseworkerName, Status: c.Status,
		OpenedAt: c.OpenedAt, FirstContactDueOn: dateString(c.FirstContactDueOn), FirstContactAt: c.FirstContactAt,
		Outcome: c.Outcome, OutcomeSummary: c.OutcomeSummary, ClosedAt: c.ClosedAt}
	out.Space.Name, out.Space.Kind, out.Space.Borough = c.SpaceName, c.SpaceKind, c.BoroughName
	out.Risk.Kind, out.Risk.KeyDate = c.RiskKind, optionalDate(c.RiskKeyDate)
	one := []Case{out}
	if err := a.caseParts(ctx, q, one, who); err != nil {
		return Case{}, err
	}
	return one[0], nil
}

func caseActionView(r sqlc.CaseActionListRow) CaseAction {
	return CaseAction{ID: r.ID, Title: r.Title, OwnerID: r.OwnerID, OwnerName: r.OwnerName, DueOn: dateString(r.DueOn),
		Status: r.Status, DoneAt: r.DoneAt}
}

func caseKeyDateView(r sqlc.CaseKeyDate) CaseKeyDate {
	return CaseKeyDate{ID: r.ID, Kind: r.Kind, On: dateString(r.On), Description: r.Description}
}

func caseNoteView(r sqlc.CaseNoteListRow) CaseNote {
	return CaseNote{ID: r.ID, Body: r.Body, Shared: r.Shared, AuthorID: r.AuthorID, AuthorName: r.AuthorName, CreatedAt: r.CreatedAt}
}

func caseContactView(r sqlc.CaseContactListRow) CaseContact {
	return CaseContact{ID: r.ID, At: r.At, Kind: r.Kind, Minutes: r.Minutes, Summary: r.Summary, RecordedBy: r.RecordedBy,
		RecordedName: r.RecordedByName}
}

// rowByID is the view of the row of rows with id (what a case command
// just added), or not found naming what.
func rowByID[R, T any](rows []R, id string, key func(R) string, view func(R) T, what string) (T, error) {
	for _, r := range rows {
		if key(r) == id {
			return view(r), nil
		}
	}
	var zero T
	return zero, notFound(what)
}

// caseParts reads the lists of the cases out (one, or a page of them) in
// one query per kind of list, whatever their number.
func (a *App) caseParts(ctx context.Context, q *sqlc.Queries, out []Case, who caseReader) error {
	ids := make([]string, len(out))
	at := make(map[string]*Case, len(out))
	for i := range out {
		c := &out[i]
		ids[i], at[c.ID] = c.ID, c
		c.Actions, c.KeyDates, c.Notes, c.Documents = []CaseAction{}, []CaseKeyDate{}, []CaseNote{}, []CaseDocument{}
	}
	actions, err := q.CaseActionList(ctx, ids)
	if err != nil {
		return fmt.Errorf("list actions: %w", err)
	}
	for _, r := range actions {
		c := at[r.CaseID]
		c.Actions = append(c.Actions, caseActionView(r))
	}
	dates, err := q.CaseKeyDateList(ctx, ids)
	if err != nil {
		return fmt.Errorf("list key dates: %w", err)
	}
	for _, r := range dates {
		c := at[r.CaseID]
		c.KeyDates = append(c.KeyDates, caseKeyDateView(r))
	}
	notes, err := q.CaseNoteList(ctx, sqlc.CaseNoteListParams{CaseIds: ids, SharedOnly: !who.staff})
	if err != nil {
		return fmt.Errorf("list notes: %w", err)
	}
	for _, r := range notes {
		c := at[r.CaseID]
		c.Notes = append(c.Notes, caseNoteView(r))
	}
	docs, err := q.CaseDocumentList(ctx, sqlc.CaseDocumentListParams{CaseIds: ids, SharedOnly: !who.staff})
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	for _, d := range docs {
		c := at[d.CaseID]
		c.Documents = append(c.Documents, caseDocumentView(d))
	}
	if !who.staff {
		return nil
	}
	contacts, err := q.CaseContactList(ctx, ids)
	if err != nil {
		return fmt.Errorf("list contacts: %w", err)
	}
	for i := range out {
		out[i].Contacts, out[i].Minutes = []CaseContact{}, new(int64)
	}
	for _, r := range contacts {
		c := at[r.CaseID]
		c.Contacts = append(c.Contacts, caseContactView(r))
		*c.Minutes += int64(r.Minutes)
	}
	return nil
}

// ListCases lists cases, newest first: a caseworker's view of every case
// (mine=true: their own), a member's of their organisations'.
func (a *App) ListCases(ctx context.Context, actor Actor, f CaseFilter) (Page[Case], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Case, fields)
	if f.Status != "" && f.Status != casework.CaseOpen && f.Status != casework.CaseClosed {
		fields["status"] = "Status must be open or closed"
	}
	if f.Mine != "" && f.Mine != "true" && f.Mine != "false" {
		fields["mine"] = "Mine must be true or false"
	}
	if len(fields) > 0 {
		return Page[Case]{}, Invalid(fields)
	}
	params := sqlc.CaseListParams{After: cursor, RowLimit: limit, Status: optional(f.Status)}
	staff := actor.Has(RoleCaseworker)
	switch {
	case staff:
		if f.Mine == "true" {
			params.CaseworkerID = &actor.ID
		}
		if f.OrganisationID != "" {
			params.OrganisationIds = []string{f.OrganisationID}
		}
	default:
		orgs, err := a.store.OrganisationMembershipsForUser(ctx, actor.ID)
		if err != nil {
			return Page[Case]{}, fmt.Errorf("memberships: %w", err)
		}
		params.OrganisationIds = []string{}
		for _, o := range orgs {
			if f.OrganisationID == "" || o.OrganisationID == f.OrganisationID {
				params.OrganisationIds = append(params.OrganisationIds, o.OrganisationID)
			}
		}
	}
	rows, err := a.store.CaseList(ctx, params)
	if err != nil {
		return Page[Case]{}, fmt.Errorf("list cases: %w", err)
	}
	page, err := pageOf(rows, limit, func(r sqlc.CaseListRow) string { return r.ID }, func(r sqlc.CaseListRow) (Case, error) {
		out := Case{ID: r.ID, OrganisationID: r.OrganisationID, OrganisationName: r.OrganisationName, SupportRequestID: r.SupportRequestID,
			CaseworkerID: r.CaseworkerID, CaseworkerName: r.CaseworkerName, Status: r.Status, OpenedAt: r.OpenedAt,
			FirstContactDueOn: dateString(r.FirstContactDueOn), FirstContactAt: r.FirstContactAt, Outcome: r.Outcome,
			OutcomeSummary: r.OutcomeSummary, ClosedAt: r.ClosedAt}
		out.Space.Name, out.Space.Kind, out.Space.Borough = r.SpaceName, r.SpaceKind, r.BoroughName
		out.Risk.Kind, out.Risk.KeyDate = r.RiskKind, optionalDate(r.RiskKeyDate)
		return out, nil
	})
	if err != nil {
		return Page[Case]{}, err
	}
	return page, a.caseParts(ctx, a.store.Queries, page.Items, caseReader{staff: staff})
}

// updateCaseWorkflow sends an Update to a case's workflow: 409 not_ready
// while the case is open but its workflow is still starting, 409
// invalid_state once it has closed.
func (a *App) updateCaseWorkflow(ctx context.Context, caseID, updateName string, arg any) error {
	return a.updateWorkflow(ctx, workflowTarget{
		id: workflows.CaseWorkflowID(caseID), what: "case", objectID: caseID,
		notReady: "This case is still being opened; try again in a moment",
		ended:    "This case is closed",
		live: func(ctx context.Context) (bool, error) {
			c, err := a.store.CaseGetForUpdate(ctx, caseID)
			return err == nil && c.Status == casework.CaseOpen, err
		},
	}, updateName, arg, nil)
}

// caseCommand runs the checks every change to a case starts with, in the
// order of DESIGN §7: a caseworker (staffOnly) or member may see the case
// (else 404); a caseworker never acts on their own organisation's case
// (403); the case is open (409). It returns the case.
func (a *App) caseCommand(ctx context.Context, actor Actor, caseID string, staffOnly bool) (sqlc.CaseGetRow, caseReader, error) {
	c, who, err := a.loadCase(ctx, a.store.Queries, actor, caseID)
	if err != nil {
		return c, who, err
	}
	if staffOnly && !who.staff {
		return c, who, forbidden("Only caseworkers can do this")
	}
	if who.staff {
		if err := a.notOwnOrganisation(ctx, a.store.Queries, actor.ID, c.OrganisationID); err != nil {
			return c, who, err
		}
	}
	if c.Status != casework.CaseOpen {
		return c, who, invalidState("This case is closed")
	}
	return c, who, nil
}

// CaseActionInput is the body of POST /cases/{id}/actions.
type CaseActionInput struct {
	Title   string  `json:"title"`
	OwnerID *string `json:"owner_id"`
	DueOn   string  `json:"due_on"`
}

// AddCaseAction adds a step to a case's plan (caseworkers).
func (a *App) AddCaseAction(ctx context.Context, actor Actor, caseID string, body Body) (CaseAction, error) {
	if _, _, err := a.caseCommand(ctx, actor, caseID, true); err != nil {
		return CaseAction{}, err
	}
	var in CaseActionInput
	if err := body(&in); err != nil {
		return CaseAction{}, err
	}
	fields := map[string]string{}
	in.Title = strings.TrimSpace(in.Title)
	casework.CheckText(in.Title, casework.MaxShortText, "title", "Say what is to be done", fields)
	if in.DueOn == "" {
		fields["due_on"] = "Enter the date it is due, like 2027-03-31"
	} else if d, ok := casework.CheckDate(in.DueOn, "due_on", "The due date", a.today(), fields); ok {
		in.DueOn = d.String()
	}
	if in.OwnerID != nil && !id.Valid(id.User, *in.OwnerID) {
		fields["owner_id"] = "Choose the person who will do it"
	}
	if len(fields) > 0 {
		return CaseAction{}, Invalid(fields)
	}
	actionID := id.New(id.CaseAction)
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseAddAction, workflows.CaseActionUpdate{Caller: caller(actor),
		CaseID: caseID, ActionID: actionID, Title: in.Title, OwnerID: in.OwnerID, DueOn: in.DueOn}); err != nil {
		return CaseAction{}, err
	}
	return a.caseAction(ctx, caseID, actionID)
}

func (a *App) caseAction(ctx context.Context, caseID, actionID string) (CaseAction, error) {
	rows, err := a.store.CaseActionList(ctx, []string{caseID})
	if err != nil {
		return CaseAction{}, fmt.Errorf("list actions: %w", err)
	}
	return rowByID(rows, actionID, func(r sqlc.CaseActionListRow) string { return r.ID }, caseActionView, "Action")
}

// CaseActionStatusInput is the body of PATCH /cases/{id}/actions/{action_id}.
type CaseActionStatusInput struct {
	Status string `json:"status"`
}

// SetCaseActionStatus marks a step done, or open again (caseworkers).
func (a *App) SetCaseActionStatus(ctx context.Context, actor Actor, caseID, actionID string, body Body) (CaseAction, error) {
	if _, _, err := a.caseCommand(ctx, actor, caseID, true); err != nil {
		return CaseAction{}, err
	}
	if !id.Valid(id.CaseAction, actionID) {
		return CaseAction{}, notFound("Action")
	}
	if _, err := a.store.CaseActionGet(ctx, sqlc.CaseActionGetParams{ID: actionID, CaseID: caseID}); err != nil {
		if isNotFound(err) {
			return CaseAction{}, notFound("Action")
		}
		return CaseAction{}, fmt.Errorf("get action: %w", err)
	}
	var in CaseActionStatusInput
	if err := body(&in); err != nil {
		return CaseAction{}, err
	}
	if in.Status != casework.ActionOpen && in.Status != casework.ActionDone {
		return CaseAction{}, Invalid(map[string]string{"status": "Status must be open or done"})
	}
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseActionStatus, workflows.CaseActionStatusUpdate{Caller: caller(actor),
		CaseID: caseID, ActionID: actionID, Status: in.Status}); err != nil {
		return CaseAction{}, err
	}
	return a.caseAction(ctx, caseID, actionID)
}

// CaseNoteInput is the body of POST /cases/{id}/notes.
type CaseNoteInput struct {
	Body   string `json:"body"`
	Shared *bool  `json:"shared"`
}

// AddCaseNote adds a note: a caseworker's is private unless shared; a
// member's is always shared with the caseworker and the group.
func (a *App) AddCaseNote(ctx context.Context, actor Actor, caseID string, body Body) (CaseNote, error) {
	_, who, err := a.caseCommand(ctx, actor, caseID, false)
	if err != nil {
		return CaseNote{}, err
	}
	var in CaseNoteInput
	if err := body(&in); err != nil {
		return CaseNote{}, err
	}
	fields := map[string]string{}
	casework.CheckText(in.Body, casework.MaxNote, "body", "Write the note", fields)
	shared := !who.staff
	if who.staff {
		if in.Shared == nil {
			fields["shared"] = "Say whether the group sees this note"
		} else {
			shared = *in.Shared
		}
	} else if in.Shared != nil && !*in.Shared {
		fields["shared"] = "Your notes are always shared with your caseworker"
	}
	if len(fields) > 0 {
		return CaseNote{}, Invalid(fields)
	}
	noteID := id.New(id.CaseNote)
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseAddNote, workflows.CaseNoteUpdate{Caller: caller(actor),
		CaseID: caseID, NoteID: noteID, Body: in.Body, Shared: shared}); err != nil {
		return CaseNote{}, err
	}
	notes, err := a.store.CaseNoteList(ctx, sqlc.CaseNoteListParams{CaseIds: []string{caseID}, SharedOnly: !who.staff})
	if err != nil {
		return CaseNote{}, fmt.Errorf("list notes: %w", err)
	}
	return rowByID(notes, noteID, func(r sqlc.CaseNoteListRow) string { return r.ID }, caseNoteView, "Note")
}

// CaseContactInput is the body of POST /cases/{id}/contacts.
type CaseContactInput struct {
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Minutes *int   `json:"minutes"`
	Summary string `json:"summary"`
}

// AddCaseContact logs a contact or meeting with the time it took
// (caseworkers). The first one keeps the first-contact promise.
func (a *App) AddCaseContact(ctx context.Context, actor Actor, caseID string, body Body) (CaseContact, error) {
	c, _, err := a.caseCommand(ctx, actor, caseID, true)
	if err != nil {
		return CaseContact{}, err
	}
	var in CaseContactInput
	if err := body(&in); err != nil {
		return CaseContact{}, err
	}
	fields := map[string]string{}
	at, perr := time.Parse(time.RFC3339, strings.TrimSpace(in.At))
	switch {
	case in.At == "":
		fields["at"] = "Enter when the contact happened, like 2027-03-31T14:30:00Z"
	case perr != nil:
		fields["at"] = "Enter a date and time like 2027-03-31T14:30:00Z"
	case at.After(a.now().Add(5 * time.Minute)):
		fields["at"] = "A contact cannot be in the future"
	case at.Before(c.OpenedAt.Add(-24 * time.Hour)):
		fields["at"] = "A contact cannot be before the case opened"
	}
	if !casework.Known(casework.ContactKinds, in.Kind) {
		fields["kind"] = "Kind must be one of " + strings.Join(casework.Values(casework.ContactKinds), ", ")
	}
	switch {
	case in.Minutes == nil:
		fields["minutes"] = "Enter the time spent, in minutes"
	case *in.Minutes < 0 || *in.Minutes > casework.MaxMinutes:
		fields["minutes"] = fmt.Sprintf("Time spent must be from 0 to %d minutes", casework.MaxMinutes)
	}
	casework.CheckText(in.Summary, casework.MaxSummary, "summary", "Summarise the contact", fields)
	if len(fields) > 0 {
		return CaseContact{}, Invalid(fields)
	}
	contactID := id.New(id.CaseContact)
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseAddContact, workflows.CaseContactUpdate{Caller: caller(actor),
		CaseID: caseID, ContactID: contactID, ContactAt: at.UTC(), Kind: in.Kind, Minutes: *in.Minutes, Summary: in.Summary}); err != nil {
		return CaseContact{}, err
	}
	rows, err := a.store.CaseContactList(ctx, []string{caseID})
	if err != nil {
		return CaseContact{}, fmt.Errorf("list contacts: %w", err)
	}
	return rowByID(rows, contactID, func(r sqlc.CaseContactListRow) string { return r.ID }, caseContactView, "Contact")
}

// CaseKeyDateInput is the body of POST /cases/{id}/key-dates.
type CaseKeyDateInput struct {
	Kind        string `json:"kind"`
	On          string `json:"on"`
	Description string `json:"description"`
}

// AddCaseKeyDate adds a key date, reminded before it comes (caseworkers).
func (a *App) AddCaseKeyDate(ctx context.Context, actor Actor, caseID string, body Body) (CaseKeyDate, error) {
	if _, _, err := a.caseCommand(ctx, actor, caseID, true); err != nil {
		return CaseKeyDate{}, err
	}
	var in CaseKeyDateInput
	if err := body(&in); err != nil {
		return CaseKeyDate{}, err
	}
	fields := map[string]string{}
	if !casework.Known(casework.KeyDateKinds, in.Kind) {
		fields["kind"] = "Kind must be one of " + strings.Join(casework.Values(casework.KeyDateKinds), ", ")
	}
	if in.On == "" {
		fields["on"] = "Enter the date, like 2027-03-31"
	} else if d, ok := casework.CheckDate(in.On, "on", "The key date", a.today(), fields); ok {
		in.On = d.String()
	}
	in.Description = strings.TrimSpace(in.Description)
	casework.CheckText(in.Description, casework.MaxShortText, "description", "Say what happens on this date", fields)
	if len(fields) > 0 {
		return CaseKeyDate{}, Invalid(fields)
	}
	kdID := id.New(id.CaseKeyDate)
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseAddKeyDate, workflows.CaseKeyDateUpdate{Caller: caller(actor),
		CaseID: caseID, KeyDateID: kdID, Kind: in.Kind, On: in.On, Description: in.Description}); err != nil {
		return CaseKeyDate{}, err
	}
	rows, err := a.store.CaseKeyDateList(ctx, []string{caseID})
	if err != nil {
		return CaseKeyDate{}, fmt.Errorf("list key dates: %w", err)
	}
	return rowByID(rows, kdID, func(r sqlc.CaseKeyDate) string { return r.ID }, caseKeyDateView, "Key date")
}

// CaseCloseInput is the body of POST /cases/{id}/close.
type CaseCloseInput struct {
	Outcome string `json:"outcome"`
	Summary string `json:"summary"`
}

// CloseCase closes a case with its outcome and what changed (caseworkers);
// closing it again is 409.
func (a *App) CloseCase(ctx context.Context, actor Actor, caseID string, body Body) (Case, error) {
	if _, _, err := a.caseCommand(ctx, actor, caseID, true); err != nil {
		return Case{}, err
	}
	var in CaseCloseInput
	if err := body(&in); err != nil {
		return Case{}, err
	}
	fields := map[string]string{}
	if !casework.Known(casework.Outcomes, in.Outcome) {
		fields["outcome"] = "Outcome must be one of " + strings.Join(casework.Values(casework.Outcomes), ", ")
	}
	in.Summary = strings.TrimSpace(in.Summary)
	casework.CheckText(in.Summary, casework.MaxSummary, "summary", "Say what changed for the space", fields)
	if len(fields) > 0 {
		return Case{}, Invalid(fields)
	}
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseClose, workflows.CaseCloseUpdate{Caller: caller(actor),
		CaseID: caseID, Outcome: in.Outcome, Summary: in.Summary}); err != nil {
		return Case{}, err
	}
	return a.GetCase(ctx, actor, caseID)
}

// CaseReassignInput is the body of POST /cases/{id}/reassign.
type CaseReassignInput struct {
	CaseworkerID string `json:"caseworker_id"`
}

// ReassignCase gives a case to another caseworker (caseworkers).
func (a *App) ReassignCase(ctx context.Context, actor Actor, caseID string, body Body) (Case, error) {
	c, _, err := a.caseCommand(ctx, actor, caseID, true)
	if err != nil {
		return Case{}, err
	}
	var in CaseReassignInput
	if err := body(&in); err != nil {
		return Case{}, err
	}
	fields := map[string]string{}
	if err := a.checkCaseworker(ctx, a.store.Queries, in.CaseworkerID, c.OrganisationID, "caseworker_id", fields); err != nil {
		return Case{}, err
	}
	if len(fields) == 0 && in.CaseworkerID == c.CaseworkerID {
		fields["caseworker_id"] = "This caseworker already has the case"
	}
	if len(fields) > 0 {
		return Case{}, Invalid(fields)
	}
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseReassign, workflows.CaseReassignUpdate{Caller: caller(actor),
		CaseID: caseID, CaseworkerID: in.CaseworkerID}); err != nil {
		return Case{}, err
	}
	return a.GetCase(ctx, actor, caseID)
}

// AddCaseDocument stores a document of a case (a lease, a landlord's
// letter, a planning notice): caseworkers choose whether the group sees
// it; a member's is always shared.
func (a *App) AddCaseDocument(ctx context.Context, actor Actor, caseID string, shared bool, open func() (string, io.Reader, error)) (CaseDocument, error) {
	_, who, err := a.caseCommand(ctx, actor, caseID, false)
	if err != nil {
		return CaseDocument{}, err
	}
	if !who.staff {
		shared = true
	}
	stored, filename, err := a.storeUpload(ctx, open)
	if err != nil {
		return CaseDocument{}, err
	}
	docID := id.New(id.Document)
	if err := a.updateCaseWorkflow(ctx, caseID, workflows.UpdateCaseAddDocument, workflows.CaseDocumentUpdate{Caller: caller(actor),
		CaseID: caseID, DocumentID: docID, Filename: filename, ContentType: stored.Kind.MIME, SizeBytes: stored.Size,
		SHA256: stored.SHA256, Shared: shared}); err != nil {
		return CaseDocument{}, err
	}
	d, err := a.store.CaseDocumentGet(ctx, sqlc.CaseDocumentGetParams{ID: docID, CaseID: caseID})
	if err != nil {
		return CaseDocument{}, fmt.Errorf("get document: %w", err)
	}
	return caseDocumentView(d), nil
}

// OpenCaseDocument opens a document of a case for someone who may see it.
func (a *App) OpenCaseDocument(ctx context.Context, actor Actor, caseID, docID string) (CaseDocument, io.ReadSeekCloser, error) {
	_, who, err := a.loadCase(ctx, a.store.Queries, actor, caseID)
	if err != nil {
		return CaseDocument{}, nil, err
	}
	if !id.Valid(id.Document, docID) {
		return CaseDocument{}, nil, notFound("Document")
	}
	d, err := a.store.CaseDocumentGet(ctx, sqlc.CaseDocumentGetParams{ID: docID, CaseID: caseID})
	if isNotFound(err) || (err == nil && !d.Shared && !who.staff) {
		return CaseDocument{}, nil, notFound("Document")
	}
	if err != nil {
		return CaseDocument{}, nil, fmt.Errorf("get document: %w", err)
	}
	f, err := a.docs.Open(ctx, d.Sha256)
	if errors.Is(err, document.ErrUnavailable) {
		a.log.ErrorContext(ctx, "open document", "document_id", d.ID, "err", err)
		return CaseDocument{}, nil, docsUnavailable()
	}
	if err != nil {
		return CaseDocument{}, nil, fmt.Errorf("open document %s: %w", d.ID, err)
	}
	return caseDocumentView(d), f, nil
}
