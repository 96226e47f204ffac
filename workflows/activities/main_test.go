package activities_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// bundle is what most tests need: a database with a round, an applicant,
// the activities and a workflow time.
type bundle struct {
	env       *apptest.Env
	acts      *activities.Activities
	round     app.Round
	def       round.Definition
	applicant app.Actor
	chair     app.Actor
	ctx       context.Context
	at        time.Time // workflow time of the test's first step
	orgs      atomic.Int64
}

// setup creates a round from the example, changed by edit (may be nil).
func setup(t *testing.T, edit func(*round.Definition)) *bundle {
	t.Helper()
	env := apptest.New(t)
	def := apptest.ExampleRound(t)
	if edit != nil {
		edit(&def)
	}
	b := &bundle{
		env:       env,
		acts:      &activities.Activities{Store: env.Store, Log: slog.New(slog.DiscardHandler)},
		def:       def,
		applicant: env.User(t, "applicant@example.org"),
		chair:     env.User(t, "chair@example.org", app.RoleChair),
		ctx:       context.Background(),
		at:        time.Now().UTC().Truncate(time.Microsecond),
	}
	b.round = env.Round(t, def)
	return b
}

// newRound creates another round in the same database.
func (b *bundle) newRound(t *testing.T, edit func(*round.Definition)) app.Round {
	t.Helper()
	def := apptest.ExampleRound(t)
	def.Name = fmt.Sprintf("Another round %d", b.orgs.Add(1))
	if edit != nil {
		edit(&def)
	}
	return b.env.Round(t, def)
}

// inAssessment submits an application to r led as described and runs the
// eligibility activity, which puts it in assessment. A lead without a name
// gets a unique one and a unique charity number.
func (b *bundle) inAssessment(t *testing.T, r app.Round, lead apptest.Lead) string {
	t.Helper()
	if lead.Name == "" {
		n := b.orgs.Add(1)
		lead.Name = fmt.Sprintf("Community Group %d", n)
		if lead.CharityNumber == "" && lead.CompanyNumber == "" {
			lead.CharityNumber = apptest.CharityNumber()
		}
	}
	appID := b.env.SubmitAs(t, r, b.applicant, lead)
	res, err := b.acts.CheckEligibility(b.ctx, workflows.CheckEligibilityInput{ApplicationID: appID})
	require.NoError(t, err)
	require.Equal(t, "in_assessment", res.Status, res.Reasons)
	return appID
}

// assessors creates n assessors.
func (b *bundle) assessors(t *testing.T, n int) []app.Actor {
	t.Helper()
	out := make([]app.Actor, n)
	for i := range out {
		out[i] = b.env.User(t, fmt.Sprintf("assessor%d-%d@example.org", i, b.orgs.Add(1)), app.RoleAssessor)
	}
	return out
}

func (b *bundle) assign(t *testing.T, appID string) workflows.AssignResult {
	t.Helper()
	res, err := b.acts.AssignAssessors(b.ctx, workflows.AssignInput{ApplicationID: appID, At: b.at})
	require.NoError(t, err)
	return res
}

func (b *bundle) application(t *testing.T, appID string) sqlc.Application {
	t.Helper()
	a, err := b.env.Store.ApplicationGet(b.ctx, appID)
	require.NoError(t, err)
	return a
}

// chain is an audit chain's events, checked to verify.
func (b *bundle) chain(t *testing.T, chain string) []sqlc.AuditEvent {
	t.Helper()
	n, err := audit.Verify(b.ctx, b.env.Store.Queries, chain)
	require.NoError(t, err)
	events, err := b.env.Store.AuditListByChain(b.ctx, chain)
	require.NoError(t, err)
	require.Len(t, events, n)
	return events
}

// actions lists the actions of a chain's events.
func (b *bundle) actions(t *testing.T, chain string) []string {
	t.Helper()
	var out []string
	for _, e := range b.chain(t, chain) {
		out = append(out, e.Action)
	}
	return out
}

// notes lists a user's notifications by kind, oldest first.
func (b *bundle) notes(t *testing.T, userID string) []sqlc.Notification {
	t.Helper()
	list, err := b.env.Store.NotificationListForUser(b.ctx, sqlc.NotificationListForUserParams{UserID: userID, RowLimit: 1000})
	require.NoError(t, err)
	out := make([]sqlc.Notification, len(list))
	for i, r := range list {
		out[len(list)-1-i] = r.Notification
	}
	return out
}

func kinds(ns []sqlc.Notification) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

// requireRejection checks that err is a rejection of the given kind and
// returns it.
func requireRejection(t *testing.T, err error, kind string) workflows.Rejection {
	t.Helper()
	require.Error(t, err)
	r, ok := workflows.AsRejection(err)
	require.True(t, ok, "want a %s rejection, got %v", kind, err)
	require.Equal(t, kind, r.Kind, r.Message)
	return r
}

// fullScores scores every criterion of the example round.
func fullScores(need, ledBy, delivery int) map[string]workflows.CriterionScore {
	return map[string]workflows.CriterionScore{
		"need":     {Score: need, Justification: "Clear evidence of need."},
		"led_by":   {Score: ledBy, Justification: "Run by the people it serves."},
		"delivery": {Score: delivery, Justification: "A realistic plan."},
	}
}

func ids(as []app.Actor) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}
