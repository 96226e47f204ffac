package activities

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Withdraw withdraws an application at its organisation's request and
// releases every live assessment, telling the assessors. Run again after
// it applied, it changes nothing; an application already decided is an
// invalid_state rejection.
func (a *Activities) Withdraw(ctx context.Context, in workflows.WithdrawInput) (workflows.CaseState, error) {
	var out workflows.CaseState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		if c.app.Status == workflows.StatusWithdrawn {
			out = c.state()
			return nil
		}
		if err := requireMember(ctx, q, c.app.OrganisationID, in.ActorID, false); err != nil {
			return err
		}
		app, err := q.ApplicationWithdraw(ctx, sqlc.ApplicationWithdrawParams{ID: c.app.ID, WithdrawnAt: &in.At})
		if err != nil {
			if isNotFound(err) {
				return workflows.Reject(workflows.RejectInvalidState, "This application can no longer be withdrawn (it is "+c.app.Status+")", nil)
			}
			return fmt.Errorf("withdraw: %w", err)
		}
		list, err := q.AssessmentListByApplication(ctx, c.app.ID)
		if err != nil {
			return fmt.Errorf("list assessments: %w", err)
		}
		released := []string{}
		for _, s := range list {
			if !workflows.AssessmentLive(s.Status) {
				continue
			}
			if _, err := release(ctx, q, s, workflows.ReleaseWithdrawn, in.At); err != nil {
				return err
			}
			released = append(released, s.ID)
		}
		if err := record(ctx, q, appChain(c.app.ID), in.ActorID, "application.withdrawn", appChain(c.app.ID), in.At,
			map[string]any{"previous_status": c.app.Status, "released_assessments": released}); err != nil {
			return err
		}
		c.app = app
		out = c.state()
		return nil
	})
	return out, classify(err)
}
