package workflows

import "go.temporal.io/sdk/workflow"

// Registrar is the part of a Temporal worker that registers workflows.
type Registrar interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// Register registers every workflow under its stable name.
func Register(r Registrar) {
	r.RegisterWorkflowWithOptions(ApplicationWorkflow, workflow.RegisterOptions{Name: ApplicationWorkflowName})
	r.RegisterWorkflowWithOptions(RoundWorkflow, workflow.RegisterOptions{Name: RoundWorkflowName})
	r.RegisterWorkflowWithOptions(GrantWorkflow, workflow.RegisterOptions{Name: GrantWorkflowName})
	r.RegisterWorkflowWithOptions(DisbursementWorkflow, workflow.RegisterOptions{Name: DisbursementWorkflowName})
	r.RegisterWorkflowWithOptions(EmailWorkflow, workflow.RegisterOptions{Name: EmailWorkflowName})
	r.RegisterWorkflowWithOptions(CaseWorkflow, workflow.RegisterOptions{Name: CaseWorkflowName})
	r.RegisterWorkflowWithOptions(RegisterCheckWorkflow, workflow.RegisterOptions{Name: RegisterCheckWorkflowName})
}
