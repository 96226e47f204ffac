package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// TestTeamJourney: an admin invites a new address as admin, who accepts
// by the e-mailed token with a name and a password (and can sign in);
// the team lists both; the first admin hands the role on and leaves; an
// existing account accepts signed in as itself; refusals change nothing.
func TestTeamJourney(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.applicant(t, "admin@example.org")
	res := b.do(t, "POST", "/organisations", admin, orgBody("Bermondsey Community Kitchen"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	org := res.json(t)["id"].(string)
	stranger := b.applicant(t, "stranger@example.org")
	base := "/organisations/" + org

	res = b.do(t, "POST", base+"/invitations", admin, map[string]any{"email": "nia@example.org", "role": "admin"})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	inv := res.json(t)
	require.Equal(t, "nia@example.org", inv["email"])
	require.Equal(t, "admin", inv["role"])
	require.Equal(t, "pending", inv["status"])
	require.NotEmpty(t, inv["expires_at"])
	res = b.do(t, "GET", base+"/invitations", admin, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Len(t, res.json(t)["items"], 1)

	snap := func(t *testing.T) any {
		return b.env.Snapshot(t, "users", "organisation_members", "invitations", "emails")
	}
	tok := b.env.InvitationToken(t, "nia@example.org")
	b.expectRefused(t, snap, nil, []rejection{
		{"invite unauthenticated", "", "POST", base + "/invitations", map[string]any{"email": "x@example.org", "role": "member"}, 401, "unauthenticated", ""},
		{"invite by a stranger", stranger, "POST", base + "/invitations", map[string]any{"email": "x@example.org", "role": "member"}, 404, "not_found", ""},
		{"invite a member", admin, "POST", base + "/invitations", map[string]any{"email": "admin@example.org", "role": "member"}, 409, "conflict", "email"},
		{"invite bad role", admin, "POST", base + "/invitations", map[string]any{"email": "x@example.org", "role": "owner"}, 422, "validation_failed", "role"},
		{"invite unknown field", admin, "POST", base + "/invitations", map[string]any{"email": "x@example.org", "role": "member", "x": 1}, 400, "malformed_request", ""},
		{"accept bad token", "", "POST", "/invitations/accept", map[string]any{"token": "nope"}, 422, "validation_failed", "token"},
		{"accept without password", "", "POST", "/invitations/accept", map[string]any{"token": tok, "name": "Nia"}, 422, "validation_failed", "password"},
		{"demote the only admin", admin, "PATCH", base + "/members/" + me(t, b, admin), map[string]any{"role": "member"}, 409, "conflict", ""},
		{"remove the only admin", admin, "DELETE", base + "/members/" + me(t, b, admin), nil, 409, "conflict", ""},
		{"members of a stranger", stranger, "GET", base + "/members", nil, 404, "not_found", ""},
		{"cancel unknown", admin, "DELETE", base + "/invitations/inv_nope", nil, 404, "not_found", ""},
		{"staff invite by an applicant", admin, "POST", "/staff/invitations", map[string]any{"email": "s@example.org", "name": "S", "roles": []string{"chair"}}, 403, "forbidden", ""},
	})

	res = b.do(t, "POST", "/invitations/accept", "", map[string]any{"token": tok, "name": "Nia Obi", "password": apptest.Password})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, map[string]any{"organisation_id": org, "role": "admin"}, res.json(t))
	res = b.do(t, "POST", "/invitations/accept", "", map[string]any{"token": tok, "name": "Nia Obi", "password": apptest.Password})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "used once")
	nia := b.login(t, "nia@example.org")
	res = b.do(t, "GET", base+"/members", nia, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	items := res.json(t)["items"].([]any)
	require.Len(t, items, 2)
	first := items[0].(map[string]any)
	require.ElementsMatch(t, []string{"user_id", "name", "email", "role", "joined_at"}, keys(first))

	// The first admin leaves: the other admin remains.
	res = b.do(t, "DELETE", base+"/members/"+me(t, b, admin), admin, nil)
	require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", base, admin, nil).Status, "access ends at once")

	// An existing account accepts signed in as itself only.
	sam := b.applicant(t, "sam@example.org")
	res = b.do(t, "POST", base+"/invitations", nia, map[string]any{"email": "sam@example.org", "role": "member"})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	tok = b.env.InvitationToken(t, "sam@example.org")
	res = b.do(t, "POST", "/invitations/accept", stranger, map[string]any{"token": tok})
	require.Equal(t, http.StatusForbidden, res.Status, string(res.Body))
	res = b.do(t, "POST", "/invitations/accept", sam, map[string]any{"token": tok})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = b.do(t, "PATCH", base+"/members/"+me(t, b, sam), nia, map[string]any{"role": "admin"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "admin", res.json(t)["role"])

	// Cancelling an invitation.
	res = b.do(t, "POST", base+"/invitations", nia, map[string]any{"email": "later@example.org", "role": "member"})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	id := res.json(t)["id"].(string)
	require.Equal(t, http.StatusNoContent, b.do(t, "DELETE", base+"/invitations/"+id, nia, nil).Status)
	res = b.do(t, "POST", "/invitations/accept", "", map[string]any{"token": b.env.InvitationToken(t, "later@example.org"), "name": "L",
		"password": apptest.Password})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
}

// me is the user id behind a token.
func me(t *testing.T, b *bundle, token string) string {
	t.Helper()
	res := b.do(t, "GET", "/me", token, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	return res.json(t)["id"].(string)
}

// TestStaffInvitationAPI: an admin invites staff; the invitee sets a
// password from the link and holds the roles.
func TestStaffInvitationAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, admin := b.staff(t, "admin@example.org", app.RoleAdmin)
	res := b.do(t, "POST", "/staff/invitations", admin, map[string]any{"email": "ada@example.org", "name": "Ada Lovelace", "roles": []string{"assessor"}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	inv := res.json(t)
	require.Equal(t, []any{"assessor"}, inv["roles"])
	require.Equal(t, "pending", inv["status"])
	res = b.do(t, "POST", "/staff/invitations", admin, map[string]any{"email": "admin@example.org", "name": "Me", "roles": []string{"manager"}})
	require.Equal(t, http.StatusForbidden, res.Status, "nobody grants roles to themselves: %s", res.Body)
	res = b.do(t, "POST", "/staff/invitations", admin, map[string]any{"email": "x@example.org", "name": "X", "roles": []string{"king"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))

	res = b.do(t, "POST", "/invitations/accept", "", map[string]any{"token": b.env.InvitationToken(t, "ada@example.org"), "password": apptest.Password})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, map[string]any{"roles": []any{"assessor"}}, res.json(t))
	ada := b.login(t, "ada@example.org")
	meRes := b.do(t, "GET", "/me", ada, nil).json(t)
	require.Equal(t, []any{"assessor"}, meRes["roles"])
	require.Equal(t, true, meRes["email_verified"])
	require.Equal(t, "Ada Lovelace", meRes["name"])
}
