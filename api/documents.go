package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// uploadDocument streams the multipart field "file" into the use case
// without buffering it in memory or on disk first.
func (h *Handler) uploadDocument(c *gin.Context) {
	d, err := h.app.UploadDocument(c.Request.Context(), actor(c), c.Param("id"), h.multipartFile(c))
	h.respond(c, http.StatusCreated, d, err)
}

// multipartFile limits the body and returns an opener of its multipart
// field "file", called by the use case after its scope and state checks.
// A body over the limit is passed on as it is, for the use case to refuse.
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
					return "", nil, err
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

func (h *Handler) listDocuments(c *gin.Context) {
	page, err := h.app.ListDocuments(c.Request.Context(), actor(c), c.Param("id"), pageQuery(c))
	h.respond(c, http.StatusOK, page, err)
}

// getDocument sends the file with the headers of every download
// (app.SetDownloadHeaders): an attachment of its detected type, never
// rendered inline, never cached.
func (h *Handler) getDocument(c *gin.Context) {
	d, f, err := h.app.OpenDocument(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	h.sendDocument(c, d, f)
}

// sendDocument sends a document with the headers of every download and
// closes its content.
func (h *Handler) sendDocument(c *gin.Context, d app.Document, f io.ReadCloser) {
	defer f.Close()
	app.SetDownloadHeaders(c.Writer.Header(), d)
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, f); err != nil {
		h.log.WarnContext(c.Request.Context(), "send document", "document_id", d.ID, "err", err)
	}
}
