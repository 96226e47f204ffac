package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Report is a monitoring report a grant owes, with its answers, spend to
// date, review and evidence.
type Report struct {
	ID            string          `json:"id"`
	GrantID       string          `json:"grant_id"`
	Kind          string          `json:"kind"`
	Status        string          `json:"status"`
	DueAt         *time.Time      `json:"due_at"`
	Answers       json.RawMessage `json:"answers"`
	SpendPence    *int64          `json:"spend_pence"`
	SubmittedAt   *time.Time      `json:"submitted_at"`
	SubmittedBy   *string         `json:"submitted_by"`
	ReviewedAt    *time.Time      `json:"reviewed_at"`
	ReviewedBy    *string         `json:"reviewed_by"`
	ReviewComment *string         `json:"review_comment"`
	Documents     []Document      `json:"documents"`
}

// AnswerMap decodes the report's stored answers, keyed by question. Stored
// answers that are not a JSON object are an error, never read as none.
func (r Report) AnswerMap() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Answers, &m); err != nil {
		return nil, fmt.Errorf("decode answers of report %s: %w", r.ID, err)
	}
	return m, nil
}

// ReportFilter selects reports in a list.
type ReportFilter struct {
	GrantID string
	Status  string
	Page    PageQuery
}

var reportStatuses = []string{workflows.ReportUpcoming, workflows.ReportDue, workflows.ReportOverdue,
	workflows.ReportSubmitted, workflows.ReportAccepted, workflows.ReportChangesRequested}

// reportAccess is a report the actor may read, with the actor's role in
// the grantee organisation ("" if none).
type reportAccess struct {
	row  sqlc.ReportDetailGetRow
	role string
}

// loadReport returns a report the actor may read: members of the grantee
// organisation, and managers, chairs and finance. Anyone else gets
// not_found.
func (a *App) loadReport(ctx context.Context, actor Actor, reportID string) (reportAccess, error) {
	if !id.Valid(id.Report, reportID) {
		return reportAccess{}, notFound("Report")
	}
	r, err := a.store.ReportDetailGet(ctx, reportID)
	if err != nil {
		if isNotFound(err) {
			return reportAccess{}, notFound("Report")
		}
		return reportAccess{}, fmt.Errorf("get report: %w", err)
	}
	role, err := a.grantRole(ctx, actor, r.OrganisationID, "Report")
	if err != nil {
		return reportAccess{}, err
	}
	return reportAccess{row: r, role: role}, nil
}

// reportViews builds the views of reports with their documents.
func (a *App) reportViews(ctx context.Context, rows []sqlc.Report) ([]Report, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	docs, err := a.store.DocumentListByReports(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("report documents: %w", err)
	}
	byReport := map[string][]Document{}
	for _, d := range docs {
		if d.ReportID != nil {
			byReport[*d.ReportID] = append(byReport[*d.ReportID], documentView(d))
		}
	}
	out := make([]Report, 0, len(rows))
	for _, r := range rows {
		answers := json.RawMessage(r.Answers)
		if len(answers) == 0 {
			answers = json.RawMessage(`{}`)
		}
		ds := byReport[r.ID]
		if ds == nil {
			ds = []Document{}
		}
		out = append(out, Report{ID: r.ID, GrantID: r.GrantID, Kind: r.Kind, Status: r.Status, DueAt: r.DueAt,
			Answers: answers, SpendPence: r.SpendPence, SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy,
			ReviewedAt: r.ReviewedAt, ReviewedBy: r.ReviewedBy, ReviewComment: r.ReviewComment, Documents: ds})
	}
	return out, nil
}

func (a *App) reportView(ctx context.Context, reportID string) (Report, error) {
	r, err := a.store.ReportDetailGet(ctx, reportID)
	if err != nil {
		return Report{}, fmt.Errorf("get report: %w", err)
	}
	views, err := a.reportViews(ctx, []sqlc.Report{r.Report})
	if err != nil {
		return Report{}, err
	}
	return views[0], nil
}

