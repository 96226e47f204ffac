package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Text PostgreSQL cannot store (a NUL character) is refused with 422 and a
// field naming where it was, wherever it enters the API, and nothing is
// written; before, each of these answered 500.
func TestTextPostgreSQLCannotStoreIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "nul@example.org")
	appID := draft["id"].(string)
	version := int(draft["version"].(float64))
	orgs := func() int {
		return len(b.do(t, "GET", "/organisations", tok, nil).json(t)["items"].([]any))
	}

	cases := []struct {
		name, token, method, path string
		body                      any
		field                     string
	}{
		{"organisation name", tok, "POST", "/organisations", `{"name":"The\u0000Hive","legal_form":"charity","charity_number":"1187342",` +
			`"borough":"southwark","address":{"line1":"1 Example Street","town":"London","postcode":"se1 7pb"},"annual_income_pence":8400000}`, "name"},
		{"organisation address", tok, "POST", "/organisations", `{"name":"The Hive","legal_form":"charity","charity_number":"1187342",` +
			`"borough":"southwark","address":{"line1":"1 Example\u0000Street","town":"London","postcode":"se1 7pb"},"annual_income_pence":8400000}`, "address.line1"},
		{"answer", tok, "PATCH", "/applications/" + appID, `{"version":` + strconv.Itoa(version) + `,"answers":{"summary":"We will \u0000 cook"}}`, "answers.summary"},
		{"answer key", tok, "PATCH", "/applications/" + appID, `{"version":` + strconv.Itoa(version) + `,"answers":{"sum\u0000mary":"We will cook"}}`, "answers.summary"},
		{"partner", tok, "PATCH", "/applications/" + appID, `{"version":` + strconv.Itoa(version) + `,"partners":[{"name":"Partner\u0000Org"}]}`, "partners[0].name"},
		{"registration", "", "POST", "/auth/register", `{"email":"new@example.org","password":"` + "correct horse battery staple" + `","name":"Sam\u0000Taylor"}`, "name"},
		{"query parameter", tok, "GET", "/applications?status=draft%00", nil, "status"},
		{"query parameter, not UTF-8", tok, "GET", "/applications?round_id=%ff%fe", nil, "round_id"},
		{"public query parameter", "", "GET", "/rounds?programme=roots%00", nil, "programme"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, beforeOrgs := b.snapshot(t, appID), orgs()
			res := b.do(t, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
			code, fields := res.errorCode(t)
			require.Equal(t, "validation_failed", code)
			require.Contains(t, fields, tc.field)
			require.Equal(t, before, b.snapshot(t, appID), "nothing changed")
			require.Equal(t, beforeOrgs, orgs(), "no organisation made")
		})
	}
	// Authentication comes first: anonymous, a route that needs a user is 401.
	res := b.do(t, "GET", "/applications?status=%00", "", nil)
	require.Equal(t, http.StatusUnauthorized, res.Status, string(res.Body))

	_, err := b.env.Store.UserGetByEmail(context.Background(), "new@example.org")
	require.Error(t, err, "no account made")
}
