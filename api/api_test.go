package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/api"
	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// bundle is one test's API on its own database.
type bundle struct {
	env     *apptest.Env
	handler http.Handler
	round   app.Round
}

func setup(t *testing.T) *bundle {
	t.Helper()
	return setupEnv(t, apptest.New(t))
}

// setupEnv is setup on env.
func setupEnv(t *testing.T, env *apptest.Env) *bundle {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	api.Register(r.Group("/api/v1"), env.App, slog.New(slog.DiscardHandler))
	return &bundle{env: env, handler: r, round: env.Round(t, apptest.ExampleRound(t))}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), string(r.Body))
	return m
}

// errorCode returns the error code and fields of an error response.
func (r response) errorCode(t *testing.T) (string, map[string]any) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	require.True(t, ok, "not an error body: %s", r.Body)
	fields, _ := e["fields"].(map[string]any)
	require.NotEmpty(t, e["message"])
	return e["code"].(string), fields
}

func (b *bundle) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rdr io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(v)
	case []byte:
		rdr = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		rdr = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, "/api/v1"+path, rdr)
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

func (b *bundle) upload(t *testing.T, appID, token, filename string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, "/api/v1/applications/"+appID+"/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// applicant registers and signs in a new applicant and returns the token.
func (b *bundle) applicant(t *testing.T, email string) string {
	t.Helper()
	res := b.do(t, "POST", "/auth/register", "", map[string]any{"email": email, "password": apptest.Password, "name": "Sam Taylor"})
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	res = b.do(t, "POST", "/auth/confirm", "", map[string]any{"token": b.env.LinkToken(t, email, "confirm")})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	return b.login(t, email)
}

func (b *bundle) login(t *testing.T, email string) string {
	t.Helper()
	res := b.do(t, "POST", "/auth/login", "", map[string]any{"email": email, "password": apptest.Password})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	tok, _ := res.json(t)["token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func orgBody(name string) map[string]any {
	return map[string]any{"name": name, "legal_form": "charity", "charity_number": apptest.CharityNumber(), "borough": "southwark",
		"address": map[string]any{"line1": "1 Example Street", "town": "London", "postcode": "se1 7pb"}, "annual_income_pence": 8400000}
}

// draft registers an applicant with an organisation and a draft; it
// returns the token and the application.
func (b *bundle) draft(t *testing.T, email string) (string, map[string]any) {
	t.Helper()
	tok := b.applicant(t, email)
	res := b.do(t, "POST", "/organisations", tok, orgBody("Org of "+email))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	orgID := res.json(t)["id"].(string)
	res = b.do(t, "POST", "/applications", tok, map[string]any{"round_id": b.round.ID, "organisation_id": orgID})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	return tok, res.json(t)
}

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
)

// snapshot is what a rejected request must leave unchanged.
type snapshot struct {
	App       string
	Documents int
	Outbox    int
	Audit     int
}

func (b *bundle) snapshot(t *testing.T, appID string) snapshot {
	t.Helper()
	ctx := context.Background()
	row, err := b.env.Store.ApplicationGet(ctx, appID)
	require.NoError(t, err)
	raw, _ := json.Marshal(row)
	docs, err := b.env.Store.DocumentListByApplication(ctx, appID)
	require.NoError(t, err)
	outbox, err := b.env.Store.OutboxPendingCount(ctx)
	require.NoError(t, err)
	events, err := b.env.Store.AuditListByChain(ctx, "application:"+appID)
	require.NoError(t, err)
	return snapshot{App: string(raw), Documents: len(docs), Outbox: int(outbox), Audit: len(events)}
}

func TestApplicantJourney(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "sam@example.org")
	appID := draft["id"].(string)
	require.Equal(t, "draft", draft["status"])
	require.EqualValues(t, 1, draft["version"])

	me := b.do(t, "GET", "/me", tok, nil).json(t)
	require.Len(t, me["memberships"], 1)

	res := b.do(t, "PATCH", "/applications/"+appID, tok, map[string]any{"version": 1, "answers": map[string]any{"london_work": true}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.EqualValues(t, 2, res.json(t)["version"])

	before := b.snapshot(t, appID)
	res = b.do(t, "PATCH", "/applications/"+appID, tok, map[string]any{"version": 1, "answers": map[string]any{"summary": "late"}})
	require.Equal(t, http.StatusConflict, res.Status)
	code, _ := res.errorCode(t)
	require.Equal(t, "version_conflict", code)
	require.Equal(t, before, b.snapshot(t, appID))

	res = b.upload(t, appID, tok, "../../budget plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	doc := res.json(t)
	require.Equal(t, "application/pdf", doc["content_type"])
	require.Equal(t, "budget plan.pdf", doc["filename"])

	patch := apptest.CompleteAnswers(2)
	patch["answers"].(map[string]any)["budget_breakdown"] = doc["id"]
	res = b.do(t, "PATCH", "/applications/"+appID, tok, patch)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))

	res = b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, "submitted", got["status"])
	require.NotNil(t, got["submitted_at"])
	require.Equal(t, before.Outbox+1, b.snapshot(t, appID).Outbox, "submission queues its workflow start")

	// The download is the uploaded content, as an attachment.
	req := httptest.NewRequest("GET", "/api/v1/documents/"+doc["id"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, pdfBytes, w.Body.Bytes())
	require.Contains(t, w.Header().Get("Content-Disposition"), "attachment")

	// Listed for its organisation; resubmitting or editing now is 409.
	list := b.do(t, "GET", "/applications", tok, nil).json(t)
	require.Len(t, list["items"], 1)
	require.Nil(t, list["next_cursor"])
	res = b.do(t, "POST", "/applications/"+appID+"/submit", tok, "{}")
	require.Equal(t, http.StatusConflict, res.Status)
	res = b.do(t, "PATCH", "/applications/"+appID, tok, map[string]any{"version": 4})
	require.Equal(t, http.StatusConflict, res.Status)
	code, _ = res.errorCode(t)
	require.Equal(t, "invalid_state", code)

	// Managers see submitted applications; logging out revokes the token.
	mtok := b.login(t, "manager@example.org")
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/applications/"+appID, mtok, nil).Status)
	require.Equal(t, http.StatusNoContent, b.do(t, "POST", "/auth/logout", tok, nil).Status)
	require.Equal(t, http.StatusUnauthorized, b.do(t, "GET", "/me", tok, nil).Status)
}

func TestSubmitListsEveryProblem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "a@example.org")
	appID := draft["id"].(string)
	before := b.snapshot(t, appID)
	res := b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	code, fields := res.errorCode(t)
	require.Equal(t, "validation_failed", code)
	for _, k := range []string{"answers.london_work", "answers.summary", "tier", "requested_pence", "partners"} {
		require.Contains(t, fields, k)
	}
	require.NotContains(t, fields, "answers.budget_breakdown", "optional question")
	require.Equal(t, before, b.snapshot(t, appID))

	// Money outside the chosen tier and too many words are both reported.
	patch := apptest.CompleteAnswers(1)
	patch["requested_pence"] = 900000
	res = b.do(t, "PATCH", "/applications/"+appID, tok, patch)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = b.do(t, "PATCH", "/applications/"+appID, tok, map[string]any{"version": 2, "answers": map[string]any{"summary": strings.Repeat("word ", 251)}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields = res.errorCode(t)
	require.Contains(t, fields, "answers.summary")
	res = b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields = res.errorCode(t)
	require.Equal(t, []string{"requested_pence"}, keys(fields))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "owner@example.org")
	appID := draft["id"].(string)
	res := b.upload(t, appID, tok, "plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status)
	docID := res.json(t)["id"].(string)
	other := b.applicant(t, "other@example.org")
	version := int(b.do(t, "GET", "/applications/"+appID, tok, nil).json(t)["version"].(float64))

	cases := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		status int
		code   string
		field  string
	}{
		{"malformed JSON", tok, "PATCH", "/applications/" + appID, `{"version":`, 400, "malformed_request", ""},
		{"not an object", tok, "PATCH", "/applications/" + appID, `[1,2]`, 400, "malformed_request", ""},
		{"unknown field", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "colour": "red"}, 400, "malformed_request", "colour"},
		{"wrong type", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "tier": 7}, 400, "malformed_request", "tier"},
		{"fractional pence", tok, "PATCH", "/applications/" + appID, `{"version":` + fmt.Sprint(version) + `,"requested_pence":1500.5}`, 400, "malformed_request", "requested_pence"},
		{"negative pence", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "requested_pence": -1}, 422, "validation_failed", "requested_pence"},
		{"unknown answer", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "answers": map[string]any{"nope": "x"}}, 422, "validation_failed", "answers.nope"},
		{"answer of wrong type", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "answers": map[string]any{"london_work": "yes"}}, 422, "validation_failed", "answers.london_work"},
		{"partner without name", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "partners": []any{map[string]any{"charity_number": "12"}}}, 422, "validation_failed", "partners[0].name"},
		{"unknown tier", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version, "tier": "mega"}, 422, "validation_failed", "tier"},
		{"missing version", tok, "PATCH", "/applications/" + appID, map[string]any{"tier": "micro"}, 422, "validation_failed", "version"},
		{"stale version", tok, "PATCH", "/applications/" + appID, map[string]any{"version": version - 1, "tier": "micro"}, 409, "version_conflict", ""},
		{"body over the limit", tok, "PATCH", "/applications/" + appID, `{"version":1,"answers":{"summary":"` + strings.Repeat("a", 1<<20) + `"}}`, 413, "too_large", ""},
		{"no token", "", "PATCH", "/applications/" + appID, map[string]any{"version": version}, 401, "unauthenticated", ""},
		{"bad token", "nonsense", "GET", "/applications/" + appID, nil, 401, "unauthenticated", ""},
		{"another organisation's application", other, "GET", "/applications/" + appID, nil, 404, "not_found", ""},
		{"another organisation's application, edit", other, "PATCH", "/applications/" + appID, `{"version":`, 404, "not_found", ""},
		{"another organisation's application, submit", other, "POST", "/applications/" + appID + "/submit", nil, 404, "not_found", ""},
		{"another organisation's application, submit with junk", other, "POST", "/applications/" + appID + "/submit", `{"force":`, 404, "not_found", ""},
		{"another organisation's documents", other, "GET", "/applications/" + appID + "/documents", nil, 404, "not_found", ""},
		{"another organisation's document", other, "GET", "/documents/" + docID, nil, 404, "not_found", ""},
		{"applicant posting a round", tok, "POST", "/rounds", `{"garbage`, 403, "forbidden", ""},
		{"applicant editing a round", tok, "PATCH", "/rounds/" + b.round.ID, map[string]any{"budget_pence": 1}, 403, "forbidden", ""},
		{"submit with parameters", tok, "POST", "/applications/" + appID + "/submit", map[string]any{"force": true}, 400, "malformed_request", ""},
		{"junk id", tok, "GET", "/applications/app_nope", nil, 404, "not_found", ""},
	}
	for _, tc := range cases {
		before := b.snapshot(t, appID)
		res := b.do(t, tc.method, tc.path, tc.token, tc.body)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		code, fields := res.errorCode(t)
		require.Equal(t, tc.code, code, tc.name)
		if tc.field != "" {
			require.Contains(t, fields, tc.field, tc.name)
		}
		require.Equal(t, before, b.snapshot(t, appID), "%s changed something", tc.name)
	}
}

