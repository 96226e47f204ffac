package workflows

import "go.temporal.io/sdk/workflow"

// Grant statuses the review writes (grants.status), and the end of a
// grant's workflow.
const (
	GrantStatusOffered = "offered"
	GrantStatusActive  = "active"
	GrantStatusLapsed  = "lapsed"
	GrantStatusClosed  = "closed"
)

// GrantWorkflow follows an accepted grant. It is started by its
// application's case on acceptance and outlives it. For now it only waits:
// the disbursement issue gives it the payment schedule, report deadlines
// and close-out; SignalGrantClosed ends it.
func GrantWorkflow(ctx workflow.Context, in GrantInput) (GrantResult, error) {
	workflow.GetSignalChannel(ctx, SignalGrantClosed).Receive(ctx, nil)
	return GrantResult{Status: GrantStatusClosed}, nil
}
