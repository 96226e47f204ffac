package activities

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/budget"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// candidate is a waitlisted application that might be promoted.
type candidate struct {
	id          string
	total       *scoring.Hundredths
	submittedAt *time.Time
	award       int64
}

// PromoteWaitlisted offers budget that came free to the best-scored
// waitlisted application of the round whose award (its request, capped at
// its tier's maximum) fits what is left, by the promote Update to that
// case, whose Decide activity commits the budget. A candidate the Update
// rejects (the budget went meanwhile, its state changed) is passed over for
// the next. No candidate that fits: Promoted false.
func (a *Activities) PromoteWaitlisted(ctx context.Context, in workflows.RoundInput) (workflows.PromoteResult, error) {
	if a.Temporal == nil {
		return workflows.PromoteResult{}, temporal.NewNonRetryableApplicationError("no Temporal client to promote with", "permanent", nil)
	}
	cands, left, err := a.waitlist(ctx, in.RoundID)
	if err != nil {
		return workflows.PromoteResult{}, classify(err)
	}
	for _, c := range cands {
		if c.award > left {
			continue
		}
		err := a.promote(ctx, in.RoundID, c)
		var notFound *serviceerror.NotFound
		switch _, rejected := workflows.AsRejection(err); {
		case err == nil:
			return workflows.PromoteResult{Promoted: true, ApplicationID: c.id, AwardPence: c.award}, nil
		case rejected:
			a.logger().Info("promotion rejected; trying the next", "application_id", c.id, "err", err)
		case errors.As(err, &notFound):
			a.logger().Warn("waitlisted application has no running case; skipping it", "application_id", c.id)
		default:
			return workflows.PromoteResult{}, fmt.Errorf("promote %s: %w", c.id, err)
		}
	}
	return workflows.PromoteResult{}, nil
}

// promote sends the promote Update to a case and waits for its outcome.
// Within one activity execution the Update ID is stable, so a retried
// attempt gets the first attempt's outcome rather than a second promotion.
func (a *Activities) promote(ctx context.Context, roundID string, c candidate) error {
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflows.ApplicationWorkflowID(c.id),
		UpdateName:   workflows.UpdatePromote,
		Args:         []interface{}{workflows.PromoteUpdate{AwardPence: c.award}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		opts.UpdateID = fmt.Sprintf("promote:%s:%s:%s:%s", roundID, info.WorkflowExecution.RunID, info.ActivityID, c.id)
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	var st workflows.CaseState
	return h.Get(ctx, &st)
}

// waitlist lists a round's waitlisted applications, best first (highest
// total, unscored last, then earliest submitted), with the award each
// would get, and the budget left.
func (a *Activities) waitlist(ctx context.Context, roundID string) ([]candidate, int64, error) {
	var cands []candidate
	var left int64
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		_, def, err := loadRound(ctx, q, roundID)
		if err != nil {
			return err
		}
		rows, err := q.AssessmentScoredTotalsByRound(ctx, roundID)
		if err != nil {
			return fmt.Errorf("assessor totals: %w", err)
		}
		totals := map[string][]scoring.Hundredths{}
		for _, r := range rows {
			totals[r.ApplicationID] = append(totals[r.ApplicationID], scoring.Hundredths(r.TotalHundredths))
		}
		status := workflows.StatusWaitlisted
		var cursor *string
		for {
			page, err := q.ApplicationListAll(ctx, sqlc.ApplicationListAllParams{Cursor: cursor, RoundID: &roundID, Status: &status, RowLimit: 500})
			if err != nil {
				return fmt.Errorf("list waitlist: %w", err)
			}
			for _, app := range page {
				c := caseRow{app: app, def: def}
				award := c.requested()
				if t, ok := c.tier(); ok {
					award = min(award, t.MaxPence)
				}
				if award <= 0 {
					continue
				}
				cands = append(cands, candidate{id: app.ID, total: scoring.ApplicationTotal(app.ModeratedTotal, totals[app.ID]),
					submittedAt: app.SubmittedAt, award: award})
			}
			if len(page) < 500 {
				break
			}
			cursor = &page[len(page)-1].ID
		}
		left, err = budget.Left(ctx, q, roundID)
		return err
	})
	slices.SortFunc(cands, compareCandidates)
	return cands, left, err
}

// compareCandidates orders candidates best first.
func compareCandidates(x, y candidate) int {
	if c := scoring.CompareTotals(x.total, y.total); c != 0 {
		return c
	}
	switch {
	case x.submittedAt != nil && y.submittedAt == nil:
		return -1
	case x.submittedAt == nil && y.submittedAt != nil:
		return 1
	case x.submittedAt != nil && !x.submittedAt.Equal(*y.submittedAt):
		return x.submittedAt.Compare(*y.submittedAt)
	}
	return cmp.Compare(x.id, y.id)
}
