package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// exportPayments streams the payments report as a CSV attachment.
func (h *Handler) exportPayments(c *gin.Context) {
	write, err := h.app.ExportPayments(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	app.SetCSVHeaders(c.Writer.Header(), "payments.csv")
	c.Status(http.StatusOK)
	if err := write(c.Writer); err != nil {
		// The status is sent; the truncated file is all the client gets.
		h.log.ErrorContext(c.Request.Context(), "export payments", "err", err)
	}
}
