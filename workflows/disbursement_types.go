package workflows

import (
	"encoding/json"
	"strconv"
)

// Grant statuses after acceptance.
const (
	GrantStatusCompleted  = "completed"
	GrantStatusSuspended  = "suspended"
	GrantStatusTerminated = "terminated"
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

// Payment providers.
const (
	ProviderStripe = "stripe"
	ProviderManual = "manual"
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

// Instalment is one tranche of a varied schedule (as round.Instalment).
type Instalment struct {
	Percent   int    `json:"percent"`
	Condition string `json:"condition"`
}

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
