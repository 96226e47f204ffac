package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/web"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "applicant@example.org")
	v := s.visitor(t)

	// A page that needs a session sends the visitor to sign-in, with next.
	r := v.get("/dashboard?tab=1")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fdashboard%3Ftab%3D1", r.Location)

	r = v.get(r.Location)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `name="next" value="/dashboard?tab=1"`)
	// The way to registration carries next too, escaped once, and the
	// registration form keeps it.
	require.Contains(t, r.Body, `href="/register?next=%2fdashboard%3ftab%3d1"`)
	r = v.get("/register?next=%2fdashboard%3ftab%3d1")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `name="next" value="/dashboard?tab=1"`)
	require.Contains(t, r.Body, `href="/sign-in?next=%2fdashboard%3ftab%3d1"`)

	// Empty and wrong details re-render with the error summary, keeping
	// the email and never echoing the password.
	r = v.post("/sign-in", url.Values{"email": {""}, "password": {""}, "next": {"/dashboard"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, "There is a problem")
	require.Contains(t, r.Body, `<a href="#email">Enter your email address</a>`)
	require.Contains(t, r.Body, `<a href="#password">Enter your password</a>`)
	require.Contains(t, r.Body, "<title>Error: Sign in")
	r = v.post("/sign-in", url.Values{"email": {"applicant@example.org"}, "password": {"not the password"}})
	require.Equal(t, http.StatusUnauthorized, r.Code)
	require.Contains(t, r.Body, `value="applicant@example.org"`)
	require.NotContains(t, r.Body, "not the password")

	// Success goes to next; the cookie is HttpOnly and SameSite=Lax.
	r = v.post("/sign-in", url.Values{"email": {"applicant@example.org"}, "password": {apptest.Password}, "next": {"/dashboard?tab=1"}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/dashboard?tab=1", r.Location)
	cookie := setCookie(t, r, "grants_session")
	require.True(t, cookie.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, cookie.SameSite)
	require.False(t, cookie.Secure) // the test site is plain HTTP; see TestSecureCookies
	r = v.get("/dashboard")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Dashboard")
	require.Regexp(t, `data-session-remaining="1[78]\d\d"`, r.Body) // about 30 minutes
	require.Contains(t, r.Body, `id="app-timeout-dialog"`)

	// Signed in, the sign-in page moves on.
	require.Equal(t, http.StatusSeeOther, v.get("/sign-in").Code)

	// Sign out needs the CSRF token; without it nothing happens.
	r = v.post("/sign-out", url.Values{"csrf_token": {""}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, http.StatusOK, v.get("/dashboard").Code)
	r = v.post("/sign-out", nil)
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?signed_out=1", r.Location)
	require.Equal(t, http.StatusSeeOther, v.get("/dashboard").Code)
	require.Contains(t, v.get("/sign-in?signed_out=1").Body, "You have signed out.")
}

func setCookie(t *testing.T, p page, name string) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, p.Header.Values("Set-Cookie"))
	return nil
}

func TestSignInKeepsRedirectsOnSite(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "applicant@example.org")
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "",
		"/./\\evil.example", "/.\\evil.example", "/../\\evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%5Cevil.example",
		"/%252F%252Fevil.example", "\t//evil.example", "/\t/evil.example", "/\n/evil.example", "https:evil.example", "///evil.example",
		"/.//evil.example", "\\\\evil.example"} {
		v := s.visitor(t)
		r := v.post("/sign-in", url.Values{"email": {"applicant@example.org"}, "password": {apptest.Password}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, r.Code, next)
		require.Equal(t, "/dashboard", r.Location, next)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "target@example.org")
	v := s.visitor(t)
	for range 5 {
		r := v.post("/sign-in", url.Values{"email": {"target@example.org"}, "password": {"guess guess guess"}})
		require.Equal(t, http.StatusUnauthorized, r.Code)
	}
	// Now even the right password is refused until the window passes.
	r := v.post("/sign-in", url.Values{"email": {"target@example.org"}, "password": {apptest.Password}})
	require.Equal(t, http.StatusTooManyRequests, r.Code)
	require.Contains(t, r.Body, "Too many attempts to sign in. Wait 1 minute and try again")
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	noSession(t, r)
	require.Equal(t, http.StatusSeeOther, v.get("/dashboard").Code)
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "applicant@example.org")
	form := url.Values{"email": {"applicant@example.org"}, "password": {apptest.Password}}

	// Missing, wrong, and another visitor's token: 403, not signed in.
	v := s.visitor(t)
	v.get("/sign-in")
	other := s.visitor(t)
	other.get("/sign-in")
	for name, tok := range map[string]string{"missing": "", "wrong": "abc", "another visitor's": other.csrf} {
		f := cloneValues(form)
		f.Set("csrf_token", tok)
		r := v.post("/sign-in", f)
		require.Equal(t, http.StatusForbidden, r.Code, name)
		require.Contains(t, r.Body, "nothing was changed", name)
		noSession(t, r)
		require.Equal(t, http.StatusSeeOther, v.get("/dashboard").Code, name)
	}
	// A registration without a token creates nothing.
	r := v.post("/register", url.Values{"csrf_token": {""}, "name": {"Mallory"}, "email": {"mallory@example.org"},
		"password": {"long enough password"}, "password_confirm": {"long enough password"}})
	require.Equal(t, http.StatusForbidden, r.Code)
	_, found, err := s.env.App.UserByEmail(context.Background(), "mallory@example.org")
	require.NoError(t, err)
	require.False(t, found)

	// After sign-in the token changes: the one from before no longer works.
	before := v.csrf
	r = v.post("/sign-in", form)
	require.Equal(t, http.StatusSeeOther, r.Code)
	v.get("/dashboard")
	require.NotEqual(t, before, v.csrf)
	r = v.post("/sign-out", url.Values{"csrf_token": {before}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, http.StatusOK, v.get("/dashboard").Code)

	// A CSRF seed planted in the signed-in visitor's browser (from a
	// sibling site, say) with the token a page gave for it: refused, as a
	// signed-in visitor's forms carry only their session's token.
	w := s.visitor(t)
	w.get("/sign-in")
	site, err := url.Parse(s.srv.URL)
	require.NoError(t, err)
	seedOf := func(x *visitor) *http.Cookie {
		for _, c := range x.hc.Jar.Cookies(site) {
			if c.Name == "grants_csrf" {
				return c
			}
		}
		t.Fatal("no CSRF seed cookie")
		return nil
	}
	v.hc.Jar.SetCookies(site, []*http.Cookie{{Name: "grants_csrf", Value: seedOf(w).Value, Path: "/"}})
	r = v.post("/sign-out", url.Values{"csrf_token": {w.csrf}})
	require.Equal(t, http.StatusForbidden, r.Code)
	require.Equal(t, http.StatusOK, v.get("/dashboard").Code)

	// A seed of someone's choosing gives them no token: the token is not
	// worked out from the cookie alone (it once was its HMAC).
	m := s.visitor(t)
	const chosen = "a-seed-that-mallory-chose-for-you"
	m.hc.Jar.SetCookies(site, []*http.Cookie{{Name: "grants_csrf", Value: chosen, Path: "/"}})
	mac := hmac.New(sha256.New, []byte(chosen))
	mac.Write([]byte("grants csrf v1"))
	f := cloneValues(form)
	f.Set("csrf_token", base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
	r = m.post("/sign-in", f)
	require.Equal(t, http.StatusForbidden, r.Code)
	noSession(t, r)

	// A form over 1 MB is refused as too large, before anything runs.
	r = v.post("/sign-out", url.Values{"padding": {strings.Repeat("x", 1<<20)}})
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Code)
	require.Contains(t, r.Body, "too large")
	require.Equal(t, http.StatusOK, v.get("/dashboard").Code)
	// So is a file sent to a form that takes none: only the upload forms
	// take up to 10 MB.
	r = v.upload("/sign-out", url.Values{}, "file", "big.pdf", make([]byte, 2<<20))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Code)
	require.Equal(t, http.StatusOK, v.get("/dashboard").Code)
}

