package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

func (h *Handler) getEquality(c *gin.Context) {
	e, err := h.app.GetEquality(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, e, err)
}

func (h *Handler) saveEquality(c *gin.Context) {
	e, err := h.app.SaveEquality(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, e, err)
}

func (h *Handler) equalityReport(c *gin.Context) {
	r, err := h.app.ReportEquality(c.Request.Context(), actor(c),
		app.EqualityReportFilter{RoundID: c.Query("round_id"), Programme: c.Query("programme")})
	h.respond(c, http.StatusOK, r, err)
}
