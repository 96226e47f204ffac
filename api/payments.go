package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/workflows"
)

func (h *Handler) listPayments(c *gin.Context) {
	page, err := h.app.ListPayments(c.Request.Context(), actor(c), app.PaymentFilter{Status: c.Query("status"),
		GrantID: c.Query("grant_id"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getPayment(c *gin.Context) {
	p, err := h.app.GetPayment(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, p, err)
}

// paymentCommand handles approve, reject, retry and cancel.
func (h *Handler) paymentCommand(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := h.app.PaymentCommand(c.Request.Context(), actor(c), c.Param("id"), update, h.optionalBody(c), h.noParams(c))
		h.respond(c, http.StatusOK, p, err)
	}
}

func (h *Handler) approvePayment(c *gin.Context) { h.paymentCommand(workflows.UpdateApprovePayment)(c) }
func (h *Handler) rejectPayment(c *gin.Context)  { h.paymentCommand(workflows.UpdateRejectPayment)(c) }
func (h *Handler) retryPayment(c *gin.Context)   { h.paymentCommand(workflows.UpdateRetryPayment)(c) }
func (h *Handler) cancelPayment(c *gin.Context)  { h.paymentCommand(workflows.UpdateCancelPayment)(c) }

func (h *Handler) reissuePayment(c *gin.Context) {
	p, err := h.app.ReissuePayment(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, p, err)
}
