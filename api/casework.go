package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Spaces at Risk casework (DESIGN §10 "Casework"): thin handlers over the
// use cases, which decide who may do what.

func (h *Handler) createSupportRequest(c *gin.Context) {
	r, err := h.app.CreateSupportRequest(c.Request.Context(), actor(c), h.body(c))
	h.respond(c, http.StatusCreated, r, err)
}

func (h *Handler) listSupportRequests(c *gin.Context) {
	page, err := h.app.ListSupportRequests(c.Request.Context(), actor(c), app.SupportRequestFilter{Status: c.Query("status"),
		Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getSupportRequest(c *gin.Context) {
	r, err := h.app.GetSupportRequest(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) triageSupportRequest(c *gin.Context) {
	r, err := h.app.TriageSupportRequest(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) listCaseworkers(c *gin.Context) {
	list, err := h.app.ListCaseworkers(c.Request.Context(), actor(c))
	h.respond(c, http.StatusOK, gin.H{"items": list}, err)
}

func (h *Handler) listCases(c *gin.Context) {
	page, err := h.app.ListCases(c.Request.Context(), actor(c), app.CaseFilter{Status: c.Query("status"), Mine: c.Query("mine"),
		OrganisationID: c.Query("organisation_id"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getCase(c *gin.Context) {
	k, err := h.app.GetCase(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, k, err)
}

func (h *Handler) addCaseAction(c *gin.Context) {
	x, err := h.app.AddCaseAction(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, x, err)
}

func (h *Handler) setCaseActionStatus(c *gin.Context) {
	x, err := h.app.SetCaseActionStatus(c.Request.Context(), actor(c), c.Param("id"), c.Param("action_id"), h.body(c))
	h.respond(c, http.StatusOK, x, err)
}

func (h *Handler) addCaseNote(c *gin.Context) {
	n, err := h.app.AddCaseNote(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, n, err)
}

func (h *Handler) addCaseContact(c *gin.Context) {
	k, err := h.app.AddCaseContact(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, k, err)
}

func (h *Handler) addCaseKeyDate(c *gin.Context) {
	d, err := h.app.AddCaseKeyDate(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, d, err)
}

func (h *Handler) closeCase(c *gin.Context) {
	k, err := h.app.CloseCase(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, k, err)
}

func (h *Handler) reassignCase(c *gin.Context) {
	k, err := h.app.ReassignCase(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, k, err)
}

func (h *Handler) inviteToApply(c *gin.Context) {
	a, err := h.app.InviteToApply(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, a, err)
}

// uploadCaseDocument streams the multipart field "file"; ?shared=false
// keeps a caseworker's document from the group.
func (h *Handler) uploadCaseDocument(c *gin.Context) {
	shared := c.Query("shared") != "false"
	d, err := h.app.AddCaseDocument(c.Request.Context(), actor(c), c.Param("id"), shared, h.multipartFile(c))
	h.respond(c, http.StatusCreated, d, err)
}

func (h *Handler) getCaseDocument(c *gin.Context) {
	d, f, err := h.app.OpenCaseDocument(c.Request.Context(), actor(c), c.Param("id"), c.Param("document_id"))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	h.sendDocument(c, d.Download(), f)
}

func (h *Handler) caseworkFigures(c *gin.Context) {
	d, err := h.app.CaseworkFigures(c.Request.Context(), actor(c))
	h.respond(c, http.StatusOK, d, err)
}

// exportCases streams every case as a CSV attachment.
func (h *Handler) exportCases(c *gin.Context) {
	write, err := h.app.ExportCases(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	if err := app.ServeCSV(c.Writer, "cases.csv", write); err != nil {
		// The status is sent; the truncated file is all the client gets.
		h.log.ErrorContext(c.Request.Context(), "export cases", "err", err)
	}
}
