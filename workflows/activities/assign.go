package activities

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/workflows"
)

// AssignAssessors brings an in_assessment case up to its round's number of
// active (assigned or scored) assessments. Candidates are the round's pool
// (its assessor_ids, else every assessor) less anyone who ever had an
// assessment of this application and anyone with a declared conflict or an
// affiliation matching the lead organisation or a partner; of those, the
// ones with the fewest active assessments in the round are chosen (ties by
// id). Assignment within a round is serialised so concurrent cases balance.
// When the pool falls short the case is flagged pool_exhausted and managers
// are told. Run again after it applied, it assigns nothing more; for a case
// not in assessment it only reports the assessments there are.
func (a *Activities) AssignAssessors(ctx context.Context, in workflows.AssignInput) (workflows.AssignResult, error) {
	var out workflows.AssignResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		c, err := loadCase(ctx, q, in.ApplicationID, true)
		if err != nil {
			return err
		}
		short, err := a.assign(ctx, q, c, in)
		if err != nil {
			return err
		}
		list, err := q.AssessmentListByApplication(ctx, c.app.ID)
		if err != nil {
			return fmt.Errorf("list assessments: %w", err)
		}
		out = workflows.AssignResult{Assignments: assignmentsOf(list), Short: short}
		return nil
	})
	return out, classify(err)
}

// assign makes the assignments the case lacks and reports how many the pool
// could not supply.
func (a *Activities) assign(ctx context.Context, q *sqlc.Queries, c caseRow, in workflows.AssignInput) (int, error) {
	if c.app.Status != workflows.StatusInAssessment {
		return 0, nil
	}
	existing, err := q.AssessmentListByApplication(ctx, c.app.ID)
	if err != nil {
		return 0, fmt.Errorf("list assessments: %w", err)
	}
	need := c.def.AssessorsPerApplication
	for _, s := range existing {
		if workflows.AssessmentLive(s.Status) {
			need--
		}
	}
	if need <= 0 {
		return 0, nil
	}
	if err := q.AssessmentLockRoundAssignment(ctx, c.app.RoundID); err != nil {
		return 0, fmt.Errorf("lock round assignment: %w", err)
	}
	chosen, err := a.candidates(ctx, q, c, existing)
	if err != nil {
		return 0, err
	}
	chosen = chosen[:min(need, len(chosen))]
	deadline := laterOf(c.round.ClosesAt, in.At).Add(c.def.Timeline.AssessmentWindow.Duration)
	for _, assessorID := range chosen {
		s, err := q.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{
			ID: id.New(id.Assessment), ApplicationID: c.app.ID, RoundID: c.app.RoundID, AssessorID: assessorID,
			Generation: int32(in.Generation), Deadline: deadline, AssignedAt: in.At,
		})
		if err != nil {
			return 0, fmt.Errorf("insert assessment: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "assessment.assigned", "assessment:"+s.ID, in.At,
			map[string]any{"assessment_id": s.ID, "assessor_id": assessorID, "generation": in.Generation, "deadline": deadline}); err != nil {
			return 0, err
		}
		if err := notify(ctx, q, []string{assessorID}, message{
			kind: "assigned", subject: "New application to assess",
			body:   "You have been assigned an application to assess. Please score it by " + londonTime(deadline) + ".",
			entity: "assessment:" + s.ID, key: "assigned:" + s.ID,
		}); err != nil {
			return 0, err
		}
	}
	short := need - len(chosen)
	if short > 0 {
		if err := a.poolExhausted(ctx, q, c, short, in.At); err != nil {
			return 0, err
		}
	}
	return short, nil
}

// candidates lists the eligible assessors of the pool, least loaded in the
// round first, ties by id.
func (a *Activities) candidates(ctx context.Context, q *sqlc.Queries, c caseRow, existing []sqlc.Assessment) ([]string, error) {
	pool, err := assessorPool(ctx, q, c.def.AssessorIDs)
	if err != nil {
		return nil, err
	}
	parties, err := interest.Load(ctx, q, c.app)
	if err != nil {
		return nil, err
	}
	excluded := map[string]bool{}
	for _, s := range existing {
		excluded[s.AssessorID] = true // UNIQUE (application_id, assessor_id): never twice
	}
	// Never anyone with an interest in the case: a member of a party,
	// declared or not, a declared conflict, a declared affiliation (an
	// unreadable one clears nobody).
	interested, err := interest.Find(ctx, q, parties, pool)
	if err != nil {
		return nil, err
	}
	for uid := range interested {
		excluded[uid] = true
	}
	loads, err := q.AssessmentLoadByRound(ctx, c.app.RoundID)
	if err != nil {
		return nil, fmt.Errorf("assessor load: %w", err)
	}
	load := map[string]int64{}
	for _, l := range loads {
		load[l.AssessorID] = l.Active
	}
	var out []string
	for _, u := range pool {
		if !excluded[u.ID] {
			out = append(out, u.ID)
		}
	}
	slices.SortFunc(out, func(x, y string) int {
		return cmp.Or(cmp.Compare(load[x], load[y]), cmp.Compare(x, y))
	})
	return out, nil
}

// assessorPool is the round's assessors: those it names that still hold
// the assessor role, else every assessor.
func assessorPool(ctx context.Context, q *sqlc.Queries, assessorIDs []string) ([]sqlc.User, error) {
	if len(assessorIDs) == 0 {
		users, err := q.UserListByRole(ctx, workflows.RoleAssessor)
		if err != nil {
			return nil, fmt.Errorf("list assessors: %w", err)
		}
		return users, nil
	}
	var pool []sqlc.User
	seen := map[string]bool{}
	for _, uid := range assessorIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		u, err := q.UserGet(ctx, uid)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("load assessor %s: %w", uid, err)
		}
		if slices.Contains(u.Roles, workflows.RoleAssessor) {
			pool = append(pool, u)
		}
	}
	return pool, nil
}

// poolExhausted flags the case (once) and tells every manager (once per
// case).
func (a *Activities) poolExhausted(ctx context.Context, q *sqlc.Queries, c caseRow, short int, at time.Time) error {
	if !hasFlag(c.app.Flags, workflows.FlagPoolExhausted) {
		if _, err := q.ApplicationSetFlags(ctx, sqlc.ApplicationSetFlagsParams{ID: c.app.ID, Flags: withFlag(c.app.Flags, workflows.FlagPoolExhausted)}); err != nil {
			return fmt.Errorf("flag case: %w", err)
		}
		if err := record(ctx, q, appChain(c.app.ID), workflows.SystemActor, "application.flagged", appChain(c.app.ID), at,
			map[string]any{"flag": workflows.FlagPoolExhausted, "short": short}); err != nil {
			return err
		}
	}
	return notifyRole(ctx, q, workflows.RoleManager, message{
		kind: "pool_exhausted", subject: "Not enough assessors for an application",
		body:   fmt.Sprintf("The assessor pool could not supply %d assessor(s) for an application without a conflict of interest. Give another person the assessor role (a round that names its own pool cannot change it once open): the case tries again every hour or so and waits until then.", short),
		entity: appChain(c.app.ID), key: "pool_exhausted:" + c.app.ID,
	})
}

func laterOf(x, y time.Time) time.Time {
	if x.After(y) {
		return x
	}
	return y
}
