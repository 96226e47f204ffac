package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/round"
)

// group creates a community group (no registered number) run by admin.
func group(t *testing.T, s *site, admin app.Actor, name string) app.Organisation {
	t.Helper()
	income := int64(50_000)
	o, err := s.env.App.CreateOrganisation(context.Background(), admin, organisation.Input{Name: name, LegalForm: organisation.LegalFormCommunityGroup,
		Borough: "Southwark", Address: organisation.Address{Line1: "2 Example Street", Town: "London", Postcode: "SE1 7PB"}, AnnualIncomePence: &income})
	require.NoError(t, err)
	return o
}

// The lead saves a partner with a share and invites it from the partners
// page; the partner's admin opens the e-mailed link, sees the share and
// confirms for its organisation; check your answers then shows the
// partner confirmed and what the lead keeps.
func TestPartnerInvitedAndConfirmedOnTheWeb(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	def := apptest.ExampleRound(t)
	def.PartnerConsent = round.PartnerConsentRequired
	r := s.env.Round(t, def)
	lead := s.env.User(t, "lead@example.org")
	leadOrg := group(t, s, lead, "Bermondsey Lunch Club")
	a, err := s.env.App.CreateApplication(ctx, lead, r.ID, leadOrg.ID)
	require.NoError(t, err)
	patch := apptest.CompleteAnswers(a.Version)
	patch["partners"] = []map[string]any{{"name": "Peckham Partners"}}
	a, err = s.env.App.SaveApplication(ctx, lead, a.ID, apptest.Body(t, patch))
	require.NoError(t, err)
	base := "/applications/" + a.ID
	lv := s.signedIn(t, lead.Email)

	p := lv.get(base + "/partners")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Not yet asked to confirm")
	require.Contains(t, p.Body, `name="partners-0-id" value="`+a.Partners[0].ID+`"`)
	form := url.Values{"action": {"invite-0"}, "partners-0-id": {a.Partners[0].ID}, "partners-0-name": {"Peckham Partners"}}
	form.Set("version", strconv.Itoa(int(a.Version)))
	p = lv.post(base+"/partners", form)
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, "an invitation needs an address")
	require.Contains(t, text(p), "Enter the partner's contact email address")
	a, err = s.env.App.GetApplication(ctx, lead, a.ID)
	require.NoError(t, err)
	form.Set("version", strconv.Itoa(int(a.Version)))
	form.Set("partners-0-contact_email", "pat@example.org")
	form.Set("partners-0-share", "1,000")
	form.Set("partners-0-share_purpose", "Running the Peckham sessions")
	p = lv.post(base+"/partners", form)
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	p = lv.get(p.Location)
	require.Contains(t, text(p), "We have emailed Peckham Partners a link to confirm the partnership")
	require.Contains(t, p.Body, "Invited: waiting for them to confirm")

	pat := s.env.User(t, "pat@example.org")
	patOrg := group(t, s, pat, "Peckham Partners")
	tok := s.env.InvitationToken(t, "pat@example.org")
	require.Equal(t, http.StatusSeeOther, s.visitor(t).get("/partner-invitations/accept?token="+tok).Code, "sign in first")
	pv := s.signedIn(t, pat.Email)
	p = pv.get("/partner-invitations/accept?token=" + tok)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, text(p), "Confirm a partnership with Bermondsey Lunch Club")
	require.Contains(t, text(p), "£1,000")
	require.Contains(t, text(p), "Running the Peckham sessions")
	p = pv.post("/partner-invitations/accept", url.Values{"token": {tok}, "organisation_id": {patOrg.ID}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code)
	require.Contains(t, text(p), "Select whether you confirm or decline the partnership")
	p = pv.post("/partner-invitations/accept", url.Values{"token": {tok}, "organisation_id": {patOrg.ID}, "decision": {"confirm"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, text(p), "Partnership confirmed")

	p = lv.get(base + "/check")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	body := text(p)
	require.Contains(t, body, "Share: £1,000 for Running the Peckham sessions")
	require.Contains(t, body, "Confirmed")
	require.Contains(t, body, "£1,500 (the rest is shared with your partners)")
	require.False(t, strings.Contains(body, "Not yet asked to confirm"))
}
