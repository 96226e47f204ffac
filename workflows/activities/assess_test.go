package activities_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workflows"
)

// assessed is a case in assessment with its two assignments.
func assessed(t *testing.T, b *bundle) (string, []workflows.Assignment) {
	t.Helper()
	b.assessors(t, 2)
	appID := b.inAssessment(t, b.round, apptest.Lead{})
	res := b.assign(t, appID)
	require.Len(t, res.Assignments, 2)
	return appID, res.Assignments
}

func (b *bundle) score(appID string, a workflows.Assignment, scores map[string]workflows.CriterionScore) (workflows.AssessmentResult, error) {
	return b.acts.RecordScores(b.ctx, workflows.ScoreInput{ApplicationID: appID, AssessmentID: a.ID, AssessorID: a.AssessorID,
		Scores: scores, At: b.at.Add(time.Hour)})
}

func TestRecordScoresValidates(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	tests := []struct {
		name   string
		scores func(map[string]workflows.CriterionScore)
		fields map[string]string
	}{
		{"missing criterion", func(s map[string]workflows.CriterionScore) { delete(s, "need") },
			map[string]string{"scores.need": "Score this criterion"}},
		{"unknown criterion", func(s map[string]workflows.CriterionScore) {
			s["charm"] = workflows.CriterionScore{Score: 1, Justification: "x"}
		},
			map[string]string{"scores.charm": "This round has no such criterion"}},
		{"out of range and blank", func(s map[string]workflows.CriterionScore) {
			s["need"] = workflows.CriterionScore{Score: 6, Justification: "fine"}
			s["led_by"] = workflows.CriterionScore{Score: -1, Justification: "   "}
			s["delivery"] = workflows.CriterionScore{Score: 2, Justification: strings.Repeat("é", 5001)}
		}, map[string]string{
			"scores.need.score":             "Give a score from 0 to 5",
			"scores.led_by.score":           "Give a score from 0 to 5",
			"scores.led_by.justification":   "Explain your score",
			"scores.delivery.justification": "Keep the justification to 5000 characters or fewer",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scores := fullScores(4, 3, 5)
			tt.scores(scores)
			_, err := b.score(appID, as[0], scores)
			r := requireRejection(t, err, workflows.RejectInvalid)
			require.Equal(t, tt.fields, r.Fields)
		})
	}
	// Exactly 5000 characters is allowed.
	scores := fullScores(4, 3, 5)
	scores["need"] = workflows.CriterionScore{Score: 4, Justification: strings.Repeat("é", 5000)}
	_, err := b.score(appID, as[0], scores)
	require.NoError(t, err)
}

func TestRecordScoresRejects(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	otherApp := b.inAssessment(t, b.round, apptest.Lead{})
	other := b.assign(t, otherApp).Assignments[0]

	wrongAssessor := as[0]
	wrongAssessor.AssessorID = as[1].AssessorID
	_, err := b.score(appID, wrongAssessor, fullScores(1, 1, 1))
	requireRejection(t, err, workflows.RejectForbidden)

	_, err = b.score(appID, other, fullScores(1, 1, 1))
	requireRejection(t, err, workflows.RejectNotFound)

	_, err = b.acts.RecordScores(b.ctx, workflows.ScoreInput{ApplicationID: appID, AssessmentID: as[0].ID, AssessorID: as[0].AssessorID,
		Scores: fullScores(1, 1, 1), At: as[0].Deadline})
	requireRejection(t, err, workflows.RejectInvalidState)

	_, err = b.acts.DeclareConflict(b.ctx, workflows.ConflictInput{ApplicationID: appID, AssessmentID: as[1].ID, AssessorID: as[1].AssessorID,
		Reason: "My sister runs it", At: b.at})
	require.NoError(t, err)
	_, err = b.score(appID, as[1], fullScores(1, 1, 1))
	requireRejection(t, err, workflows.RejectInvalidState)
	require.Equal(t, []string{"application.created", "application.saved", "application.submitted", "application.eligibility_checked",
		"assessment.assigned", "assessment.assigned", "assessment.conflict_declared"}, b.actions(t, "application:"+appID))
}

