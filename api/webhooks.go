package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// maxWebhookBody is the largest webhook body accepted.
const maxWebhookBody = 256 << 10

// stripeWebhook receives Stripe's signed events. It needs no token: the
// signature is the credential.
func (h *Handler) stripeWebhook(c *gin.Context) {
	payload, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxWebhookBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(c, h.log, &app.Error{Kind: app.KindTooLarge, Code: "too_large",
				Message: fmt.Sprintf("The request body must be %d bytes or less", mbe.Limit)})
			return
		}
		writeError(c, h.log, app.Malformed("The request body could not be read", nil))
		return
	}
	res, err := h.app.StripeWebhook(c.Request.Context(), payload, c.GetHeader("Stripe-Signature"))
	h.respond(c, http.StatusOK, res, err)
}
