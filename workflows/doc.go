// Package workflows holds the Temporal workflows that drive a case after
// submission, and the names and types clients use to reach them. Workflow
// code here is deterministic: it never touches the database, the network or
// the clock except through the SDK; activities (package activities) do the
// I/O and are called by name.
package workflows