func TestUploadsRejected(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "up@example.org")
	appID := draft["id"].(string)
	other := b.applicant(t, "nosy@example.org")
	big := append(append([]byte{}, pdfBytes...), make([]byte, 10<<20)...)
	cases := []struct {
		name     string
		token    string
		filename string
		content  []byte
		status   int
		code     string
	}{
		{"over 10 MB", tok, "big.pdf", big, 413, "too_large"},
		{"over 10 MB whatever its type", tok, "big.txt", append([]byte("hello"), make([]byte, 11<<20)...), 413, "too_large"},
		{"plain text", tok, "notes.txt", []byte("just some text"), 415, "unsupported_media_type"},
		{"html", tok, "page.pdf", []byte("<html><script>alert(1)</script></html>"), 415, "unsupported_media_type"},
		{"png claiming to be a pdf", tok, "scan.pdf", pngBytes, 415, "unsupported_media_type"},
		{"someone else's application", other, "plan.pdf", pdfBytes, 404, "not_found"},
	}
	for _, tc := range cases {
		before := b.snapshot(t, appID)
		res := b.upload(t, appID, tc.token, tc.filename, tc.content)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		code, _ := res.errorCode(t)
		require.Equal(t, tc.code, code, tc.name)
		require.Equal(t, before, b.snapshot(t, appID), tc.name)
	}
	res := b.upload(t, appID, tok, "photo", pngBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	require.Equal(t, "photo.png", res.json(t)["filename"])
}

func TestSubmitAfterTheRoundClosesIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "late@example.org")
	appID := draft["id"].(string)
	res := b.do(t, "PATCH", "/applications/"+appID, tok, apptest.CompleteAnswers(1))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	// Time passes: the round closes.
	_, err := b.env.Store.Pool.Exec(context.Background(),
		`UPDATE rounds SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 second' WHERE id = $1`, b.round.ID)
	require.NoError(t, err)
	before := b.snapshot(t, appID)
	res = b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil)
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "invalid_state", code)
	require.Equal(t, before, b.snapshot(t, appID))
}

func TestOneApplicationPerOrganisationPerRound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "dup@example.org")
	res := b.do(t, "POST", "/applications", tok, map[string]any{"round_id": b.round.ID, "organisation_id": draft["organisation_id"]})
	require.Equal(t, http.StatusConflict, res.Status)
	other := b.applicant(t, "stranger@example.org")
	res = b.do(t, "POST", "/applications", other, map[string]any{"round_id": b.round.ID, "organisation_id": draft["organisation_id"]})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields := res.errorCode(t)
	require.Contains(t, fields, "organisation_id")
}

func TestRounds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mtok := b.login(t, "manager@example.org")

	// Reading a round returns it as created.
	res := b.do(t, "GET", "/rounds/"+b.round.ID, "", nil)
	require.Equal(t, http.StatusOK, res.Status)
	got := res.json(t)
	require.Equal(t, "roots-incubator", got["programme"])
	require.Equal(t, "open", got["status"])
	require.Equal(t, "336h", got["timeline"].(map[string]any)["assessment_window"])

	def := apptest.ExampleRound(t)
	def.Name = "Second round"
	res = b.do(t, "POST", "/rounds", mtok, def)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))

	invalid := map[string]any{}
	raw, _ := json.Marshal(def)
	require.NoError(t, json.Unmarshal(raw, &invalid))
	invalid["budget_pence"] = 0
	invalid["closes_at"] = invalid["opens_at"]
	invalid["payment_schedule"] = []any{map[string]any{"percent": 60, "condition": "on_acceptance"}}
	res = b.do(t, "POST", "/rounds", mtok, invalid)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields := res.errorCode(t)
	for _, k := range []string{"budget_pence", "closes_at", "payment_schedule"} {
		require.Contains(t, fields, k)
	}
	invalid = map[string]any{}
	require.NoError(t, json.Unmarshal(raw, &invalid))
	invalid["budget_pence"] = 100.5
	res = b.do(t, "POST", "/rounds", mtok, invalid)
	require.Equal(t, http.StatusBadRequest, res.Status, string(res.Body))

	// Once open, the budget can only go up.
	res = b.do(t, "PATCH", "/rounds/"+b.round.ID, mtok, map[string]any{"budget_pence": 100})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	res = b.do(t, "PATCH", "/rounds/"+b.round.ID, mtok, map[string]any{"budget_pence": 60000000})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.EqualValues(t, 60000000, res.json(t)["budget_pence"])

	list := b.do(t, "GET", "/rounds?status=open&limit=1", "", nil).json(t)
	require.Len(t, list["items"], 1)
	require.NotNil(t, list["next_cursor"])
	next := b.do(t, "GET", "/rounds?status=open&limit=1&cursor="+list["next_cursor"].(string), "", nil).json(t)
	require.Len(t, next["items"], 1)
	require.Nil(t, next["next_cursor"])
	require.Equal(t, http.StatusUnprocessableEntity, b.do(t, "GET", "/rounds?status=sideways", "", nil).Status)
}

