package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/workflows"
)

// PropagateConflict carries a declared conflict to the assessor's other
// live assessments whose lead or partner is an organisation they declared
// a conflict with: each is declared conflicted through its own case's
// workflow (an Update), which releases the assessor and reassigns it. A
// case that has moved on (a rejection) or ended is skipped, so a re-run
// is harmless.
func (a *Activities) PropagateConflict(ctx context.Context, in workflows.ConflictInput) error {
	if a.Temporal == nil {
		return temporal.NewNonRetryableApplicationError("propagate conflict: no Temporal client", "misconfigured", nil)
	}
	var targets []sqlc.Assessment
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		conflicts, err := q.AssessorConflictList(ctx, []string{in.AssessorID})
		if err != nil {
			return fmt.Errorf("list conflicts: %w", err)
		}
		keys := interest.Keys{}
		for _, c := range conflicts {
			for k := range interest.ConflictKeys(c) {
				keys[k] = true
			}
		}
		var cursor *string
		for {
			page, err := q.AssessmentListForAssessor(ctx, sqlc.AssessmentListForAssessorParams{AssessorID: in.AssessorID, Cursor: cursor, RowLimit: 500})
			if err != nil {
				return fmt.Errorf("list assessments: %w", err)
			}
			for _, row := range page {
				s := row.Assessment
				if s.ApplicationID == in.ApplicationID {
					continue
				}
				app, err := q.ApplicationGet(ctx, s.ApplicationID)
				if err != nil {
					return fmt.Errorf("load application: %w", err)
				}
				parties, err := interest.Load(ctx, q, app)
				if err != nil {
					return err
				}
				if keys.Meets(parties.Keys) {
					targets = append(targets, s)
				}
			}
			if len(page) < 500 {
				return nil
			}
			cursor = &page[len(page)-1].Assessment.ID
		}
	})
	if err != nil {
		return classify(err)
	}
	for _, s := range targets {
		h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.ApplicationWorkflowID(s.ApplicationID),
			UpdateName: workflows.UpdateDeclareConflict,
			UpdateID:   "conflict:" + s.ID,
			Args: []interface{}{workflows.ConflictUpdate{
				Caller:       workflows.Caller{ID: in.AssessorID, Roles: []string{workflows.RoleAssessor}},
				AssessmentID: s.ID,
				Reason:       "Conflict of interest declared on another application: " + in.Reason,
			}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		var notFound *serviceerror.NotFound
		if _, rejected := workflows.AsRejection(err); err != nil && !rejected && !errors.As(err, &notFound) {
			return fmt.Errorf("declare conflict on %s: %w", s.ApplicationID, err)
		}
	}
	return nil
}
