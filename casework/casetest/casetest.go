// Package casetest opens Spaces at Risk cases straight in the database,
// as triage leaves them, for tests of what happens after (CaseWorkflow and
// its activities).
package casetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workday"
)

// Case is an accepted support request's case.
type Case struct {
	OrganisationID string
	RequestedBy    string // a member of the organisation
	CaseworkerID   string
	OpenedAt       time.Time
	// FirstContactDueOn defaults to casework.FirstContactDue(OpenedAt,
	// casework.DefaultFirstContactDays); ReviewDueOn to the review after
	// the opening day.
	FirstContactDueOn *workday.Date
	ReviewDueOn       *workday.Date
}

// Open writes an accepted support request and its case, and returns the
// case's id.
func Open(t testing.TB, store *db.Store, c Case) string {
	t.Helper()
	ctx := context.Background()
	opened := workday.DateOf(c.OpenedAt)
	due := casework.FirstContactDue(c.OpenedAt, casework.DefaultFirstContactDays)
	if c.FirstContactDueOn != nil {
		due = *c.FirstContactDueOn
	}
	review := casework.NextReview(opened)
	if c.ReviewDueOn != nil {
		review = *c.ReviewDueOn
	}
	address, err := json.Marshal(map[string]string{"line1": "1 Market Street", "town": "London", "postcode": "SE1 1AA"})
	require.NoError(t, err)
	caseID := id.New("cas")
	require.NoError(t, store.InTx(ctx, func(q *sqlc.Queries) error {
		r, err := q.SupportRequestInsert(ctx, sqlc.SupportRequestInsertParams{ID: id.New("srq"), OrganisationID: c.OrganisationID,
			RequestedBy: c.RequestedBy, SpaceName: "The Old Library", SpaceKind: "community_centre", Address: address,
			BoroughName: "Southwark", BoroughGss: "E09000028", Uses: []string{"Lunch club"}, UsedBy: "Older neighbours",
			WeeklyUsers: 120, Tenure: "lease", RiskKind: "lease_ending", RiskDescription: "The lease ends next year.",
			Urgency: "high", ConsentToShare: true, CreatedAt: c.OpenedAt.Add(-time.Hour)})
		if err != nil {
			return err
		}
		if _, err := q.SupportRequestTriage(ctx, sqlc.SupportRequestTriageParams{ID: r.ID, Status: casework.RequestAccepted,
			TriagedBy: &c.CaseworkerID, TriagedAt: &c.OpenedAt, TriageReason: ptr("A space the borough cannot lose")}); err != nil {
			return err
		}
		reviewOn := casework.DateTime(review)
		_, err = q.CaseInsert(ctx, sqlc.CaseInsertParams{ID: caseID, SupportRequestID: r.ID, OrganisationID: c.OrganisationID,
			CaseworkerID: c.CaseworkerID, OpenedAt: c.OpenedAt, OpenedBy: c.CaseworkerID, FirstContactDueOn: casework.DateTime(due),
			ReviewDueOn: &reviewOn})
		return err
	}))
	return caseID
}

func ptr[T any](v T) *T { return &v }
