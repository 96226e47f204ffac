package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A second claim of a registered number is a 409 conflict naming the
// organisation and the route to ask to join; asking answers 202; an
// organisation carries its identifier and its checks (not_run without a
// key); the register lookup says plainly when it cannot ask.
func TestOrganisationNumbersAndJoinRequests(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, second := b.applicant(t, "first@example.org"), b.applicant(t, "second@example.org")
	body := orgBody("Peckham Kitchen")
	res := b.do(t, "POST", "/organisations", first, body)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	org := res.json(t)
	orgID := org["id"].(string)
	require.Equal(t, "GB-CHC-"+body["charity_number"].(string), org["identifier"])
	checks := org["checks"].([]any)
	require.Len(t, checks, 1)
	check := checks[0].(map[string]any)
	require.Equal(t, "charity_commission", check["source"])
	require.Equal(t, "not_run", check["status"])
	require.Equal(t, "no key configured", check["details"].(map[string]any)["reason"])

	again := orgBody("Kitchen Two")
	again["charity_number"] = body["charity_number"]
	res = b.do(t, "POST", "/organisations", second, again)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, fields := res.errorCode(t)
	require.Equal(t, "conflict", code)
	require.Contains(t, fields["charity_number"].(string), "Peckham Kitchen")
	require.True(t, strings.Contains(string(res.Body), "/organisations/"+orgID+"/join-requests"), string(res.Body))

	res = b.do(t, "POST", "/organisations/"+orgID+"/join-requests", second, map[string]any{"message": "Treasurer"})
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	require.Equal(t, map[string]any{"organisation_id": orgID, "organisation_name": "Peckham Kitchen", "status": "sent"}, res.json(t))
	res = b.do(t, "POST", "/organisations/"+orgID+"/join-requests", first, map[string]any{})
	require.Equal(t, http.StatusConflict, res.Status, "a member already: %s", res.Body)

	res = b.do(t, "GET", "/registers/lookup?charity_number=1187342", second, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, string(res.Body))
	code, _ = res.errorCode(t)
	require.Equal(t, "not_run", code)
	res = b.do(t, "GET", "/registers/lookup?company_number=abc", second, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
}
