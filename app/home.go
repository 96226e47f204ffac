package app

import (
	"context"
	"fmt"
	"time"
)

// Home is what waits for each of the actor's roles on their signed-in
// home page, counted in SQL. A section is nil when the actor does not hold
// its role; the applicant's section is for people with no staff role.
// Programme managers' figures are Dashboard.
type Home struct {
	Applicant *ApplicantHome
	Assessor  *AssessorHome
	Chair     *ChairHome
	Finance   *FinanceHome
}

// ApplicantHome is what the member's organisations have: draft
// applications, submitted ones (neither a draft nor withdrawn), grants and
// offers waiting to be accepted.
type ApplicantHome struct {
	Drafts, Submitted, Grants, Offers int64
}

// AssessorHome is how many assessments wait to be scored and the
// earliest of their deadlines (nil when none waits).
type AssessorHome struct {
	Waiting int64
	Next    *time.Time
}

// ChairHome is the rounds with applications in assessment, by name.
type ChairHome struct {
	Rounds []RoundCases
}

// RoundCases is a round and how many of its applications are in
// assessment.
type RoundCases struct {
	RoundID, Name string
	Cases         int64
}

// FinanceHome is how many payments await approval and how many failed.
type FinanceHome struct {
	Awaiting, Failed int64
}

// Home counts what waits for the actor.
func (a *App) Home(ctx context.Context, actor Actor) (Home, error) {
	var h Home
	q := a.store.Queries
	if !actor.Staff() {
		c, err := q.HomeApplicantCounts(ctx, actor.ID)
		if err != nil {
			return Home{}, fmt.Errorf("count applications: %w", err)
		}
		h.Applicant = &ApplicantHome{Drafts: c.Drafts, Submitted: c.Submitted, Grants: c.Grants, Offers: c.Offers}
	}
	if actor.Has(RoleAssessor) {
		h.Assessor = &AssessorHome{}
		next, err := q.HomeAssessorNext(ctx, actor.ID)
		switch {
		case isNotFound(err):
		case err != nil:
			return Home{}, fmt.Errorf("count assessments: %w", err)
		default:
			h.Assessor.Waiting, h.Assessor.Next = next.Waiting, &next.Deadline
		}
	}
	if actor.Has(RoleChair) {
		rows, err := q.HomeChairRounds(ctx)
		if err != nil {
			return Home{}, fmt.Errorf("count cases: %w", err)
		}
		h.Chair = &ChairHome{Rounds: make([]RoundCases, len(rows))}
		for i, r := range rows {
			h.Chair.Rounds[i] = RoundCases{RoundID: r.ID, Name: r.Name, Cases: r.Cases}
		}
	}
	if actor.Has(RoleFinance) {
		c, err := q.HomeFinanceCounts(ctx)
		if err != nil {
			return Home{}, fmt.Errorf("count payments: %w", err)
		}
		h.Finance = &FinanceHome{Awaiting: c.Awaiting, Failed: c.Failed}
	}
	return h, nil
}
