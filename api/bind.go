package api

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// body returns a lazy strict decoder over the request body, for use cases
// that must check scope and state before they look at content.
func (h *Handler) body(c *gin.Context) app.Body {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody)
	return func(v any) error { return app.DecodeStrict(c.Request.Body, v) }
}

// bind decodes the body into v now, writing the error response if it fails.
func (h *Handler) bind(c *gin.Context, v any) bool {
	if err := h.body(c)(v); err != nil {
		writeError(c, h.log, err)
		return false
	}
	return true
}

// noParams checks, when called, that the body of a command without
// parameters is empty or {}.
func (h *Handler) noParams(c *gin.Context) app.NoParams {
	return func() error {
		raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
		if err != nil {
			return app.Malformed("The request body could not be read", nil)
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return nil
		}
		var m map[string]any
		if err := app.DecodeStrict(bytes.NewReader(raw), &m); err != nil || len(m) != 0 {
			return app.Malformed("This command takes no parameters: send an empty body or {}", nil)
		}
		return nil
	}
}

// optionalBody is body for commands whose parameters are all optional or
// checked as content: an empty body reads as {}.
func (h *Handler) optionalBody(c *gin.Context) app.Body {
	return func(v any) error {
		raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
		if err != nil {
			return app.DecodeStrict(errReader{err}, v)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			raw = []byte("{}")
		}
		return app.DecodeStrict(bytes.NewReader(raw), v)
	}
}

// errReader replays a read error (such as a body over the limit) to the
// strict decoder, which turns it into the client's error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// emptyBody checks the body of a parameterless command now, writing the
// error response if it is not empty.
func (h *Handler) emptyBody(c *gin.Context) bool {
	if err := h.noParams(c)(); err != nil {
		writeError(c, h.log, err)
		return false
	}
	return true
}

// respond writes v with status, or the error.
func (h *Handler) respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.JSON(status, v)
}

// checkQuery refuses, with 422 validation_failed naming each parameter, a
// query string holding text PostgreSQL cannot store (a NUL character,
// bytes that are not UTF-8), before any handler reads it.
//
// Authentication still comes first (DESIGN §7's order of checks): an
// anonymous caller of a route that needs a user gets 401, not 422.
func (h *Handler) checkQuery(c *gin.Context) {
	if err := app.CheckParams(c.Request.URL.Query()); err != nil {
		if _, signedIn := c.Get(actorKey); !signedIn && needsUser(c) {
			err = app.ErrUnauthenticated
		}
		writeError(c, h.log, err)
		return
	}
	c.Next()
}

// needsUser reports whether the matched route's chain includes
// requireUser.
func needsUser(c *gin.Context) bool {
	for _, name := range c.HandlerNames() {
		if strings.HasSuffix(name, ".requireUser-fm") {
			return true
		}
	}
	return false
}
