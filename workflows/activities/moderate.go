package activities

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/scoring"
	"github.com/civicgrants/grants/workflows"
)

// FlagCase flags a case to managers (one of the workflows.Flag* values)
// and tells them, once per case and flag.
func (a *Activities) FlagCase(ctx context.Context, in workflows.FlagInput) error {
	switch in.Flag {
	case workflows.FlagNeedsModeration, workflows.FlagModerated, workflows.FlagPoolExhausted, workflows.FlagUnscored:
	default:
		return workflows.Reject(workflows.RejectInvalid, "Unknown flag", map[string]string{"flag": "No such flag: " + in.Flag})
	}
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		if hasFlag(c.app.Flags, in.Flag) {
			return nil
		}
		if _, err := q.ApplicationSetFlags(ctx, sqlc.ApplicationSetFlagsParams{ID: c.app.ID, Flags: withFlag(c.app.Flags, in.Flag)}); err != nil {
			return fmt.Errorf("flag case: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "application.flagged", appChain(c.app.ID), in.At,
			map[string]any{"flag": in.Flag, "message": in.Message}); err != nil {
			return err
		}
		return notifyRole(ctx, q, workflows.RoleManager, message{
			kind: "flag", subject: "An application needs attention (" + in.Flag + ")", body: in.Message,
			entity: appChain(c.app.ID), key: "flag:" + c.app.ID + ":" + in.Flag,
		})
	})
	return classify(err)
}

// Moderate records a manager's moderated total (hundredths, 0..10000) and
// rationale on a case in assessment or on the waiting list; the flag
// moderated replaces needs_moderation and the assessors' scores stay as
// they were. The audit event keeps the total before and the mean of the
// assessors' totals. Run again with the same total, rationale and manager,
// it writes nothing.
func (a *Activities) Moderate(ctx context.Context, in workflows.ModerateInput) (workflows.CaseState, error) {
	if in.TotalHundredths < 0 || in.TotalHundredths > 10000 {
		return workflows.CaseState{}, rejectField("total", "Give a total from 0 to 100")
	}
	var out workflows.CaseState
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		if m := c.app.ModeratedTotal; m != nil && *m == in.TotalHundredths && deref(c.app.ModeratedBy) == in.ActorID &&
			deref(c.app.ModerationRationale) == in.Rationale {
			out = c.state()
			return nil
		}
		if c.app.Status != workflows.StatusInAssessment && c.app.Status != workflows.StatusWaitlisted {
			return workflows.Reject(workflows.RejectInvalidState, "This application can no longer be moderated (it is "+c.app.Status+")", nil)
		}
		if err := requireStaff(ctx, q, in.ActorID, workflows.RoleManager, "Only a programme manager can moderate", c.app); err != nil {
			return err
		}
		list, err := q.AssessmentListByApplication(ctx, c.app.ID)
		if err != nil {
			return fmt.Errorf("list assessments: %w", err)
		}
		totals := scoredTotals(list)
		previous := scoring.ApplicationTotal(c.app.ModeratedTotal, totals)
		mean := scoring.ApplicationTotal(nil, totals)
		app, err := q.ApplicationModerate(ctx, sqlc.ApplicationModerateParams{
			ID: c.app.ID, ModeratedTotal: &in.TotalHundredths, Rationale: &in.Rationale, ModeratedBy: &in.ActorID, ModeratedAt: &in.At,
		})
		if err != nil {
			return fmt.Errorf("moderate: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), in.ActorID, "application.moderated", appChain(c.app.ID), in.At, map[string]any{
			"previous_total": previous, "mean_total": mean, "moderated_total": scoring.Hundredths(in.TotalHundredths),
			"assessor_totals": totals, "rationale": in.Rationale,
		}); err != nil {
			return err
		}
		c.app = app
		out = c.state()
		return nil
	})
	return out, classify(err)
}
