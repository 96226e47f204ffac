package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
	"github.com/civicgrants/grants/workflows"
)

func orgInput(name, legalForm, charity, company string) organisation.Input {
	income := int64(5_000_000)
	return organisation.Input{Name: name, LegalForm: legalForm, CharityNumber: charity, CompanyNumber: company, Borough: "Southwark",
		Address: organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE1 7PB"}, AnnualIncomePence: &income}
}

func requireAppError(t *testing.T, err error, status int, code string) {
	t.Helper()
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, status, e.Kind.Status(), e.Message)
	require.Equal(t, code, e.Code, e.Message)
}

// A charity or company number belongs to one organisation: a second claim,
// however it is spaced or cased, on creation or by an edit, is a 409
// conflict naming the organisation and how to ask to join, and changes
// nothing.
func TestNumberBelongsToOneOrganisation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	first, second := env.User(t, "first@example.org"), env.User(t, "second@example.org")
	kitchen, err := env.App.CreateOrganisation(ctx, first, orgInput("Peckham Kitchen", organisation.LegalFormCharity, "1187342", "01234567"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name           string
		in             organisation.Input
		field, message string
	}{
		{"same charity number, spaced", orgInput("Kitchen Two", organisation.LegalFormCharity, " 118 7342 ", ""), "charity_number", "charity number 1187342"},
		{"same company number", orgInput("Kitchen Ltd", organisation.LegalFormCompany, "", " 0123 4567"), "company_number", "company number 01234567"},
	} {
		_, err := env.App.CreateOrganisation(ctx, second, tc.in)
		requireAppError(t, err, http.StatusConflict, "conflict")
		e, _ := app.AsError(err)
		require.Contains(t, e.Message, tc.message, tc.name)
		require.Contains(t, e.Message, "Peckham Kitchen", tc.name)
		require.Contains(t, e.Message, "/organisations/"+kitchen.ID+"/join-requests", tc.name)
		require.Contains(t, e.Fields[tc.field], "Ask its admins", tc.name)
	}
	mine, err := env.App.ListOrganisations(ctx, second, app.PageQuery{})
	require.NoError(t, err)
	require.Empty(t, mine.Items, "nothing created")

	other, err := env.App.CreateOrganisation(ctx, second, orgInput("Walworth Choir", organisation.LegalFormCharity, "1099001", ""))
	require.NoError(t, err)
	_, err = env.App.UpdateOrganisation(ctx, second, other.ID, apptest.Body(t, map[string]any{"charity_number": "1187342"}))
	requireAppError(t, err, http.StatusConflict, "conflict")
	got, err := env.App.GetOrganisation(ctx, second, other.ID)
	require.NoError(t, err)
	require.Equal(t, "1099001", *got.CharityNumber, "unchanged")
	// An organisation keeps its own number through an edit.
	_, err = env.App.UpdateOrganisation(ctx, first, kitchen.ID, apptest.Body(t, map[string]any{"name": "Peckham Kitchen CIO"}))
	require.NoError(t, err)
}

