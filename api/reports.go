package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

func (h *Handler) listReports(c *gin.Context) {
	page, err := h.app.ListReports(c.Request.Context(), actor(c), app.ReportFilter{GrantID: c.Query("grant_id"),
		Status: c.Query("status"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) getReport(c *gin.Context) {
	r, err := h.app.GetReport(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) submitReport(c *gin.Context) {
	r, err := h.app.SubmitReport(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, r, err)
}

func (h *Handler) reviewReport(c *gin.Context) {
	r, err := h.app.ReviewReport(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusOK, r, err)
}

// uploadReportDocument streams the multipart field "file" into the use
// case, as uploadDocument does for applications.
func (h *Handler) uploadReportDocument(c *gin.Context) {
	d, err := h.app.UploadReportDocument(c.Request.Context(), actor(c), c.Param("id"), h.multipartFile(c))
	h.respond(c, http.StatusCreated, d, err)
}
