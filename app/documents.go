package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/id"
)

// Document is the view of an uploaded file. ReportID is set for evidence
// uploaded to a grant's report (such a document belongs to the grant's
// application).
type Document struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id"`
	ReportID      *string   `json:"report_id,omitempty"`
	Filename      string    `json:"filename"`
	ContentType   string    `json:"content_type"`
	SizeBytes     int64     `json:"size_bytes"`
	SHA256        string    `json:"sha256"`
	CreatedAt     time.Time `json:"created_at"`
}

func documentView(d sqlc.Document) Document {
	return Document{ID: d.ID, ApplicationID: d.ApplicationID, ReportID: d.ReportID, Filename: d.Filename, ContentType: d.ContentType,
		SizeBytes: d.SizeBytes, SHA256: d.Sha256, CreatedAt: d.CreatedAt}
}

// UploadDocument stores a file for a draft application. Its type comes from
// its content; its name is sanitised. Each file is at most 10 MB and an
// application holds at most 50 MB.
// open yields the uploaded file's name and content; it is called only after
// the scope and state checks.
func (a *App) UploadDocument(ctx context.Context, actor Actor, appID string, open func() (string, io.Reader, error)) (Document, error) {
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return Document{}, err
	}
	if !x.canEdit() {
		return Document{}, forbidden("Only members of the applying organisation can upload documents")
	}
	if x.app.Status != StatusDraft {
		return Document{}, invalidState("Documents can only be added while the application is a draft")
	}
	if err := checkApplicationFiles(ctx, a.store.Queries, appID); err != nil { // before reading the body; again under the lock
		return Document{}, err
	}
	stored, filename, err := a.storeUpload(ctx, open)
	if err != nil {
		return Document{}, err
	}
	var out Document
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		app, err := q.ApplicationGetForUpdate(ctx, appID) // serialises the total-size and count checks
		if err != nil {
			return fmt.Errorf("lock application: %w", err)
		}
		if app.Status != StatusDraft {
			return invalidState("Documents can only be added while the application is a draft")
		}
		if err := checkApplicationFiles(ctx, q, appID); err != nil {
			return err
		}
		if err := checkApplicationRoom(ctx, q, appID, stored.Size); err != nil {
			return err
		}
		d, err := q.DocumentCreate(ctx, sqlc.DocumentCreateParams{ID: id.New(id.Document), ApplicationID: appID,
			Filename: filename, ContentType: stored.Kind.MIME, SizeBytes: stored.Size,
			Sha256: stored.SHA256, UploadedBy: actor.ID})
		if err != nil {
			return fmt.Errorf("record document: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "document.uploaded",
			Entity: "document:" + d.ID, Data: map[string]any{"filename": d.Filename, "sha256": d.Sha256, "size_bytes": d.SizeBytes}}); err != nil {
			return err
		}
		out = documentView(d)
		return nil
	})
	return out, err
}

// docsUnavailable is the 503 of an upload or download while the document
// store (an object store, say) cannot be reached.
func docsUnavailable() *Error {
	return &Error{Kind: KindUnavailable, Code: KindUnavailable.Code(), RetryAfter: 30,
		Message: "Documents cannot be stored or read right now; nothing was saved, try again shortly"}
}

// macroMessage refuses a macro-enabled Office file, by content or by name.
const macroMessage = "Macro-enabled Office files (such as .docm or .xlsm) are not accepted: save it as .docx or .xlsx, without macros, and upload that"

// storeUpload reads an upload from open into the document store and
// returns it with its sanitised name: 413 over 10 MB, 415 for a type not
// allowed or not what its name claims, 503 when the document store cannot
// be reached (nothing is recorded). A name without a recognised extension
// gets the detected type's.
func (a *App) storeUpload(ctx context.Context, open func() (string, io.Reader, error)) (document.Stored, string, error) {
	filename, body, err := open()
	if isBodyTooLarge(err) { // the request body ran over before the file began
		return document.Stored{}, "", tooLarge("Each file must be 10 MB or smaller")
	}
	if err != nil {
		return document.Stored{}, "", err
	}
	stored, err := a.docs.Put(ctx, body, document.MaxSize)
	switch {
	case errors.Is(err, document.ErrUnavailable):
		a.log.ErrorContext(ctx, "store document", "err", err)
		return stored, "", docsUnavailable()
	case errors.Is(err, document.ErrTooLarge), isBodyTooLarge(err):
		return stored, "", tooLarge("Each file must be 10 MB or smaller")
	case errors.Is(err, document.ErrMacroEnabled):
		return stored, "", unsupported(macroMessage)
	case errors.Is(err, document.ErrUnsupported):
		return stored, "", unsupported("Upload a PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG file")
	case err != nil:
		return stored, "", fmt.Errorf("store document: %w", err)
	}
	filename, err = document.UploadName(filename, stored.Kind)
	var mismatch *document.NameMismatchError
	switch {
	case errors.As(err, &mismatch):
		return stored, "", unsupported("This file is " + mismatch.Error())
	case errors.Is(err, document.ErrMacroEnabled):
		return stored, "", unsupported(macroMessage)
	case err != nil:
		return stored, "", fmt.Errorf("name upload: %w", err)
	}
	return stored, filename, nil
}

