package app

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// Ranking is a page of a round's assessed applications, best first, with
// the budget's running total.
type Ranking struct {
	RoundID        string        `json:"round_id"`
	BudgetPence    int64         `json:"budget_pence"`
	CommittedPence int64         `json:"committed_pence"`
	LeftPence      int64         `json:"left_pence"`
	Items          []RankingItem `json:"items"`
	NextCursor     *string       `json:"next_cursor"`
	// Previous is the cursor of the page before, for the web's pagination:
	// nil on the first page, "" when the page before is the first.
	Previous *string `json:"-"`
}

// RankingItem is one application in a ranking. Total is the application's
// total (moderated, else the mean of AssessorTotals; null before anyone
// scored); Spread is the largest minus the smallest assessor total.
// Rank is its place, 1 for the best, across pages.
// CumulativePence is the running sum of RequestedPence over the
// in_assessment and waitlisted items down to this one (approved awards are
// already committed, rejected applications add nothing); FitsBudget is
// CumulativePence ≤ the budget left for those, true for approved and false
// for rejected ones.
type RankingItem struct {
	Rank             int                  `json:"rank"`
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

// RoundRanking is one page of a round's ranking of its applications in
// assessment, waitlisted, approved and rejected, by total (highest first;
// unscored last), then in submission order, then by id, for chairs and
// managers. The running total carries across pages in the cursor, so a
// page continues the previous one's total exactly.
func (a *App) RoundRanking(ctx context.Context, actor Actor, roundID string, pq PageQuery) (Ranking, error) {
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
	fields := map[string]string{}
	limit := pq.rowLimit(fields)
	after := firstRankCursor
	if pq.Cursor != "" {
		c, ok := a.decodeRankCursor(pq.Cursor)
		if !ok {
			fields["cursor"] = "Cursor is not one this service gave out"
		}
		after = c
	}
	if len(fields) > 0 {
		return Ranking{}, Invalid(fields)
	}
	committed, err := a.store.BudgetCommitted(ctx, roundID)
	if err != nil {
		return Ranking{}, fmt.Errorf("budget committed: %w", err)
	}
	rows, err := a.store.ApplicationRankingPage(ctx, sqlc.ApplicationRankingPageParams{RoundID: roundID,
		AfterKey: after.key, AfterSubmitted: after.submitted, AfterID: after.id, RowLimit: limit})
	if err != nil {
		return Ranking{}, fmt.Errorf("ranking page: %w", err)
	}
	r := Ranking{RoundID: rnd.ID, BudgetPence: rnd.BudgetPence, CommittedPence: committed,
		LeftPence: rnd.BudgetPence - committed}
	rows, more := pageRows(rows, limit, func(r sqlc.ApplicationRankingPageRow) string { return r.ID })
	if r.Items, err = a.rankingPage(ctx, rows, after, r.LeftPence); err != nil {
		return Ranking{}, err
	}
	if more != nil {
		last, it := rows[len(rows)-1], r.Items[len(r.Items)-1]
		next := a.encodeRankCursor(rankCursor{key: rankKey(last.RankingTotal), submitted: last.SubmittedAt, id: last.ID,
			running: it.CumulativePence, position: it.Rank})
		r.NextCursor = &next
	}
	if pq.Cursor != "" {
		if r.Previous, err = a.previousRankCursor(ctx, roundID, after, int(limit)-1); err != nil {
			return Ranking{}, err
		}
	}
	return r, nil
}

// rankingPage builds a page's items from its rows, each with its
// assessments (one query for the page), continuing the running total and
// the ranks from the cursor after.
func (a *App) rankingPage(ctx context.Context, rows []sqlc.ApplicationRankingPageRow, after rankCursor, left int64) ([]RankingItem, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	byApp, err := a.assessmentsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	items := make([]RankingItem, 0, len(rows))
	running := after.running
	for i, r := range rows {
		it, err := rankingItem(rankedApp{ID: r.ID, Status: r.Status, Tier: r.Tier, RequestedPence: r.RequestedPence,
			Flags: r.Flags, ModeratedTotal: r.ModeratedTotal, AwardPence: r.AwardPence}, r.OrganisationName, byApp[r.ID])
		if err != nil {
			return nil, err
		}
		if countedIn(it.Status) {
			running += it.RequestedPence
		}
		placeItem(&it, running, left)
		it.Rank = after.position + i + 1
		items = append(items, it)
	}
	return items, nil
}

// assessmentsOf reads some applications' assessments with their
// assessors' names, by application.
func (a *App) assessmentsOf(ctx context.Context, appIDs []string) (map[string][]scoredAssessment, error) {
	rows, err := a.store.AssessmentListByApplications(ctx, appIDs)
	if err != nil {
		return nil, fmt.Errorf("ranked assessments: %w", err)
	}
	byApp := make(map[string][]scoredAssessment, len(appIDs))
	for _, r := range rows {
		byApp[r.Assessment.ApplicationID] = append(byApp[r.Assessment.ApplicationID], scoredAssessment{r.Assessment, r.AssessorName})
	}
	return byApp, nil
}

// previousRankCursor is the cursor of the page before the one after
// cursor at: "" when that is the first page. It reads the ranking
// backwards from at and takes the undecided requests of the page before
// off at's running total.
func (a *App) previousRankCursor(ctx context.Context, roundID string, at rankCursor, size int) (*string, error) {
	first := ""
	if at.position <= size {
		return &first, nil
	}
	rows, err := a.store.ApplicationRankingBefore(ctx, sqlc.ApplicationRankingBeforeParams{RoundID: roundID,
		AtKey: at.key, AtSubmitted: at.submitted, AtID: at.id, RowLimit: int32(size + 1)})
	if err != nil {
		return nil, fmt.Errorf("ranking before: %w", err)
	}
	if len(rows) <= size {
		return &first, nil
	}
	running := at.running
	for _, r := range rows[:size] {
		if countedIn(r.Status) && r.RequestedPence != nil {
			running -= *r.RequestedPence
		}
	}
	p := rows[size]
	prev := a.encodeRankCursor(rankCursor{key: rankKey(p.RankingTotal), submitted: p.SubmittedAt, id: p.ID,
		running: running, position: at.position - size})
	return &prev, nil
}

// scoredAssessment is an assessment with its assessor's name, as the
// ranking queries return them.
type scoredAssessment struct {
	s    sqlc.Assessment
	name string
}

// rankedApp is what a ranking item shows of its application.
type rankedApp struct {
	ID, Status                                 string
	Tier                                       *string
	RequestedPence, ModeratedTotal, AwardPence *int64
	Flags                                      []string
}

// rankingItem is one application's row of a ranking, before its place
// (CumulativePence, FitsBudget, Counted: placeItem; Rank) is known.
func rankingItem(ap rankedApp, orgName string, asms []scoredAssessment) (RankingItem, error) {
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

// countedIn reports whether an application of this status is still
// undecided, so its request counts in the running total.
func countedIn(status string) bool {
	return status == StatusInAssessment || status == StatusWaitlisted
}

// placeItem fills an item's place against the budget left: running is
// the running total of undecided requests down to it (its own included
// when it is undecided). Approved awards are already committed, so they
// fit; rejected applications add nothing and do not.
func placeItem(it *RankingItem, running, left int64) {
	it.CumulativePence = running
	it.Counted = countedIn(it.Status)
	switch {
	case it.Counted:
		it.FitsBudget = running <= left
	default:
		it.FitsBudget = it.Status == StatusApproved
	}
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
// without building the ranking: one aggregate over the ranking's index
// places it, and its own assessments fill its row.
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
	at := firstRankCursor // unranked: only the count
	if applicationRanked(ap.Status) {
		at = rankCursor{key: rankKey(ap.RankingTotal), submitted: ap.SubmittedAt, id: ap.ID}
	}
	place, err := a.store.ApplicationRankingPlace(ctx, sqlc.ApplicationRankingPlaceParams{RoundID: ap.RoundID,
		AtKey: at.key, AtSubmitted: at.submitted, AtID: at.id})
	if err != nil {
		return CaseRanking{}, fmt.Errorf("ranking place: %w", err)
	}
	out.Ranked = int(place.Ranked)
	if at == firstRankCursor {
		return out, nil
	}
	org, err := a.store.OrganisationGet(ctx, ap.OrganisationID)
	if err != nil {
		return CaseRanking{}, fmt.Errorf("get organisation: %w", err)
	}
	byApp, err := a.assessmentsOf(ctx, []string{ap.ID})
	if err != nil {
		return CaseRanking{}, err
	}
	it, err := rankingItem(rankedApp{ID: ap.ID, Status: ap.Status, Tier: ap.Tier, RequestedPence: ap.RequestedPence,
		Flags: ap.Flags, ModeratedTotal: ap.ModeratedTotal, AwardPence: ap.AwardPence}, org.Name, byApp[ap.ID])
	if err != nil {
		return CaseRanking{}, err
	}
	placeItem(&it, place.Running, out.LeftPence)
	it.Rank = int(place.Before) + 1
	out.Item, out.Rank = &it, it.Rank
	return out, nil
}
