package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Staff administration and programmes (DESIGN §10): thin handlers over
// the use cases, which decide who may do what.

func (h *Handler) listStaff(c *gin.Context) {
	page, err := h.app.ListStaff(c.Request.Context(), actor(c), app.StaffFilter{Role: c.Query("role"), Active: c.Query("active"),
		Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getStaffMember(c *gin.Context) {
	m, err := h.app.GetStaffMember(c.Request.Context(), actor(c), c.Param("user_id"))
	h.respond(c, http.StatusOK, m, err)
}

func (h *Handler) changeStaff(c *gin.Context) {
	m, err := h.app.ChangeStaff(c.Request.Context(), actor(c), c.Param("user_id"), h.body(c))
	h.respond(c, http.StatusOK, m, err)
}

func (h *Handler) getProgramme(c *gin.Context) {
	p, err := h.app.GetProgramme(c.Request.Context(), c.Param("code"))
	h.respond(c, http.StatusOK, p, err)
}

func (h *Handler) createProgramme(c *gin.Context) {
	p, err := h.app.CreateProgramme(c.Request.Context(), actor(c), h.body(c))
	h.respond(c, http.StatusCreated, p, err)
}

func (h *Handler) updateProgramme(c *gin.Context) {
	p, err := h.app.UpdateProgramme(c.Request.Context(), actor(c), c.Param("code"), h.body(c))
	h.respond(c, http.StatusOK, p, err)
}
