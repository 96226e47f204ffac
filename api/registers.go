package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// lookupRegister answers what a register says about a charity or company
// number, for the organisation form to offer to fill in.
func (h *Handler) lookupRegister(c *gin.Context) {
	out, err := h.app.LookupRegister(c.Request.Context(), actor(c), c.Query("charity_number"), c.Query("company_number"))
	h.respond(c, http.StatusOK, out, err)
}

// requestToJoin asks an organisation's admins to add the caller.
func (h *Handler) requestToJoin(c *gin.Context) {
	out, err := h.app.RequestToJoin(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusAccepted, out, err)
}
