package app

import (
	"context"
	"fmt"
	"time"
)

// DashboardRounds is how many rounds the budget chart shows: the most
// recently opening ones.
const DashboardRounds = 12

// Dashboard is what programme managers see on their home page: the budget
// of each round, the pipeline of applications, the awards by borough and
// how long decisions take. Money is integer pence.
type Dashboard struct {
	Budget       []RoundBudget    `json:"budget"`
	Pipeline     []StatusCount    `json:"pipeline"`
	Boroughs     []BoroughAwards  `json:"boroughs"`
	DecisionDays DecisionDuration `json:"decision_days"`
}

// RoundBudget is one round's budget, what is committed to awards and what
// is left.
type RoundBudget struct {
	RoundID        string    `json:"round_id"`
	Name           string    `json:"name"`
	OpensAt        time.Time `json:"opens_at"`
	ClosesAt       time.Time `json:"closes_at"`
	BudgetPence    int64     `json:"budget_pence"`
	CommittedPence int64     `json:"committed_pence"`
	RemainingPence int64     `json:"remaining_pence"`
}

// StatusCount is the number of applications in one status.
type StatusCount struct {
	Status       string `json:"status"`
	Applications int64  `json:"applications"`
}

// BoroughAwards is the number and total of the grants awarded to lead
// organisations in one London borough (lapsed offers left out).
type BoroughAwards struct {
	Borough    string `json:"borough"`
	GSSCode    string `json:"gss_code"`
	Grants     int64  `json:"grants"`
	AwardPence int64  `json:"award_pence"`
}

// DecisionDuration is the distribution of whole days from submission to
// decision over every decided application.
type DecisionDuration struct {
	Buckets []DayBucket `json:"buckets"`
	// Decided is how many applications have a decision.
	Decided int64 `json:"decided"`
	// MedianHalfDays is twice the median number of days (the median of an
	// even count may fall half-way between two days); meaningless when
	// Decided is 0.
	MedianHalfDays int64 `json:"median_half_days"`
}

// DayBucket counts the applications decided within MinDays..MaxDays days
// of submission (inclusive); MaxDays is -1 for the open-ended last bucket.
type DayBucket struct {
	MinDays      int64 `json:"min_days"`
	MaxDays      int64 `json:"max_days"`
	Applications int64 `json:"applications"`
}

// PipelineStatuses lists application statuses in the order of the
// pipeline, from a draft to the outcomes.
var PipelineStatuses = []string{StatusDraft, StatusSubmitted, StatusIneligible, StatusInAssessment,
	StatusWaitlisted, StatusApproved, StatusRejected, StatusWithdrawn}

// decisionBuckets are the upper bounds (inclusive) of the buckets of days
// to decision; the last bucket has no upper bound.
var decisionBuckets = []int64{7, 14, 28, 56}

// Dashboard gathers the programme managers' figures; managers only.
func (a *App) Dashboard(ctx context.Context, actor Actor) (Dashboard, error) {
	if !actor.Has(RoleManager) {
		return Dashboard{}, forbidden("Only programme managers can see the programme dashboard")
	}
	var d Dashboard
	budget, err := a.store.DashboardBudgetByRound(ctx, DashboardRounds)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard budget: %w", err)
	}
	d.Budget = make([]RoundBudget, 0, len(budget))
	for _, r := range budget {
		d.Budget = append(d.Budget, RoundBudget{RoundID: r.ID, Name: r.Name, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
			BudgetPence: r.BudgetPence, CommittedPence: r.CommittedPence, RemainingPence: max(r.BudgetPence-r.CommittedPence, 0)})
	}

	pipeline, err := a.store.DashboardPipeline(ctx)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard pipeline: %w", err)
	}
	counts := map[string]int64{}
	for _, p := range pipeline {
		counts[p.Status] = p.Applications
	}
	d.Pipeline = make([]StatusCount, 0, len(PipelineStatuses))
	for _, s := range PipelineStatuses {
		d.Pipeline = append(d.Pipeline, StatusCount{Status: s, Applications: counts[s]})
		delete(counts, s)
	}
	for _, p := range pipeline { // a status added later still shows
		if n, ok := counts[p.Status]; ok {
			d.Pipeline = append(d.Pipeline, StatusCount{Status: p.Status, Applications: n})
		}
	}

	boroughs, err := a.store.DashboardAwardsByBorough(ctx)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard boroughs: %w", err)
	}
	d.Boroughs = make([]BoroughAwards, 0, len(boroughs))
	for _, b := range boroughs {
		d.Boroughs = append(d.Boroughs, BoroughAwards{Borough: b.BoroughName, GSSCode: b.BoroughGss, Grants: b.Grants, AwardPence: b.AwardPence})
	}

	days, err := a.store.DashboardDecisionDays(ctx)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard decision days: %w", err)
	}
	hist := make([]DayCount, 0, len(days))
	for _, r := range days {
		hist = append(hist, DayCount{Days: r.Days, Applications: r.Applications})
	}
	d.DecisionDays = DecisionDistribution(hist)
	return d, nil
}

// DayCount is how many applications took a number of days.
type DayCount struct {
	Days         int64
	Applications int64
}

// DecisionDistribution buckets a histogram of days (in ascending order of
// days) into 0–7, 8–14, 15–28, 29–56 and 57 or more days, and finds the
// median exactly.
func DecisionDistribution(hist []DayCount) DecisionDuration {
	out := DecisionDuration{Buckets: make([]DayBucket, 0, len(decisionBuckets)+1)}
	var lo int64
	for _, hi := range decisionBuckets {
		out.Buckets = append(out.Buckets, DayBucket{MinDays: lo, MaxDays: hi})
		lo = hi + 1
	}
	out.Buckets = append(out.Buckets, DayBucket{MinDays: lo, MaxDays: -1})
	for _, h := range hist {
		for i := range out.Buckets {
			b := &out.Buckets[i]
			if h.Days >= b.MinDays && (b.MaxDays < 0 || h.Days <= b.MaxDays) {
				b.Applications += h.Applications
				break
			}
		}
		out.Decided += h.Applications
	}
	if out.Decided == 0 {
		return out
	}
	// The median is the mean of the values at positions (n-1)/2 and n/2
	// (0-based) of the sorted list; they are equal for an odd n.
	lowPos, highPos := (out.Decided-1)/2, out.Decided/2
	var seen int64
	var low, high int64 = -1, -1
	for _, h := range hist {
		seen += h.Applications
		if low < 0 && lowPos < seen {
			low = h.Days
		}
		if high < 0 && highPos < seen {
			high = h.Days
			break
		}
	}
	out.MedianHalfDays = low + high
	return out
}
