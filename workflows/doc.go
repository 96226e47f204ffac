// Package workflows holds the Temporal workflows that drive a case after
// submission, and the names and types clients use to reach them. Workflow
// code here is deterministic: it never touches the database, the network or
// the clock except through the SDK; activities (package activities) do the
// I/O and are called by name.
//
// The lifecycle rules are pure functions here, each written once and used
// by the Update validators, by the activities (with facts read from
// PostgreSQL) and by package app (to tell a reader what they may do):
// ApprovalRefusal (the two-approver rule), CanApprove, CanCancel and
// CanRetry (a payment's states), AwaitingDecision (an application the chair
// may still decide) and AssessmentLive (an assessment assigned or scored;
// in SQL, assessment_is_live).
package workflows
