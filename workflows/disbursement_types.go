package workflows

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/civicgrants/grants/round"
)

// Payment statuses (DESIGN §4b).
const (
	PaymentScheduled        = "scheduled"
	PaymentHeld             = "held"
	PaymentAwaitingApproval = "awaiting_approval"
	PaymentApproved         = "approved"
	PaymentSending          = "sending"
	PaymentPaid             = "paid"
	PaymentFailed           = "failed"
	PaymentCancelled        = "cancelled"
	PaymentReversed         = "reversed"
)

// Report statuses (DESIGN §4b).
const (
	ReportUpcoming         = "upcoming"
	ReportDue              = "due"
	ReportOverdue          = "overdue"
	ReportSubmitted        = "submitted"
	ReportAccepted         = "accepted"
	ReportChangesRequested = "changes_requested"
)

// Report review outcomes.
const (
	ReviewAccept         = "accept"
	ReviewRequestChanges = "request_changes"
)

// Payment providers (as a round names them).
const (
	ProviderStripe = round.ProviderStripe
	ProviderManual = round.ProviderManual
)

// Grant flags shown to staff.
const (
	GrantFlagReportOverdue   = "report_overdue"
	GrantFlagPayoutFailed    = "payout_failed"
	GrantFlagPaymentReversed = "payment_reversed"
)

// Events a GrantWorkflow is signalled with (SignalGrantEvent).
const (
	// GrantEventPayoutReady: the payee can now be paid (Stripe account
	// with payouts enabled, or bank details saved).
	GrantEventPayoutReady = "payout_ready"
	// GrantEventPaymentSettled: a payment's workflow ended (paid or
	// cancelled).
	GrantEventPaymentSettled = "payment_settled"
	// GrantEventTransferReversed: Stripe reversed a paid transfer.
	GrantEventTransferReversed = "transfer_reversed"
	// GrantEventPayoutFailed: Stripe could not pay out to the grantee's
	// bank.
	GrantEventPayoutFailed = "payout_failed"
)

// GrantEvent is the payload of SignalGrantEvent.
type GrantEvent struct {
	Kind      string `json:"kind"`
	PaymentID string `json:"payment_id,omitempty"`
	// Reason is the provider's words (reversal, payout failure).
	Reason string `json:"reason,omitempty"`
	// EventID is the Stripe event behind it, for the audit trail.
	EventID string `json:"event_id,omitempty"`
	// AmountReversedPence is, for a reversed transfer, how much Stripe has
	// reversed so far (0: not said, read as the whole payment).
	AmountReversedPence int64 `json:"amount_reversed_pence,omitempty"`
}

// GrantSignal is the outbox payload of OutboxSignalGrant: the dispatcher
// sends Event to the workflow of GrantID.
type GrantSignal struct {
	GrantID string     `json:"grant_id"`
	Event   GrantEvent `json:"event"`
}

// ---- Updates of GrantWorkflow (arguments and results) ----

// PayoutAccountUpdate asks for the payee's Stripe Connect account (created
// once) and an onboarding link. The use case has checked that the caller
// is an admin of the grantee (or of its host).
type PayoutAccountUpdate struct {
	Caller     Caller `json:"caller"`
	ReturnURL  string `json:"return_url"`
	RefreshURL string `json:"refresh_url"`
	// OrganisationID, when set, is the partner organisation paid a share
	// of the grant whose payouts are set up (its admin asks); empty: the
	// grantee's.
	OrganisationID string `json:"organisation_id,omitempty"`
}

// PayoutAccountResult is the account and where to onboard it.
type PayoutAccountResult struct {
	AccountID     string `json:"account_id"`
	OnboardingURL string `json:"onboarding_url"`
}

// ReportSubmission submits a monitoring report (the use case has checked
// membership of the grantee).
type ReportSubmission struct {
	Caller     Caller          `json:"caller"`
	ReportID   string          `json:"report_id"`
	Answers    json.RawMessage `json:"answers"`
	SpendPence int64           `json:"spend_pence"`
}

// ReportReview is a manager's review of a submitted report.
type ReportReview struct {
	Caller   Caller `json:"caller"`
	ReportID string `json:"report_id"`
	Outcome  string `json:"outcome"` // accept or request_changes
	Comment  string `json:"comment"`
}

// ReportResult is a report's status after an Update.
type ReportResult struct {
	ReportID string `json:"report_id"`
	Status   string `json:"status"`
}

