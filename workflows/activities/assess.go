package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// RecordScores records (or revises) an assessor's scores of every
// criterion with the weighted total, then sets or clears the case's
// needs_moderation flag from the assessors' totals. The assessment must be
// this application's, the caller's, live, before its deadline, and the case
// still in assessment; the scores are validated again in full. Run again
// with the same scores, it writes nothing.
func (a *Activities) RecordScores(ctx context.Context, in workflows.ScoreInput) (workflows.AssessmentResult, error) {
	var out workflows.AssessmentResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		s, err := lockAssessment(ctx, q, c.app.ID, in.AssessmentID)
		if err != nil {
			return err
		}
		if err := canChange(c, s, in.AssessorID); err != nil {
			return err
		}
		if err := requireStaff(ctx, q, in.AssessorID, workflows.RoleAssessor, "Only assessors can score applications", c.app); err != nil {
			return err
		}
		if !in.At.Before(s.Deadline) {
			return workflows.Reject(workflows.RejectInvalidState, "The deadline for this assessment has passed", nil)
		}
		scores, fields := cleanScores(c.def.Criteria, in.Scores)
		if err := workflows.Invalid(fields); err != nil {
			return err
		}
		if s.Status == workflows.AssessmentScored && sameScores(s.Scores, scores) {
			out = workflows.AssessmentResult{Assignment: assignmentOf(s), TotalHundredths: s.TotalHundredths,
				NeedsModeration: hasFlag(c.app.Flags, workflows.FlagNeedsModeration)}
			return nil
		}
		total, err := assessorTotal(c.def.Criteria, scores)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(scores)
		if err != nil {
			return fmt.Errorf("encode scores: %w", err)
		}
		t := int64(total)
		s, err = q.AssessmentScore(ctx, sqlc.AssessmentScoreParams{ID: s.ID, Scores: raw, TotalHundredths: &t, ScoredAt: &in.At})
		if err != nil {
			return fmt.Errorf("record scores: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), in.AssessorID, "assessment.scored", "assessment:"+s.ID, in.At,
			map[string]any{"assessment_id": s.ID, "scores": scores, "total": total, "total_hundredths": t}); err != nil {
			return err
		}
		needs, err := moderationCheck(ctx, q, c, in.At)
		if err != nil {
			return err
		}
		out = workflows.AssessmentResult{Assignment: assignmentOf(s), TotalHundredths: &t, NeedsModeration: needs}
		return nil
	})
	return out, classify(err)
}

// canChange rejects a change by assessorID to assessment s of case c
// unless it is theirs, live and the case is still in assessment.
func canChange(c caseRow, s sqlc.Assessment, assessorID string) error {
	switch {
	case s.AssessorID != assessorID:
		return workflows.Reject(workflows.RejectForbidden, "This assessment is assigned to someone else", nil)
	case !workflows.AssessmentLive(s.Status):
		return workflows.Reject(workflows.RejectInvalidState, "This assessment is "+s.Status, nil)
	case c.app.Status != workflows.StatusInAssessment:
		return workflows.Reject(workflows.RejectInvalidState, "This application is no longer being assessed (it is "+c.app.Status+")", nil)
	}
	return nil
}

// cleanScores trims the justifications of a score set and checks it
// with the validator's own rules (workflows.CheckScores).
func cleanScores(criteria []round.Criterion, in map[string]workflows.CriterionScore) (map[string]workflows.CriterionScore, map[string]string) {
	out := make(map[string]workflows.CriterionScore, len(in))
	for k, s := range in {
		out[k] = workflows.CriterionScore{Score: s.Score, Justification: strings.TrimSpace(s.Justification)}
	}
	return out, workflows.CheckScores(criteriaOf(criteria), out)
}

// criteriaOf is what the workflow knows of a round's criteria.
func criteriaOf(criteria []round.Criterion) []workflows.Criterion {
	out := make([]workflows.Criterion, len(criteria))
	for i, cr := range criteria {
		out[i] = workflows.Criterion{Key: cr.Key, Weight: cr.Weight, MaxScore: cr.MaxScore}
	}
	return out
}

// assessorTotal is the one weighted total (package scoring) of a valid
// score set.
func assessorTotal(criteria []round.Criterion, scores map[string]workflows.CriterionScore) (scoring.Hundredths, error) {
	cs := make([]scoring.Criterion, len(criteria))
	for i, cr := range criteria {
		cs[i] = scoring.Criterion{Key: cr.Key, Weight: cr.Weight, MaxScore: cr.MaxScore}
	}
	plain := make(map[string]int, len(scores))
	for k, s := range scores {
		plain[k] = s.Score
	}
	total, err := scoring.AssessorTotal(cs, plain)
	if err != nil {
		return 0, workflows.Reject(workflows.RejectInvalid, "These scores cannot be totalled: "+err.Error(), nil)
	}
	return total, nil
}

