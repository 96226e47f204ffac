// Package httpmw holds the HTTP middleware every request passes through:
// request IDs, structured access logs, panic recovery, security headers and
// the request metrics served at /metrics.
package httpmw
