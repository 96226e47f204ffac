package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/registers/registerstest"
)

// "Find on the register" fills the organisation form from the register;
// without a key, or when the register errs, it says so and the form is
// left for the visitor to fill in.
func TestApplicantFindOnTheRegister(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	b.env.User(t, "lead@example.org")
	v := b.signedIn(t, "lead@example.org")

	p := v.get("/organisations/new?find_charity_number=1187342")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "The register was not asked (no key configured)")

	cc := registerstest.NewCharityCommission()
	t.Cleanup(cc.Close)
	cc.Set("1187342", registerstest.Answer{JSON: registerstest.Charity(1187342, "Peckham Roots", 84000)})
	cc.Set("1100002", registerstest.Answer{Status: http.StatusInternalServerError})
	b.env.App.UseRegisters(&registers.Checker{CharityCommission: &registers.CharityCommission{BaseURL: cc.URL, Key: "k"},
		CompaniesHouse: &registers.CompaniesHouse{}})

	p = v.get("/organisations/new?find_charity_number=" + url.QueryEscape("118 7342"))
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "We found Peckham Roots on the Charity Commission register")
	require.Contains(t, p.Body, `name="name" type="text" value="Peckham Roots"`)
	require.Contains(t, p.Body, `name="charity_number" type="text" value="1187342"`)
	require.Contains(t, p.Body, `value="SE15 4QF"`)
	require.Contains(t, p.Body, `value="1 Market Street"`)

	p = v.get("/organisations/new?find_charity_number=1100002")
	require.Contains(t, p.Body, "The register could not be asked")
	p = v.get("/organisations/new?find_charity_number=1999999")
	require.Contains(t, p.Body, "The Charity Commission register says: not on the register")
	p = v.get("/organisations/new?find_charity_number=12")
	require.Contains(t, p.Body, "Charity number must be 6 to 8 digits")
}

// A claimed number is refused with the offer to ask its organisation's
// admins to join; asking tells them.
func TestApplicantAskToJoin(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	holder := b.env.User(t, "holder@example.org")
	org := b.env.Organisation(t, holder, "Peckham Kitchen")
	b.env.User(t, "lead@example.org")
	v := b.signedIn(t, "lead@example.org")
	v.get("/organisations/new")
	claim := v.post("/organisations/new", url.Values{"name": {"Kitchen Two"}, "legal_form": {"charity"}, "charity_number": {*org.CharityNumber},
		"borough": {"Southwark"}, "address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"SE1 7PB"},
		"annual_income": {"84000"}})
	require.Equal(t, http.StatusConflict, claim.Code, claim.Body)
	require.Contains(t, claim.Body, "belongs to Peckham Kitchen")
	require.Contains(t, claim.Body, `action="/organisations/join-request"`)

	asked := v.post("/organisations/join-request", url.Values{"charity_number": {*org.CharityNumber}})
	require.Equal(t, http.StatusSeeOther, asked.Code, asked.Body)
	require.Equal(t, "/organisations?asked=1", asked.Location)
	require.Contains(t, v.get(asked.Location).Body, "We have asked the organisation&#39;s admins")
	notes, err := b.env.App.ListNotifications(ctx, app.Actor{ID: holder.ID}, app.NotificationQuery{})
	require.NoError(t, err)
	require.Len(t, notes.Items, 1)
	require.Equal(t, "join_request", notes.Items[0].Kind)
}