// sameScores reports whether stored scores equal a clean score set.
func sameScores(stored []byte, scores map[string]workflows.CriterionScore) bool {
	var prev map[string]workflows.CriterionScore
	if len(stored) == 0 || json.Unmarshal(stored, &prev) != nil {
		return false
	}
	return maps.Equal(prev, scores)
}

// moderationCheck sets the case's needs_moderation flag when two or more
// assessors disagree by more than the round's threshold and no manager has
// moderated it, clears it when they no longer do, and tells managers the
// first time the case needs moderation. It reports whether the flag is set.
func moderationCheck(ctx context.Context, q *sqlc.Queries, c caseRow, at time.Time) (bool, error) {
	list, err := q.AssessmentListByApplication(ctx, c.app.ID)
	if err != nil {
		return false, fmt.Errorf("list assessments: %w", err)
	}
	totals := scoredTotals(list)
	moderated := c.app.ModeratedTotal != nil || hasFlag(c.app.Flags, workflows.FlagModerated)
	disagree := len(totals) >= 2 && scoring.NeedsModeration(totals, c.def.ModerationThresholdOrDefault())
	has := hasFlag(c.app.Flags, workflows.FlagNeedsModeration)
	data := map[string]any{"flag": workflows.FlagNeedsModeration, "spread": scoring.Spread(totals),
		"threshold_points": c.def.ModerationThresholdOrDefault()}
	switch {
	case disagree && !moderated && !has:
		if _, err := q.ApplicationSetFlags(ctx, sqlc.ApplicationSetFlagsParams{ID: c.app.ID, Flags: withFlag(c.app.Flags, workflows.FlagNeedsModeration)}); err != nil {
			return false, fmt.Errorf("flag case: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "application.flagged", appChain(c.app.ID), at, data); err != nil {
			return false, err
		}
		return true, notifyRole(ctx, q, workflows.RoleManager, message{
			kind: "needs_moderation", subject: "Assessors disagree on an application",
			body:   fmt.Sprintf("Assessors' totals differ by %s points, more than the round's %d. Please moderate.", scoring.Spread(totals), c.def.ModerationThresholdOrDefault()),
			entity: appChain(c.app.ID), key: "moderation:" + c.app.ID,
		})
	case !disagree && !moderated && has:
		if _, err := q.ApplicationSetFlags(ctx, sqlc.ApplicationSetFlagsParams{ID: c.app.ID, Flags: withoutFlag(c.app.Flags, workflows.FlagNeedsModeration)}); err != nil {
			return false, fmt.Errorf("unflag case: %w", err)
		}
		return false, record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "application.unflagged", appChain(c.app.ID), at, data)
	}
	return has, nil
}

// DeclareConflict records an assessor's declared conflict of interest: the
// assessment becomes conflict (its scores cleared), and the application's
// lead organisation is recorded against the assessor, which keeps them off
// every application whose lead or partner it is, in any round. Managers
// are told. Run again after it applied, it returns the assessment as it is.
func (a *Activities) DeclareConflict(ctx context.Context, in workflows.ConflictInput) (workflows.AssessmentResult, error) {
	var out workflows.AssessmentResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		s, err := lockAssessment(ctx, q, c.app.ID, in.AssessmentID)
		if err != nil {
			return err
		}
		if s.Status == workflows.AssessmentConflict && s.AssessorID == in.AssessorID {
			out = workflows.AssessmentResult{Assignment: assignmentOf(s), NeedsModeration: hasFlag(c.app.Flags, workflows.FlagNeedsModeration)}
			return nil
		}
		if err := canChange(c, s, in.AssessorID); err != nil {
			return err
		}
		if err := requireRole(ctx, q, in.AssessorID, workflows.RoleAssessor, "Only assessors can declare conflicts on assessments"); err != nil {
			return err
		}
		s, err = q.AssessmentMarkConflict(ctx, sqlc.AssessmentMarkConflictParams{ID: s.ID, Reason: &in.Reason, ReleasedAt: &in.At})
		if err != nil {
			return fmt.Errorf("mark conflict: %w", err)
		}
		org, err := q.OrganisationGet(ctx, c.app.OrganisationID)
		if err != nil {
			return fmt.Errorf("load organisation: %w", err)
		}
		if err := q.AssessorConflictInsert(ctx, sqlc.AssessorConflictInsertParams{
			AssessorID: in.AssessorID, OrganisationID: org.ID, NameKey: interest.NameKey(org.Name),
			CharityNumber: org.CharityNumber, CompanyNumber: org.CompanyNumber, ApplicationID: c.app.ID, Reason: in.Reason,
		}); err != nil {
			return fmt.Errorf("record conflict: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), in.AssessorID, "assessment.conflict_declared", "assessment:"+s.ID, in.At,
			map[string]any{"assessment_id": s.ID, "organisation_id": org.ID, "reason": in.Reason}); err != nil {
			return err
		}
		if err := notifyRole(ctx, q, workflows.RoleManager, message{
			kind: "conflict_declared", subject: "An assessor declared a conflict of interest",
			body:   "An assessor declared a conflict of interest with " + org.Name + " and has been released; the application is being reassigned.",
			entity: appChain(c.app.ID), key: "conflict:" + s.ID,
		}); err != nil {
			return err
		}
		needs, err := moderationCheck(ctx, q, c, in.At)
		if err != nil {
			return err
		}
		out = workflows.AssessmentResult{Assignment: assignmentOf(s), NeedsModeration: needs}
		return nil
	})
	return out, classify(err)
}