// ListReports lists the reports the actor may see: members their
// organisations' grants' reports; managers, chairs and finance every one.
func (a *App) ListReports(ctx context.Context, actor Actor, f ReportFilter) (Page[Report], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Report, fields)
	var status, grantID *string
	if f.Status != "" {
		if slices.Contains(reportStatuses, f.Status) {
			status = &f.Status
		} else {
			fields["status"] = "Unknown status"
		}
	}
	if f.GrantID != "" {
		grantID = &f.GrantID
	}
	if len(fields) > 0 {
		return Page[Report]{}, Invalid(fields)
	}
	rows, err := a.store.ReportListScoped(ctx, sqlc.ReportListScopedParams{SeeAll: actor.seesAllGrants(), UserID: actor.ID,
		GrantID: grantID, Status: status, Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[Report]{}, fmt.Errorf("list reports: %w", err)
	}
	rows, next := pageRows(rows, limit, func(r sqlc.Report) string { return r.ID })
	views, err := a.reportViews(ctx, rows)
	if err != nil {
		return Page[Report]{}, err
	}
	return Page[Report]{Items: views, NextCursor: next}, nil
}

// GetReport reads one report.
func (a *App) GetReport(ctx context.Context, actor Actor, reportID string) (Report, error) {
	x, err := a.loadReport(ctx, actor, reportID)
	if err != nil {
		return Report{}, err
	}
	views, err := a.reportViews(ctx, []sqlc.Report{x.row.Report})
	if err != nil {
		return Report{}, err
	}
	return views[0], nil
}

// ReportSubmissionInput is the body of POST /reports/{id}/submit.
type ReportSubmissionInput struct {
	Answers    json.RawMessage `json:"answers"`
	SpendPence *int64          `json:"spend_pence"`
}

// grantee checks that the actor, who may read the report, is a member of
// the grantee organisation: staff who are not get 403.
func (x reportAccess) grantee(what string) error {
	if x.role == "" {
		return forbidden("Only members of the grantee organisation can " + what)
	}
	return nil
}

// SubmitReport submits a report for a member of the grantee
// organisation, through the grant's workflow. The answers are checked
// against the round's report form (every required question answered,
// every answer valid, file answers naming this report's documents) and
// the spend must be whole, non-negative pence.
func (a *App) SubmitReport(ctx context.Context, actor Actor, reportID string, body Body) (Report, error) {
	x, err := a.loadReport(ctx, actor, reportID)
	if err != nil {
		return Report{}, err
	}
	if err := x.grantee("submit its reports"); err != nil {
		return Report{}, err
	}
	switch x.row.Report.Status {
	case workflows.ReportSubmitted:
		return Report{}, invalidState("This report has been submitted and is waiting for review")
	case workflows.ReportAccepted:
		return Report{}, invalidState("This report has been accepted")
	}
	var in ReportSubmissionInput
	if err := body(&in); err != nil {
		return Report{}, err
	}
	fields := map[string]string{}
	var answers map[string]json.RawMessage
	trimmed := bytes.TrimSpace(in.Answers)
	switch {
	case len(trimmed) == 0 || string(trimmed) == "null":
		fields["answers"] = "Answer the report's questions"
	case trimmed[0] != '{' || json.Unmarshal(trimmed, &answers) != nil:
		fields["answers"] = "Give the answers as an object keyed by question"
	}
	if in.SpendPence == nil {
		fields["spend_pence"] = "Give the spend to date in pence"
	} else {
		for k, v := range workflows.CheckSpend(*in.SpendPence) {
			fields[k] = v
		}
	}
	if answers != nil {
		for k, v := range answers {
			if form.IsNull(v) {
				delete(answers, k)
			}
		}
		def, err := a.roundDefinition(ctx, x.row.RoundID)
		if err != nil {
			return Report{}, err
		}
		qs := def.ReportFormOrDefault().Questions()
		for k, msg := range form.CheckAnswers(qs, answers, true) {
			fields[k] = msg
		}
		if err := a.checkReportFiles(ctx, qs, reportID, answers, fields); err != nil {
			return Report{}, err
		}
	}
	if len(fields) > 0 {
		return Report{}, Invalid(fields)
	}
	raw, err := json.Marshal(answers)
	if err != nil {
		return Report{}, fmt.Errorf("encode answers: %w", err)
	}
	if err := a.updateGrant(ctx, x.row.Report.GrantID, workflows.UpdateSubmitReport, workflows.ReportSubmission{Caller: caller(actor),
		ReportID: reportID, Answers: raw, SpendPence: *in.SpendPence}, nil); err != nil {
		return Report{}, err
	}
	return a.reportView(ctx, reportID)
}

