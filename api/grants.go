package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

func (h *Handler) listGrants(c *gin.Context) {
	page, err := h.app.ListGrants(c.Request.Context(), actor(c), app.GrantFilter{Status: c.Query("status"),
		RoundID: c.Query("round_id"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getGrant(c *gin.Context) {
	g, err := h.app.GetGrant(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, g, err)
}

func (h *Handler) acceptGrant(c *gin.Context) {
	g, err := h.app.AcceptGrant(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, g, err)
}

func (h *Handler) declineGrant(c *gin.Context) {
	g, err := h.app.DeclineGrant(c.Request.Context(), actor(c), c.Param("id"), h.optionalBody(c))
	h.respond(c, http.StatusOK, g, err)
}

func (h *Handler) requestPayoutAccount(c *gin.Context) {
	acct, err := h.app.RequestPayoutAccount(c.Request.Context(), actor(c), c.Param("id"), h.noParams(c))
	h.respond(c, http.StatusOK, acct, err)
}