// The total is the one weighted formula; assessors disagreeing by more than
// the threshold flag the case for moderation (managers told once), and
// agreeing again clears the flag; a re-run with the same scores writes
// nothing.
func TestRecordScoresTotalsAndModerationFlag(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)

	res, err := b.score(appID, as[0], fullScores(4, 3, 5))
	require.NoError(t, err)
	require.Equal(t, int64(8000), *res.TotalHundredths, "(4/5×40 + 3/5×30 + 5/5×30) / 100 × 100 = 80")
	require.Equal(t, workflows.AssessmentScored, res.Assignment.Status)
	require.False(t, res.NeedsModeration, "one assessor cannot disagree")

	row, err := b.env.Store.AssessmentGet(b.ctx, as[0].ID)
	require.NoError(t, err)
	var stored map[string]workflows.CriterionScore
	require.NoError(t, json.Unmarshal(row.Scores, &stored))
	require.Equal(t, fullScores(4, 3, 5), stored)

	events := b.chain(t, "application:"+appID)
	again, err := b.score(appID, as[0], fullScores(4, 3, 5))
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events), "the same scores again write nothing")

	res, err = b.score(appID, as[1], fullScores(2, 1, 2)) // (16 + 6 + 12) = 34: 46 points apart
	require.NoError(t, err)
	require.Equal(t, int64(3400), *res.TotalHundredths)
	require.True(t, res.NeedsModeration)
	require.Equal(t, []string{workflows.FlagNeedsModeration}, b.application(t, appID).Flags)
	require.Equal(t, []string{"needs_moderation"}, kinds(b.notes(t, b.env.Manager.ID)))

	res, err = b.score(appID, as[1], fullScores(4, 2, 4)) // 32 + 12 + 24 = 68: 12 apart
	require.NoError(t, err)
	require.False(t, res.NeedsModeration)
	require.Empty(t, b.application(t, appID).Flags)

	res, err = b.score(appID, as[1], fullScores(0, 0, 0)) // disagree again: flagged, managers not told twice
	require.NoError(t, err)
	require.True(t, res.NeedsModeration)
	require.Len(t, b.notes(t, b.env.Manager.ID), 1)
	require.Equal(t, []string{"application.created", "application.saved", "application.submitted", "application.eligibility_checked",
		"assessment.assigned", "assessment.assigned",
		"assessment.scored", "assessment.scored", "application.flagged",
		"assessment.scored", "application.unflagged", "assessment.scored", "application.flagged"}, b.actions(t, "application:"+appID))
}

// A manager's moderated total replaces the needs_moderation flag; the
// assessors' scores stay, and later disagreement does not flag again.
func TestModerate(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	manager := b.env.Manager.ID
	appID, as := assessed(t, b)
	_, err := b.score(appID, as[0], fullScores(5, 5, 5))
	require.NoError(t, err)
	_, err = b.score(appID, as[1], fullScores(1, 1, 1))
	require.NoError(t, err)

	in := workflows.ModerateInput{ApplicationID: appID, ActorID: manager, TotalHundredths: 7250, Rationale: "The second assessor misread the budget.", At: b.at.Add(2 * time.Hour)}
	st, err := b.acts.Moderate(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, workflows.CaseState{Status: "in_assessment"}, st)
	a := b.application(t, appID)
	require.Equal(t, []string{workflows.FlagModerated}, a.Flags)
	require.Equal(t, int64(7250), *a.ModeratedTotal)
	require.Equal(t, manager, *a.ModeratedBy)

	events := b.chain(t, "application:"+appID)
	last := events[len(events)-1]
	require.Equal(t, "application.moderated", last.Action)
	require.JSONEq(t, `{"previous_total": 60, "mean_total": 60, "moderated_total": 72.5, "assessor_totals": [100, 20],
		"rationale": "The second assessor misread the budget."}`, string(last.Data))
	again, err := b.acts.Moderate(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, st, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))

	row, err := b.env.Store.AssessmentGet(b.ctx, as[1].ID)
	require.NoError(t, err)
	require.Equal(t, int64(2000), *row.TotalHundredths, "the assessor's own total stays")
	res, err := b.score(appID, as[1], fullScores(0, 0, 0))
	require.NoError(t, err)
	require.False(t, res.NeedsModeration)
	require.Equal(t, []string{workflows.FlagModerated}, b.application(t, appID).Flags)

	_, err = b.acts.Moderate(b.ctx, workflows.ModerateInput{ApplicationID: appID, ActorID: manager, TotalHundredths: 10001, Rationale: "x", At: b.at})
	require.Equal(t, map[string]string{"total": "Give a total from 0 to 100"}, requireRejection(t, err, workflows.RejectInvalid).Fields)
}

