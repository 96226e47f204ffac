package workflows

// TaskQueue is the task queue every grants workflow and activity runs on.
const TaskQueue = "grants"

// Outbox kinds the dispatcher knows how to start.
const (
	// OutboxStartApplication starts ApplicationWorkflow; payload ApplicationInput.
	OutboxStartApplication = "start:application"
	// OutboxStartRound starts RoundWorkflow; payload RoundInput.
	OutboxStartRound = "start:round"
)

// Workflow type names, registered explicitly so renaming a Go function
// never changes them.
const (
	ApplicationWorkflowName = "ApplicationWorkflow"
	RoundWorkflowName       = "RoundWorkflow"
	GrantWorkflowName       = "GrantWorkflow"
)

// Activity names.
const (
	ActivityCheckEligibility  = "CheckEligibility"
	ActivityLoadCase          = "LoadCase"
	ActivityAssignAssessors   = "AssignAssessors"
	ActivityRecordScores      = "RecordScores"
	ActivityDeclareConflict   = "DeclareConflict"
	ActivityPropagateConflict = "PropagateConflict"
	ActivityReleaseAssessment = "ReleaseAssessment"
	ActivitySendReminder      = "SendReminder"
	ActivityFlagCase          = "FlagCase"
	ActivityModerate          = "Moderate"
	ActivityDecide            = "Decide"
	ActivityAcceptOffer       = "AcceptOffer"
	ActivityLapseOffer        = "LapseOffer"
	ActivityDeclineOffer      = "DeclineOffer"
	ActivityWithdraw          = "Withdraw"
	ActivityLoadRound         = "LoadRound"
	ActivityRoundEvent        = "RoundEvent"
	ActivityPromoteWaitlisted = "PromoteWaitlisted"
	ActivityRoundOutstanding  = "RoundOutstanding"
)

// Update names of ApplicationWorkflow. Every Update has a validator that
// rejects, without I/O, a caller or state that may not make the change.
const (
	UpdateDeclareConflict = "declare-conflict"
	UpdateScore           = "score"
	UpdateModerate        = "moderate"
	UpdateDecide          = "decide"
	UpdateWithdraw        = "withdraw"
	UpdateAccept          = "accept"
	UpdateDecline         = "decline"
	UpdatePromote         = "promote"
)

// Signal names.
const (
	// SignalBudgetReleased tells RoundWorkflow that budget came free (an
	// offer lapsed), so it may promote a waitlisted application.
	SignalBudgetReleased = "budget-released"
)

// ApplicationWorkflowID is the workflow ID of an application's case.
func ApplicationWorkflowID(applicationID string) string { return "application:" + applicationID }

// RoundWorkflowID is the workflow ID of a round.
func RoundWorkflowID(roundID string) string { return "round:" + roundID }

// GrantWorkflowID is the workflow ID of a grant.
func GrantWorkflowID(grantID string) string { return "grant:" + grantID }

// Disbursement and reporting (issue 4).
const (
	// DisbursementWorkflowName is the workflow type of a payment.
	DisbursementWorkflowName = "DisbursementWorkflow"
	// OutboxSignalGrant signals a GrantWorkflow; payload GrantSignal.
	OutboxSignalGrant = "signal:grant"
	// SignalGrantEvent tells a GrantWorkflow something happened outside
	// it (payout ready, a payment settled, a reversal, a failed payout);
	// payload GrantEvent.
	SignalGrantEvent = "grant-event"
)

// Update names of GrantWorkflow.
const (
	UpdatePayoutAccount = "payout-account"
	UpdateSubmitReport  = "submit-report"
	UpdateReviewReport  = "review-report"
	UpdateVary          = "vary"
	UpdateReissue       = "reissue-payment"
)

// Update names of DisbursementWorkflow.
const (
	UpdateApprovePayment = "approve"
	UpdateRejectPayment  = "reject"
	UpdateRetryPayment   = "retry"
	UpdateCancelPayment  = "cancel"
	UpdateMarkPaid       = "mark-paid"
)

// PaymentWorkflowID is the workflow ID of a payment.
func PaymentWorkflowID(paymentID string) string { return "payment:" + paymentID }
