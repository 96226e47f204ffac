package activities_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// registerBundle points the activities (and the use cases) at a local
// Charity Commission with the register cache in PostgreSQL.
func registerBundle(t *testing.T) (*bundle, *registerstest.Server) {
	t.Helper()
	b := setup(t, nil)
	cc := registerstest.NewCharityCommission()
	t.Cleanup(cc.Close)
	checker := &registers.Checker{CharityCommission: &registers.CharityCommission{BaseURL: cc.URL, Key: "cc-key"},
		CompaniesHouse: &registers.CompaniesHouse{}, Cache: orgcheck.Cache{Q: b.env.Store.Queries}}
	b.acts.Registers = checker
	b.env.App.UseRegisters(checker)
	return b, cc
}

// An organisation's creation queues its check (the outbox row the
// dispatcher turns into RegisterCheckWorkflow); RunRegisterCheck asks the
// register, once however often it runs, and records what it said beside
// the declared income.
func TestRunRegisterCheckFromCreation(t *testing.T) {
	t.Parallel()
	b, cc := registerBundle(t)
	cc.Set("1187342", registerstest.Answer{JSON: registerstest.Charity(1187342, "Peckham Roots", 40000)})
	org, err := b.env.App.CreateOrganisation(b.ctx, b.applicant, orgInputFor("Peckham Roots", "1187342"))
	require.NoError(t, err)
	require.Equal(t, registers.ReasonQueued, org.Checks[0].Details.Reason)
	var payload []byte
	require.NoError(t, b.env.Store.Pool.QueryRow(b.ctx, `SELECT payload FROM outbox WHERE kind = $1`, workflows.OutboxRunRegisterCheck).Scan(&payload))
	var in workflows.RegisterCheckInput
	require.NoError(t, json.Unmarshal(payload, &in))
	for range 2 {
		require.NoError(t, b.acts.RunRegisterCheck(b.ctx, in))
	}
	require.Len(t, cc.Requests(), 1, "asked once")
	got, err := b.env.App.GetOrganisation(b.ctx, b.applicant, org.ID)
	require.NoError(t, err)
	require.Len(t, got.Checks, 1)
	c := got.Checks[0]
	require.Equal(t, registers.StatusPassed, c.Status)
	require.NotNil(t, c.CheckedAt)
	require.Equal(t, "Peckham Roots", c.Details.RegisteredName)
	require.Equal(t, int64(4_000_000), *c.Details.LatestIncomePence)
	require.Equal(t, int64(8_400_000), *c.Details.DeclaredIncomePence)
	require.True(t, c.Details.IncomeMismatch, "declared £84,000 against £40,000 on the register")
	require.Equal(t, []string{"organisation.created", "organisation.checked"}, b.actions(t, "organisation:"+org.ID))
}

func orgInputFor(name, charity string) (in organisation.Input) {
	income := int64(8_400_000)
	in.Name, in.LegalForm, in.CharityNumber, in.Borough, in.AnnualIncomePence = name, "charity", charity, "Southwark", &income
	in.Address.Line1, in.Address.Town, in.Address.Postcode = "1 Example Street", "London", "SE1 7PB"
	return in
}

