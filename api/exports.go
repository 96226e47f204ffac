package api

import (
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"
)

// exportPayments streams the payments report as a CSV attachment.
func (h *Handler) exportPayments(c *gin.Context) {
	write, err := h.app.ExportPayments(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "payments.csv"}))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	if err := write(c.Writer); err != nil {
		// The status is sent; the truncated file is all the client gets.
		h.log.ErrorContext(c.Request.Context(), "export payments", "err", err)
	}
}