// checkApplicationRoom checks that an application (whose row the caller
// has locked) can take size more bytes of documents: 50 MB in all,
// report evidence included.
func checkApplicationRoom(ctx context.Context, q *sqlc.Queries, appID string, size int64) error {
	total, err := q.DocumentTotalSize(ctx, appID)
	if err != nil {
		return fmt.Errorf("total size: %w", err)
	}
	if total+size > document.MaxPerApplication {
		return tooLarge("An application can hold at most 50 MB of documents")
	}
	return nil
}

// checkApplicationFiles refuses (409) a document beyond the
// MaxFilesPerApplication an application may hold. Under the application's
// row lock it is the authoritative check, so concurrent uploads cannot
// pass it together.
func checkApplicationFiles(ctx context.Context, q *sqlc.Queries, appID string) error {
	n, err := q.DocumentCountForApplication(ctx, appID)
	if err != nil {
		return fmt.Errorf("count documents: %w", err)
	}
	if n >= document.MaxFilesPerApplication {
		return conflict(fmt.Sprintf("An application can hold at most %d documents", document.MaxFilesPerApplication))
	}
	return nil
}

// checkReportFileCount refuses (409) evidence beyond the MaxFilesPerReport a
// report may hold; the caller holds the application's row lock.
func checkReportFileCount(ctx context.Context, q *sqlc.Queries, reportID string) error {
	n, err := q.DocumentCountForReport(ctx, &reportID)
	if err != nil {
		return fmt.Errorf("count report documents: %w", err)
	}
	if n >= document.MaxFilesPerReport {
		return conflict(fmt.Sprintf("A report can hold at most %d documents", document.MaxFilesPerReport))
	}
	return nil
}

// ListDocuments lists one page of an application's documents (report
// evidence included), ordered by id.
func (a *App) ListDocuments(ctx context.Context, actor Actor, appID string, pq PageQuery) (Page[Document], error) {
	if _, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false); err != nil {
		return Page[Document]{}, err
	}
	fields := map[string]string{}
	cursor, limit := pq.parse(id.Document, fields)
	if len(fields) > 0 {
		return Page[Document]{}, Invalid(fields)
	}
	rows, err := a.store.DocumentPageByApplication(ctx, sqlc.DocumentPageByApplicationParams{ApplicationID: appID, Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[Document]{}, fmt.Errorf("list documents: %w", err)
	}
	return pageOf(rows, limit, func(d sqlc.Document) string { return d.ID }, func(d sqlc.Document) (Document, error) { return documentView(d), nil })
}

// DownloadCSP is the Content-Security-Policy of every document download:
// should a browser ever render one, it runs in a sandbox with nothing
// allowed.
const DownloadCSP = "sandbox; default-src 'none'"

// SetDownloadHeaders sets the headers of a document download, the one rule
// for the API and the web alike: the detected type, never sniffed; an
// attachment (never shown inline) under its sanitised name; a sandbox CSP;
// and no-store, so no shared or browser cache keeps an applicant's file.
func SetDownloadHeaders(h http.Header, d Document) {
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.FormatInt(d.SizeBytes, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", DownloadCSP)
	h.Set("ETag", strconv.Quote(d.SHA256))
}

// OpenDocument returns a document the actor may read and its content,
// streamed from the document store (503 when it cannot be reached); the
// caller closes it.
func (a *App) OpenDocument(ctx context.Context, actor Actor, docID string) (Document, io.ReadSeekCloser, error) {
	if !id.Valid(id.Document, docID) {
		return Document{}, nil, notFound("Document")
	}
	d, err := a.store.DocumentGet(ctx, docID)
	if err != nil {
		if isNotFound(err) {
			return Document{}, nil, notFound("Document")
		}
		return Document{}, nil, fmt.Errorf("get document: %w", err)
	}
	if _, err := a.loadApplication(ctx, a.store.Queries, actor, d.ApplicationID, false); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == KindNotFound {
			return Document{}, nil, notFound("Document")
		}
		return Document{}, nil, err
	}
	f, err := a.docs.Open(ctx, d.Sha256)
	if errors.Is(err, document.ErrUnavailable) {
		a.log.ErrorContext(ctx, "open document", "document_id", d.ID, "err", err)
		return Document{}, nil, docsUnavailable()
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("open document %s: %w", d.ID, err)
	}
	return documentView(d), f, nil
}