// Every organisation carries its org-id; one with a number has its
// register checks from creation: not_run "no key configured" without a
// key (checked at once, nothing queued), else queued for the workflow.
func TestIdentifierAndChecksFromCreation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org")
	for _, tc := range []struct {
		in         organisation.Input
		identifier string
		sources    []string
	}{
		{orgInput("A", organisation.LegalFormCharity, "1187342", ""), "GB-CHC-1187342", []string{registers.SourceCharityCommission}},
		{orgInput("B", organisation.LegalFormCIO, "sc012345", ""), "GB-SC-SC012345", []string{registers.SourceCharityCommission}},
		{orgInput("C", organisation.LegalFormCIC, "", "SC123456"), "GB-COH-SC123456", []string{registers.SourceCompaniesHouse}},
		{orgInput("D", organisation.LegalFormCharity, "1187343", "07654321"), "GB-CHC-1187343",
			[]string{registers.SourceCharityCommission, registers.SourceCompaniesHouse}},
		{orgInput("E", organisation.LegalFormCommunityGroup, "", ""), "", nil},
	} {
		o, err := env.App.CreateOrganisation(ctx, admin, tc.in)
		require.NoError(t, err)
		if tc.identifier == "" {
			tc.identifier = app.DefaultOrgIDPrefix + "-" + o.ID
		}
		require.Equal(t, tc.identifier, o.Identifier)
		var sources []string
		for _, c := range o.Checks {
			sources = append(sources, c.Source)
			require.Equal(t, registers.StatusNotRun, c.Status)
			require.Equal(t, registers.ReasonNoKey, c.Details.Reason)
			require.NotNil(t, c.CheckedAt)
		}
		require.Equal(t, tc.sources, sources, tc.in.Name)
		read, err := env.App.GetOrganisation(ctx, admin, o.ID)
		require.NoError(t, err)
		require.Equal(t, o.Checks, read.Checks, "read back as created")
	}
	require.Zero(t, outboxCount(t, env, workflows.OutboxRunRegisterCheck), "nothing queued without keys")

	env.App.UseRegisters(&registers.Checker{CharityCommission: &registers.CharityCommission{Key: "k"}, CompaniesHouse: &registers.CompaniesHouse{}})
	o, err := env.App.CreateOrganisation(ctx, admin, orgInput("F", organisation.LegalFormCharity, "1187344", "07654322"))
	require.NoError(t, err)
	require.Len(t, o.Checks, 2)
	require.Equal(t, registers.ReasonQueued, o.Checks[0].Details.Reason)
	require.Nil(t, o.Checks[0].CheckedAt, "queued, not yet checked")
	require.Equal(t, registers.ReasonNoKey, o.Checks[1].Details.Reason)
	require.Equal(t, 1, outboxCount(t, env, workflows.OutboxRunRegisterCheck), "the keyed register's check is queued")
}

