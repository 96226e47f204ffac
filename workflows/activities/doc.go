// Package activities holds the Temporal activities of grants: the steps
// that read and write PostgreSQL for a case or a round. Each writes its
// change, its audit events and its notification rows (with dedupe keys) in
// one transaction, takes its times from its input (workflow time), and is
// safe to run again: after it applied, it returns the same result and
// writes nothing more. A change that may not be made is a non-retryable
// rejection (workflows.Reject); errors.go decides, in one place, which
// other errors are worth retrying. PromoteWaitlisted is the one activity
// that talks to Temporal: it sends the promote Update to a waitlisted case.
package activities
