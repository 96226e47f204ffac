package activities_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// Assignments go to the least-loaded assessors of the round, ties by id,
// with the deadline counted from the round's close; a re-run assigns
// nothing more.
func TestAssignBalancesLoad(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	pool := ids(b.assessors(t, 3))
	slices.Sort(pool)

	first := b.inAssessment(t, b.round, apptest.Lead{})
	res := b.assign(t, first)
	require.Zero(t, res.Short)
	require.Len(t, res.Assignments, 2)
	deadline := b.round.ClosesAt.Add(336 * time.Hour)
	for i, a := range res.Assignments {
		require.Equal(t, workflows.AssessmentAssigned, a.Status)
		require.True(t, deadline.Equal(a.Deadline), "deadline %v, want %v", a.Deadline, deadline)
		require.False(t, a.Reminded)
		require.Zero(t, a.Generation)
		require.Contains(t, pool[:2], res.Assignments[i].AssessorID, "the two lowest ids on equal load")
	}
	// The third assessor has the least load now, then the lowest id.
	second := b.assign(t, b.inAssessment(t, b.round, apptest.Lead{}))
	got := []string{second.Assignments[0].AssessorID, second.Assignments[1].AssessorID}
	slices.Sort(got)
	require.Equal(t, []string{pool[0], pool[2]}, got)

	// Assigned after the close, the window counts from the assignment.
	late := b.at.Add(48 * time.Hour)
	third, err := b.acts.AssignAssessors(b.ctx, workflows.AssignInput{ApplicationID: b.inAssessment(t, b.round, apptest.Lead{}), Generation: 1, At: late})
	require.NoError(t, err)
	for _, a := range third.Assignments {
		require.True(t, late.Add(336*time.Hour).Equal(a.Deadline))
		require.Equal(t, 1, a.Generation)
	}

	events := b.chain(t, "application:"+first)
	again := b.assign(t, first)
	require.Equal(t, res, again)
	require.Len(t, b.chain(t, "application:"+first), len(events), "a re-run writes nothing")
	require.Equal(t, []string{"application.created", "application.saved", "application.submitted", "application.eligibility_checked",
		"assessment.assigned", "assessment.assigned"}, b.actions(t, "application:"+first))
	require.Equal(t, []string{"assigned", "assigned"}, kinds(b.notes(t, pool[0])))
}

