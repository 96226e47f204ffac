package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) listNotifications(c *gin.Context) {
	page, err := h.app.ListNotifications(c.Request.Context(), actor(c), pageQuery(c))
	h.respond(c, http.StatusOK, page, err)
}
