package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

type applicantDocRow struct {
	Href, Name, Type, Size string
	app.Document
}

type applicantDocumentsData struct {
	Case   applicantCase
	Docs   []applicantDocRow
	Return string // the question page to go back to, if the visitor came from one
}

// applicantReturn keeps a "return to" path only when it is a page of this
// application.
func applicantReturn(x applicantCase, to string) string {
	if strings.HasPrefix(to, x.Base+"/") && !strings.ContainsAny(to, "\\\r\n") && !strings.Contains(to, "//") {
		return to
	}
	return ""
}

func (ui *UI) applicantRenderDocuments(c *gin.Context, status int, x applicantCase, f *Form, ret string, flash string) {
	d := applicantDocumentsData{Case: x, Return: ret}
	for _, doc := range x.App.Documents {
		d.Docs = append(d.Docs, applicantDocRow{Href: "/documents/" + doc.ID, Name: doc.Filename, Type: applicantDocType(doc.ContentType),
			Size: applicantSize(doc.SizeBytes), Document: doc})
	}
	back := x.Base
	if ret != "" {
		back = ret
	}
	ui.render(c, status, "applicant-documents", page{Title: "Supporting documents", Form: f, Back: back, Flash: flash, Data: d})
}

// applicantDocumentsPage lists the application's documents, with an upload
// form while it is a draft.
func (ui *UI) applicantDocumentsPage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	flash := ""
	if c.Query("uploaded") == "1" {
		flash = "Your file has been uploaded."
	}
	ui.applicantRenderDocuments(c, http.StatusOK, x, nil, applicantReturn(x, c.Query("return")), flash)
}

// applicantUpload stores the multipart field "file" (already read by the
// CSRF check, within the upload limit) through the use case, which decides
// its type from its content and refuses what is too large.
func (ui *UI) applicantUpload(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	f := postedForm(c)
	ret := applicantReturn(x, f.Get("return"))
	open, done := uploadedFile(c, "file")
	defer done()
	_, err := ui.app.UploadDocument(c.Request.Context(), actor(c), x.App.ID, open)
	if err == nil {
		to := x.Base + "/documents?uploaded=1"
		if ret != "" {
			to += "&return=" + urlQueryEscape(ret)
		}
		redirect(c, to)
		return
	}
	if !uploadRefused(f, err, "file") && !f.FromApp(err, nil, "file") {
		ui.fail(c, err)
		return
	}
	ui.applicantRenderDocuments(c, refusal(c, err), x, f, ret, "")
}

// uploadedFile opens the multipart field (already read by the CSRF check,
// within the upload limit) for a use case that stores an upload: no file
// is malformed, with the field's message under "file". Call done once the
// use case has returned.
func uploadedFile(c *gin.Context, field string) (open func() (string, io.Reader, error), done func()) {
	var file io.ReadCloser
	open = func() (string, io.Reader, error) {
		fh, err := c.FormFile(field)
		if err != nil {
			return "", nil, app.Malformed("Select a file to upload", map[string]string{"file": "Select a file to upload"})
		}
		if file, err = fh.Open(); err != nil {
			return "", nil, fmt.Errorf("open upload: %w", err)
		}
		return fh.Filename, file, nil
	}
	return open, func() {
		if file != nil {
			_ = file.Close()
		}
	}
}

// uploadRefused records on f, at field, a refusal of the file itself (too
// large, of a type not taken, not a file) and reports whether it was one.
func uploadRefused(f *Form, err error, field string) bool {
	e, ok := app.AsError(err)
	if ok && len(e.Fields) == 0 && (e.Kind == app.KindTooLarge || e.Kind == app.KindUnsupported || e.Kind == app.KindMalformed) {
		f.Fail(field, e.Message)
		return true
	}
	return false
}

// applicantDownload sends a document the visitor may open as an
// attachment with its detected type, never rendered inline.
func (ui *UI) applicantDownload(c *gin.Context) {
	d, file, err := ui.app.OpenDocument(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.sendDocument(c, d, file)
}

// sendDocument sends a document with the headers of every download
// (app.SetDownloadHeaders) and closes its content.
func (ui *UI) sendDocument(c *gin.Context, d app.Document, file io.ReadCloser) {
	defer file.Close()
	app.SetDownloadHeaders(c.Writer.Header(), d)
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, file); err != nil {
		ui.log.WarnContext(c.Request.Context(), "send document", "document_id", d.ID, "err", err)
	}
}