func TestOrganisations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.applicant(t, "org@example.org")
	res := b.do(t, "POST", "/organisations", tok, map[string]any{"name": "", "legal_form": "charity", "borough": "Gotham",
		"address": map[string]any{"line1": "", "town": "London", "postcode": "nope"}, "annual_income_pence": -5})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields := res.errorCode(t)
	for _, k := range []string{"name", "charity_number", "borough", "address.line1", "address.postcode", "annual_income_pence"} {
		require.Contains(t, fields, k)
	}
	res = b.do(t, "POST", "/organisations", tok, orgBody("Bermondsey Community Kitchen"))
	require.Equal(t, http.StatusCreated, res.Status)
	org := res.json(t)
	require.Equal(t, "Southwark", org["borough"])
	require.Equal(t, "E09000028", org["borough_gss_code"])
	require.Equal(t, "SE1 7PB", org["address"].(map[string]any)["postcode"])

	// An unconstituted group needs a host, whose admin consents.
	group := orgBody("Friday Football")
	delete(group, "charity_number")
	group["legal_form"] = "unconstituted_group"
	res = b.do(t, "POST", "/organisations", tok, group)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	group["host_organisation_id"] = org["id"]
	res = b.do(t, "POST", "/organisations", tok, group)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	groupID := res.json(t)["id"].(string)
	res = b.do(t, "POST", "/organisations/"+groupID+"/host-consent", tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.NotNil(t, res.json(t)["host_consented_at"])

	other := b.applicant(t, "else@example.org")
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/organisations/"+org["id"].(string), other, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "PATCH", "/organisations/"+org["id"].(string), other, map[string]any{"name": "Mine"}).Status)
	res = b.do(t, "PATCH", "/organisations/"+org["id"].(string), tok, map[string]any{"name": "Bermondsey Kitchen"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "Bermondsey Kitchen", res.json(t)["name"])
	list := b.do(t, "GET", "/organisations", tok, nil).json(t)
	require.Len(t, list["items"], 2)
}

func TestEligibilityCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := b.do(t, "POST", "/eligibility", "", map[string]any{"round_id": b.round.ID, "answers": map[string]any{"london_work": false}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, false, got["eligible"])
	require.Equal(t, []any{"The work must be mainly in London"}, got["reasons"])
	require.Equal(t, []any{"Annual income must be £1m or less"}, got["unknown"])

	res = b.do(t, "POST", "/eligibility", "", map[string]any{"round_id": b.round.ID, "answers": map[string]any{"london_work": true},
		"organisation": map[string]any{"annual_income_pence": 8400000}})
	got = res.json(t)
	require.Equal(t, true, got["eligible"])
	require.Empty(t, got["unknown"])
	require.Equal(t, http.StatusUnprocessableEntity, b.do(t, "POST", "/eligibility", "", map[string]any{"round_id": "rnd_nope"}).Status)
}

func TestRegistrationAndLogin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.applicant(t, "reg@example.org")
	res := b.do(t, "POST", "/auth/register", "", map[string]any{"email": "REG@example.org", "password": apptest.Password, "name": "Again"})
	require.Equal(t, http.StatusAccepted, res.Status, "a taken address answers as a new one (DESIGN §10)")
	res = b.do(t, "POST", "/auth/register", "", map[string]any{"email": "not-an-email", "password": "short", "name": ""})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields := res.errorCode(t)
	require.Len(t, fields, 3)
	res = b.do(t, "POST", "/auth/login", "", map[string]any{"email": "reg@example.org", "password": "wrong password!"})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	res = b.do(t, "POST", "/auth/login", "", map[string]any{"email": "nobody@example.org", "password": "wrong password!"})
	require.Equal(t, http.StatusUnauthorized, res.Status)

	// Five failures for one address and even the right password waits.
	for range 4 {
		res = b.do(t, "POST", "/auth/login", "", map[string]any{"email": "reg@example.org", "password": "wrong password!"})
		require.Equal(t, http.StatusUnauthorized, res.Status)
	}
	res = b.do(t, "POST", "/auth/login", "", map[string]any{"email": "Reg@example.org", "password": apptest.Password})
	require.Equal(t, http.StatusTooManyRequests, res.Status)
	code, _ := res.errorCode(t)
	require.Equal(t, "rate_limited", code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "audited@example.org")
	appID := draft["id"].(string)
	require.Equal(t, http.StatusOK, b.do(t, "PATCH", "/applications/"+appID, tok, apptest.CompleteAnswers(1)).Status)
	require.Equal(t, http.StatusAccepted, b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil).Status)

	require.Equal(t, http.StatusForbidden, b.do(t, "GET", "/audit?entity=application:"+appID, tok, nil).Status)
	mtok := b.login(t, "manager@example.org")
	res := b.do(t, "GET", "/audit?entity=application:"+appID, mtok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, true, got["verified"])
	items := got["items"].([]any)
	var actions []string
	for i, it := range items {
		ev := it.(map[string]any)
		actions = append(actions, ev["action"].(string))
		if i > 0 {
			require.Equal(t, items[i-1].(map[string]any)["hash"], ev["prev_hash"])
		}
	}
	require.Equal(t, []string{"application.created", "application.saved", "application.submitted"}, actions)

	// The log is append-only, even for the database owner.
	_, err := b.env.Store.Pool.Exec(context.Background(), `UPDATE audit_events SET actor = 'someone else'`)
	require.ErrorContains(t, err, "append-only")
	require.Equal(t, http.StatusUnprocessableEntity, b.do(t, "GET", "/audit?entity=nonsense", mtok, nil).Status)
}

