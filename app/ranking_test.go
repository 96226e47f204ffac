package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/scoring"
)

// rankedCase is one application of the ranking fixture: its assessors'
// totals (-1: assigned, not scored), a moderated total and a decision.
type rankedCase struct {
	totals    []int64
	moderated *int64
	status    string // in_assessment (default), approved, rejected, waitlisted
}

// rankingFixture submits one application per case, assesses, moderates and
// decides it as the case says, and returns the round and the ids in
// submission order.
func rankingFixture(t *testing.T, env *apptest.Env, cases []rankedCase) (app.Round, []string) {
	t.Helper()
	ctx := context.Background()
	r := env.Round(t, apptest.ExampleRound(t))
	var assessors []app.Actor
	for i := range 4 {
		assessors = append(assessors, env.User(t, fmt.Sprintf("assessor%d@example.org", i), app.RoleAssessor))
	}
	var ids []string
	for i, c := range cases {
		caseID := env.Submitted(t, r, fmt.Sprintf("case%02d@example.org", i), true)
		_, err := env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: caseID, Status: app.StatusInAssessment,
			Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
		require.NoError(t, err)
		for j, total := range c.totals {
			s, err := env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: caseID,
				RoundID: r.ID, AssessorID: assessors[j].ID, Deadline: time.Now().Add(time.Hour), AssignedAt: time.Now()})
			require.NoError(t, err)
			if total >= 0 {
				now := time.Now()
				_, err = env.Store.AssessmentScore(ctx, sqlc.AssessmentScoreParams{ID: s.ID, Scores: []byte(`{}`), TotalHundredths: &total, ScoredAt: &now})
				require.NoError(t, err)
			}
		}
		if c.moderated != nil {
			_, err = env.Store.ApplicationModerate(ctx, sqlc.ApplicationModerateParams{ID: caseID, ModeratedTotal: c.moderated,
				Rationale: ptr("Agreed at panel"), ModeratedBy: &env.Manager.ID, ModeratedAt: ptr(time.Now())})
			require.NoError(t, err)
		}
		if c.status != "" && c.status != app.StatusInAssessment {
			outcome := map[string]string{app.StatusApproved: "approve", app.StatusRejected: "reject", app.StatusWaitlisted: "waitlist"}[c.status]
			d := sqlc.ApplicationDecideParams{ID: caseID, Status: c.status, Outcome: &outcome, Reason: ptr("Panel"), DecidedAt: ptr(time.Now())}
			if c.status == app.StatusApproved {
				d.AwardPence = ptr(int64(100000))
			}
			_, err = env.Store.ApplicationDecide(ctx, d)
			require.NoError(t, err)
		}
		// Requests of different sizes, so the running total crosses the
		// budget left part of the way down.
		_, err = env.Store.Pool.Exec(ctx, `UPDATE applications SET requested_pence = $2 WHERE id = $1`, caseID, int64(100000+i*50000))
		require.NoError(t, err)
		ids = append(ids, caseID)
	}
	_, err := env.Store.Pool.Exec(ctx, `UPDATE rounds SET budget_pence = 1500000 WHERE id = $1`, r.ID)
	require.NoError(t, err)
	return r, ids
}

// storedTotals reads an application and its scored assessors' totals, as
// stored.
func storedTotals(t *testing.T, env *apptest.Env, appID string) (sqlc.Application, []scoring.Hundredths) {
	t.Helper()
	ctx := context.Background()
	ap, err := env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	asms, err := env.Store.AssessmentListByApplication(ctx, appID)
	require.NoError(t, err)
	var totals []scoring.Hundredths
	for _, s := range asms {
		if s.Status == "scored" {
			totals = append(totals, scoring.Hundredths(*s.TotalHundredths))
		}
	}
	return ap, totals
}

