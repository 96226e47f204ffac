package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/platform/config"
	"github.com/civicgrants/grants/platform/mailpit"
)

// The dev stack end to end, as `make run` starts it: private PostgreSQL and
// Temporal dev server, migrations, demo data, API and worker in one
// process. An applicant's first loop runs over HTTP; the stack stops on
// cancellation within the 10 s budget, and a second start finds the data.
func TestDevStack(t *testing.T) {
	t.Parallel()
	dir, cfg := devSetup(t, "grants-dev-test-")
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))

	addr := freeAddr(t)
	base := "http://" + addr
	out := &lockedBuffer{}
	stop := startDevOut(t, cfg, log, addr, dir, out)
	c := &httpClient{t: t, base: base + "/api/v1"}
	c.waitReady(base)

	// The banner names the database and the mail catcher, which catches
	// what is sent to it.
	require.Regexp(t, `\n  database:  DATABASE_URL=postgres://postgres@/grants\?host=`, out.String())
	catcher := mailCatcher(t, out.String())
	require.NoError(t, smtp.SendMail(catcher.smtpAddr, nil, "grants@localhost", []string{"dev@example.org"},
		[]byte("Subject: Kept across restarts\r\n\r\nHello\r\n")))
	_, err := catcher.WaitForMessage(t.Context(), "dev@example.org", nil)
	require.NoError(t, err)

	// Demo data: both programmes with an open round each.
	var rounds struct {
		Items []struct {
			ID, Programme, Status string
		}
	}
	c.do("GET", "/rounds?status=open", nil, 200, &rounds)
	require.Len(t, rounds.Items, 2)
	var roundID string
	for _, r := range rounds.Items {
		if r.Programme == "roots-incubator" {
			roundID = r.ID
		}
	}

	c.registerConfirmed(catcher.Client, "e2e@example.org", "e2e-password-1", "E2E")
	var org, app struct {
		ID     string
		Status string
	}
	c.do("POST", "/organisations", map[string]any{"name": "E2E Kitchen", "legal_form": "charity", "charity_number": "1190001",
		"borough": "Southwark", "address": map[string]any{"line1": "1 Example Street", "town": "London", "postcode": "SE1 7PB"},
		"annual_income_pence": 8400000}, 201, &org)
	c.do("POST", "/applications", map[string]any{"round_id": roundID, "organisation_id": org.ID}, 201, &app)
	c.do("PATCH", "/applications/"+app.ID, map[string]any{"version": 1, "tier": "micro", "requested_pence": 400000,
		"partners": []any{map[string]any{"name": "Southwark Pensioners Centre"}}, "answers": rootsAnswers}, 200, nil)
	c.do("PATCH", "/applications/"+app.ID, map[string]any{"version": 1, "requested_pence": 300000}, 409, nil)
	c.upload("/applications/"+app.ID+"/documents", "budget.pdf", []byte("%PDF-1.4\n%%EOF\n"), 201)
	c.do("POST", "/applications/"+app.ID+"/submit", nil, 202, nil)
	require.Eventually(t, func() bool {
		c.do("GET", "/applications/"+app.ID, nil, 200, &app)
		return app.Status == "in_assessment"
	}, 15*time.Second, 100*time.Millisecond)

	stop()

	// A second start keeps everything, the caught mail included.
	addr = freeAddr(t)
	out = &lockedBuffer{}
	stop = startDevOut(t, cfg, log, addr, dir, out)
	c.base = "http://" + addr + "/api/v1"
	c.waitReady("http://" + addr)
	kept, err := mailCatcher(t, out.String()).Search(t.Context(), `subject:"Kept across restarts"`)
	require.NoError(t, err)
	require.Len(t, kept, 1)
	c.token = ""
	var tok struct{ Token string }
	c.do("POST", "/auth/login", map[string]any{"email": "e2e@example.org", "password": "e2e-password-1"}, 200, &tok)
	c.token = tok.Token
	c.do("GET", "/applications/"+app.ID, nil, 200, &app)
	require.Equal(t, "in_assessment", app.Status)
	c.token = ""
	c.do("POST", "/auth/login", map[string]any{"email": "applicant@example.org", "password": "dev-test-password"}, 200, &tok)
	c.do("GET", "/rounds?status=open", nil, 200, &rounds)
	require.Len(t, rounds.Items, 2, "demo data seeded once")
	stop()
}

var rootsAnswers = map[string]any{
	"london_work": true, "partnership": true, "not_for_profit": true,
	"partnership_summary": "A community kitchen working with a pensioners centre.",
	"community_led":       "Our volunteers are older people from Bermondsey.",
	"theme":               "older_people", "area": "south",
	"project_summary": "Weekly cooking clubs for 40 older people.",
	"need":            "Older people in Bermondsey are isolated.",
	"start_date":      "2027-04-01", "people_reached": 40, "total_cost": 450000,
	"budget_summary": "Food, hall hire and a coordinator.",
	"delivery_plan":  "Weekly sessions from April.",
}

// catcher is the mail catcher named by the banner of `grants dev`.
type catcher struct {
	*mailpit.Client
	smtpAddr string
}

