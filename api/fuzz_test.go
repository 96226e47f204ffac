package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/api"
	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/payments"
)

// fuzzRoutes are the routes FuzzRequests sends bodies and queries to:
// every kind of request body the API decodes, on objects that exist (and
// on a fuzzed id where the route has {fuzz}).
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/auth/register"},
	{"POST", "/auth/login"},
	{"POST", "/auth/confirm"},
	{"POST", "/auth/password-reset"},
	{"POST", "/auth/password-reset/complete"},
	{"POST", "/auth/email-link/complete"},
	{"PUT", "/me/password"},
	{"PUT", "/me/affiliations"},
	{"POST", "/programmes"},
	{"POST", "/rounds"},
	{"PATCH", "/rounds/{round}"},
	{"POST", "/eligibility"},
	{"POST", "/organisations"},
	{"PATCH", "/organisations/{org}"},
	{"PUT", "/organisations/{org}/bank-account"},
	{"POST", "/organisations/{org}/invitations"},
	{"POST", "/applications"},
	{"PATCH", "/applications/{app}"},
	{"POST", "/applications/{app}/submit"},
	{"PUT", "/applications/{app}/equality"},
	{"POST", "/partner-invitations/lookup"},
	{"POST", "/support-requests"},
	{"POST", "/support-requests/{support}/triage"},
	{"POST", "/payment-runs"},
	{"POST", "/webhooks/stripe"},
	{"PATCH", "/applications/{fuzz}"},
	{"POST", "/assessments/{fuzz}/scores"},
	{"POST", "/cases/{fuzz}/notes"},
	{"GET", "/applications"},
	{"GET", "/rounds/{round}/ranking"},
	{"GET", "/assessments"},
	{"GET", "/support-requests"},
	{"GET", "/exports/applications.csv"},
	{"GET", "/registers/lookup"},
}

// fuzzActors are who FuzzRequests sends as: nobody, an applicant with a
// draft, and each staff role.
var fuzzActors = []string{"", "applicant", app.RoleManager, app.RoleChair, app.RoleAssessor, app.RoleFinance,
	app.RoleCaseworker, app.RoleAdmin}

// FuzzRequests sends any body and query, as any actor, to the routes that
// decode them, on a real database: the answer is never a 5xx, and every
// refusal is the stable error shape. Webhook bodies are signed with the
// endpoint's secret when sign is set, so a signed event of any content is
// tried too.
func FuzzRequests(f *testing.F) {
	env := apptest.New(f)
	gin.SetMode(gin.TestMode)
	r := gin.New()
	api.Register(r.Group("/api/v1"), env.App, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	rnd := env.Round(f, apptest.ExampleRound(f))
	applicant := env.User(f, "fuzz-applicant@example.org")
	org := env.Organisation(f, applicant, "Fuzz Community Kitchen")
	draft, err := env.App.CreateApplication(ctx, applicant, rnd.ID, org.ID)
	require.NoError(f, err)
	support := env.SupportRequest(f, applicant, org.ID)
	ids := strings.NewReplacer("{round}", rnd.ID, "{org}", org.ID, "{app}", draft.ID, "{support}", support.ID)

	tokens := map[string]string{"": ""}
	for _, who := range fuzzActors[1:] {
		email := "fuzz-" + who + "@example.org"
		if who != "applicant" {
			env.User(f, email, who)
		} else {
			email = applicant.Email
		}
		tokens[who] = fuzzLogin(f, r, email)
	}

	seeds := []struct {
		route, who uint8
		query      string
		body       string
	}{
		{0, 0, "", `{"email":"new@example.org","password":"correct horse battery","name":"Sam"}`},
		{1, 0, "", `{"email":"fuzz-applicant@example.org","password":"wrong"}`},
		{12, 1, "", `{"name":"\u0000","legal_form":"charity","borough":"southwark"}`},
		{13, 1, "", `{"annual_income_pence":1.5}`},
		{17, 1, "", `{"version":1,"answers":{"summary":"x","requested_pence":"100"}}`},
		{17, 1, "", `{"version":1,"answers":{"budget":[{"item":"a","amount_pence":-1}]},"partners":[{"name":"B","share_pence":1e309}]}`},
		{19, 1, "", `{"leadership":{"answered":true,"groups":["DEI999999"]}}`},
		{21, 1, "", `{"organisation_id":"org_x","space":{"address":{"line1":"1"}},"uses":[1]}`},
		{9, 2, "", `{"name":"R","opens_at":"yesterday","budget_pence":-5}`},
		{24, 0, "sign", `{"id":"evt_1","type":"account.updated","data":{"object":{"id":"acct_1","metadata":{"organisation_id":"` + org.ID + `"}}}}`},
		{24, 0, "", `{}`},
		{25, 1, "", `[]`},
		{28, 1, "status=submitted&cursor=zzz&limit=1000", ``},
		{29, 3, "cursor=" + url.QueryEscape("rnk_\x00") + "&limit=-1", ``},
		{33, 2, "number=../../etc&kind=charity", ``},
	}
	for _, s := range seeds {
		f.Add(s.route, s.who, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route, who uint8, query string, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := ids.Replace(rt.path)
		if strings.Contains(path, "{fuzz}") {
			seg := query
			if seg == "" || strings.Contains(seg, "/") {
				seg = "x" // a path the router would not give the route
			}
			path = strings.ReplaceAll(path, "{fuzz}", url.PathEscape(seg))
		}
		target := "/api/v1" + path
		if query != "" && query != "sign" {
			target += "?" + query
		}
		req, err := http.NewRequest(rt.method, target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		req.Header.Set("Content-Type", "application/json")
		if tok := tokens[fuzzActors[int(who)%len(fuzzActors)]]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if rt.path == "/webhooks/stripe" && query == "sign" {
			req.Header.Set("Stripe-Signature", payments.SignPayload(body, apptest.WebhookSecret, time.Now()))
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s as %q answered %d: %s\nbody: %q", rt.method, target, fuzzActors[int(who)%len(fuzzActors)], w.Code, w.Body.Bytes(), body)
		}
		if w.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s answered %d without the error shape: %s", rt.method, target, w.Code, w.Body.Bytes())
			}
		}
	})
}

// fuzzLogin signs in through the API and returns the session token.
func fuzzLogin(t testing.TB, h http.Handler, email string) string {
	raw, err := json.Marshal(map[string]string{"email": email, "password": apptest.Password})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var out struct{ Token string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	return out.Token
}
