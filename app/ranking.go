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
	// Counted: still undecided, so its request is in the running total.
	Counted bool `json:"counted"`
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

// scoredAssessment is an assessment with its assessor's name, as the
// ranking queries return them.
type scoredAssessment struct {
	s    sqlc.Assessment
	name string
}

// rankingItem is one application's row of a ranking, before its place
// (CumulativePence, FitsBudget: rankItems) is known.
func rankingItem(ap sqlc.Application, orgName string, asms []scoredAssessment) (RankingItem, error) {
	it := RankingItem{ApplicationID: ap.ID, OrganisationName: orgName, Status: ap.Status, Tier: ap.Tier,
		AssessorTotals: []scoring.Hundredths{}, Assessments: []RankingAssessment{}, Flags: ap.Flags,
		ModeratedTotal: hundredths(ap.ModeratedTotal), AwardPence: ap.AwardPence}
	if ap.RequestedPence != nil {
		it.RequestedPence = *ap.RequestedPence
	}
	if it.Flags == nil {
		it.Flags = []string{}
	}
	for _, x := range asms {
		scores, err := decodeScores(x.s)
		if err != nil {
			return RankingItem{}, err
		}
		it.Assessments = append(it.Assessments, RankingAssessment{AssessmentID: x.s.ID, AssessorID: x.s.AssessorID,
			AssessorName: x.name, Status: x.s.Status, Total: hundredths(x.s.TotalHundredths), Scores: scores})
		if x.s.Status == workflows.AssessmentScored && x.s.TotalHundredths != nil {
			it.AssessorTotals = append(it.AssessorTotals, scoring.Hundredths(*x.s.TotalHundredths))
		}
	}
	it.Total = scoring.ApplicationTotal(ap.ModeratedTotal, it.AssessorTotals)
	it.Spread = scoring.Spread(it.AssessorTotals)
	return it, nil
}

// rankItems orders items (given in submission order) best first and
// fills the budget's running total against left, the budget left.
func rankItems(items []RankingItem, left int64) {
	// A stable sort by total keeps the submission order among equal
	// totals and among the unscored.
	slices.SortStableFunc(items, func(x, y RankingItem) int { return scoring.CompareTotals(x.Total, y.Total) })
	var running int64
	for i := range items {
		it := &items[i]
		switch it.Status {
		case StatusInAssessment, StatusWaitlisted:
			running += it.RequestedPence
			it.CumulativePence = running
			it.FitsBudget = running <= left
			it.Counted = true
		case StatusApproved:
			it.CumulativePence = running
			it.FitsBudget = true
		default: // rejected
			it.CumulativePence = running
			it.FitsBudget = false
		}
	}
}

func buildRanking(rnd sqlc.Round, committed int64, apps []sqlc.ApplicationRankingRowsRow, asms []sqlc.AssessmentListByRoundRow) (Ranking, error) {
	r := Ranking{RoundID: rnd.ID, BudgetPence: rnd.BudgetPence, CommittedPence: committed,
		LeftPence: rnd.BudgetPence - committed, Items: make([]RankingItem, 0, len(apps))}
	byApp := map[string][]scoredAssessment{}
	for _, s := range asms {
		byApp[s.Assessment.ApplicationID] = append(byApp[s.Assessment.ApplicationID], scoredAssessment{s.Assessment, s.AssessorName})
	}
	for _, row := range apps {
		it, err := rankingItem(row.Application, row.OrganisationName, byApp[row.Application.ID])
		if err != nil {
			return Ranking{}, err
		}
		r.Items = append(r.Items, it)
	}
	rankItems(r.Items, r.LeftPence)
	return r, nil
}