// Variation is a manager's change to a grant: a new award (the unpaid,
// not yet due tranches are re-spread over what is left), a new schedule
// for those tranches (percentages of what is left, summing to 100), or a
// clawback (offset against later tranches; what they cannot cover is owed
// back). At least one of AwardPence, Schedule and ClawbackPence is given.
type Variation struct {
	Caller        Caller       `json:"caller"`
	AwardPence    *int64       `json:"award_pence,omitempty"`
	Schedule      []Instalment `json:"schedule,omitempty"`
	ClawbackPence *int64       `json:"clawback_pence,omitempty"`
	Reason        string       `json:"reason"`
}

// Instalment is one tranche of a varied schedule, spelt as a round's.
type Instalment = round.Instalment

// VariationResult names the variation recorded.
type VariationResult struct {
	VariationID string `json:"variation_id"`
}

// Reissue asks for a cancelled payment's tranche to be issued again
// (manager); the new payment needs two fresh approvals.
type Reissue struct {
	Caller    Caller `json:"caller"`
	PaymentID string `json:"payment_id"`
	Reason    string `json:"reason"`
}

// ReissueResult names the new payment.
type ReissueResult struct {
	PaymentID string `json:"payment_id"`
}

// ---- Updates of DisbursementWorkflow ----

// PaymentCommand is finance's approve (Note), reject or cancel (Reason),
// retry, or, for the manual provider, mark-paid (RunID: the payment run
// it was paid in).
type PaymentCommand struct {
	Caller Caller `json:"caller"`
	Note   string `json:"note,omitempty"`
	Reason string `json:"reason,omitempty"`
	RunID  string `json:"run_id,omitempty"`
}

// PaymentState is a payment's status after an Update.
type PaymentState struct {
	Status    string `json:"status"`
	Approvals int    `json:"approvals"`
}

// RequiredApprovals is how many different finance users approve a payment.
const RequiredApprovals = 2

// MaxPaymentTextRunes bounds notes and reasons.
const MaxPaymentTextRunes = 2000

// DisbursementInput starts a payment's workflow.
type DisbursementInput struct {
	PaymentID string `json:"payment_id"`
	GrantID   string `json:"grant_id"`
}

// DisbursementResult is how a payment's workflow ended.
type DisbursementResult struct {
	Status    string `json:"status"`
	Reference string `json:"reference,omitempty"`
}

// IdempotencyKey is the provider idempotency key of a payment's attempt n.
func IdempotencyKey(paymentID string, attempt int) string {
	return "payment:" + paymentID + ":attempt:" + strconv.Itoa(attempt)
}

// ---- Activities of GrantWorkflow and DisbursementWorkflow ----

// Activity names of disbursement and reporting.
const (
	ActivityLoadGrant           = "LoadGrant"
	ActivityReportClock         = "ReportClock"
	ActivityHoldPayments        = "HoldPayments"
	ActivityUnholdPayments      = "UnholdPayments"
	ActivityReleasePayment      = "ReleasePayment"
	ActivityCompleteGrant       = "CompleteGrant"
	ActivityGrantEvent          = "HandleGrantEvent"
	ActivityCreatePayoutAccount = "CreatePayoutAccount"
	ActivitySubmitReport        = "SubmitReport"
	ActivityReviewReport        = "ReviewReport"
	ActivityVary                = "VaryGrant"
	ActivityReissuePayment      = "ReissuePayment"
	ActivityLoadPayment         = "LoadPayment"
	ActivityApprovePayment      = "ApprovePayment"
	ActivityCancelPayment       = "CancelPayment"
	ActivityRetryPayment        = "RetryPayment"
	ActivitySendPayment         = "SendPayment"
	ActivityFailPayment         = "FailPayment"
	ActivityMarkPaid            = "MarkPaid"
)

// GrantSnapshot is what GrantWorkflow needs of its grant, read afresh by
// LoadGrant at every turn of its loop.
type GrantSnapshot struct {
	GrantID  string `json:"grant_id"`
	Status   string `json:"status"`
	Provider string `json:"provider"`
	// PayoutReady: the payee (the grantee, or its consenting host) can be
	// paid: a Stripe account with payouts enabled, or bank details.
	PayoutReady  bool          `json:"payout_ready"`
	ReminderLead time.Duration `json:"reminder_lead"`
	ReportGrace  time.Duration `json:"report_grace"`
	Payments     []PaymentSnap `json:"payments"`
	Reports      []ReportSnap  `json:"reports"`
	// Parties: the grantee's members, its admins and its host's (who may
	// set up payouts), and the staff with an interest in the grant.
	Parties Parties `json:"parties"`
}

// PaymentSnap is one payment of a grant.
type PaymentSnap struct {
	ID          string `json:"id"`
	Tranche     int    `json:"tranche"`
	Condition   string `json:"condition"`
	Status      string `json:"status"`
	AmountPence int64  `json:"amount_pence"`
	// PayoutReady, when set, is whether this payment's own payee can be
	// paid (a grant paid to each partner has several payees); unset, the
	// grant's PayoutReady holds (snapshots recorded before it existed).
	PayoutReady *bool `json:"payout_ready,omitempty"`
}

