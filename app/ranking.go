package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// Ranking is a round's assessed applications, best first, with the
// budget's running total.
type Ranking struct {
	RoundID        string        `json:"round_id"`
	BudgetPence    int64         `json:"budget_pence"`
	CommittedPence int64         `json:"committed_pence"`
	LeftPence      int64         `json:"left_pence"`
	Items          []RankingItem `json:"items"`
	NextCursor     *string       `json:"next_cursor"`
}

// RankingItem is one application in a ranking. Total is the application's
// total (moderated, else the mean of AssessorTotals; null before anyone
// scored); Spread is the largest minus the smallest assessor total.
// CumulativePence is the running sum of RequestedPence over the
// in_assessment and waitlisted items down to this one (approved awards are
// already committed, rejected applications add nothing); FitsBudget is
// CumulativePence ≤ the budget left for those, true for approved and false
// for rejected ones.
type RankingItem struct {
	ApplicationID    string               `json:"application_id"`
	OrganisationName string               `json:"organisation_name"`
	Status           string               `json:"status"`
	Tier             *string              `json:"tier"`
	RequestedPence   int64                `json:"requested_pence"`
	Total            *scoring.Hundredths  `json:"total"`
	AssessorTotals   []scoring.Hundredths `json:"assessor_totals"`
	Assessments      []RankingAssessment  `json:"assessments"`
	Spread           scoring.Hundredths   `json:"spread"`
	Flags            []string             `json:"flags"`
	ModeratedTotal   *scoring.Hundredths  `json:"moderated_total"`
	AwardPence       *int64               `json:"award_pence"`
	CumulativePence  int64                `json:"cumulative_pence"`
	FitsBudget       bool                 `json:"fits_budget"`
}

// RankingAssessment is one assessor's assessment in a ranking item.
type RankingAssessment struct {
	AssessmentID string                              `json:"assessment_id"`
	AssessorID   string                              `json:"assessor_id"`
	AssessorName string                              `json:"assessor_name"`
	Status       string                              `json:"status"`
	Total        *scoring.Hundredths                 `json:"total"`
	Scores       map[string]workflows.CriterionScore `json:"scores"`
}

// RoundRanking ranks a round's applications in assessment, waitlisted,
// approved and rejected by total (highest first; unscored last, then by
// submission), for chairs and managers.
func (a *App) RoundRanking(ctx context.Context, actor Actor, roundID string) (Ranking, error) {
	if !actor.Has(RoleChair) && !actor.Has(RoleManager) {
		return Ranking{}, forbidden("Only the panel chair and programme managers can see the ranking")
	}
	if !id.Valid(id.Round, roundID) {
		return Ranking{}, notFound("Round")
	}
	rnd, err := a.store.RoundGet(ctx, roundID)
	if err != nil {
		if isNotFound(err) {
			return Ranking{}, notFound("Round")
		}
		return Ranking{}, fmt.Errorf("get round: %w", err)
	}
	committed, err := a.store.BudgetCommitted(ctx, roundID)
	if err != nil {
		return Ranking{}, fmt.Errorf("budget committed: %w", err)
	}
	apps, err := a.store.ApplicationRankingRows(ctx, roundID)
	if err != nil {
		return Ranking{}, fmt.Errorf("ranking rows: %w", err)
	}
	asms, err := a.store.AssessmentListByRound(ctx, roundID)
	if err != nil {
		return Ranking{}, fmt.Errorf("round assessments: %w", err)
	}
	return buildRanking(rnd, committed, apps, asms)
}

func buildRanking(rnd sqlc.Round, committed int64, apps []sqlc.ApplicationRankingRowsRow, asms []sqlc.AssessmentListByRoundRow) (Ranking, error) {
	r := Ranking{RoundID: rnd.ID, BudgetPence: rnd.BudgetPence, CommittedPence: committed,
		LeftPence: rnd.BudgetPence - committed, Items: make([]RankingItem, 0, len(apps))}
	byApp := map[string][]sqlc.AssessmentListByRoundRow{}
	for _, s := range asms {
		byApp[s.Assessment.ApplicationID] = append(byApp[s.Assessment.ApplicationID], s)
	}
	for _, row := range apps {
		ap := row.Application
		it := RankingItem{ApplicationID: ap.ID, OrganisationName: row.OrganisationName, Status: ap.Status, Tier: ap.Tier,
			AssessorTotals: []scoring.Hundredths{}, Assessments: []RankingAssessment{}, Flags: ap.Flags,
			ModeratedTotal: hundredths(ap.ModeratedTotal), AwardPence: ap.AwardPence}
		if ap.RequestedPence != nil {
			it.RequestedPence = *ap.RequestedPence
		}
		if it.Flags == nil {
			it.Flags = []string{}
		}
		for _, s := range byApp[ap.ID] {
			scores, err := decodeScores(s.Assessment)
			if err != nil {
				return Ranking{}, err
			}
			it.Assessments = append(it.Assessments, RankingAssessment{AssessmentID: s.Assessment.ID, AssessorID: s.Assessment.AssessorID,
				AssessorName: s.AssessorName, Status: s.Assessment.Status, Total: hundredths(s.Assessment.TotalHundredths), Scores: scores})
			if s.Assessment.Status == workflows.AssessmentScored && s.Assessment.TotalHundredths != nil {
				it.AssessorTotals = append(it.AssessorTotals, scoring.Hundredths(*s.Assessment.TotalHundredths))
			}
		}
		it.Total = scoring.ApplicationTotal(ap.ModeratedTotal, it.AssessorTotals)
		it.Spread = scoring.Spread(it.AssessorTotals)
		r.Items = append(r.Items, it)
	}
	// Rows come ordered by submission; a stable sort by total keeps that
	// order among equal totals and among the unscored.
	slices.SortStableFunc(r.Items, func(x, y RankingItem) int { return scoring.CompareTotals(x.Total, y.Total) })
	var running int64
	for i := range r.Items {
		it := &r.Items[i]
		switch it.Status {
		case StatusInAssessment, StatusWaitlisted:
			running += it.RequestedPence
			it.CumulativePence = running
			it.FitsBudget = running <= r.LeftPence
		case StatusApproved:
			it.CumulativePence = running
			it.FitsBudget = true
		default: // rejected
			it.CumulativePence = running
			it.FitsBudget = false
		}
	}
	return r, nil
}
