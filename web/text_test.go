package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// Text PostgreSQL cannot store (a NUL character, bytes that are not UTF-8)
// is refused with 422 wherever a page reads it, and nothing is written;
// before, each of these answered 500.
func TestTextPostgreSQLCannotStoreIsRefused(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	who, orgID, draft := b.draft(t, "nul@example.org")
	v := b.signedIn(t, "nul@example.org")
	base := "/applications/" + draft.ID
	v.get(base + "/sections/project")
	org := url.Values{"name": {"The\x00Hive"}, "legal_form": {"charity"}, "charity_number": {"1187342"}, "borough": {"Southwark"},
		"address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"SE1 7PB"}, "annual_income": {"84000"}}
	version := func() string { return strconv.Itoa(int(b.applicantApp(t, who, draft.ID).Version)) }

	cases := []struct {
		name, path string
		form       url.Values
		field      string
	}{
		{"organisation name", "/organisations/new", org, "name"},
		{"organisation name, edited", "/organisations/" + orgID, org, "name"},
		{"answer", base + "/sections/project", url.Values{"version": {version()}, "action": {"continue"}, "answers.summary": {"We \x00 cook"}}, "answers.summary"},
		{"answer, not UTF-8", base + "/sections/project", url.Values{"version": {version()}, "action": {"continue"}, "answers.summary": {"We \xff cook"}}, "answers.summary"},
		{"partner", base + "/partners", url.Values{"version": {version()}, "action": {"continue"}, "partners-0-name": {"Partner\x00Org"}}, "partners-0-name"},
		{"query parameter", base + "/partners?return=%00", url.Values{"version": {version()}, "action": {"continue"}, "partners-0-name": {"Partner Org"}}, "return"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := b.applicantApp(t, who, draft.ID)
			orgs, err := b.env.App.ListOrganisations(ctx, who, app.PageQuery{})
			require.NoError(t, err)
			got := v.post(tc.path, tc.form)
			require.Equal(t, http.StatusUnprocessableEntity, got.Code, got.Body)
			require.Contains(t, got.Body, "There is a problem")
			require.Contains(t, got.Body, "a character we cannot store: "+tc.field)
			require.Equal(t, before, b.applicantApp(t, who, draft.ID), "nothing saved")
			after, err := b.env.App.ListOrganisations(ctx, who, app.PageQuery{})
			require.NoError(t, err)
			require.Equal(t, orgs, after, "no organisation made or changed")
		})
	}

	// Registration, signed out; and a query parameter of a page.
	r := b.visitor(t)
	r.get("/register")
	got := r.post("/register", url.Values{"name": {"Sam\x00Taylor"}, "email": {"new@example.org"}, "password": {"correct horse battery staple"},
		"password_confirm": {"correct horse battery staple"}})
	require.Equal(t, http.StatusUnprocessableEntity, got.Code, got.Body)
	require.Contains(t, got.Body, "a character we cannot store: name")
	_, err := b.env.Store.UserGetByEmail(ctx, "new@example.org")
	require.Error(t, err, "no account made")
	page := v.get("/applications?status=%00")
	require.Equal(t, http.StatusUnprocessableEntity, page.Code, page.Body)
	require.Contains(t, page.Body, "a character we cannot store: status")
}