// Ready reports whether the payment's payee can be paid, in snapshot s.
func (p PaymentSnap) Ready(s GrantSnapshot) bool {
	if p.PayoutReady != nil {
		return *p.PayoutReady
	}
	return s.PayoutReady
}

// ReportSnap is one report of a grant.
type ReportSnap struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	DueAt     time.Time `json:"due_at"`
	Escalated bool      `json:"escalated"`
}

// Report clock steps.
const (
	ReportStepDue      = "due"      // within the reminder lead: reminded
	ReportStepOverdue  = "overdue"  // past due
	ReportStepEscalate = "escalate" // past due plus the grace: managers told, payments held
)

// ReportClockInput moves a report along its clock.
type ReportClockInput struct {
	GrantID  string    `json:"grant_id"`
	ReportID string    `json:"report_id"`
	Step     string    `json:"step"`
	At       time.Time `json:"at"`
}

// GrantStep is an activity on a whole grant at a time (hold, unhold,
// complete) or on one of its payments (release).
type GrantStep struct {
	GrantID   string    `json:"grant_id"`
	PaymentID string    `json:"payment_id,omitempty"`
	At        time.Time `json:"at"`
}

// GrantStepResult says whether the step changed anything.
type GrantStepResult struct {
	Changed bool `json:"changed"`
}

// GrantEventInput is a GrantEvent to act on.
type GrantEventInput struct {
	GrantID string     `json:"grant_id"`
	Event   GrantEvent `json:"event"`
	At      time.Time  `json:"at"`
}

// PayoutAccountInput is PayoutAccountUpdate for the activity.
type PayoutAccountInput struct {
	GrantID string              `json:"grant_id"`
	Update  PayoutAccountUpdate `json:"update"`
	At      time.Time           `json:"at"`
}

// ReportSubmitInput is ReportSubmission for the activity.
type ReportSubmitInput struct {
	GrantID    string           `json:"grant_id"`
	Submission ReportSubmission `json:"submission"`
	At         time.Time        `json:"at"`
}

// ReportReviewInput is ReportReview for the activity.
type ReportReviewInput struct {
	GrantID string       `json:"grant_id"`
	Review  ReportReview `json:"review"`
	At      time.Time    `json:"at"`
}

// VaryInput is Variation for the activity. VariationID, chosen once by
// the workflow, makes the activity idempotent: a retry after it applied
// finds the variation instead of applying it again (empty: a new id).
type VaryInput struct {
	GrantID     string    `json:"grant_id"`
	VariationID string    `json:"variation_id,omitempty"`
	Variation   Variation `json:"variation"`
	At          time.Time `json:"at"`
}

// ReissueInput is Reissue for the activity.
type ReissueInput struct {
	GrantID string    `json:"grant_id"`
	Reissue Reissue   `json:"reissue"`
	At      time.Time `json:"at"`
}

// PaymentSnapshot is what DisbursementWorkflow needs of its payment.
type PaymentSnapshot struct {
	PaymentID   string   `json:"payment_id"`
	GrantID     string   `json:"grant_id"`
	Status      string   `json:"status"`
	Provider    string   `json:"provider"`
	AmountPence int64    `json:"amount_pence"`
	RequestedBy string   `json:"requested_by"`
	Approvals   []string `json:"approvals"`
	// MemberIDs are the members of the grantee and of its payee, and the
	// staff with an interest in the application (package interest), who
	// may not approve its payments.
	MemberIDs []string `json:"member_ids"`
	RunID     string   `json:"run_id"`
}

// PaymentCommandInput is a PaymentCommand for the activity.
type PaymentCommandInput struct {
	PaymentID string         `json:"payment_id"`
	Update    string         `json:"update"`
	Command   PaymentCommand `json:"command"`
	At        time.Time      `json:"at"`
}

// SendInput sends an approved payment.
type SendInput struct {
	PaymentID string    `json:"payment_id"`
	At        time.Time `json:"at"`
	// Hold is why the payee's register check holds the payment
	// (CheckPayee): nothing new is sent, and the payment fails with it for
	// finance to retry (which checks again) or cancel.
	Hold string `json:"hold,omitempty"`
}

// SendResult is how a send ended: paid with the provider's reference, or
// failed with its reason (a permanent refusal).
type SendResult struct {
	Status    string `json:"status"`
	Reference string `json:"reference,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// FailInput records a payment as failed after transient errors outlasted
// the retries.
type FailInput struct {
	PaymentID string    `json:"payment_id"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}
