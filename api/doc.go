// Package api is the JSON API under /api/v1 (DESIGN §7). Handlers are thin:
// they read the request, make one call into the use-case layer (package
// app) and write its result; app.Error values become the stable error shape
// in one function.
package api