// CaseRanking is one application's place in its round's ranking, as the
// panel's case pages show it, and what the reader may do with the case.
type CaseRanking struct {
	// Item is the application's row of the ranking (its totals, spread,
	// flags, assessments and running total); nil when it is not ranked
	// (not yet in assessment, or withdrawn).
	Item *RankingItem `json:"item"`
	// Rank is the application's position, 1 for the best (0 when not
	// ranked), of Ranked applications in the ranking.
	Rank           int   `json:"rank"`
	Ranked         int   `json:"ranked"`
	BudgetPence    int64 `json:"budget_pence"`
	CommittedPence int64 `json:"committed_pence"`
	LeftPence      int64 `json:"left_pence"`
	// CanDecide: the reader is the panel chair, has no interest in the
	// application (package interest) and it awaits a decision
	// (workflows.AwaitingDecision). CanModerate: the same for a
	// programme manager. The case's workflow has the last word.
	CanDecide   bool `json:"can_decide"`
	CanModerate bool `json:"can_moderate"`
	// AwaitingDecision: the application may still be decided or moderated
	// (workflows.AwaitingDecision), whoever reads it.
	AwaitingDecision bool `json:"awaiting_decision"`
}

// CaseRanking reads one application's place in its round's ranking
// without building the whole ranking: every ranked application's totals
// (no answers, no scores) to place it, and this application's assessments.
// Chairs and managers only.
func (a *App) CaseRanking(ctx context.Context, actor Actor, appID string) (CaseRanking, error) {
	if !actor.Has(RoleChair) && !actor.Has(RoleManager) {
		return CaseRanking{}, forbidden("Only the panel chair and programme managers can see the ranking")
	}
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return CaseRanking{}, err
	}
	ap := x.app
	rnd, err := a.store.RoundGet(ctx, ap.RoundID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("get round: %w", err)
	}
	committed, err := a.store.BudgetCommitted(ctx, ap.RoundID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("budget committed: %w", err)
	}
	out := CaseRanking{BudgetPence: rnd.BudgetPence, CommittedPence: committed, LeftPence: rnd.BudgetPence - committed,
		AwaitingDecision: workflows.AwaitingDecision(ap.Status)}
	if out.AwaitingDecision {
		why, err := a.interestIn(ctx, actor, ap)
		if err != nil {
			return CaseRanking{}, err
		}
		out.CanDecide = why == "" && actor.Has(RoleChair)
		out.CanModerate = why == "" && actor.Has(RoleManager)
	}
	totals, err := a.store.ApplicationRankingTotals(ctx, ap.RoundID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("ranking totals: %w", err)
	}
	items := make([]RankingItem, len(totals))
	for i, t := range totals {
		it := RankingItem{ApplicationID: t.ID, Status: t.Status, AssessorTotals: make([]scoring.Hundredths, len(t.AssessorTotals))}
		if t.RequestedPence != nil {
			it.RequestedPence = *t.RequestedPence
		}
		for j, v := range t.AssessorTotals {
			it.AssessorTotals[j] = scoring.Hundredths(v)
		}
		it.Total = scoring.ApplicationTotal(t.ModeratedTotal, it.AssessorTotals)
		items[i] = it
	}
	rankItems(items, out.LeftPence)
	out.Ranked = len(items)
	at := slices.IndexFunc(items, func(it RankingItem) bool { return it.ApplicationID == ap.ID })
	if at < 0 {
		return out, nil
	}
	org, err := a.store.OrganisationGet(ctx, ap.OrganisationID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("get organisation: %w", err)
	}
	rows, err := a.store.AssessmentListByApplicationWithNames(ctx, ap.ID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("case assessments: %w", err)
	}
	asms := make([]scoredAssessment, len(rows))
	for i, r := range rows {
		asms[i] = scoredAssessment{r.Assessment, r.AssessorName}
	}
	it, err := rankingItem(ap, org.Name, asms)
	if err != nil {
		return CaseRanking{}, err
	}
	it.CumulativePence, it.FitsBudget, it.Counted = items[at].CumulativePence, items[at].FitsBudget, items[at].Counted
	out.Item, out.Rank = &it, at+1
	return out, nil
}
