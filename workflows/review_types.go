package workflows

import (
	"slices"
	"time"
)

// Assessment statuses.
const (
	AssessmentAssigned = "assigned"
	AssessmentScored   = "scored"
	AssessmentConflict = "conflict"
	AssessmentReleased = "released"
)

// AssessmentLive reports whether an assessment is live — assigned or
// scored: it counts towards its assessor's load, gives its assessor access
// to the application and may still be scored or released. The queries
// use the same definition in SQL, assessment_is_live(status).
func AssessmentLive(status string) bool {
	return status == AssessmentAssigned || status == AssessmentScored
}

// AwaitingDecision reports whether an application awaits the panel
// chair's decision — submitted, in assessment or on the waiting list — and
// so may still be decided, moderated or withdrawn through its workflow.
func AwaitingDecision(status string) bool {
	switch status {
	case StatusSubmitted, StatusInAssessment, StatusWaitlisted:
		return true
	}
	return false
}

// Decision outcomes.
const (
	OutcomeApprove  = "approve"
	OutcomeReject   = "reject"
	OutcomeWaitlist = "waitlist"
)

// Case flags shown to staff.
const (
	FlagNeedsModeration = "needs_moderation"
	FlagModerated       = "moderated"
	FlagPoolExhausted   = "pool_exhausted"
	FlagUnscored        = "unscored"
)

// Release reasons of an assessment.
const (
	ReleaseDeadline  = "deadline"
	ReleaseDecided   = "decided"
	ReleaseWithdrawn = "withdrawn"
)

// Round events RoundWorkflow records.
const (
	RoundOpened               = "opened"
	RoundClosed               = "closed"
	RoundDecisionWindowPassed = "decision_window_passed"
)

// SystemActor is the actor of changes nobody made by hand.
const SystemActor = "system"

// Caller is who sent an Update, as authenticated by the API: the use-case
// layer has already checked that the caller may reach the case (scope);
// validators check role, identity and state.
type Caller struct {
	ID    string   `json:"id"`
	Roles []string `json:"roles"`
}

// Has reports whether the caller holds a staff role.
func (c Caller) Has(role string) bool { return slices.Contains(c.Roles, role) }

// CriterionScore is one criterion's score and its written justification.
type CriterionScore struct {
	Score         int    `json:"score"`
	Justification string `json:"justification"`
}

// Criterion is what the workflow needs of an assessment criterion to
// validate scores.
type Criterion struct {
	Key      string `json:"key"`
	Weight   int    `json:"weight"`
	MaxScore int    `json:"max_score"`
}

// ---- Updates of ApplicationWorkflow (arguments and result) ----

// ConflictUpdate declares a conflict of interest on an assessment.
type ConflictUpdate struct {
	Caller       Caller `json:"caller"`
	AssessmentID string `json:"assessment_id"`
	Reason       string `json:"reason"`
}

// ScoreUpdate scores (or revises) an assessment: every criterion.
type ScoreUpdate struct {
	Caller       Caller                    `json:"caller"`
	AssessmentID string                    `json:"assessment_id"`
	Scores       map[string]CriterionScore `json:"scores"`
}

// ModerateUpdate sets a moderated total (hundredths of a point, 0..10000).
type ModerateUpdate struct {
	Caller          Caller `json:"caller"`
	TotalHundredths int64  `json:"total_hundredths"`
	Rationale       string `json:"rationale"`
}

// DecideUpdate is the chair's decision. AwardPence only with approve.
type DecideUpdate struct {
	Caller     Caller `json:"caller"`
	Outcome    string `json:"outcome"`
	AwardPence *int64 `json:"award_pence,omitempty"`
	Reason     string `json:"reason"`
}

// WithdrawUpdate withdraws the application (a member of the lead
// organisation, checked by the caller of the Update).
type WithdrawUpdate struct {
	Caller Caller `json:"caller"`
}

// AcceptUpdate accepts the offer (an admin of the lead organisation,
// checked by the caller of the Update).
type AcceptUpdate struct {
	Caller        Caller `json:"caller"`
	GrantID       string `json:"grant_id"`
	SignatoryName string `json:"signatory_name"`
	SignatoryRole string `json:"signatory_role"`
}

// DeclineUpdate declines the offer (an admin of the lead organisation,
// checked by the caller of the Update), with an optional reason.
type DeclineUpdate struct {
	Caller  Caller `json:"caller"`
	GrantID string `json:"grant_id"`
	Reason  string `json:"reason"`
}

