// Package app is the use-case layer of grants. Every read and write made by
// the JSON API and the web UI goes through it, and it owns authorisation
// scoping: who may see and change what is decided here, once. It returns
// *Error values whose Kind gives the status code (Kind.Status, the one rule
// both transports use).
package app