// Concurrent saves of the same version: exactly one wins, the rest get 409;
// nothing is silently overwritten.
func TestConcurrentSavesOneWins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "race@example.org")
	appID := draft["id"].(string)
	const n = 8
	statuses := make(chan int, n)
	for i := range n {
		go func() {
			res := b.do(t, "PATCH", "/applications/"+appID, tok, map[string]any{"version": 1, "requested_pence": 100000 + i})
			statuses <- res.Status
		}()
	}
	counts := map[int]int{}
	for range n {
		counts[<-statuses]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: n - 1}, counts)
	got := b.do(t, "GET", "/applications/"+appID, tok, nil).json(t)
	require.EqualValues(t, 2, got["version"])
}

// A draft is the applicant's private work: its audit trail is not found
// for a manager (as the draft itself is), until it is submitted.
func TestAuditTrailOfDraftNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "drafting@example.org")
	appID := draft["id"].(string)
	require.Equal(t, http.StatusOK, b.do(t, "PATCH", "/applications/"+appID, tok, apptest.CompleteAnswers(1)).Status)
	mtok := b.login(t, "manager@example.org")
	res := b.do(t, "GET", "/audit?entity=application:"+appID, mtok, nil)
	require.Equal(t, http.StatusNotFound, res.Status, string(res.Body))
	code, _ := res.errorCode(t)
	require.Equal(t, "not_found", code)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/audit?entity=application:app_01m7yx7pveyg96ngkjp41akgtq", mtok, nil).Status)

	require.Equal(t, http.StatusAccepted, b.do(t, "POST", "/applications/"+appID+"/submit", tok, nil).Status)
	res = b.do(t, "GET", "/audit?entity=application:"+appID, mtok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, true, res.json(t)["verified"])
}
