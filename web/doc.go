// Package web is the server-rendered, GOV.UK-styled web UI. Its templates
// are embedded in the binary and parsed once at start-up; every page reads
// and writes through the use-case layer (package app), like the JSON API,
// and every route is registered in routes.go.
//
// The journeys: the public pages (home, a round's questions, eligibility,
// sign-in and registration); applicants' organisations and applications,
// section by section to submission and withdrawal; grantees' offers, bank
// details and reports; assessors' queues, conflicts and scores; the panel's
// cases, moderation and decisions; managers' rounds and dashboard; and
// finance's payments, payment runs and report reviews. Sessions are cookie
// based, with a CSRF token on every form.
package web