// PromoteUpdate offers a waitlisted application the budget that came free
// (sent by RoundWorkflow's promotion activity).
type PromoteUpdate struct {
	AwardPence int64 `json:"award_pence"`
}

// CaseState is what every Update returns: where the case stands after it.
// Clients read the resource itself from PostgreSQL.
type CaseState struct {
	Status  string `json:"status"`
	GrantID string `json:"grant_id,omitempty"`
}

// ---- Activities of ApplicationWorkflow ----

// CaseRef names an application's case.
type CaseRef struct {
	ApplicationID string `json:"application_id"`
}

// CaseInfo is what the workflow needs to know of a case and its round to
// run timers and validate Updates without I/O.
type CaseInfo struct {
	ApplicationID           string        `json:"application_id"`
	RoundID                 string        `json:"round_id"`
	Status                  string        `json:"status"`
	RequestedPence          int64         `json:"requested_pence"`
	TierMinPence            int64         `json:"tier_min_pence"`
	TierMaxPence            int64         `json:"tier_max_pence"`
	Criteria                []Criterion   `json:"criteria"`
	ClosesAt                time.Time     `json:"closes_at"`
	AssessmentWindow        time.Duration `json:"assessment_window"`
	ReminderLead            time.Duration `json:"reminder_lead"`
	OfferExpiry             time.Duration `json:"offer_expiry"`
	AssessorsPerApplication int           `json:"assessors_per_application"`
	// Parties: the applicant's members and admins, and the staff with an
	// interest in the case.
	Parties Parties `json:"parties"`
}

// Assignment is one assessment as the workflow tracks it.
type Assignment struct {
	ID         string    `json:"id"`
	AssessorID string    `json:"assessor_id"`
	Status     string    `json:"status"`
	Generation int       `json:"generation"`
	Deadline   time.Time `json:"deadline"`
	Reminded   bool      `json:"reminded"`
}

// AssignInput asks for the case to be brought up to its number of active
// (assigned or scored) assessments. New ones get Generation and the
// deadline max(round close, At) + assessment window. At is workflow time.
type AssignInput struct {
	ApplicationID string    `json:"application_id"`
	Generation    int       `json:"generation"`
	At            time.Time `json:"at"`
}

// AssignResult lists every assessment of the case (any status) and how many
// the pool could not supply (then the case is flagged pool_exhausted).
type AssignResult struct {
	Assignments []Assignment `json:"assignments"`
	Short       int          `json:"short"`
}

// ScoreInput records an assessor's scores. At is workflow time.
type ScoreInput struct {
	ApplicationID string                    `json:"application_id"`
	AssessmentID  string                    `json:"assessment_id"`
	AssessorID    string                    `json:"assessor_id"`
	Scores        map[string]CriterionScore `json:"scores"`
	At            time.Time                 `json:"at"`
}

// AssessmentResult is an assessment after a change, and whether the case
// now needs moderation.
type AssessmentResult struct {
	Assignment      Assignment `json:"assignment"`
	TotalHundredths *int64     `json:"total_hundredths,omitempty"`
	NeedsModeration bool       `json:"needs_moderation"`
}

// ConflictInput records a declared conflict and releases the assessment.
type ConflictInput struct {
	ApplicationID string    `json:"application_id"`
	AssessmentID  string    `json:"assessment_id"`
	AssessorID    string    `json:"assessor_id"`
	Reason        string    `json:"reason"`
	At            time.Time `json:"at"`
}

// ReleaseInput releases an assessment (Reason: one of the Release* values).
type ReleaseInput struct {
	ApplicationID string    `json:"application_id"`
	AssessmentID  string    `json:"assessment_id"`
	Reason        string    `json:"reason"`
	At            time.Time `json:"at"`
}

// ReminderInput reminds an assessor of an assessment's deadline.
type ReminderInput struct {
	ApplicationID string    `json:"application_id"`
	AssessmentID  string    `json:"assessment_id"`
	At            time.Time `json:"at"`
}

// FlagInput flags a case to managers (Flag: one of the Flag* values). At
// is workflow time (zero: when written).
type FlagInput struct {
	ApplicationID string    `json:"application_id"`
	Flag          string    `json:"flag"`
	Message       string    `json:"message"`
	At            time.Time `json:"at,omitzero"`
}

// ModerateInput records a manager's moderated total.
type ModerateInput struct {
	ApplicationID   string    `json:"application_id"`
	ActorID         string    `json:"actor_id"`
	TotalHundredths int64     `json:"total_hundredths"`
	Rationale       string    `json:"rationale"`
	At              time.Time `json:"at"`
}