// At submission the lead is checked (trigger: the application): the
// result is recorded in organisation_checks and on the application's
// audit chain, a retried activity adds nothing, and a removed charity is
// recorded as failed with its date, for assessors to see, without
// changing the application.
func TestCheckApplicationOrganisations(t *testing.T) {
	t.Parallel()
	b, cc := registerBundle(t)
	number := apptest.CharityNumber()
	cc.Set(number, registerstest.Answer{JSON: registerstest.RemovedCharity(1, "Gone Trust", "2026-01-31")})
	appID := b.inAssessment(t, b.round, apptest.Lead{Name: "Gone Trust", CharityNumber: number})
	in := workflows.CheckApplicationInput{ApplicationID: appID, At: b.at}
	var res workflows.CheckApplicationResult
	for range 2 {
		var err error
		res, err = b.acts.CheckApplicationOrganisations(b.ctx, in)
		require.NoError(t, err)
	}
	application := b.application(t, appID)
	require.Equal(t, []workflows.CheckSummary{{OrganisationID: application.OrganisationID, Source: registers.SourceCharityCommission,
		Status: registers.StatusFailed, Reason: "removed from the register on 2026-01-31"}}, res.Checks)
	require.Equal(t, "in_assessment", application.Status, "a check never changes the application")
	require.Len(t, cc.Requests(), 1, "the retried activity asked nothing")
	actions := b.actions(t, "application:"+appID)
	n := 0
	for _, a := range actions {
		if a == "organisation.checked" {
			n++
		}
	}
	require.Equal(t, 1, n, "recorded once on the application's chain")

	read, err := b.env.App.GetApplication(b.ctx, b.env.Manager, appID)
	require.NoError(t, err)
	require.Len(t, read.OrganisationChecks, 1)
	require.Equal(t, registers.StatusFailed, read.OrganisationChecks[0].Status)
	require.Equal(t, "2026-01-31", read.OrganisationChecks[0].Details.RemovedOn)
	require.NotNil(t, read.OrganisationChecks[0].CheckedAt)
}

// A register that errs is recorded as error, never passed, and nothing
// is cached: the next check asks again.
func TestCheckErrorsAreNotCached(t *testing.T) {
	t.Parallel()
	b, cc := registerBundle(t)
	number := apptest.CharityNumber()
	cc.Set(number, registerstest.Answer{Status: http.StatusBadGateway})
	first := b.inAssessment(t, b.round, apptest.Lead{Name: "Flaky Trust", CharityNumber: number})
	res, err := b.acts.CheckApplicationOrganisations(b.ctx, workflows.CheckApplicationInput{ApplicationID: first, At: b.at})
	require.NoError(t, err)
	require.Equal(t, registers.StatusError, res.Checks[0].Status)
	res, err = b.acts.CheckApplicationOrganisations(b.ctx, workflows.CheckApplicationInput{ApplicationID: first, At: b.at.Add(1)})
	require.NoError(t, err)
	require.Len(t, cc.Requests(), 1, "the same trigger is one check")
	other := b.newRound(t, nil)
	second, err := b.env.App.CreateApplication(b.ctx, b.applicant, other.ID, b.application(t, first).OrganisationID)
	require.NoError(t, err)
	_, err = b.acts.CheckApplicationOrganisations(b.ctx, workflows.CheckApplicationInput{ApplicationID: second.ID, At: b.at})
	require.NoError(t, err)
	require.Len(t, cc.Requests(), 2, "an error is not cached")
}

// A submission checks the lead, then each confirmed partner organisation
// once; named, invited and declined partners are not organisations yet.
func TestApplicationOrganisationIDs(t *testing.T) {
	t.Parallel()
	app := sqlc.Application{OrganisationID: "org_lead", Partners: []byte(`[
		{"name": "A", "status": "confirmed", "organisation_id": "org_a"},
		{"name": "B", "status": "invited", "organisation_id": "org_b"},
		{"name": "C", "status": "declined", "organisation_id": "org_c"},
		{"name": "D", "status": "named"},
		{"name": "A again", "status": "confirmed", "organisation_id": "org_a"},
		{"name": "Lead", "status": "confirmed", "organisation_id": "org_lead"}]`)}
	ids, err := activities.ApplicationOrganisationIDs(context.Background(), nil, app)
	require.NoError(t, err)
	require.Equal(t, []string{"org_lead", "org_a"}, ids)
	ids, err = activities.ApplicationOrganisationIDs(context.Background(), nil, sqlc.Application{OrganisationID: "org_lead"})
	require.NoError(t, err)
	require.Equal(t, []string{"org_lead"}, ids)
}
