package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// Assessment is the view of one assessor's assessment of an application.
// Scores and total are null until scored.
type Assessment struct {
	ID               string                              `json:"id"`
	ApplicationID    string                              `json:"application_id"`
	RoundID          string                              `json:"round_id"`
	Status           string                              `json:"status"`
	Generation       int32                               `json:"generation"`
	Deadline         time.Time                           `json:"deadline"`
	AssignedAt       time.Time                           `json:"assigned_at"`
	ScoredAt         *time.Time                          `json:"scored_at"`
	Scores           map[string]workflows.CriterionScore `json:"scores"`
	Total            *scoring.Hundredths                 `json:"total"`
	OrganisationName string                              `json:"organisation_name"`
}

// AssessmentDetail is one assessment with what the assessor needs to score
// it: the application, its documents and the round's criteria.
type AssessmentDetail struct {
	Assessment
	Application Application       `json:"application"`
	Documents   []Document        `json:"documents"`
	Criteria    []round.Criterion `json:"criteria"`
}

// AssessmentFilter selects assessments in the assessor's queue.
type AssessmentFilter struct {
	Status string
	Page   PageQuery
}

func decodeScores(s sqlc.Assessment) (map[string]workflows.CriterionScore, error) {
	if len(s.Scores) == 0 {
		return nil, nil
	}
	var out map[string]workflows.CriterionScore
	if err := json.Unmarshal(s.Scores, &out); err != nil {
		return nil, fmt.Errorf("decode scores of %s: %w", s.ID, err)
	}
	return out, nil
}

func hundredths(v *int64) *scoring.Hundredths {
	if v == nil {
		return nil
	}
	h := scoring.Hundredths(*v)
	return &h
}

func assessmentView(s sqlc.Assessment, orgName string) (Assessment, error) {
	scores, err := decodeScores(s)
	if err != nil {
		return Assessment{}, err
	}
	return Assessment{ID: s.ID, ApplicationID: s.ApplicationID, RoundID: s.RoundID, Status: s.Status, Generation: s.Generation,
		Deadline: s.Deadline, AssignedAt: s.AssignedAt, ScoredAt: s.ScoredAt, Scores: scores,
		Total: hundredths(s.TotalHundredths), OrganisationName: orgName}, nil
}

