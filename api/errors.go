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

// writeError is the one place errors become responses, with the status
// of app.Kind.Status. Clients never see an internal error's text; the log
// does, with the request id.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	e, ok := app.AsError(err)
	if !ok {
		log.ErrorContext(c.Request.Context(), "internal error", "err", err, "method", c.Request.Method,
			"path", c.FullPath(), "request_id", c.Writer.Header().Get("X-Request-Id"))
		c.AbortWithStatusJSON(app.KindInternal.Status(), errorBody{Error: errorDetail{
			Code: app.KindInternal.Code(), Message: "Something went wrong on our side; try again later"}})
		return
	}
	status := e.Kind.Status()
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="grants"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
}
