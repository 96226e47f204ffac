package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
)

// Sign-in and registration attempts are limited per client address, on
// the API and the web alike: trying many accounts from one place is
// slowed as guessing one account's password is. The address is the peer's
// unless the peer is a trusted proxy, so a forged X-Forwarded-For makes no
// new client.
func TestSignInAndRegistrationLimitedPerClient(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	log := slog.New(slog.DiscardHandler)
	h, err := httpHandler(env.App, nil, log, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// answer is what a test reads of a response whose body post has drained and closed.
	type answer struct {
		StatusCode int
		Header     http.Header
	}
	post := func(base, path, body string, header ...string) answer {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		return answer{StatusCode: resp.StatusCode, Header: resp.Header}
	}
	good := `{"email":"new@example.org","password":"a long enough password","name":"New Person"}`

	// Sixty attempts (invalid ones cost nothing else) use up the client's
	// allowance; a good registration and a sign-in are then refused.
	for i := range 60 {
		require.Equal(t, http.StatusUnprocessableEntity, post(srv.URL, "/api/v1/auth/register", `{}`).StatusCode, i)
	}
	resp := post(srv.URL, "/api/v1/auth/register", good)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Equal(t, http.StatusTooManyRequests, post(srv.URL, "/api/v1/auth/login", `{"email":"x@example.org","password":"whatever it is"}`).StatusCode)
	require.Equal(t, http.StatusTooManyRequests, post(srv.URL, "/api/v1/auth/register", good, "X-Forwarded-For", "203.0.113.9").StatusCode,
		"a forged X-Forwarded-For is not another client")
	_, found, err := env.App.UserByEmail(t.Context(), "new@example.org")
	require.NoError(t, err)
	require.False(t, found, "nothing created")

	// The web's sign-in form says so, with the email kept.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	web := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := web.Get(srv.URL + "/sign-in")
	require.NoError(t, err)
	body, err := io.ReadAll(page.Body)
	require.NoError(t, err)
	require.NoError(t, page.Body.Close())
	tok := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(body))
	require.NotNil(t, tok)
	page, err = web.PostForm(srv.URL+"/sign-in", url.Values{"csrf_token": {tok[1]}, "email": {"x@example.org"}, "password": {"whatever it is"}})
	require.NoError(t, err)
	body, err = io.ReadAll(page.Body)
	require.NoError(t, err)
	require.NoError(t, page.Body.Close())
	require.Equal(t, http.StatusTooManyRequests, page.StatusCode)
	require.Contains(t, string(body), "Too many attempts to sign in. Wait 10 minutes and try again")
	require.Contains(t, string(body), `value="x@example.org"`)

	// Behind a trusted proxy the forwarded address is the client: another
	// client goes ahead.
	proxied, err := httpHandler(env.App, nil, log, []string{"127.0.0.1"})
	require.NoError(t, err)
	psrv := httptest.NewServer(proxied)
	t.Cleanup(psrv.Close)
	require.Equal(t, http.StatusAccepted, post(psrv.URL, "/api/v1/auth/register", good, "X-Forwarded-For", "203.0.113.9").StatusCode)
}