// ListAssessments is the assessor's queue: what they are assigned to or
// have scored, optionally by status.
func (a *App) ListAssessments(ctx context.Context, actor Actor, f AssessmentFilter) (Page[Assessment], error) {
	if !actor.Has(RoleAssessor) {
		return Page[Assessment]{}, forbidden("Only assessors have an assessment queue")
	}
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Assessment, fields)
	var status *string
	switch f.Status {
	case "":
	case workflows.AssessmentAssigned, workflows.AssessmentScored:
		status = &f.Status
	default:
		fields["status"] = "Status must be assigned or scored"
	}
	if len(fields) > 0 {
		return Page[Assessment]{}, Invalid(fields)
	}
	rows, err := a.store.AssessmentListForAssessor(ctx, sqlc.AssessmentListForAssessorParams{AssessorID: actor.ID,
		Status: status, Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[Assessment]{}, fmt.Errorf("list assessments: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.AssessmentListForAssessorRow) string { return r.Assessment.ID },
		func(r sqlc.AssessmentListForAssessorRow) (Assessment, error) {
			return assessmentView(r.Assessment, r.OrganisationName)
		})
}

// loadAssessment returns one of the actor's own live assessments: 403 for
// anyone who is not an assessor, 404 for another assessor's, a conflicted
// or a released one.
func (a *App) loadAssessment(ctx context.Context, actor Actor, asmID string) (sqlc.AssessmentGetWithOrganisationRow, error) {
	if !actor.Has(RoleAssessor) {
		return sqlc.AssessmentGetWithOrganisationRow{}, forbidden("Only assessors can use assessments")
	}
	if !id.Valid(id.Assessment, asmID) {
		return sqlc.AssessmentGetWithOrganisationRow{}, notFound("Assessment")
	}
	row, err := a.store.AssessmentGetWithOrganisation(ctx, asmID)
	if err != nil {
		if isNotFound(err) {
			return row, notFound("Assessment")
		}
		return row, fmt.Errorf("get assessment: %w", err)
	}
	if row.Assessment.AssessorID != actor.ID || !workflows.AssessmentLive(row.Assessment.Status) {
		return row, notFound("Assessment")
	}
	return row, nil
}

// GetAssessment reads one of the actor's live assessments with the
// application, its documents and the round's criteria.
func (a *App) GetAssessment(ctx context.Context, actor Actor, asmID string) (AssessmentDetail, error) {
	row, err := a.loadAssessment(ctx, actor, asmID)
	if err != nil {
		return AssessmentDetail{}, err
	}
	v, err := assessmentView(row.Assessment, row.OrganisationName)
	if err != nil {
		return AssessmentDetail{}, err
	}
	app, err := a.GetApplication(ctx, actor, row.Assessment.ApplicationID)
	if err != nil {
		return AssessmentDetail{}, err
	}
	def, err := a.roundDefinition(ctx, app.RoundID)
	if err != nil {
		return AssessmentDetail{}, err
	}
	docs := app.Documents
	if docs == nil {
		docs = []Document{}
	}
	criteria := def.Criteria
	if criteria == nil {
		criteria = []round.Criterion{}
	}
	return AssessmentDetail{Assessment: v, Application: app, Documents: docs, Criteria: criteria}, nil
}

func (a *App) roundDefinition(ctx context.Context, roundID string) (round.Definition, error) {
	rnd, err := a.store.RoundGet(ctx, roundID)
	if err != nil {
		return round.Definition{}, fmt.Errorf("get round: %w", err)
	}
	return decodeRound(rnd.Definition)
}

// assessable checks, before any content, that the application of an
// assessment is still being assessed.
func (a *App) assessable(ctx context.Context, appID string) (sqlc.Application, error) {
	app, err := a.store.ApplicationGet(ctx, appID)
	if err != nil {
		return app, fmt.Errorf("get application: %w", err)
	}
	if app.Status != StatusInAssessment {
		return app, invalidState("Assessment of this application has finished")
	}
	return app, nil
}

// ConflictInput is the body of POST /assessments/{id}/conflict.
type ConflictInput struct {
	Reason string `json:"reason"`
}

// DeclareConflict records the assessor's conflict of interest through the
// case's workflow, which releases the assessment and reassigns the case.
// It returns the now conflicted assessment; afterwards the assessor can no
// longer read it or the application.
func (a *App) DeclareConflict(ctx context.Context, actor Actor, asmID string, body Body) (Assessment, error) {
	row, err := a.loadAssessment(ctx, actor, asmID)
	if err != nil {
		return Assessment{}, err
	}
	if _, err := a.assessable(ctx, row.Assessment.ApplicationID); err != nil {
		return Assessment{}, err
	}
	var in ConflictInput
	if err := body(&in); err != nil {
		return Assessment{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if fields := workflows.CheckConflict(reason); len(fields) > 0 {
		return Assessment{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, row.Assessment.ApplicationID, workflows.UpdateDeclareConflict, workflows.ConflictUpdate{
		Caller: caller(actor), AssessmentID: asmID, Reason: reason}); err != nil {
		return Assessment{}, err
	}
	return a.rereadAssessment(ctx, asmID)
}

func (a *App) rereadAssessment(ctx context.Context, asmID string) (Assessment, error) {
	row, err := a.store.AssessmentGetWithOrganisation(ctx, asmID)
	if err != nil {
		return Assessment{}, fmt.Errorf("reread assessment: %w", err)
	}
	return assessmentView(row.Assessment, row.OrganisationName)
}

// ScoresInput is the body of POST /assessments/{id}/scores: every
// criterion's whole-number score and justification.
type ScoresInput struct {
	Scores map[string]ScoreInput `json:"scores"`
}

// ScoreInput is one criterion's score in ScoresInput.
type ScoreInput struct {
	Score         *int   `json:"score"`
	Justification string `json:"justification"`
}

// Score scores, or revises the scores of, one of the actor's assessments
// through the case's workflow: every criterion of the round, 0..max, each
// with a justification.
func (a *App) Score(ctx context.Context, actor Actor, asmID string, body Body) (Assessment, error) {
	row, err := a.loadAssessment(ctx, actor, asmID)
	if err != nil {
		return Assessment{}, err
	}
	app, err := a.assessable(ctx, row.Assessment.ApplicationID)
	if err != nil {
		return Assessment{}, err
	}
	var in ScoresInput
	if err := body(&in); err != nil {
		return Assessment{}, err
	}
	def, err := a.roundDefinition(ctx, app.RoundID)
	if err != nil {
		return Assessment{}, err
	}
	scores, fields := checkScores(def.Criteria, in.Scores)
	if len(fields) > 0 {
		return Assessment{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, row.Assessment.ApplicationID, workflows.UpdateScore, workflows.ScoreUpdate{
		Caller: caller(actor), AssessmentID: asmID, Scores: scores}); err != nil {
		return Assessment{}, err
	}
	return a.rereadAssessment(ctx, asmID)
}

// checkScores validates scores against the round's criteria with the
// validator's own rules (workflows.CheckScores); a criterion given without
// a score is checked as out of range, so its justification is checked too.
func checkScores(criteria []round.Criterion, given map[string]ScoreInput) (map[string]workflows.CriterionScore, map[string]string) {
	if len(given) == 0 {
		return nil, map[string]string{"scores": "Score every criterion"}
	}
	crit := make([]workflows.Criterion, len(criteria))
	for i, c := range criteria {
		crit[i] = workflows.Criterion{Key: c.Key, Weight: c.Weight, MaxScore: c.MaxScore}
	}
	out := make(map[string]workflows.CriterionScore, len(given))
	for k, s := range given {
		score := -1
		if s.Score != nil {
			score = *s.Score
		}
		out[k] = workflows.CriterionScore{Score: score, Justification: strings.TrimSpace(s.Justification)}
	}
	return out, workflows.CheckScores(crit, out)
}