// Cases assigned at the same moment still balance: assignment within a
// round is serialised.
func TestAssignConcurrentCasesBalance(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	pool := ids(b.assessors(t, 4))
	var apps []string
	for range 8 {
		apps = append(apps, b.inAssessment(t, b.round, apptest.Lead{}))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(apps))
	for i, appID := range apps {
		wg.Go(func() {
			_, errs[i] = b.acts.AssignAssessors(b.ctx, workflows.AssignInput{ApplicationID: appID, At: b.at})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	loads, err := b.env.Store.AssessmentLoadByRound(b.ctx, b.round.ID)
	require.NoError(t, err)
	got := map[string]int64{}
	for _, l := range loads {
		got[l.AssessorID] = l.Active
	}
	require.Equal(t, map[string]int64{pool[0]: 4, pool[1]: 4, pool[2]: 4, pool[3]: 4}, got)
}

func setAffiliations(t *testing.T, b *bundle, userID string, affs ...map[string]any) {
	t.Helper()
	raw, err := json.Marshal(affs)
	require.NoError(t, err)
	_, err = b.env.Store.UserSetAffiliations(b.ctx, sqlc.UserSetAffiliationsParams{ID: userID, Affiliations: raw})
	require.NoError(t, err)
}

// Nobody with a declared conflict (from another round) or an affiliation
// matching the lead or a partner, by number or by name, is assigned; when
// that leaves too few, the case is flagged pool_exhausted and every
// manager told, once.
func TestAssignNeverPicksConflictedOrAffiliated(t *testing.T) {
	t.Parallel()
	b := setup(t, func(d *round.Definition) { d.AssessorsPerApplication = 8 })
	as := b.assessors(t, 8)
	leadNumber, leadName, partnerNumber, partnerName := as[0], as[1], as[2], as[3]
	declaredLead, declaredPartner, clean1, clean2 := as[4], as[5], as[6], as[7]
	setAffiliations(t, b, leadNumber.ID, map[string]any{"name": "Something Else Entirely", "charity_number": "1111112"})
	setAffiliations(t, b, leadName.ID, map[string]any{"name": "hive"})
	setAffiliations(t, b, partnerNumber.ID, map[string]any{"name": "BBC", "company_number": "1234 5678"})
	setAffiliations(t, b, partnerName.ID, map[string]any{"name": "St Marys Trust"})
	setAffiliations(t, b, clean1.ID, map[string]any{"name": "Peckham Food Bank", "charity_number": "3333333"})

	// In another round, two assessors declare conflicts: one with an
	// organisation that is a partner here by charity number (a number
	// belongs to one organisation, so it cannot lead both), one with the
	// partner (matched by name: the partner gives no number there).
	other := b.newRound(t, func(d *round.Definition) { d.AssessorIDs = []string{declaredLead.ID, declaredPartner.ID} })
	for _, tc := range []struct {
		lead     apptest.Lead
		assessor app.Actor
	}{
		{apptest.Lead{Name: "Hive Community Hub", CharityNumber: "1111111"}, declaredLead},
		{apptest.Lead{Name: "Bermondsey Boxing Club", CompanyNumber: "87654321"}, declaredPartner},
	} {
		appID := b.inAssessment(t, other, tc.lead)
		res := b.assign(t, appID)
		i := slices.IndexFunc(res.Assignments, func(a workflows.Assignment) bool { return a.AssessorID == tc.assessor.ID })
		require.GreaterOrEqual(t, i, 0)
		_, err := b.acts.DeclareConflict(b.ctx, workflows.ConflictInput{ApplicationID: appID, AssessmentID: res.Assignments[i].ID,
			AssessorID: tc.assessor.ID, Reason: "I am a trustee", At: b.at})
		require.NoError(t, err)
	}

	appID := b.inAssessment(t, b.round, apptest.Lead{Name: "The Hive Ltd.", CharityNumber: "1111112", Partners: []map[string]any{
		{"name": "Community Hub Partner", "charity_number": "1111111"},
		{"name": "Bermondsey Boxing Club"},
		{"name": "Borough Youth Boxing", "company_number": "12345678"},
		{"name": "St Mary's Trust"},
	}})
	res := b.assign(t, appID)
	var got []string
	for _, a := range res.Assignments {
		got = append(got, a.AssessorID)
	}
	slices.Sort(got)
	want := []string{clean1.ID, clean2.ID}
	slices.Sort(want)
	require.Equal(t, want, got)
	require.Equal(t, 6, res.Short)
	require.Equal(t, []string{workflows.FlagPoolExhausted}, b.application(t, appID).Flags)
	managerNotes := []string{"conflict_declared", "conflict_declared", "pool_exhausted"}
	require.Equal(t, managerNotes, kinds(b.notes(t, b.env.Manager.ID)))

	// Asked again, the pool is still short: the flag, the event and the
	// managers' notification are not repeated.
	events := b.chain(t, "application:"+appID)
	again := b.assign(t, appID)
	require.Equal(t, 6, again.Short)
	require.Len(t, b.chain(t, "application:"+appID), len(events))
	require.Equal(t, []string{workflows.FlagPoolExhausted}, b.application(t, appID).Flags)
	require.Equal(t, managerNotes, kinds(b.notes(t, b.env.Manager.ID)))

	// The exclusions are specific: an unrelated application gets everyone.
	unrelated := b.assign(t, b.inAssessment(t, b.round, apptest.Lead{Partners: []map[string]any{{"name": "Lewisham Allotment Society"}}}))
	require.Zero(t, unrelated.Short)
	require.Len(t, unrelated.Assignments, 8)
}

// Only a case in assessment gets assessors.
func TestAssignOnlyInAssessment(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.assessors(t, 2)
	appID := b.env.SubmitAs(t, b.round, b.applicant, apptest.Lead{Name: "Not Yet Checked"})
	res := b.assign(t, appID)
	require.Empty(t, res.Assignments)
	require.Zero(t, res.Short)

	_, err := b.acts.AssignAssessors(b.ctx, workflows.AssignInput{ApplicationID: "app_missing", At: b.at})
	require.Error(t, err)
	_, isRejection := workflows.AsRejection(err)
	require.False(t, isRejection, "a missing case is a permanent failure, not a rejection")
}

// An assessor who belongs to the applying organisation, or to one of its
// partners, is never assigned, declared affiliation or not.
func TestAssignNeverPicksAMemberOfAParty(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	pool := b.assessors(t, 4)
	// pool[0] leads the application itself; pool[1] belongs to its partner.
	own := b.env.SubmitAs(t, b.round, pool[0], apptest.Lead{Name: "Assessor's Own Charity", CharityNumber: "1099001",
		Partners: []map[string]any{{"name": "Partner Trust", "charity_number": "1099002"}}})
	_, err := b.acts.CheckEligibility(b.ctx, workflows.CheckEligibilityInput{ApplicationID: own})
	require.NoError(t, err)
	b.env.Organisation(t, pool[1], "Partner Trust") // fixture charity number differs; the name matches
	res := b.assign(t, own)
	got := map[string]bool{}
	for _, a := range res.Assignments {
		got[a.AssessorID] = true
	}
	require.Equal(t, map[string]bool{pool[2].ID: true, pool[3].ID: true}, got)
}
