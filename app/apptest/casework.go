package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/seed"
	"github.com/civicgrants/grants/workday"
)

// SupportBody is a complete POST /support-requests body for orgID: a
// community centre in Hackney on a lease ending, with a hearing 20 days
// from now.
func SupportBody(orgID string) map[string]any {
	keyDate := workday.DateOf(time.Now()).AddDays(20).String()
	return map[string]any{
		"organisation_id": orgID,
		"space": map[string]any{
			"name": "Dalston Community Centre", "kind": "community_centre",
			"address": map[string]any{"line1": "12 Ridley Road", "town": "London", "postcode": "e8 2nr"},
			"borough": "hackney", "uses": []string{"Lunch club for older people", "Youth football"},
			"used_by": "Older people and young people from the estate", "weekly_users": 350,
			"tenure": "lease", "landlord_type": "council", "tenure_ends_on": keyDate, "annual_rent_pence": 1_200_000,
			"rent_changes": "The council proposes to double the rent",
		},
		"risk": map[string]any{"kind": "lease_ending", "key_date": keyDate, "key_date_kind": "hearing",
			"description": "The lease ends and the council plans to sell the building"},
		"urgency": "high", "led_by_community": true, "consent_to_share": true,
	}
}

// SupportRequest makes a support request of orgID as member.
func (e *Env) SupportRequest(t testing.TB, member app.Actor, orgID string) app.SupportRequest {
	t.Helper()
	r, err := e.App.CreateSupportRequest(context.Background(), member, Body(t, SupportBody(orgID)))
	require.NoError(t, err)
	return r
}

// SpacesAtRiskRound creates the demo Community Spaces at Risk round (its
// programme too), open from an hour ago for 30 days: its form asks the
// questions casework reads and fills.
func (e *Env) SpacesAtRiskRound(t testing.TB) (app.Round, round.Definition) {
	t.Helper()
	rounds, err := seed.Rounds()
	require.NoError(t, err)
	def := rounds["spaces-at-risk"]
	now := time.Now().UTC().Truncate(time.Second)
	def.OpensAt, def.ClosesAt = now.Add(-time.Hour), now.Add(30*24*time.Hour)
	_, err = e.App.EnsureProgramme(context.Background(), app.Programme{Code: "spaces-at-risk", Name: "Community Spaces at Risk Fund",
		FunderName: "City Hall"})
	require.NoError(t, err)
	return e.Round(t, def), def
}
