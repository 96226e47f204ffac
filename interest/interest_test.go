package interest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/organisation"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Who has an interest in an application, person by person: members of the
// lead, of its host and of any organisation matching a party (by number or
// folded name); declared conflicts and affiliations. Staff lists exactly
// the staff among them.
func TestInterest(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	q := env.Store.Queries
	r := env.Round(t, apptest.ExampleRound(t))
	applicant := env.User(t, "applicant@example.org")
	appID := env.SubmitAs(t, r, applicant, apptest.Lead{Name: "Bermondsey Kitchen", CharityNumber: "1100001",
		Partners: []map[string]any{{"name": "Peckham Youth Theatre", "company_number": "09876543"}, {"name": "The Deptford Hive Ltd."}}})
	application, err := q.ApplicationGet(ctx, appID)
	require.NoError(t, err)

	org := func(admin app.Actor, name, charity, company string) error {
		t.Helper()
		income := int64(1_000_000)
		in := organisation.Input{Name: name, LegalForm: organisation.LegalFormCharity, CharityNumber: charity, CompanyNumber: company,
			Borough: "Lewisham", AnnualIncomePence: &income,
			Address: organisation.Address{Line1: "2 High Street", Town: "London", Postcode: "SE8 4AA"}}
		if charity == "" {
			in.LegalForm = organisation.LegalFormCompany
		}
		_, err := env.App.CreateOrganisation(ctx, admin, in)
		return err
	}
	chairLead := env.User(t, "chair-lead@example.org", app.RoleChair)
	leadMember := chairLead
	require.NoError(t, q.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: application.OrganisationID,
		UserID: leadMember.ID, Role: "member"}))
	byNumber := env.User(t, "finance-partner@example.org", app.RoleFinance)
	require.NoError(t, org(byNumber, "PYT Trading", "", "09876543")) // the partner, by company number
	byName := env.User(t, "manager-hive@example.org", app.RoleManager)
	require.NoError(t, org(byName, "Deptford Hive", "1100777", "")) // the partner, by folded name
	sameCharity := env.User(t, "assessor-same@example.org", app.RoleAssessor)
	// The lead's charity number belongs to the lead: nobody else can
	// hold it, so it makes no interest.
	err = org(sameCharity, "Kitchen Trust", "1100001", "")
	require.Equal(t, http.StatusConflict, app.StatusOf(err), err)
	conflicted := env.User(t, "chair-conflict@example.org", app.RoleChair)
	_, err = env.Store.Pool.Exec(ctx, `INSERT INTO assessor_conflicts (assessor_id, organisation_id, name_key, charity_number, application_id, reason)
		VALUES ($1, $2, 'bermondsey kitchen', '1100001', $3, 'My sister runs it')`, conflicted.ID, application.OrganisationID, appID)
	require.NoError(t, err)
	affiliated := env.User(t, "manager-affiliated@example.org", app.RoleManager)
	_, err = env.Store.Pool.Exec(ctx, `UPDATE users SET affiliations = '[{"name": "peckham youth theatre"}]' WHERE id = $1`, affiliated.ID)
	require.NoError(t, err)
	unrelated := env.User(t, "finance-unrelated@example.org", app.RoleFinance)
	require.NoError(t, org(unrelated, "Bermondsey Kitchens Ltd Elsewhere", "1199999", ""))

	for _, tc := range []struct {
		name string
		user app.Actor
		want string
	}{
		{"the applicant", applicant, interest.ReasonMember},
		{"a chair who is a member of the lead", leadMember, interest.ReasonMember},
		{"finance in the partner (company number)", byNumber, interest.ReasonParty},
		{"a manager in the partner (folded name)", byName, interest.ReasonParty},
		{"an assessor refused the lead's charity number", sameCharity, ""},
		{"a declared conflict", conflicted, interest.ReasonConflict},
		{"a declared affiliation", affiliated, interest.ReasonAffiliation},
		{"someone unrelated", unrelated, ""},
		{"the programme manager", env.Manager, ""},
	} {
		got, err := interest.Of(ctx, q, tc.user.ID, application)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc.name)
	}
	got, err := interest.Of(ctx, q, "usr_nobody", application)
	require.NoError(t, err)
	require.Empty(t, got, "an unknown user has no interest")

	staff, err := interest.Staff(ctx, q, application)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{leadMember.ID, byNumber.ID, byName.ID, conflicted.ID, affiliated.ID}, staff)

	// A partner that answered its invitation is its organisation on the
	// system, whatever name the lead typed for it.
	answered := env.User(t, "assessor-partner@example.org", app.RoleAssessor)
	income := int64(1_000_000)
	po, err := env.App.CreateOrganisation(ctx, answered, organisation.Input{Name: "Lewisham Arts Collective", LegalForm: organisation.LegalFormCommunityGroup,
		Borough: "Lewisham", AnnualIncomePence: &income, Address: organisation.Address{Line1: "3 High Street", Town: "London", Postcode: "SE8 4AA"}})
	require.NoError(t, err)
	got, err = interest.Of(ctx, q, answered.ID, application)
	require.NoError(t, err)
	require.Empty(t, got, "not yet a partner")
	_, err = env.Store.Pool.Exec(ctx, `UPDATE applications SET partners = partners || jsonb_build_array(jsonb_build_object(
		'name', 'Our friends at the arts place', 'status', 'confirmed', 'organisation_id', $2::text)) WHERE id = $1`, appID, po.ID)
	require.NoError(t, err)
	application, err = q.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	got, err = interest.Of(ctx, q, answered.ID, application)
	require.NoError(t, err)
	require.Equal(t, interest.ReasonParty, got)
}
