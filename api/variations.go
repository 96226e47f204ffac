package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) varyGrant(c *gin.Context) {
	v, err := h.app.VaryGrant(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, v, err)
}

func (h *Handler) listVariations(c *gin.Context) {
	page, err := h.app.ListVariations(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, page, err)
}
