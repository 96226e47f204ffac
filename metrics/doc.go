// Package metrics owns the operational metrics served at /metrics beside
// the HTTP ones (platform/httpmw): the PostgreSQL pool, the outbox's lag,
// mail delivery and the business gauges, read from PostgreSQL on each
// scrape (Store), and the Temporal SDK's own metrics (Temporal). Every
// label takes values from a small fixed set: statuses, outcomes, SDK
// operation and type names; never an id, an address or a path.
package metrics
