package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/round"
)

// groupBody is an organisation with no registered number (a community
// group), so tests need no distinct charity numbers.
func groupBody(name string) map[string]any {
	return map[string]any{"name": name, "legal_form": "community_group", "borough": "southwark",
		"address": map[string]any{"line1": "2 Example Street", "town": "London", "postcode": "se1 7pb"}, "annual_income_pence": 50000}
}

// partnershipDraft is a lead (token), its organisation and a complete
// draft to a round of def naming one partner with a share.
type partnershipDraft struct {
	lead, leadOrg, appID string
	roundID              string
}

func (b *bundle) partnershipDraft(t *testing.T, def round.Definition, leadEmail string, partner map[string]any) partnershipDraft {
	t.Helper()
	r := b.env.Round(t, def)
	d := partnershipDraft{lead: b.applicant(t, leadEmail), roundID: r.ID}
	res := b.do(t, "POST", "/organisations", d.lead, groupBody("Lead of "+leadEmail))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	d.leadOrg = res.json(t)["id"].(string)
	res = b.do(t, "POST", "/applications", d.lead, map[string]any{"round_id": r.ID, "organisation_id": d.leadOrg})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	a := res.json(t)
	d.appID = a["id"].(string)
	patch := apptest.CompleteAnswers(int32(a["version"].(float64)))
	patch["partners"] = []map[string]any{partner}
	res = b.do(t, "PATCH", "/applications/"+d.appID, d.lead, patch)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	return d
}

