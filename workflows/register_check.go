package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Register checks (issue 17): an organisation with a charity or company
// number is checked against the register when it is created or its
// number changes (OutboxRunRegisterCheck → RegisterCheckWorkflow, one per
// check, so the HTTP request never waits on a register), when an
// application is submitted (ApplicationWorkflow runs
// ActivityCheckApplicationOrganisations after eligibility) and before each
// Stripe tranche is sent (DisbursementWorkflow runs ActivityCheckPayee).
const (
	// OutboxRunRegisterCheck starts RegisterCheckWorkflow; payload
	// RegisterCheckInput.
	OutboxRunRegisterCheck = "run:register_check"
	// RegisterCheckWorkflowName is the workflow type of one check.
	RegisterCheckWorkflowName = "RegisterCheckWorkflow"
	// ActivityRunRegisterCheck asks the register and records one check.
	ActivityRunRegisterCheck = "RunRegisterCheck"
	// ActivityCheckApplicationOrganisations checks a submitted
	// application's lead organisation (and partner organisations).
	ActivityCheckApplicationOrganisations = "CheckApplicationOrganisations"
	// ActivityCheckPayee checks the organisation a payment pays.
	ActivityCheckPayee = "CheckPayee"
)

// RegisterCheckInput names one organisation_checks row to run.
type RegisterCheckInput struct {
	CheckID string `json:"check_id"`
}

// RegisterCheckWorkflowID names a check's workflow.
func RegisterCheckWorkflowID(checkID string) string { return "register-check:" + checkID }

// CheckApplicationInput asks for a submitted application's checks.
type CheckApplicationInput struct {
	ApplicationID string    `json:"application_id"`
	At            time.Time `json:"at"`
}

// CheckSummary is one check's outcome, for the workflow and the audit.
type CheckSummary struct {
	OrganisationID string `json:"organisation_id"`
	Source         string `json:"source"`
	Status         string `json:"status"`
	Reason         string `json:"reason,omitempty"`
}

// CheckApplicationResult lists the checks made.
type CheckApplicationResult struct {
	Checks []CheckSummary `json:"checks"`
}

// CheckPayeeInput asks for the checks of a payment's payee. With
// NotifyHold, finance is told when the check holds the payment (a
// manual payment's approval refused; a Stripe send that is held fails,
// which tells finance itself).
type CheckPayeeInput struct {
	PaymentID  string    `json:"payment_id"`
	At         time.Time `json:"at"`
	NotifyHold bool      `json:"notify_hold,omitempty"`
}

// CheckPayeeResult says whether the payment must be held: Hold is the
// reason (a check failed: removed, dissolved, not on the register), ""
// when it may be sent. not_run and error never hold.
type CheckPayeeResult struct {
	Hold   string         `json:"hold,omitempty"`
	Checks []CheckSummary `json:"checks"`
}

// registerCheckOptions: a register call is bounded by its own time-out;
// a failed activity (PostgreSQL down) is retried for a while, and a
// register that errs is recorded as error, not retried here.
func registerCheckOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute, MaximumAttempts: 20},
	})
}

// RegisterCheckWorkflow runs one queued check.
func RegisterCheckWorkflow(ctx workflow.Context, in RegisterCheckInput) error {
	return workflow.ExecuteActivity(registerCheckOptions(ctx), ActivityRunRegisterCheck, in).Get(ctx, nil)
}
