package api

import (
	"errors"
	"io"
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

// multipartFile limits the body and returns an opener of its multipart
// field "file", called by the use case after its scope and state checks.
func (h *Handler) multipartFile(c *gin.Context) func() (string, io.Reader, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	return func() (string, io.Reader, error) {
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return "", nil, app.Malformed("Send the file as multipart/form-data in a field named file", nil)
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return "", nil, &app.Error{Kind: app.KindTooLarge, Code: "too_large", Message: "Each file must be 10 MB or smaller"}
				}
				return "", nil, app.Malformed("Send the file as multipart/form-data in a field named file",
					map[string]string{"file": "Choose a file to upload"})
			}
			if part.FormName() == "file" {
				return part.FileName(), part, nil
			}
		}
	}
}
