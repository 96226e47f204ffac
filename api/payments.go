package api

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/workflows"
)

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
