package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/round"
)

func pageQuery(c *gin.Context) app.PageQuery {
	return app.PageQuery{Cursor: c.Query("cursor"), Limit: c.Query("limit")}
}

func (h *Handler) listProgrammes(c *gin.Context) {
	ps, err := h.app.ListProgrammes(c.Request.Context())
	h.respond(c, http.StatusOK, gin.H{"items": ps, "next_cursor": nil}, err)
}

func (h *Handler) listRounds(c *gin.Context) {
	page, err := h.app.ListRounds(c.Request.Context(), app.RoundFilter{Status: c.Query("status"),
		Programme: c.Query("programme"), Page: pageQuery(c), Viewer: actor(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getRound(c *gin.Context) {
	r, err := h.app.ReadRound(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) createRound(c *gin.Context) {
	var def round.Definition
	if !h.bind(c, &def) {
		return
	}
	r, err := h.app.CreateRound(c.Request.Context(), actor(c), def)
	h.respond(c, http.StatusCreated, r, err)
}

func (h *Handler) updateRound(c *gin.Context) {
	r, err := h.app.UpdateRound(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) checkEligibility(c *gin.Context) {
	var in app.EligibilityInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.CheckEligibility(c.Request.Context(), in)
	h.respond(c, http.StatusOK, res, err)
}
