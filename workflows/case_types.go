package workflows

import "time"

// Spaces at Risk casework (issue 16): CaseWorkflow (case:<id>) follows an
// accepted support request until the case closes. The use cases open the
// case (triage) and queue OutboxStartCase in the same transaction; from
// then on every change to the case's rows is an Update to this workflow,
// whose activity writes PostgreSQL and the audit chain case:<id>.

// CaseWorkflowName is the workflow type of a case.
const CaseWorkflowName = "CaseWorkflow"

// OutboxStartCase starts CaseWorkflow; payload CaseInput.
const OutboxStartCase = "start:case"

// CaseWorkflowID is the workflow ID of a case.
func CaseWorkflowID(caseID string) string { return "case:" + caseID }

// CaseChain is the audit chain of a case.
func CaseChain(caseID string) string { return "case:" + caseID }

// CaseInput starts (or continues) a case's workflow.
type CaseInput struct {
	CaseID string `json:"case_id"`
}

// CaseResult is how a case's workflow ended.
type CaseResult struct {
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
}

// Update names of CaseWorkflow. Each validator rejects, without I/O, a
// caller without the role or a case already closed; each handler runs
// its activity, which checks the caller against PostgreSQL (an active
// caseworker who is not a member of the case's organisation, or for a
// note a member of it) and writes the change.
const (
	UpdateCaseAddAction    = "case-add-action"
	UpdateCaseActionStatus = "case-action-status"
	UpdateCaseAddNote      = "case-add-note"
	UpdateCaseAddContact   = "case-add-contact"
	UpdateCaseAddKeyDate   = "case-add-key-date"
	UpdateCaseAddDocument  = "case-add-document"
	UpdateCaseReassign     = "case-reassign"
	UpdateCaseClose        = "case-close"
)

// Activity names of CaseWorkflow.
const (
	ActivityCaseAddAction    = "CaseAddAction"
	ActivityCaseActionStatus = "CaseActionStatus"
	ActivityCaseAddNote      = "CaseAddNote"
	ActivityCaseAddContact   = "CaseAddContact"
	ActivityCaseAddKeyDate   = "CaseAddKeyDate"
	ActivityCaseAddDocument  = "CaseAddDocument"
	ActivityCaseReassign     = "CaseReassign"
	ActivityCaseClose        = "CaseClose"
	ActivityLoadCaseClock    = "LoadCaseClock"
	ActivityCaseClockStep    = "CaseClockStep"
)

// Ids of new rows are made by the caller (the use case), so a retried
// activity inserts nothing twice. Dates are London civil dates,
// YYYY-MM-DD, already checked by the use case; At is set by the workflow
// (workflow.Now) before the activity runs.

// CaseActionUpdate adds an action to a case's plan.
type CaseActionUpdate struct {
	Caller   Caller    `json:"caller"`
	CaseID   string    `json:"case_id"`
	ActionID string    `json:"action_id"`
	Title    string    `json:"title"`
	OwnerID  *string   `json:"owner_id,omitempty"`
	DueOn    string    `json:"due_on"`
	At       time.Time `json:"at"`
}

// CaseActionStatusUpdate marks an action done, or open again.
type CaseActionStatusUpdate struct {
	Caller   Caller    `json:"caller"`
	CaseID   string    `json:"case_id"`
	ActionID string    `json:"action_id"`
	Status   string    `json:"status"` // casework.ActionOpen or ActionDone
	At       time.Time `json:"at"`
}

// CaseNoteUpdate adds a note: private to staff, or shared with the group
// (a member's note is always shared).
type CaseNoteUpdate struct {
	Caller Caller    `json:"caller"`
	CaseID string    `json:"case_id"`
	NoteID string    `json:"note_id"`
	Body   string    `json:"body"`
	Shared bool      `json:"shared"`
	At     time.Time `json:"at"`
}

// CaseContactUpdate logs a contact or a meeting with the time it took.
type CaseContactUpdate struct {
	Caller    Caller    `json:"caller"`
	CaseID    string    `json:"case_id"`
	ContactID string    `json:"contact_id"`
	ContactAt time.Time `json:"contact_at"`
	Kind      string    `json:"kind"`
	Minutes   int       `json:"minutes"`
	Summary   string    `json:"summary"`
	At        time.Time `json:"at"`
}