func (b *bundle) application(t *testing.T, tok, appID string) map[string]any {
	t.Helper()
	res := b.do(t, "GET", "/applications/"+appID, tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	return res.json(t)
}

func firstPartner(a map[string]any) map[string]any {
	return a["partners"].([]any)[0].(map[string]any)
}

// TestPartnershipConsentRequired: under partner_consent required a named
// partner blocks submission until it confirms from the e-mailed link as
// an admin of its organisation; a change to its share after confirming
// needs it to confirm again; the lead must keep part of the request.
func TestPartnershipConsentRequired(t *testing.T) {
	t.Parallel()
	b := setup(t)
	def := apptest.ExampleRound(t)
	def.PartnerConsent = round.PartnerConsentRequired
	d := b.partnershipDraft(t, def, "lead@example.org", map[string]any{"name": "Peckham Partners", "contact_email": "pat@example.org",
		"share_pence": 100000, "share_purpose": "Running the Peckham sessions"})
	base := "/applications/" + d.appID
	a := b.application(t, d.lead, d.appID)
	p := firstPartner(a)
	require.Equal(t, "named", p["status"])
	require.NotEmpty(t, p["id"])
	require.EqualValues(t, 100000, p["share_pence"])

	res := b.do(t, "POST", base+"/submit", d.lead, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields := res.errorCode(t)
	require.Contains(t, fields, "partners[0].status")
	require.Contains(t, fields, "partners", "min_partners counts confirmed partners")

	stranger := b.applicant(t, "stranger@example.org")
	pat := b.applicant(t, "pat@example.org")
	res = b.do(t, "POST", "/organisations", pat, groupBody("Peckham Partners"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	patOrg := res.json(t)["id"].(string)

	snap := func(t *testing.T) any {
		return b.env.Snapshot(t, "applications", "invitations", "emails", "notifications")
	}
	b.expectRefused(t, snap, nil, []rejection{
		{"invite unauthenticated", "", "POST", base + "/partners/0/invite", nil, 401, "unauthenticated", ""},
		{"invite by a stranger", stranger, "POST", base + "/partners/0/invite", nil, 404, "not_found", ""},
		{"invite no such partner", d.lead, "POST", base + "/partners/1/invite", nil, 404, "not_found", ""},
		{"invite not an index", d.lead, "POST", base + "/partners/01/invite", nil, 404, "not_found", ""},
		{"invite with a body", d.lead, "POST", base + "/partners/0/invite", map[string]any{"x": 1}, 400, "malformed_request", ""},
		{"answer bad token", pat, "POST", "/partner-invitations/accept", map[string]any{"token": "nope", "decision": "confirm"}, 422, "validation_failed", "token"},
	})

	res = b.do(t, "POST", base+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "invited", firstPartner(res.json(t))["status"])
	tok := b.env.InvitationToken(t, "pat@example.org")

	res = b.do(t, "POST", "/partner-invitations/lookup", pat, map[string]any{"token": tok})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	look := res.json(t)
	require.Equal(t, "Lead of lead@example.org", look["lead_organisation_name"])
	require.Equal(t, []any{map[string]any{"id": patOrg, "name": "Peckham Partners"}}, look["organisations"])
	require.EqualValues(t, 100000, look["partner"].(map[string]any)["share_pence"])

	b.expectRefused(t, snap, nil, []rejection{
		{"answer unauthenticated", "", "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "confirm", "organisation_id": patOrg}, 401, "unauthenticated", ""},
		{"answer as another account", stranger, "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "confirm", "organisation_id": patOrg}, 403, "forbidden", ""},
		{"lookup as another account", stranger, "POST", "/partner-invitations/lookup", map[string]any{"token": tok}, 403, "forbidden", ""},
		{"answer for the lead", pat, "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "confirm", "organisation_id": d.leadOrg}, 422, "validation_failed", "organisation_id"},
		{"answer without an organisation", pat, "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "confirm"}, 422, "validation_failed", "organisation_id"},
		{"answer unknown decision", pat, "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "maybe", "organisation_id": patOrg}, 422, "validation_failed", "decision"},
		{"answer unknown field", pat, "POST", "/partner-invitations/accept", map[string]any{"token": tok, "decision": "confirm", "x": 1}, 400, "malformed_request", ""},
		{"team accept with a partner token", pat, "POST", "/invitations/accept", map[string]any{"token": tok}, 422, "validation_failed", "token"},
	})

	res = b.do(t, "POST", "/partner-invitations/accept", pat, map[string]any{"token": tok, "decision": "confirm", "organisation_id": patOrg})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	answered := res.json(t)
	require.ElementsMatch(t, []string{"application_id", "partner"}, keys(answered), "the partner sees its own entry, not the application")
	p = answered["partner"].(map[string]any)
	require.Equal(t, "confirmed", p["status"])
	require.Equal(t, patOrg, p["organisation_id"])
	res = b.do(t, "POST", "/partner-invitations/accept", pat, map[string]any{"token": tok, "decision": "confirm", "organisation_id": patOrg})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "a link answers once")
	var told int
	require.NoError(t, b.env.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'lead@example.org' AND n.kind = 'partner_confirmed'`).Scan(&told))
	require.Equal(t, 1, told, "the lead is told")
	res = b.do(t, "POST", base+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusConflict, res.Status, "a confirmed partner is not invited again: %s", res.Body)

	// The share changes: the partner must confirm again; a share leaving
	// nothing to the lead is refused at submission.
	a = b.application(t, d.lead, d.appID)
	p = firstPartner(a)
	p["share_pence"] = 250000
	res = b.do(t, "PATCH", base, d.lead, map[string]any{"version": a["version"], "partners": []any{p}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	a = res.json(t)
	require.Equal(t, "named", firstPartner(a)["status"])
	require.Equal(t, patOrg, firstPartner(a)["organisation_id"], "the organisation that confirmed is kept")
	res = b.do(t, "POST", base+"/submit", d.lead, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields = res.errorCode(t)
	require.Contains(t, fields, "partners[0].share_pence")
	require.Contains(t, fields, "partners[0].status")

	p = firstPartner(a)
	p["share_pence"] = 100000
	res = b.do(t, "PATCH", base, d.lead, map[string]any{"version": a["version"], "partners": []any{p}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = b.do(t, "POST", base+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	tok = b.env.InvitationToken(t, "pat@example.org")
	res = b.do(t, "POST", "/partner-invitations/accept", pat, map[string]any{"token": tok, "decision": "confirm", "organisation_id": patOrg})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = b.do(t, "POST", base+"/submit", d.lead, nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	res = b.do(t, "POST", "/partner-invitations/lookup", pat, map[string]any{"token": tok})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "a used link shows nothing")
	for action, want := range map[string]int{"application.partner_invited": 2, "application.partner_confirmed": 2} {
		var n int
		require.NoError(t, b.env.Store.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM audit_events WHERE chain = $1 AND action = $2`, "application:"+d.appID, action).Scan(&n))
		require.Equal(t, want, n, action)
	}
}

// TestPartnershipConsentOptional: by default a named or declining partner
// never blocks submission; a decline is recorded and the lead told.
func TestPartnershipConsentOptional(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.partnershipDraft(t, apptest.ExampleRound(t), "lead2@example.org", map[string]any{"name": "Camberwell Crafts", "contact_email": "cam@example.org"})
	base := "/applications/" + d.appID
	res := b.do(t, "POST", base+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	cam := b.applicant(t, "cam@example.org")
	res = b.do(t, "POST", "/partner-invitations/accept", cam, map[string]any{"token": b.env.InvitationToken(t, "cam@example.org"),
		"decision": "decline", "reason": "We cannot commit staff this year"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "declined", res.json(t)["partner"].(map[string]any)["status"])
	res = b.do(t, "POST", base+"/submit", d.lead, nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	res = b.do(t, "POST", base+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusConflict, res.Status, "only a draft's partners are invited: %s", res.Body)
}

// TestPartnerShareRulesAtSave: a share is checked at save for type and
// sign, its purpose for length; nothing is saved.
func TestPartnerShareRulesAtSave(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.partnershipDraft(t, apptest.ExampleRound(t), "lead3@example.org", map[string]any{"name": "Walworth Welcome"})
	a := b.application(t, d.lead, d.appID)
	v := a["version"]
	long := make([]byte, 501)
	for i := range long {
		long[i] = 'x'
	}
	snap := func(t *testing.T) any { return b.env.Snapshot(t, "applications") }
	b.expectRefused(t, snap, nil, []rejection{
		{"negative share", d.lead, "PATCH", "/applications/" + d.appID, map[string]any{"version": v, "partners": []any{map[string]any{"name": "W", "share_pence": -1}}}, 422, "validation_failed", "partners[0].share_pence"},
		{"fractional share", d.lead, "PATCH", "/applications/" + d.appID, map[string]any{"version": v, "partners": []any{map[string]any{"name": "W", "share_pence": 1.5}}}, 400, "malformed_request", ""},
		{"long purpose", d.lead, "PATCH", "/applications/" + d.appID, map[string]any{"version": v, "partners": []any{map[string]any{"name": "W", "share_purpose": string(long)}}}, 422, "validation_failed", "partners[0].share_purpose"},
	})
	// A client cannot confirm a partner by saving it so.
	res := b.do(t, "PATCH", "/applications/"+d.appID, d.lead, map[string]any{"version": v, "partners": []any{map[string]any{"name": "W",
		"status": "confirmed", "organisation_id": d.leadOrg, "share_pence": 0}}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	p := firstPartner(res.json(t))
	require.Equal(t, "named", p["status"])
	require.Nil(t, p["organisation_id"])
	require.Equal(t, strconv.Itoa(0), strconv.Itoa(int(p["share_pence"].(float64))))
}