// wholeRanking is the ranking computed the old way, in Go from every
// application at once: totals by scoring.ApplicationTotal, a stable sort in
// submission order, the running total down the whole list.
func wholeRanking(t *testing.T, env *apptest.Env, ids []string, left int64) []app.RankingItem {
	t.Helper()
	type row struct {
		id        string
		submitted time.Time
		status    string
		requested int64
		total     *scoring.Hundredths
	}
	var rows []row
	for _, appID := range ids {
		ap, totals := storedTotals(t, env, appID)
		rows = append(rows, row{appID, *ap.SubmittedAt, ap.Status, *ap.RequestedPence, scoring.ApplicationTotal(ap.ModeratedTotal, totals)})
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		if c := x.submitted.Compare(y.submitted); c != 0 {
			return c
		}
		return cmpString(x.id, y.id)
	})
	slices.SortStableFunc(rows, func(x, y row) int { return scoring.CompareTotals(x.total, y.total) })
	var out []app.RankingItem
	var running int64
	for i, r := range rows {
		it := app.RankingItem{Rank: i + 1, ApplicationID: r.id, Status: r.status, RequestedPence: r.requested, Total: r.total}
		switch r.status {
		case app.StatusInAssessment, app.StatusWaitlisted:
			running += r.requested
			it.CumulativePence, it.FitsBudget, it.Counted = running, running <= left, true
		case app.StatusApproved:
			it.CumulativePence, it.FitsBudget = running, true
		default:
			it.CumulativePence = running
		}
		out = append(out, it)
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// placeOf is what wholeRanking decides of an item.
func placeOf(it app.RankingItem) app.RankingItem {
	return app.RankingItem{Rank: it.Rank, ApplicationID: it.ApplicationID, Status: it.Status, RequestedPence: it.RequestedPence,
		Total: it.Total, CumulativePence: it.CumulativePence, FitsBudget: it.FitsBudget, Counted: it.Counted}
}

// The ranking's pages, joined, are the whole ranking computed the old way:
// the same order (ties in submission order, the unscored last, moderated
// totals in place of the mean) and the same running total carried from
// page to page, whatever the page size. Each case's place agrees.
func TestRankingPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cases := []rankedCase{
		{totals: []int64{8000, 6000}}, // 70
		{totals: []int64{7000}},       // 70, a tie, later
		{totals: nil},                 // unscored
		{totals: []int64{-1, -1}},     // assigned, unscored
		{totals: []int64{9000, 2000}, moderated: ptr(int64(7000))},      // moderated to 70
		{totals: []int64{9500}, status: app.StatusApproved},             // approved
		{totals: []int64{9900, 9800}, status: app.StatusRejected},       // rejected, best
		{totals: []int64{5000, 5001}, status: app.StatusWaitlisted},     // 50.005 → 50.01
		{totals: []int64{6666, 6667, 6667}},                             // 66.67
		{totals: []int64{1, 2}},                                         // 0.015 → 0.02
		{totals: []int64{10000, 9999}},                                  // 99.995 → 100
		{totals: []int64{4000, -1}, moderated: ptr(int64(0))},           // moderated to 0
		{totals: []int64{7000, 7000}},                                   // 70, a tie, latest
		{totals: nil, status: app.StatusRejected},                       // unscored, rejected
		{totals: []int64{3333, 3334, -1}, status: app.StatusWaitlisted}, // 33.335 → 33.34
	}
	r, ids := rankingFixture(t, env, cases)
	chair := env.User(t, "chair@example.org", app.RoleChair)

	first, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Limit: "200"})
	require.NoError(t, err)
	require.Nil(t, first.NextCursor)
	require.Nil(t, first.Previous)
	want := wholeRanking(t, env, ids, first.LeftPence)
	require.Len(t, first.Items, len(cases))
	var fits, over int
	for _, it := range want {
		if it.Counted && it.FitsBudget {
			fits++
		}
		if it.Counted && !it.FitsBudget {
			over++
		}
	}
	require.Positive(t, fits, "the fixture should fit some and not others")
	require.Positive(t, over, "the fixture should fit some and not others")

	for _, size := range []int{1, 2, 4, 7} {
		var got []app.RankingItem
		var prevs []*string
		q := app.PageQuery{Limit: fmt.Sprint(size)}
		for range len(cases) + 1 {
			pg, err := env.App.RoundRanking(ctx, chair, r.ID, q)
			require.NoError(t, err)
			require.Equal(t, first.LeftPence, pg.LeftPence)
			require.LessOrEqual(t, len(pg.Items), size)
			got = append(got, pg.Items...)
			prevs = append(prevs, pg.Previous)
			if pg.NextCursor == nil {
				break
			}
			q.Cursor = *pg.NextCursor
		}
		var places []app.RankingItem
		for _, it := range got {
			places = append(places, placeOf(it))
		}
		require.Empty(t, cmp.Diff(want, places), "page size %d", size)
		require.Empty(t, cmp.Diff(first.Items, got), "page size %d: the pages joined are the one page", size)

		// Each page's Previous leads to the page before it.
		for i := 1; i < len(prevs); i++ {
			require.NotNil(t, prevs[i], "page %d of size %d", i, size)
			pg, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Cursor: *prevs[i], Limit: q.Limit})
			require.NoError(t, err)
			require.Empty(t, cmp.Diff(got[(i-1)*size:i*size], pg.Items), "previous of page %d, size %d", i, size)
		}
	}

	for _, it := range first.Items {
		place, err := env.App.CaseRanking(ctx, chair, it.ApplicationID)
		require.NoError(t, err)
		require.NotNil(t, place.Item)
		require.Empty(t, cmp.Diff(it, *place.Item), it.ApplicationID)
		require.Equal(t, it.Rank, place.Rank)
		require.Equal(t, len(cases), place.Ranked)
	}
}

