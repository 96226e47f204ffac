package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// Every state-changing form of the web UI, found from the routes the UI
// registers (so a new form cannot be forgotten), refuses a POST without a
// valid CSRF token with 403, form-encoded or multipart, signed in or not,
// and changes nothing.
func TestEveryWebPostNeedsACSRFToken(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	env, e := s.env, s.engine

	// Someone who may use every form: every staff role and an organisation.
	everyone := env.User(t, "everyone@example.org", app.RoleManager, app.RoleChair, app.RoleAssessor, app.RoleFinance)
	org := env.Organisation(t, everyone, "Bermondsey Community Kitchen")
	r := env.Round(t, apptest.ExampleRound(t))
	application, err := env.App.CreateApplication(context.Background(), everyone, r.ID, org.ID)
	require.NoError(t, err)
	ids := map[string]string{"application": application.ID, "organisation": org.ID, "round": r.ID}
	param := regexp.MustCompile(`[:*]([a-z_]+)`)
	fill := func(path string) string {
		return param.ReplaceAllStringFunc(path, func(p string) string {
			name := strings.TrimLeft(p, ":*")
			for k, v := range ids {
				if strings.Contains(name, k) || (name == "id" && k == "application") {
					return v
				}
			}
			return "x" + name
		})
	}
	snapshot := func() map[string]string {
		return env.Snapshot(t, "applications", "organisations", "organisation_members", "rounds", "documents", "assessments",
			"grants", "payments", "payment_approvals", "payment_runs", "reports", "bank_accounts", "users", "outbox", "audit_events",
			"notifications")
	}

	signedIn := s.signedIn(t, "everyone@example.org")
	anonymous := s.visitor(t)
	anonymous.get("/sign-in") // a session-less visitor that has seen a form
	posts := 0
	for _, route := range e.Routes() {
		if route.Method != http.MethodPost {
			continue
		}
		posts++
		path := fill(route.Path)
		t.Run(route.Path, func(t *testing.T) {
			for _, v := range []*visitor{signedIn, anonymous} {
				before := snapshot()
				form := url.Values{"name": {"Changed"}, "confirm": {"yes"}, "outcome": {"reject"}, "reason": {"x"}}
				res := v.post(path, cloneWith(form, "csrf_token", ""))
				require.Equal(t, http.StatusForbidden, res.Code, "POST %s without a token: %s", path, res.Body)
				res = v.post(path, cloneWith(form, "csrf_token", "forged"))
				require.Equal(t, http.StatusForbidden, res.Code, "POST %s with a forged token: %s", path, res.Body)

				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				require.NoError(t, mw.WriteField("name", "Changed"))
				fw, err := mw.CreateFormFile("file", "budget.pdf")
				require.NoError(t, err)
				_, err = fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
				require.NoError(t, err)
				require.NoError(t, mw.Close())
				req, err := http.NewRequest(http.MethodPost, v.base+path, &body)
				require.NoError(t, err)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				res = v.do(req)
				require.Equal(t, http.StatusForbidden, res.Code, "multipart POST %s without a token: %s", path, res.Body)
				require.Equal(t, before, snapshot(), "POST %s changed something", path)
			}
		})
	}
	require.Greater(t, posts, 20, "the UI's forms were found")
}

func cloneWith(in url.Values, key, value string) url.Values {
	out := cloneValues(in)
	out.Set(key, value)
	return out
}