// A declared conflict releases the assessment, records the organisation
// against the assessor and tells managers; declaring again changes nothing.
func TestDeclareConflict(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	_, err := b.score(appID, as[0], fullScores(5, 5, 5))
	require.NoError(t, err)
	_, err = b.score(appID, as[1], fullScores(0, 0, 0))
	require.NoError(t, err)
	require.Equal(t, []string{workflows.FlagNeedsModeration}, b.application(t, appID).Flags)

	in := workflows.ConflictInput{ApplicationID: appID, AssessmentID: as[1].ID, AssessorID: as[1].AssessorID, Reason: "I volunteer there", At: b.at.Add(time.Hour)}
	res, err := b.acts.DeclareConflict(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, workflows.AssessmentConflict, res.Assignment.Status)
	require.False(t, res.NeedsModeration, "the conflicted scores no longer count")
	require.Empty(t, b.application(t, appID).Flags)
	conflicts, err := b.env.Store.AssessorConflictList(b.ctx, []string{as[1].AssessorID})
	require.NoError(t, err)
	require.Len(t, conflicts, 1)
	org, err := b.env.Store.OrganisationGet(b.ctx, b.application(t, appID).OrganisationID)
	require.NoError(t, err)
	require.Equal(t, org.ID, conflicts[0].OrganisationID)
	require.Equal(t, strings.ToLower(org.Name), conflicts[0].NameKey, "the name as matching folds it")
	require.Equal(t, *org.CharityNumber, *conflicts[0].CharityNumber)
	require.Equal(t, []string{"needs_moderation", "conflict_declared"}, kinds(b.notes(t, b.env.Manager.ID)))

	events := b.chain(t, "application:"+appID)
	again, err := b.acts.DeclareConflict(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))

	// Assigning again replaces the conflicted assessor, never with them.
	b.assessors(t, 1)
	after := b.assign(t, appID)
	require.Len(t, after.Assignments, 3)
	require.NotEqual(t, as[1].AssessorID, after.Assignments[2].AssessorID)
}

// A reminder goes once, and only for an unscored assessment.
func TestSendReminderOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	in := workflows.ReminderInput{ApplicationID: appID, AssessmentID: as[0].ID, At: as[0].Deadline.Add(-48 * time.Hour)}
	res, err := b.acts.SendReminder(b.ctx, in)
	require.NoError(t, err)
	require.True(t, res.Assignment.Reminded)
	events := b.chain(t, "application:"+appID)
	again, err := b.acts.SendReminder(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))
	require.Equal(t, []string{"assigned", "reminder"}, kinds(b.notes(t, as[0].AssessorID)))

	_, err = b.score(appID, as[1], fullScores(3, 3, 3))
	require.NoError(t, err)
	scored, err := b.acts.SendReminder(b.ctx, workflows.ReminderInput{ApplicationID: appID, AssessmentID: as[1].ID, At: b.at})
	require.NoError(t, err)
	require.False(t, scored.Assignment.Reminded)
	require.Equal(t, []string{"assigned"}, kinds(b.notes(t, as[1].AssessorID)))
}

// A deadline release tells the assessor; releasing again changes nothing.
func TestReleaseAssessment(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, as := assessed(t, b)
	in := workflows.ReleaseInput{ApplicationID: appID, AssessmentID: as[0].ID, Reason: workflows.ReleaseDeadline, At: as[0].Deadline}
	res, err := b.acts.ReleaseAssessment(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, workflows.AssessmentReleased, res.Assignment.Status)
	events := b.chain(t, "application:"+appID)
	again, err := b.acts.ReleaseAssessment(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+appID), len(events))
	require.Equal(t, []string{"assigned", "released"}, kinds(b.notes(t, as[0].AssessorID)))
	row, err := b.env.Store.AssessmentGet(b.ctx, as[0].ID)
	require.NoError(t, err)
	require.Equal(t, "deadline", *row.ReleaseReason)

	_, err = b.acts.ReleaseAssessment(b.ctx, workflows.ReleaseInput{ApplicationID: appID, AssessmentID: as[1].ID, Reason: "bored", At: b.at})
	requireRejection(t, err, workflows.RejectInvalid)
}

// FlagCase flags once and tells managers once.
func TestFlagCase(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	appID, _ := assessed(t, b)
	in := workflows.FlagInput{ApplicationID: appID, Flag: workflows.FlagUnscored, Message: "A reassigned assessment was not scored"}
	require.NoError(t, b.acts.FlagCase(b.ctx, in))
	events := b.chain(t, "application:"+appID)
	require.NoError(t, b.acts.FlagCase(b.ctx, in))
	require.Len(t, b.chain(t, "application:"+appID), len(events))
	require.Equal(t, []string{workflows.FlagUnscored}, b.application(t, appID).Flags)
	require.Equal(t, []string{"flag"}, kinds(b.notes(t, b.env.Manager.ID)))
	requireRejection(t, b.acts.FlagCase(b.ctx, workflows.FlagInput{ApplicationID: appID, Flag: "grumpy"}), workflows.RejectInvalid)
}