// The total the ranking orders by, kept in SQL (applications.ranking_total,
// by triggers on assessments and moderation), is scoring.ApplicationTotal's
// to the hundredth, through scoring, revision, release and moderation.
func TestRankingTotalAgreesWithScoring(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	cases := []rankedCase{
		{totals: []int64{1, 2}}, {totals: []int64{1, 1, 2}}, {totals: []int64{2, 3, 3}}, {totals: []int64{5000, 5001}},
		{totals: []int64{9999, 10000}}, {totals: []int64{0}}, {totals: []int64{0, 1}}, {totals: []int64{3333, 3333, 3334}},
		{totals: []int64{-1}}, {}, {totals: []int64{100, 200, 301, 402}}, {totals: []int64{7000, -1}, moderated: ptr(int64(1234))},
	}
	_, ids := rankingFixture(t, env, cases)
	check := func(step string) {
		t.Helper()
		for _, appID := range ids {
			ap, totals := storedTotals(t, env, appID)
			want := scoring.ApplicationTotal(ap.ModeratedTotal, totals)
			if want == nil {
				require.Nil(t, ap.RankingTotal, "%s: %s", step, appID)
				continue
			}
			require.NotNil(t, ap.RankingTotal, "%s: %s", step, appID)
			require.Equal(t, int64(*want), *ap.RankingTotal, "%s: %s totals %v", step, appID, totals)
		}
	}
	check("scored")

	// A revision, a release and a conflict change the mean; clearing a
	// moderated total goes back to it.
	asms, err := env.Store.AssessmentListByApplication(ctx, ids[2])
	require.NoError(t, err)
	now := time.Now()
	_, err = env.Store.AssessmentScore(ctx, sqlc.AssessmentScoreParams{ID: asms[0].ID, Scores: []byte(`{}`), TotalHundredths: ptr(int64(9)), ScoredAt: &now})
	require.NoError(t, err)
	_, err = env.Store.AssessmentRelease(ctx, sqlc.AssessmentReleaseParams{ID: asms[1].ID, Reason: ptr("late"), ReleasedAt: &now})
	require.NoError(t, err)
	asms, err = env.Store.AssessmentListByApplication(ctx, ids[4])
	require.NoError(t, err)
	_, err = env.Store.AssessmentMarkConflict(ctx, sqlc.AssessmentMarkConflictParams{ID: asms[0].ID, Reason: ptr("knows them"), ReleasedAt: &now})
	require.NoError(t, err)
	_, err = env.Store.Pool.Exec(ctx, `UPDATE applications SET moderated_total = NULL WHERE id = $1`, ids[11])
	require.NoError(t, err)
	check("revised")
}

// A cursor is the service's own: an altered, foreign or malformed one, or
// a bad limit, is refused with the field named.
func TestRankingCursorRefused(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	r, _ := rankingFixture(t, env, []rankedCase{{totals: []int64{5000}}, {totals: []int64{6000}}, {}})
	chair := env.User(t, "chair@example.org", app.RoleChair)
	pg, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Limit: "1"})
	require.NoError(t, err)
	require.NotNil(t, pg.NextCursor)
	good := *pg.NextCursor
	_, err = env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Cursor: good, Limit: "1"})
	require.NoError(t, err)
	tampered := []byte(good)
	tampered[3] ^= 1
	for _, tc := range []struct{ cursor, limit, field string }{
		{cursor: string(tampered), field: "cursor"},
		{cursor: good[:len(good)-2], field: "cursor"},
		{cursor: "app_01", field: "cursor"},
		{cursor: "not a cursor.at all", field: "cursor"},
		{cursor: good, limit: "0", field: "limit"},
		{limit: "201", field: "limit"},
		{limit: "ten", field: "limit"},
	} {
		_, err := env.App.RoundRanking(ctx, chair, r.ID, app.PageQuery{Cursor: tc.cursor, Limit: tc.limit})
		e, ok := app.AsError(err)
		require.True(t, ok, "%q %q: %v", tc.cursor, tc.limit, err)
		require.Equal(t, app.KindInvalid, e.Kind)
		require.Contains(t, e.Fields, tc.field)
	}
}
