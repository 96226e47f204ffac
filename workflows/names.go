package workflows

// TaskQueue is the task queue every grants workflow and activity runs on.
const TaskQueue = "grants"

// Outbox kinds the dispatcher knows how to start.
const (
	// OutboxStartApplication starts ApplicationWorkflow; payload ApplicationInput.
	OutboxStartApplication = "start:application"
)

// Workflow type names, registered explicitly so renaming a Go function
// never changes them.
const (
	ApplicationWorkflowName = "ApplicationWorkflow"
)

// Activity names.
const (
	ActivityCheckEligibility = "CheckEligibility"
)

// ApplicationWorkflowID is the workflow ID of an application's case.
func ApplicationWorkflowID(applicationID string) string { return "application:" + applicationID }
