// Package activities holds the Temporal activities of grants: the steps
// that read and write PostgreSQL for a case. Each writes its result and the
// audit event in one transaction and is safe to run again.
package activities
