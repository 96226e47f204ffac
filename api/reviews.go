package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) roundRanking(c *gin.Context) {
	r, err := h.app.RoundRanking(c.Request.Context(), actor(c), c.Param("id"), pageQuery(c))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) moderateApplication(c *gin.Context) {
	a, err := h.app.Moderate(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) decideApplication(c *gin.Context) {
	a, err := h.app.Decide(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, a, err)
}