// CaseKeyDateUpdate adds a key date (a hearing, a notice, a lease end).
type CaseKeyDateUpdate struct {
	Caller      Caller    `json:"caller"`
	CaseID      string    `json:"case_id"`
	KeyDateID   string    `json:"key_date_id"`
	Kind        string    `json:"kind"`
	On          string    `json:"on"`
	Description string    `json:"description"`
	At          time.Time `json:"at"`
}

// CaseDocumentUpdate records a document whose bytes the use case has
// already stored (by DocumentID) in the blob store.
type CaseDocumentUpdate struct {
	Caller      Caller    `json:"caller"`
	CaseID      string    `json:"case_id"`
	DocumentID  string    `json:"document_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	Shared      bool      `json:"shared"`
	At          time.Time `json:"at"`
}

// CaseReassignUpdate gives the case to another caseworker.
type CaseReassignUpdate struct {
	Caller       Caller    `json:"caller"`
	CaseID       string    `json:"case_id"`
	CaseworkerID string    `json:"caseworker_id"`
	At           time.Time `json:"at"`
}

// CaseCloseUpdate closes a case with its outcome and what changed.
type CaseCloseUpdate struct {
	Caller  Caller    `json:"caller"`
	CaseID  string    `json:"case_id"`
	Outcome string    `json:"outcome"`
	Summary string    `json:"summary"`
	At      time.Time `json:"at"`
}

// CaseUpdateResult is what a case Update answers: the case's status
// after it.
type CaseUpdateResult struct {
	Status string `json:"status"`
}

// CaseClock is what the case's clock needs (LoadCaseClock). Dates are
// London civil dates as YYYY-MM-DD.
type CaseClock struct {
	CaseID  string `json:"case_id"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
	// FirstContactDueOn: the promise; FirstContactAt nil until a contact
	// is logged; FirstContactEscalated once the lead was told it was
	// missed.
	FirstContactDueOn     string           `json:"first_contact_due_on"`
	FirstContactAt        *time.Time       `json:"first_contact_at,omitempty"`
	FirstContactEscalated bool             `json:"first_contact_escalated"`
	ReviewDueOn           string           `json:"review_due_on,omitempty"`
	Actions               []CaseClockItem  `json:"actions"`
	KeyDates              []CaseClockEntry `json:"key_dates"`
}

// CaseClockItem is an open action: reminded the working day before it is
// due, escalated once its due day has passed.
type CaseClockItem struct {
	ID        string `json:"id"`
	DueOn     string `json:"due_on"`
	Reminded  bool   `json:"reminded"`
	Escalated bool   `json:"escalated"`
	// AddedAt is when the action was added: a reminder whose time had
	// passed by then is not sent (zero: every reminder is).
	AddedAt time.Time `json:"added_at"`
}

// CaseClockEntry is a key date still to come: reminded a week before and
// the working day before.
type CaseClockEntry struct {
	ID           string `json:"id"`
	On           string `json:"on"`
	RemindedWeek bool   `json:"reminded_week"`
	RemindedDay  bool   `json:"reminded_day"`
	// AddedAt is when the key date was added: a reminder whose time had
	// passed by then is not sent, the group having been told of the date
	// when it was added (zero: every reminder is).
	AddedAt time.Time `json:"added_at"`
}

// Steps of a case's clock (CaseClockStep.Step).
const (
	CaseStepEscalateFirstContact = "escalate_first_contact"
	CaseStepRemindAction         = "remind_action"
	CaseStepEscalateAction       = "escalate_action"
	CaseStepRemindKeyDateWeek    = "remind_key_date_week"
	CaseStepRemindKeyDateDay     = "remind_key_date_day"
	CaseStepReview               = "review"
)

// CaseClockStep is one thing the clock does: tell someone, once (the
// activity marks it done in the same transaction).
type CaseClockStep struct {
	CaseID string    `json:"case_id"`
	Step   string    `json:"step"`
	ID     string    `json:"id,omitempty"` // the action or key date
	At     time.Time `json:"at"`
}