// DecideInput records a decision. Approval commits AwardPence of the
// round's budget and creates the grant offered until OfferExpiresAt, in one
// transaction. ActorID is SystemActor for a promotion.
type DecideInput struct {
	ApplicationID  string    `json:"application_id"`
	ActorID        string    `json:"actor_id"`
	Outcome        string    `json:"outcome"`
	AwardPence     int64     `json:"award_pence,omitempty"`
	Reason         string    `json:"reason"`
	Promotion      bool      `json:"promotion"`
	At             time.Time `json:"at"`
	OfferExpiresAt time.Time `json:"offer_expires_at"`
}

// DecideResult is the application's status after the decision and, on
// approval, its grant.
type DecideResult struct {
	Status  string `json:"status"`
	GrantID string `json:"grant_id,omitempty"`
}

// AcceptInput accepts an offer; report due dates count from At.
type AcceptInput struct {
	ApplicationID string    `json:"application_id"`
	GrantID       string    `json:"grant_id"`
	ActorID       string    `json:"actor_id"`
	SignatoryName string    `json:"signatory_name"`
	SignatoryRole string    `json:"signatory_role"`
	At            time.Time `json:"at"`
}

// LapseInput lapses an offer that was not accepted in time.
type LapseInput struct {
	ApplicationID string    `json:"application_id"`
	GrantID       string    `json:"grant_id"`
	At            time.Time `json:"at"`
}

// LapseResult is the budget the lapse released.
type LapseResult struct {
	ReleasedPence int64 `json:"released_pence"`
}

// DeclineInput declines an offer on behalf of an admin of the applicant.
type DeclineInput struct {
	ApplicationID string    `json:"application_id"`
	GrantID       string    `json:"grant_id"`
	ActorID       string    `json:"actor_id"`
	Reason        string    `json:"reason"`
	At            time.Time `json:"at"`
}

// DeclineResult is the budget the decline released; the round is told it
// as for a lapse.
type DeclineResult struct {
	ReleasedPence int64 `json:"released_pence"`
}

// WithdrawInput withdraws an application and releases its assessments.
type WithdrawInput struct {
	ApplicationID string    `json:"application_id"`
	ActorID       string    `json:"actor_id"`
	At            time.Time `json:"at"`
}

// ---- RoundWorkflow ----

// RoundInput starts a round's workflow. Pending carries a released-budget
// signal not yet acted on across continue-as-new.
type RoundInput struct {
	RoundID string `json:"round_id"`
	Pending bool   `json:"pending,omitempty"`
}

// RoundInfo is a round's timeline, read afresh at every wake-up so an
// extended timeline is honoured.
type RoundInfo struct {
	RoundID          string        `json:"round_id"`
	OpensAt          time.Time     `json:"opens_at"`
	ClosesAt         time.Time     `json:"closes_at"`
	DecisionDeadline time.Time     `json:"decision_deadline"` // close + assessment window + decision window
	OfferExpiry      time.Duration `json:"offer_expiry"`
}

// RoundEventInput records a round event (one of the Round* values) once.
type RoundEventInput struct {
	RoundID string    `json:"round_id"`
	Event   string    `json:"event"`
	At      time.Time `json:"at"`
}

// PromoteResult is the waitlisted application promoted, if any.
type PromoteResult struct {
	Promoted      bool   `json:"promoted"`
	ApplicationID string `json:"application_id,omitempty"`
	AwardPence    int64  `json:"award_pence,omitempty"`
}

// Outstanding counts what in a round may still lead to an offer or a lapse:
// open offers, waitlisted applications and applications being assessed.
type Outstanding struct {
	Offers       int `json:"offers"`
	Waitlisted   int `json:"waitlisted"`
	InAssessment int `json:"in_assessment"`
}

// Done reports whether nothing can release budget or take it any more.
func (o Outstanding) Done() bool { return o.Offers == 0 && o.Waitlisted == 0 && o.InAssessment == 0 }

// RoundResult is how a round's workflow ended.
type RoundResult struct {
	Promotions int `json:"promotions"`
}

// ---- GrantWorkflow ----

// GrantInput starts a grant's workflow.
type GrantInput struct {
	GrantID       string `json:"grant_id"`
	ApplicationID string `json:"application_id"`
	// Started lists the payments whose workflows this grant has started,
	// carried across continue-as-new.
	Started []string `json:"started,omitempty"`
}

// GrantResult is how a grant's workflow ended.
type GrantResult struct {
	Status string `json:"status"`
}