// checkReportFiles records a problem for each file answer that does not
// name a document uploaded to the report.
func (a *App) checkReportFiles(ctx context.Context, qs []form.Question, reportID string, answers map[string]json.RawMessage, fields map[string]string) error {
	files := form.FileAnswers(qs, answers)
	if len(files) == 0 {
		return nil
	}
	docs, err := a.store.DocumentListByReports(ctx, []string{reportID})
	if err != nil {
		return fmt.Errorf("report documents: %w", err)
	}
	have := map[string]bool{}
	for _, d := range docs {
		have[d.ID] = true
	}
	for key, docID := range files {
		if !have[docID] && fields["answers."+key] == "" {
			fields["answers."+key] = "Upload the file to this report first, then give its id"
		}
	}
	return nil
}

// ReviewInput is the body of POST /reports/{id}/review.
type ReviewInput struct {
	Outcome string `json:"outcome"`
	Comment string `json:"comment"`
}

// ReviewReport records a manager's review of a submitted report through
// the grant's workflow: accept (which may release the next tranche) or
// request changes (a comment is then required).
func (a *App) ReviewReport(ctx context.Context, actor Actor, reportID string, body Body) (Report, error) {
	if !actor.Has(RoleManager) {
		return Report{}, forbidden("Only programme managers can review reports")
	}
	x, err := a.loadReport(ctx, actor, reportID)
	if err != nil {
		return Report{}, err
	}
	if err := a.refuseInterestedInGrant(ctx, actor, x.row.Report.GrantID, "review its reports"); err != nil {
		return Report{}, err
	}
	if x.row.Report.Status != workflows.ReportSubmitted {
		return Report{}, invalidState("Only a submitted report can be reviewed")
	}
	var in ReviewInput
	if err := body(&in); err != nil {
		return Report{}, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if fields := workflows.CheckReportReview(in.Outcome, in.Comment); len(fields) > 0 {
		return Report{}, Invalid(fields)
	}
	if err := a.updateGrant(ctx, x.row.Report.GrantID, workflows.UpdateReviewReport, workflows.ReportReview{Caller: caller(actor),
		ReportID: reportID, Outcome: in.Outcome, Comment: in.Comment}, nil); err != nil {
		return Report{}, err
	}
	return a.reportView(ctx, reportID)
}

// UploadReportDocument stores evidence for a report: same limits and type
// checks as an application's documents (the file counts towards the
// grant's application's 50 MB). Members of the grantee organisation only;
// not once the report is accepted.
func (a *App) UploadReportDocument(ctx context.Context, actor Actor, reportID string, open func() (string, io.Reader, error)) (Document, error) {
	x, err := a.loadReport(ctx, actor, reportID)
	if err != nil {
		return Document{}, err
	}
	if err := x.grantee("add evidence to its reports"); err != nil {
		return Document{}, err
	}
	if x.row.Report.Status == workflows.ReportAccepted {
		return Document{}, invalidState("This report has been accepted; evidence can no longer be added")
	}
	if err := checkReportFileCount(ctx, a.store.Queries, reportID); err != nil { // before reading the body; again under the lock
		return Document{}, err
	}
	stored, filename, err := a.storeUpload(ctx, open)
	if err != nil {
		return Document{}, err
	}
	appID := x.row.ApplicationID
	var out Document
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if _, err := q.ApplicationGetForUpdate(ctx, appID); err != nil { // serialises the total-size check
			return fmt.Errorf("lock application: %w", err)
		}
		status, err := q.ReportStatusForShare(ctx, reportID)
		if err != nil {
			return fmt.Errorf("lock report: %w", err)
		}
		if status == workflows.ReportAccepted {
			return invalidState("This report has been accepted; evidence can no longer be added")
		}
		if err := checkReportFileCount(ctx, q, reportID); err != nil {
			return err
		}
		if err := checkApplicationRoom(ctx, q, appID, stored.Size); err != nil {
			return err
		}
		d, err := q.DocumentCreateForReport(ctx, sqlc.DocumentCreateForReportParams{ID: id.New(id.Document), ApplicationID: appID,
			ReportID: &reportID, Filename: filename, ContentType: stored.Kind.MIME, SizeBytes: stored.Size,
			Sha256: stored.SHA256, UploadedBy: actor.ID})
		if err != nil {
			return fmt.Errorf("record document: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "grant:" + x.row.Report.GrantID, Actor: actor.ID, Action: "report.document_uploaded",
			Entity: "document:" + d.ID, Data: map[string]any{"report_id": reportID, "filename": d.Filename, "sha256": d.Sha256,
				"size_bytes": d.SizeBytes}}); err != nil {
			return err
		}
		out = documentView(d)
		return nil
	})
	return out, err
}
