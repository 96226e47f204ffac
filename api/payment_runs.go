package api

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

func (h *Handler) createPaymentRun(c *gin.Context) {
	r, err := h.app.CreatePaymentRun(c.Request.Context(), actor(c), h.noParams(c))
	h.respond(c, http.StatusCreated, r, err)
}

func (h *Handler) listPaymentRuns(c *gin.Context) {
	page, err := h.app.ListPaymentRuns(c.Request.Context(), actor(c), pageQuery(c))
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getPaymentRun(c *gin.Context) {
	r, err := h.app.GetPaymentRun(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, r, err)
}

// paymentRunFile sends the run's BACS file as a CSV attachment; it holds
// bank details, so no cache may keep it.
func (h *Handler) paymentRunFile(c *gin.Context) {
	f, err := h.app.PaymentRunFile(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	c.Header("Content-Length", strconv.Itoa(len(f.Content)))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", f.Content)
}

func (h *Handler) markPaymentRunPaid(c *gin.Context) {
	r, err := h.app.MarkPaymentRunPaid(c.Request.Context(), actor(c), c.Param("id"), h.noParams(c))
	h.respond(c, http.StatusOK, r, err)
}
