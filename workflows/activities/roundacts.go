package activities

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// LoadRound reads a round's timeline afresh, so an extended one is
// honoured: its window, its decision deadline (close + assessment window +
// decision window) and how long offers stay open.
func (a *Activities) LoadRound(ctx context.Context, in workflows.RoundInput) (workflows.RoundInfo, error) {
	r, def, err := loadRound(ctx, a.Store.Queries, in.RoundID)
	if err != nil {
		return workflows.RoundInfo{}, classify(err)
	}
	return workflows.RoundInfo{
		RoundID:          r.ID,
		OpensAt:          r.OpensAt,
		ClosesAt:         r.ClosesAt,
		DecisionDeadline: r.ClosesAt.Add(def.Timeline.AssessmentWindow.Duration).Add(def.Timeline.DecisionWindow.Duration),
		OfferExpiry:      def.Timeline.OfferExpiry.Duration,
	}, nil
}

// roundEventText is what managers are told of each round event.
var roundEventText = map[string][2]string{
	workflows.RoundOpened: {"A round has opened", "The round %s is open for applications."},
	workflows.RoundClosed: {"A round has closed", "The round %s has closed; assessment continues."},
	workflows.RoundDecisionWindowPassed: {"A round's decision window has passed",
		"The decision window of the round %s has passed. Decide the applications still waiting."},
}

// RoundEvent records a round event (opened, closed,
// decision_window_passed) on the round's audit chain once, and tells the
// managers (and, when the decision window passed, the chairs). Run again,
// it writes nothing more.
func (a *Activities) RoundEvent(ctx context.Context, in workflows.RoundEventInput) error {
	text, ok := roundEventText[in.Event]
	if !ok {
		return workflows.Reject(workflows.RejectInvalid, "Unknown round event", map[string]string{"event": "No such round event: " + in.Event})
	}
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		r, err := q.RoundGet(ctx, in.RoundID)
		if err != nil {
			return fmt.Errorf("load round %s: %w", in.RoundID, err)
		}
		chain, action := roundChain(r.ID), "round."+in.Event
		// Under the chain's lock, so two runs cannot both find it missing.
		if err := q.AuditLock(ctx, chain); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
		events, err := q.AuditListByChain(ctx, chain)
		if err != nil {
			return fmt.Errorf("read audit chain: %w", err)
		}
		for _, e := range events {
			if e.Action == action {
				return nil
			}
		}
		if err := record(ctx, q, chain, workflows.SystemActor, action, chain, in.At, map[string]any{"event": in.Event}); err != nil {
			return err
		}
		m := message{kind: "round_" + in.Event, subject: text[0], body: fmt.Sprintf(text[1], r.Name),
			entity: chain, key: chain + ":" + in.Event}
		if err := notifyRole(ctx, q, workflows.RoleManager, m); err != nil {
			return err
		}
		if in.Event == workflows.RoundDecisionWindowPassed {
			return notifyRole(ctx, q, workflows.RoleChair, m)
		}
		return nil
	})
	return classify(err)
}

// RoundOutstanding counts a round's open offers and waitlisted
// applications: while either remains, budget may still come free or be
// used.
func (a *Activities) RoundOutstanding(ctx context.Context, in workflows.RoundInput) (workflows.Outstanding, error) {
	q := a.Store.Queries
	offers, err := q.GrantCountOfferedInRound(ctx, in.RoundID)
	if err != nil {
		return workflows.Outstanding{}, classify(fmt.Errorf("count offers: %w", err))
	}
	waitlisted, err := q.ApplicationCountByRoundStatus(ctx, sqlc.ApplicationCountByRoundStatusParams{RoundID: in.RoundID, Status: workflows.StatusWaitlisted})
	if err != nil {
		return workflows.Outstanding{}, classify(fmt.Errorf("count waitlisted: %w", err))
	}
	assessing, err := q.ApplicationCountByRoundStatus(ctx, sqlc.ApplicationCountByRoundStatusParams{RoundID: in.RoundID, Status: workflows.StatusInAssessment})
	if err != nil {
		return workflows.Outstanding{}, classify(fmt.Errorf("count in assessment: %w", err))
	}
	return workflows.Outstanding{Offers: int(offers), Waitlisted: int(waitlisted), InAssessment: int(assessing)}, nil
}
