package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/organisation"
)

func (h *Handler) createOrganisation(c *gin.Context) {
	var in organisation.Input
	if !h.bind(c, &in) {
		return
	}
	o, err := h.app.CreateOrganisation(c.Request.Context(), actor(c), in)
	h.respond(c, http.StatusCreated, o, err)
}

func (h *Handler) listOrganisations(c *gin.Context) {
	page, err := h.app.ListOrganisations(c.Request.Context(), actor(c), pageQuery(c))
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getOrganisation(c *gin.Context) {
	o, err := h.app.GetOrganisation(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, o, err)
}

func (h *Handler) updateOrganisation(c *gin.Context) {
	o, err := h.app.UpdateOrganisation(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, o, err)
}

func (h *Handler) hostConsent(c *gin.Context) {
	o, err := h.app.ConsentToHost(c.Request.Context(), actor(c), c.Param("id"), h.noParams(c))
	h.respond(c, http.StatusOK, o, err)
}

func (h *Handler) setBankAccount(c *gin.Context) {
	b, err := h.app.SetBankAccount(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, b, err)
}

func (h *Handler) getBankAccount(c *gin.Context) {
	b, err := h.app.GetBankAccount(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, b, err)
}
