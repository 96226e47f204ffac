// Package web is the server-rendered web UI. Its templates are embedded in
// the binary and parsed once at start-up; every page reads through the
// use-case layer (package app), like the JSON API. For now it has the home
// page and a public page per round listing every question; the full
// GOV.UK-styled journeys come later.
package web