// ReleaseAssessment releases an assessment (reason deadline, decided or
// withdrawn), telling the assessor when their deadline passed. An
// assessment already released or conflicted is returned as it is.
func (a *Activities) ReleaseAssessment(ctx context.Context, in workflows.ReleaseInput) (workflows.AssessmentResult, error) {
	switch in.Reason {
	case workflows.ReleaseDeadline, workflows.ReleaseDecided, workflows.ReleaseWithdrawn:
	default:
		return workflows.AssessmentResult{}, workflows.Reject(workflows.RejectInvalid, "Unknown release reason",
			map[string]string{"reason": "Use deadline, decided or withdrawn"})
	}
	var out workflows.AssessmentResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		s, err := lockAssessment(ctx, q, c.app.ID, in.AssessmentID)
		if err != nil {
			return err
		}
		if workflows.AssessmentLive(s.Status) {
			if s, err = release(ctx, q, s, in.Reason, in.At); err != nil {
				return err
			}
		}
		out = workflows.AssessmentResult{Assignment: assignmentOf(s), NeedsModeration: hasFlag(c.app.Flags, workflows.FlagNeedsModeration)}
		return nil
	})
	return out, classify(err)
}

// release releases a live assessment inside the caller's transaction,
// with its audit event, telling the assessor unless the case was decided.
func release(ctx context.Context, q *sqlc.Queries, s sqlc.Assessment, reason string, at time.Time) (sqlc.Assessment, error) {
	s, err := q.AssessmentRelease(ctx, sqlc.AssessmentReleaseParams{ID: s.ID, Reason: &reason, ReleasedAt: &at})
	if err != nil {
		return s, fmt.Errorf("release assessment: %w", err)
	}
	if err := record(ctx, q, appChain(s.ApplicationID), workflows.SystemActor, "assessment.released", "assessment:"+s.ID, at,
		map[string]any{"assessment_id": s.ID, "assessor_id": s.AssessorID, "reason": reason}); err != nil {
		return s, err
	}
	var m message
	switch reason {
	case workflows.ReleaseDeadline:
		m = message{kind: "released", subject: "Assessment deadline passed",
			body: "The deadline for your assessment passed before it was scored, so it has been passed to another assessor."}
	case workflows.ReleaseWithdrawn:
		m = message{kind: "released", subject: "Application withdrawn",
			body: "An application you were assessing has been withdrawn by the applicant. You no longer need to assess it."}
	default:
		return s, nil
	}
	m.entity, m.key = "assessment:"+s.ID, "released:"+s.ID
	return s, notify(ctx, q, []string{s.AssessorID}, m)
}

// SendReminder reminds an assessor of an unscored assessment's deadline,
// once: an assessment scored, released or already reminded is left alone.
func (a *Activities) SendReminder(ctx context.Context, in workflows.ReminderInput) (workflows.AssessmentResult, error) {
	var out workflows.AssessmentResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		s, err := lockAssessment(ctx, q, c.app.ID, in.AssessmentID)
		if err != nil {
			return err
		}
		if s.Status == workflows.AssessmentAssigned && s.RemindedAt == nil {
			if s, err = q.AssessmentMarkReminded(ctx, sqlc.AssessmentMarkRemindedParams{ID: s.ID, RemindedAt: &in.At}); err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
			if err := notify(ctx, q, []string{s.AssessorID}, message{
				kind: "reminder", subject: "Assessment due soon",
				body:   "Please score the application assigned to you by " + londonTime(s.Deadline) + ".",
				entity: "assessment:" + s.ID, key: "reminder:" + s.ID,
			}); err != nil {
				return err
			}
			if err := record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "assessment.reminded", "assessment:"+s.ID, in.At,
				map[string]any{"assessment_id": s.ID, "assessor_id": s.AssessorID, "deadline": s.Deadline}); err != nil {
				return err
			}
		}
		out = workflows.AssessmentResult{Assignment: assignmentOf(s), TotalHundredths: s.TotalHundredths,
			NeedsModeration: hasFlag(c.app.Flags, workflows.FlagNeedsModeration)}
		return nil
	})
	return out, classify(err)
}
