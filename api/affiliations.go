package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) setAffiliations(c *gin.Context) {
	out, err := h.app.SetAffiliations(c.Request.Context(), actor(c), h.body(c))
	h.respond(c, http.StatusOK, out, err)
}
