package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

type createApplicationInput struct {
	RoundID        string `json:"round_id"`
	OrganisationID string `json:"organisation_id"`
}

func (h *Handler) createApplication(c *gin.Context) {
	var in createApplicationInput
	if !h.bind(c, &in) {
		return
	}
	a, err := h.app.CreateApplication(c.Request.Context(), actor(c), in.RoundID, in.OrganisationID)
	h.respond(c, http.StatusCreated, a, err)
}

func (h *Handler) listApplications(c *gin.Context) {
	page, err := h.app.ListApplications(c.Request.Context(), actor(c), app.ApplicationFilter{
		RoundID: c.Query("round_id"), Status: c.Query("status"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getApplication(c *gin.Context) {
	a, err := h.app.GetApplication(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) saveApplication(c *gin.Context) {
	a, err := h.app.SaveApplication(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) submitApplication(c *gin.Context) {
	a, err := h.app.SubmitApplication(c.Request.Context(), actor(c), c.Param("id"), h.noParams(c))
	h.respond(c, http.StatusAccepted, a, err)
}

func (h *Handler) withdrawApplication(c *gin.Context) {
	a, err := h.app.WithdrawApplication(c.Request.Context(), actor(c), c.Param("id"), h.noParams(c))
	h.respond(c, http.StatusOK, a, err)
}

func (h *Handler) deleteApplication(c *gin.Context) {
	if err := h.app.DeleteApplication(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}