// mailCatcher finds the banner's mail line: the catcher's web address,
// http://127.0.0.1:<port>, which answers Mailpit's API, and its SMTP
// address.
func mailCatcher(t *testing.T, banner string) catcher {
	t.Helper()
	m := regexp.MustCompile(`\n  mail: +(http://127\.0\.0\.1:\d+) .*SMTP at (127\.0\.0\.1:\d+)\)\n`).FindStringSubmatch(banner)
	require.NotNil(t, m, "no mail line in the banner:\n%s", banner)
	c := catcher{Client: &mailpit.Client{BaseURL: m[1]}, smtpAddr: m[2]}
	res, err := http.Get(m[1] + "/api/v1/messages")
	require.NoError(t, err)
	defer res.Body.Close()
	var list struct{ Messages []any }
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
	require.NotNil(t, list.Messages, "not Mailpit's list of messages")
	return c
}

// registerConfirmed registers an account over the API, confirms its
// address with the token of the e-mail the worker sent to the catcher mp,
// and signs c in as it.
func (c *httpClient) registerConfirmed(mp *mailpit.Client, email, password, name string) {
	c.t.Helper()
	var sent struct{ Status string }
	c.do("POST", "/auth/register", map[string]any{"email": email, "password": password, "name": name}, 202, &sent)
	require.Equal(c.t, "confirmation_sent", sent.Status)
	ctx, cancel := context.WithTimeout(c.t.Context(), time.Minute)
	defer cancel()
	m, err := mp.WaitForMessage(ctx, email, func(s mailpit.Summary) bool { return s.Subject == "Confirm your email address" })
	require.NoError(c.t, err)
	tok := regexp.MustCompile(`/account/confirm\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(m.Text)
	require.NotNil(c.t, tok, "no confirmation link in:\n%s", m.Text)
	require.Contains(c.t, m.HTML, "/account/confirm?token="+tok[1], "the HTML part has the same link")
	c.do("POST", "/auth/confirm", map[string]any{"token": tok[1]}, 200, nil)
	var login struct{ Token string }
	c.do("POST", "/auth/login", map[string]any{"email": email, "password": password}, 200, &login)
	c.token = login.Token
	var me struct {
		EmailVerified bool `json:"email_verified"`
	}
	c.do("GET", "/me", nil, 200, &me)
	require.True(c.t, me.EmailVerified)
}

// startDevOut runs `grants dev` in-process, its banner written to out,
// and returns a function that stops it as Ctrl-C would and checks it
// stopped, children included, within 10 s.
func startDevOut(t *testing.T, cfg config.Config, log *slog.Logger, addr, dir string, out io.Writer) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, cfg, log, out, []string{"--addr", addr, "--data-dir", dir}) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("grants dev did not stop within 10 s")
		}
	}
	t.Cleanup(stop)
	return stop
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

type httpClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *httpClient) waitReady(root string) {
	require.Eventually(c.t, func() bool {
		res, err := http.Get(root + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 60*time.Second, 100*time.Millisecond)
}

// send sends req, with the client's token if any, and returns the status
// and the body of the answer.
func (c *httpClient) send(req *http.Request) (int, []byte) {
	c.t.Helper()
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, body
}

// request sends body (if not nil) as JSON to the API path and returns the
// status and the body of the answer.
func (c *httpClient) request(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rdr io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(c.t, err)
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rdr)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	return c.send(req)
}

// do sends a request and requires the status want, decoding the answer
// into out if not nil.
func (c *httpClient) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	status, answer := c.request(method, path, body)
	require.Equal(c.t, want, status, "%s %s: %s", method, c.base+path, answer)
	if out != nil {
		require.NoError(c.t, json.Unmarshal(answer, out))
	}
}

// try sends a POST once and returns its status, decoding a 200 into
// out; a 409 other than not_ready fails the test (and returns 0). A
// lifecycle command answers 409 not_ready until the case's workflow can
// take it: tests retry, as a client would.
func (c *httpClient) try(path string, body any, out any) int {
	c.t.Helper()
	method := http.MethodPost
	status, b := c.request(method, path, body)
	switch status {
	case http.StatusOK:
		require.NoError(c.t, json.Unmarshal(b, out))
	case http.StatusConflict:
		if !strings.Contains(string(b), `"not_ready"`) {
			c.t.Errorf("%s %s: %s", method, path, b)
			return 0
		}
	default:
		c.t.Errorf("%s %s: %d %s", method, path, status, b)
		return 0
	}
	return status
}

func (c *httpClient) upload(path, name string, content []byte, want int) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(c.t, err)
	_, err = fw.Write(content)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequest("POST", c.base+path, &buf)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, answer := c.send(req)
	require.Equal(c.t, want, status, "POST %s: %s", req.URL, answer)
}

// devSetup is a fresh data directory for a dev stack (reachable by the
// postgres user when the tests run as root) and the configuration `grants
// dev` reads from an empty environment, but for the demo password.
func devSetup(t *testing.T, prefix string) (string, config.Config) {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	cfg, err := config.Load(func(k string) string {
		if k == "GRANTS_DEV_PASSWORD" {
			return "dev-test-password"
		}
		return ""
	})
	require.NoError(t, err)
	return dir, cfg
}