// Signing in over a session (as someone else, on a shared computer, say)
// ends the session the browser had: its token no longer works.
func TestSignInEndsTheSessionItReplaces(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "first@example.org")
	s.env.User(t, "second@example.org")
	v := s.signedIn(t, "first@example.org")
	site, err := url.Parse(s.srv.URL)
	require.NoError(t, err)
	var first *http.Cookie
	for _, c := range v.hc.Jar.Cookies(site) {
		if c.Name == "grants_session" {
			first = c
		}
	}
	require.NotNil(t, first)

	v.get("/dashboard") // the sign-in page sends a signed-in visitor on; the form is posted as is
	r := v.post("/sign-in", url.Values{"email": {"second@example.org"}, "password": {apptest.Password}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Contains(t, v.get("/dashboard").Body, "second@example.org")

	old := s.visitor(t)
	old.hc.Jar.SetCookies(site, []*http.Cookie{{Name: "grants_session", Value: first.Value, Path: "/"}})
	r = old.get("/dashboard")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fdashboard", r.Location)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "taken@example.org")
	v := s.visitor(t)
	require.Equal(t, http.StatusOK, v.get("/register").Code)

	r := v.post("/register", url.Values{"name": {"Ada Okafor"}, "email": {"ada@example.org"},
		"password": {"long enough password"}, "password_confirm": {"different password!"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `<a href="#password_confirm">Enter the same password twice</a>`)
	require.Contains(t, r.Body, `value="Ada Okafor"`)
	require.Contains(t, r.Body, `value="ada@example.org"`)
	require.NotContains(t, r.Body, "long enough password")

	r = v.post("/register", url.Values{"name": {""}, "email": {"taken@example.org"}, "password": {"short"}, "password_confirm": {"short"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `href="#name"`)
	require.Contains(t, r.Body, `href="#password"`)

	// A taken address and a new one answer alike (DESIGN §10): neither
	// signs in, both are told to check their e-mail.
	taken := v.post("/register", url.Values{"name": {"Someone"}, "email": {"taken@example.org"},
		"password": {"long enough password"}, "password_confirm": {"long enough password"}, "next": {"/rounds/x"}})
	fresh := v.post("/register", url.Values{"name": {"Ada Okafor"}, "email": {"ada@example.org"},
		"password": {"long enough password"}, "password_confirm": {"long enough password"}, "next": {"/rounds/x"}})
	for _, r := range []page{taken, fresh} {
		require.Equal(t, http.StatusSeeOther, r.Code)
		require.Equal(t, "/check-email?sent=register&next=%2Frounds%2Fx", r.Location)
	}
	sent := v.get(fresh.Location)
	require.Equal(t, http.StatusOK, sent.Code)
	require.Contains(t, sent.Body, "Check your email")
	require.Contains(t, sent.Body, `href="/sign-in?next=%2Frounds%2Fx"`, "signing in goes on to where registration began")
	require.Equal(t, http.StatusSeeOther, v.get("/dashboard").Code, "not signed in")

	// The new account signs in with its password, unconfirmed: every page
	// says so and offers a new link.
	in := s.visitor(t)
	in.get("/sign-in")
	r = in.post("/sign-in", url.Values{"email": {"ada@example.org"}, "password": {"long enough password"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	d := in.get("/dashboard")
	require.Equal(t, http.StatusOK, d.Code)
	require.Contains(t, d.Body, "Ada Okafor")
	require.Contains(t, d.Body, "Confirm your email address to submit applications")
	resend := in.post("/account/confirm/resend", url.Values{})
	require.Equal(t, http.StatusSeeOther, resend.Code)
	require.Equal(t, "/check-email?sent=confirm", resend.Location)

	// The e-mailed link opens a page whose button confirms; the link
	// works once.
	tok := s.env.LinkToken(t, "ada@example.org", "confirm")
	page := in.get("/account/confirm?token=" + tok)
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Body, `value="`+tok+`"`)
	done := in.post("/account/confirm", url.Values{"token": {tok}})
	require.Equal(t, http.StatusOK, done.Code, done.Body)
	require.Contains(t, done.Body, "Your email address is confirmed")
	require.NotContains(t, in.get("/dashboard").Body, "Confirm your email address to submit applications")
	again := in.post("/account/confirm", url.Values{"token": {tok}})
	require.Equal(t, http.StatusUnprocessableEntity, again.Code)
	require.Contains(t, again.Body, "This link cannot be used")
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "applicant@example.org")
	laptop := s.signedIn(t, "applicant@example.org")
	phone := s.signedIn(t, "applicant@example.org")
	tok, err := s.env.App.Login(context.Background(), "applicant@example.org", apptest.Password)
	require.NoError(t, err)

	laptop.get("/dashboard")
	r := laptop.post("/sign-out-everywhere", nil)
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?signed_out=everywhere", r.Location)
	require.Equal(t, http.StatusSeeOther, laptop.get("/dashboard").Code)
	require.Equal(t, http.StatusSeeOther, phone.get("/dashboard").Code)
	_, err = s.env.App.Authenticate(context.Background(), tok.Token) // API tokens too
	require.ErrorIs(t, err, app.ErrUnauthenticated)
}

// noSession asserts a response set no session cookie.
func noSession(t *testing.T, p page) {
	t.Helper()
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		require.NotEqual(t, "grants_session", c.Name)
	}
}

// The session ends after SessionIdle without a request; "stay signed in"
// answers scripts with the seconds left and sends others back.
func TestSessionTimeout(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "applicant@example.org")
	v := s.signedIn(t, "applicant@example.org")
	v.get("/dashboard")

	form := url.Values{"csrf_token": {v.csrf}, "next": {"/dashboard"}}
	req, err := http.NewRequest(http.MethodPost, v.base+"/session/extend", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	r := v.do(req)
	require.Equal(t, http.StatusOK, r.Code)
	var body struct {
		Remaining int `json:"remaining_seconds"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Body), &body))
	require.InDelta(t, 1800, body.Remaining, 120)

	r = v.post("/session/extend", url.Values{"next": {"/dashboard"}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/dashboard", r.Location)

	// A site whose sessions live a minute, on a clock the test moves.
	docs, err := document.NewStore(s.env.Docs)
	require.NoError(t, err)
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	short := app.New(s.env.Store, docs, app.Config{SessionIdle: time.Minute, PasswordCost: bcrypt.MinCost,
		Now: func() time.Time { return time.Unix(0, clock.Load()) }}, slog.New(slog.DiscardHandler))
	ui, err := web.New(short, slog.New(slog.DiscardHandler), web.Config{})
	require.NoError(t, err)
	e := gin.New()
	ui.Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	v2 := (&site{env: s.env, srv: srv}).signedIn(t, "applicant@example.org")
	require.Equal(t, http.StatusOK, v2.get("/dashboard").Code)
	clock.Add(int64(61 * time.Second))
	// A form posted after the time-out (its token bound to the session
	// that just ended) leads to sign-in, not to a refusal.
	r = v2.post("/session/extend", url.Values{"next": {"/dashboard"}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fdashboard", r.Location, "no page is at /session/extend or above it")

	// A form posted after the session ended comes back, after sign-in, to
	// its page: the form's own address when that is a page, else the page
	// above it.
	for path, want := range map[string]string{
		"/applications/app_x/eligibility": "/applications/app_x/eligibility",
		"/applications/app_x/submit":      "/applications/app_x",
		"/payments/pay_x/approve":         "/payments/pay_x",
		"/manage/reports/rpt_x/review":    "/manage/reports/rpt_x",
	} {
		r = s.visitor(t).post(path, url.Values{})
		require.Equal(t, http.StatusSeeOther, r.Code, path)
		require.Equal(t, "/sign-in?next="+url.QueryEscape(want), r.Location, path)
	}
	r = v2.get("/dashboard")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.True(t, strings.HasPrefix(r.Location, "/sign-in?next="))

	// The warning's own end: sign out, then sign-in says why.
	v3 := (&site{env: s.env, srv: srv}).signedIn(t, "applicant@example.org")
	require.Contains(t, v3.get("/dashboard").Body, "we will sign you out in 30 seconds")
	r = v3.post("/sign-out", url.Values{"timeout": {"1"}, "next": {"/dashboard"}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?timeout=1&next=%2Fdashboard", r.Location)
	require.Contains(t, v3.get(r.Location).Body, "We signed you out because")
	require.Equal(t, http.StatusSeeOther, v3.get("/dashboard").Code)
}

func TestSecureCookies(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.User(t, "applicant@example.org")
	ui, err := web.New(env.App, slog.New(slog.DiscardHandler), web.Config{SecureCookies: true})
	require.NoError(t, err)
	e := gin.New()
	ui.Register(e)

	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/sign-in", nil))
	resp := w.Result()
	defer resp.Body.Close()
	var seed *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-grants_csrf" {
			seed = c
		}
	}
	require.NotNil(t, seed, "the seed cookie, named with the __Host- prefix")
	require.True(t, seed.Secure)
	require.True(t, seed.HttpOnly)
	require.Equal(t, "/", seed.Path)
	require.Empty(t, seed.Domain)
	tok := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())[1]

	form := url.Values{"csrf_token": {tok}, "email": {"applicant@example.org"}, "password": {apptest.Password}}
	req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(seed)
	w = httptest.NewRecorder()
	e.ServeHTTP(w, req)
	require.Equal(t, http.StatusSeeOther, w.Code)
	resp2 := w.Result()
	defer resp2.Body.Close()
	found := false
	for _, c := range resp2.Cookies() {
		if c.Name == "__Host-grants_session" {
			found = true
			require.Equal(t, "/", c.Path)
			require.True(t, c.Secure)
			require.True(t, c.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, c.SameSite)
		}
	}
	require.True(t, found)
}

func TestAssetsAreContentHashed(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	v := s.visitor(t)
	home := v.get("/")
	m := regexp.MustCompile(`href="(/assets/app\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(home.Body)
	require.NotNil(t, m, "layout links the hashed stylesheet")
	r := v.get(m[1])
	require.Equal(t, http.StatusOK, r.Code)
	require.Equal(t, "public, max-age=31536000, immutable", r.Header.Get("Cache-Control"))
	require.Contains(t, r.Header.Get("Content-Type"), "text/css")
	require.Contains(t, r.Body, "font-family")
	plain := v.get("/assets/app.css")
	require.Equal(t, http.StatusOK, plain.Code)
	require.Equal(t, "public, max-age=3600", plain.Header.Get("Cache-Control"))
	require.Equal(t, http.StatusNotFound, v.get("/assets/nope.css").Code)
	require.Equal(t, http.StatusNotFound, v.get("/assets/app.0000000000.css").Code)

	// The module that starts GOV.UK Frontend imports its hashed file.
	js := regexp.MustCompile(`src="(/assets/govuk-init\.[0-9a-f]{10}\.js)"`).FindStringSubmatch(home.Body)
	require.NotNil(t, js)
	init := v.get(js[1])
	require.Equal(t, http.StatusOK, init.Code)
	require.Contains(t, init.Header.Get("Content-Type"), "javascript")
}
