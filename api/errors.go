package api

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// errorBody is the stable error shape of DESIGN §7.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

var statusOf = map[app.Kind]int{
	app.KindMalformed:       http.StatusBadRequest,
	app.KindUnauthenticated: http.StatusUnauthorized,
	app.KindForbidden:       http.StatusForbidden,
	app.KindNotFound:        http.StatusNotFound,
	app.KindConflict:        http.StatusConflict,
	app.KindTooLarge:        http.StatusRequestEntityTooLarge,
	app.KindUnsupported:     http.StatusUnsupportedMediaType,
	app.KindInvalid:         http.StatusUnprocessableEntity,
	app.KindRateLimited:     http.StatusTooManyRequests,
	app.KindUnavailable:     http.StatusServiceUnavailable,
}

// writeError is the one place errors become responses. Clients never see an
// internal error's text; the log does, with the request id.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	e, ok := app.AsError(err)
	if !ok {
		log.ErrorContext(c.Request.Context(), "internal error", "err", err, "method", c.Request.Method,
			"path", c.FullPath(), "request_id", c.Writer.Header().Get("X-Request-Id"))
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{
			Code: "internal", Message: "Something went wrong on our side; try again later"}})
		return
	}
	status, ok := statusOf[e.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="grants"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
}
