package apptest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/organisation"
)

// Lead describes the lead organisation and the content of an application
// for review tests. Zero values take defaults: a charity with a number of
// its own (CharityNumber), the micro tier, £2,500 requested and one partner, "Southwark
// Pensioners Centre".
type Lead struct {
	Name          string
	CharityNumber string           // makes the organisation a charity
	CompanyNumber string           // without a charity number, makes it a company
	Partners      []map[string]any // [{name, charity_number?, company_number?}]
	// OrganisationID applies as an existing organisation of the
	// applicant's instead of creating one (Name and the numbers are then
	// ignored).
	OrganisationID string
	Tier           string
	RequestedPence int64
}

// SubmitAs creates an organisation administered by applicant as described
// by lead, and a complete, eligible application from it to r; submits it
// and returns its id. One applicant may lead many organisations, so a test
// needing many applications creates one user.
func (e *Env) SubmitAs(t testing.TB, r app.Round, applicant app.Actor, lead Lead) string {
	t.Helper()
	ctx := context.Background()
	income := int64(8_400_000)
	in := organisation.Input{
		Name: lead.Name, LegalForm: organisation.LegalFormCharity, CharityNumber: lead.CharityNumber, CompanyNumber: lead.CompanyNumber,
		Borough: "Southwark", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE1 7PB"},
	}
	switch {
	case in.CharityNumber == "" && in.CompanyNumber != "":
		in.LegalForm = organisation.LegalFormCompany
	case in.CharityNumber == "":
		in.CharityNumber = CharityNumber()
	}
	orgID := lead.OrganisationID
	if orgID == "" {
		org, err := e.App.CreateOrganisation(ctx, applicant, in)
		require.NoError(t, err)
		orgID = org.ID
	}
	a, err := e.App.CreateApplication(ctx, applicant, r.ID, orgID)
	require.NoError(t, err)
	patch := CompleteAnswers(a.Version)
	if lead.Partners != nil {
		patch["partners"] = lead.Partners
	}
	if lead.Tier != "" {
		patch["tier"] = lead.Tier
	}
	if lead.RequestedPence != 0 {
		patch["requested_pence"] = lead.RequestedPence
	}
	_, err = e.App.SaveApplication(ctx, applicant, a.ID, Body(t, patch))
	require.NoError(t, err)
	_, err = e.App.SubmitApplication(ctx, applicant, a.ID, func() error { return nil })
	require.NoError(t, err)
	return a.ID
}
