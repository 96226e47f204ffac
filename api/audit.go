package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) auditTrail(c *gin.Context) {
	trail, err := h.app.AuditTrailOf(c.Request.Context(), actor(c), c.Query("entity"))
	h.respond(c, http.StatusOK, trail, err)
}