func outboxCount(t *testing.T, env *apptest.Env, kind string) int {
	t.Helper()
	var n int
	require.NoError(t, env.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = $1`, kind).Scan(&n))
	return n
}

// Asking to join tells the organisation's admins once, with a link to
// their team page; a member cannot ask, an unknown organisation is 404.
func TestRequestToJoin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin, asker := env.User(t, "admin@example.org"), env.User(t, "asker@example.org")
	org := env.Organisation(t, admin, "Peckham Kitchen")
	for range 2 {
		got, err := env.App.RequestToJoin(ctx, asker, org.ID, apptest.Body(t, map[string]any{"message": "I am the new treasurer"}))
		require.NoError(t, err)
		require.Equal(t, app.JoinRequest{OrganisationID: org.ID, OrganisationName: "Peckham Kitchen", Status: "sent"}, got)
	}
	notes, err := env.App.ListNotifications(ctx, admin, app.NotificationQuery{})
	require.NoError(t, err)
	require.Len(t, notes.Items, 1, "told once")
	n := notes.Items[0]
	require.Equal(t, "join_request", n.Kind)
	require.Contains(t, n.Body, "asker@example.org")
	require.Contains(t, n.Body, "I am the new treasurer")
	require.Equal(t, "/organisations/"+org.ID+"/team", *n.Link)

	_, err = env.App.RequestToJoin(ctx, admin, org.ID, apptest.Body(t, map[string]any{}))
	requireAppError(t, err, http.StatusConflict, "invalid_state")
	_, err = env.App.RequestToJoin(ctx, asker, "org_nothere", apptest.Body(t, map[string]any{}))
	requireAppError(t, err, http.StatusNotFound, "not_found")
	long := make([]byte, app.MaxJoinMessageRunes+1)
	for i := range long {
		long[i] = 'a'
	}
	_, err = env.App.RequestToJoin(ctx, asker, org.ID, apptest.Body(t, map[string]any{"message": string(long)}))
	requireAppError(t, err, http.StatusUnprocessableEntity, "validation_failed")
}

// The lookup answers what the register says, and never pretends: no key
// or a Scottish charity is 503 not_run, a register that errs is 503
// unavailable, a malformed number 422.
func TestLookupRegister(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	who := env.User(t, "someone@example.org")
	_, err := env.App.LookupRegister(ctx, who, "1187342", "")
	requireAppError(t, err, http.StatusServiceUnavailable, "not_run")

	cc, ch := registerstest.NewCharityCommission(), registerstest.NewCompaniesHouse()
	t.Cleanup(cc.Close)
	t.Cleanup(ch.Close)
	cc.Set("1187342", registerstest.Answer{JSON: registerstest.Charity(1187342, "Peckham Roots", 84000)})
	cc.Set("1100002", registerstest.Answer{Status: http.StatusInternalServerError})
	ch.Set("01234567", registerstest.Answer{JSON: registerstest.Company("01234567", "ROOTS LTD", "active", false)})
	env.App.UseRegisters(&registers.Checker{CharityCommission: &registers.CharityCommission{BaseURL: cc.URL, Key: "k"},
		CompaniesHouse: &registers.CompaniesHouse{BaseURL: ch.URL, Key: "k"}})

	got, err := env.App.LookupRegister(ctx, who, " 118 7342", "")
	require.NoError(t, err)
	require.Equal(t, registers.StatusPassed, got.Status)
	require.Equal(t, "Peckham Roots", got.Details.RegisteredName)
	require.Equal(t, "SE15 4QF", got.Details.RegisteredAddress.Postcode)
	got, err = env.App.LookupRegister(ctx, who, "", "01234567")
	require.NoError(t, err)
	require.Equal(t, "ROOTS LTD", got.Details.RegisteredName)
	got, err = env.App.LookupRegister(ctx, who, "1999999", "")
	require.NoError(t, err)
	require.Equal(t, registers.StatusFailed, got.Status)
	require.Equal(t, "not on the register", got.Details.Reason)

	err = ignore(env.App.LookupRegister(ctx, who, "1100002", ""))
	requireAppError(t, err, http.StatusServiceUnavailable, "unavailable")
	e, _ := app.AsError(err)
	require.Positive(t, e.RetryAfter)
	requireAppError(t, ignore(env.App.LookupRegister(ctx, who, "SC012345", "")), http.StatusServiceUnavailable, "not_run")
	for _, q := range [][2]string{{"", ""}, {"12", ""}, {"", "123"}, {"1187342", "01234567"}} {
		requireAppError(t, ignore(env.App.LookupRegister(ctx, who, q[0], q[1])), http.StatusUnprocessableEntity, "validation_failed")
	}
}

func ignore(_ app.RegisterLookup, err error) error { return err }

// A changed number is checked afresh; the checks shown are those of the
// numbers the organisation holds now.
func TestChecksFollowTheNumbers(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	admin := env.User(t, "admin@example.org")
	o, err := env.App.CreateOrganisation(ctx, admin, orgInput("A", organisation.LegalFormCharity, "1187342", "07654321"))
	require.NoError(t, err)
	require.Len(t, o.Checks, 2)
	env.App.UseRegisters(&registers.Checker{CharityCommission: &registers.CharityCommission{Key: "k"}, CompaniesHouse: &registers.CompaniesHouse{}})
	o, err = env.App.UpdateOrganisation(ctx, admin, o.ID, apptest.Body(t, map[string]any{"charity_number": "1187349", "company_number": nil}))
	require.NoError(t, err)
	require.Len(t, o.Checks, 1, "no company number, no Companies House check shown")
	require.Equal(t, registers.SourceCharityCommission, o.Checks[0].Source)
	require.Equal(t, registers.ReasonQueued, o.Checks[0].Details.Reason, "the new number is queued for its check")
	require.Equal(t, 1, outboxCount(t, env, workflows.OutboxRunRegisterCheck))
}

// Claimed at the same moment by several people, a number goes to one
// organisation; everyone else gets 409 conflict, never an error.
func TestNumberClaimedConcurrently(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	const n = 6
	actors := make([]app.Actor, n)
	for i := range actors {
		actors[i] = env.User(t, fmt.Sprintf("claimant%d@example.org", i))
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := env.App.CreateOrganisation(ctx, actors[i], orgInput(fmt.Sprintf("Claimant %d", i), organisation.LegalFormCharity, "1187342", ""))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		requireAppError(t, err, http.StatusConflict, "conflict")
	}
	require.Equal(t, 1, ok)
}
