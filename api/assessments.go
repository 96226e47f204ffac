package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

func (h *Handler) listAssessments(c *gin.Context) {
	page, err := h.app.ListAssessments(c.Request.Context(), actor(c), app.AssessmentFilter{Status: c.Query("status"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getAssessment(c *gin.Context) {
	a, err := h.app.GetAssessment(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) declareConflict(c *gin.Context) {
	a, err := h.app.DeclareConflict(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) scoreAssessment(c *gin.Context) {
	a, err := h.app.Score(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, a, err)
}
