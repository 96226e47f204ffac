package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// SubmitReport records a grantee's monitoring report: the answers are
// checked against the round's report form (every required question; a
// file answer must be a document uploaded to this report), spend to date
// in whole pence. The managers are told; an overdue report no longer
// holds the grant's payments. Run again by its submitter after it applied,
// it changes nothing.
func (a *Activities) SubmitReport(ctx context.Context, in workflows.ReportSubmitInput) (workflows.ReportResult, error) {
	var out workflows.ReportResult
	s := in.Submission
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		r, err := lockReport(ctx, q, g.ID, s.ReportID)
		if err != nil {
			return err
		}
		out = workflows.ReportResult{ReportID: r.ID, Status: r.Status}
		if r.Status == workflows.ReportSubmitted && deref(r.SubmittedBy) == s.Caller.ID && sameJSON(r.Answers, s.Answers) {
			return nil
		}
		if err := workflows.CanSubmitReport(r.Status); err != nil {
			return err
		}
		if _, err := q.OrganisationMemberRole(ctx, sqlc.OrganisationMemberRoleParams{OrganisationID: g.OrganisationID, UserID: s.Caller.ID}); err != nil {
			if isNotFound(err) {
				return workflows.Reject(workflows.RejectNotFound, "Report not found", nil)
			}
			return fmt.Errorf("membership: %w", err)
		}
		_, def, err := loadRound(ctx, q, g.RoundID)
		if err != nil {
			return err
		}
		reportForm := def.ReportFormOrDefault()
		fields, answers := checkReportAnswers(reportForm, s.Answers)
		docs, err := q.DocumentListByReport(ctx, &r.ID)
		if err != nil {
			return fmt.Errorf("list report documents: %w", err)
		}
		for key, docID := range form.FileAnswers(reportForm.Questions(), answers) {
			if !slices.Contains(docs, docID) {
				fields["answers."+key] = "Upload this file to the report first"
			}
		}
		maps.Copy(fields, workflows.CheckSpend(s.SpendPence))
		if err := workflows.Invalid(fields); err != nil {
			return err
		}
		canonical, err := json.Marshal(answers)
		if err != nil {
			return fmt.Errorf("encode answers: %w", err)
		}
		wasOverdue := r.Status == workflows.ReportOverdue
		r.Status, r.Answers, r.SpendPence = workflows.ReportSubmitted, canonical, &s.SpendPence
		r.SubmittedBy, r.SubmittedAt = &s.Caller.ID, &in.At
		r.ReviewedBy, r.ReviewedAt = nil, nil
		if err := saveReport(ctx, q, r); err != nil {
			return err
		}
		out.Status = r.Status
		if err := record(ctx, q, grantChain(g.ID), s.Caller.ID, "report.submitted", "report:"+r.ID, in.At,
			map[string]any{"report_id": r.ID, "kind": r.Kind, "spend_pence": s.SpendPence, "was_overdue": wasOverdue, "documents": docs}); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleManager, message{kind: "report_submitted", subject: "A grant report is ready for review",
			body:   fmt.Sprintf("The %s report of grant %s was submitted (spend to date %s).", r.Kind, g.ID, money.PoundsAndPence(s.SpendPence)),
			entity: grantChain(g.ID), key: "report_submitted:" + r.ID + ":" + in.At.UTC().Format("20060102T150405.000000000")})
	})
	return out, classify(err)
}

// sameJSON reports whether two JSON texts hold the same value: stored
// answers come back from jsonb spelt differently from how they were sent.
func sameJSON(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// checkReportAnswers decodes a report's answers (a JSON object) and
// checks them, complete, against the report form.
func checkReportAnswers(f form.Form, raw json.RawMessage) (map[string]string, map[string]json.RawMessage) {
	answers := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &answers) != nil {
		return map[string]string{"answers": "Give the answers as an object of question keys"}, answers
	}
	return form.CheckAnswers(f.Questions(), answers, true), answers
}

// ReviewReport records a manager's review: accepted (which may make a
// tranche due) or changes requested with the comment, for the grantee to
// submit again.
func (a *Activities) ReviewReport(ctx context.Context, in workflows.ReportReviewInput) (workflows.ReportResult, error) {
	var out workflows.ReportResult
	rv := in.Review
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := lockActiveGrant(ctx, q, in.GrantID)
		if err != nil {
			return err
		}
		r, err := lockReport(ctx, q, g.ID, rv.ReportID)
		if err != nil {
			return err
		}
		out = workflows.ReportResult{ReportID: r.ID, Status: r.Status}
		want := workflows.ReportAccepted
		if rv.Outcome == workflows.ReviewRequestChanges {
			want = workflows.ReportChangesRequested
		}
		if r.Status == want && deref(r.ReviewedBy) == rv.Caller.ID {
			return nil
		}
		if r.Status != workflows.ReportSubmitted {
			return workflows.Reject(workflows.RejectInvalidState, "Only a submitted report can be reviewed (this one is "+r.Status+")", nil)
		}
		if err := requireStaffOnGrant(ctx, q, rv.Caller.ID, workflows.RoleManager, "Only a programme manager can review reports", g); err != nil {
			return err
		}
		if err := workflows.Invalid(workflows.CheckReportReview(rv.Outcome, rv.Comment)); err != nil {
			return err
		}
		r.Status, r.ReviewedBy, r.ReviewedAt, r.ReviewComment = want, &rv.Caller.ID, &in.At, &rv.Comment
		if err := saveReport(ctx, q, r); err != nil {
			return err
		}
		out.Status = r.Status
		if err := record(ctx, q, grantChain(g.ID), rv.Caller.ID, "report.reviewed", "report:"+r.ID, in.At,
			map[string]any{"report_id": r.ID, "kind": r.Kind, "outcome": rv.Outcome, "comment": rv.Comment}); err != nil {
			return err
		}
		m := message{kind: "report_reviewed", entity: grantChain(g.ID), key: "report_reviewed:" + r.ID + ":" + in.At.UTC().Format("20060102T150405.000000000")}
		if want == workflows.ReportAccepted {
			m.subject, m.body = "Your grant report was accepted", fmt.Sprintf("Your %s report has been accepted. %s", r.Kind, rv.Comment)
		} else {
			m.subject, m.body = "Changes requested to your grant report", fmt.Sprintf("Please update your %s report: %s", r.Kind, rv.Comment)
		}
		return notifyOrgAdmins(ctx, q, g.OrganisationID, m)
	})
	return out, classify(err)
}
