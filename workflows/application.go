package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ApplicationInput starts an application's case.
type ApplicationInput struct {
	ApplicationID string `json:"application_id"`
}

// ApplicationResult is how a case ended.
type ApplicationResult struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
}

// CheckEligibilityInput names the application whose eligibility to check.
type CheckEligibilityInput struct {
	ApplicationID string `json:"application_id"`
}

// CheckEligibilityResult is the status the check left the application in.
type CheckEligibilityResult struct {
	Status   string   `json:"status"`
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons"`
}

// ApplicationWorkflow drives one submitted application. Its first step
// evaluates the round's eligibility rules against the stored application,
// which moves it to in_assessment or ineligible. Assessment, decision and
// the offer extend it in later steps.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (ApplicationResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
	var elig CheckEligibilityResult
	if err := workflow.ExecuteActivity(ctx, ActivityCheckEligibility, CheckEligibilityInput(in)).Get(ctx, &elig); err != nil {
		return ApplicationResult{}, err
	}
	return ApplicationResult{Status: elig.Status, Reasons: elig.Reasons}, nil
}
