package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Cookies. The session cookie holds an auth token of kind session; the
// CSRF cookie holds a random seed for visitors not signed in. Both are
// HttpOnly and SameSite=Lax, and Secure whenever the site is served over
// HTTPS (Config.SecureCookies), when their names take the __Host- prefix
// too, so no other site (a sibling subdomain, say) can set them.
const (
	sessionCookie = "grants_session"
	csrfCookie    = "grants_csrf"
	hostPrefix    = "__Host-"
	csrfField     = "csrf_token"
	ctxSession    = "web.session"
	ctxCSRFSeed   = "web.csrf"
	// maxFormBytes bounds a form post; uploads have their own, larger limit.
	maxFormBytes = 1 << 20
)

// sessionMiddleware resolves the session cookie (sliding its expiry) and
// makes sure the visitor has a CSRF seed.
func (ui *UI) sessionMiddleware(c *gin.Context) {
	if tok, err := c.Cookie(ui.cookieName(sessionCookie)); err == nil && tok != "" {
		s, err := ui.app.ResumeSession(c.Request.Context(), tok)
		switch {
		case err == nil:
			c.Set(ctxSession, &s)
		case isUnauthenticated(err):
			ui.clearCookie(c, sessionCookie)
		default:
			ui.fail(c, err)
			c.Abort()
			return
		}
	}
	seed, err := c.Cookie(ui.cookieName(csrfCookie))
	if err != nil || len(seed) < 20 || len(seed) > 100 {
		seed = ui.newCSRFSeed(c)
	}
	c.Set(ctxCSRFSeed, seed)
	c.Next()
}

// uploadRoutes are the forms that take a file, and so a body up to
// maxUploadBytes from a signed-in visitor; every other form is held to
// maxFormBytes.
var uploadRoutes = map[string]bool{"/applications/:id/documents": true, "/reports/:id/documents": true, "/reports/:id": true}

// csrfHeader may carry the CSRF token of a multipart post instead of the
// action URL's csrf_token.
const csrfHeader = "X-CSRF-Token"

// csrfMiddleware refuses, with 403 and before any handler runs, a POST
// whose CSRF token does not match the visitor's token. The session is
// already resolved from its cookie (sessionMiddleware), and no body is read
// before the token is checked: a multipart form (a file upload) carries its
// token in its action URL's query (csrf_token, or the X-CSRF-Token header),
// and only then is its body read, up to 10 MB on the upload forms for a
// signed-in visitor (a visitor without a session is sent to sign-in
// without it being read) and 1 MB anywhere else. A plain form's token is
// in its body, read up to 1 MB to find it.
//
// It also refuses, with 422, a form or query string holding text that
// PostgreSQL cannot store (a NUL character, bytes that are not UTF-8): the
// one check for every field a page reads.
func (ui *UI) csrfMiddleware(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		if !ui.storableParams(c, c.Request.URL.Query()) {
			return
		}
		c.Next()
		return
	}
	multipart := strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data")
	if multipart {
		tok := c.GetHeader(csrfHeader)
		if tok == "" {
			tok = c.Query(csrfField)
		}
		if !ui.csrfValid(c, tok) {
			ui.csrfRefused(c)
			return
		}
	}
	_, signedIn := sessionOf(c)
	limit := int64(maxFormBytes)
	if multipart && uploadRoutes[c.FullPath()] {
		if !signedIn { // signedIn sends the visitor to sign-in; the body is never read
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
			c.Next()
			return
		}
		limit = maxUploadBytes
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	var perr error
	if multipart {
		perr = c.Request.ParseMultipartForm(32 << 20) // in memory: the body is at most limit
	} else {
		perr = c.Request.ParseForm()
	}
	if mbe := (*http.MaxBytesError)(nil); errors.As(perr, &mbe) {
		ui.render(c, app.KindTooLarge.Status(), "error", page{Title: "What you sent is too large",
			Data: errorData{Message: "Each file must be 10 MB or smaller, and a form without files 1 MB. Go back and choose a smaller file. Nothing was changed."}})
		c.Abort()
		return
	}
	if !multipart && !ui.csrfValid(c, c.PostForm(csrfField)) {
		ui.csrfRefused(c)
		return
	}
	if !ui.storableParams(c, c.Request.URL.Query()) || !ui.storableParams(c, c.Request.PostForm) {
		return
	}
	c.Next()
}

func (ui *UI) csrfRefused(c *gin.Context) {
	ui.render(c, http.StatusForbidden, "error", page{Title: "Your form could not be sent",
		Data: errorData{Message: "The form was out of date or did not come from this site, so nothing was changed. Go back, reload the page and try again."}})
	c.Abort()
}

// storableParams renders a 422 naming the fields whose text cannot be
// stored, and reports whether params passed.
func (ui *UI) storableParams(c *gin.Context, params map[string][]string) bool {
	err := app.CheckParams(params)
	if err == nil {
		return true
	}
	f := newForm()
	if e, ok := app.AsError(err); ok {
		names := make([]string, 0, len(e.Fields))
		for name := range e.Fields {
			names = append(names, name)
		}
		slices.Sort(names)
		f.Fail("", "These fields contain a character we cannot store: "+strings.Join(names, ", "))
	}
	ui.render(c, http.StatusUnprocessableEntity, "error", page{Title: "There is a problem", Form: f,
		Data: errorData{Message: "Something you sent contains a character we cannot store (such as a NUL character). Go back, remove it and try again. Nothing was changed."}})
	c.Abort()
	return false
}

// csrfValid accepts the token of the visitor's session cookie when the
// request carries one (even one that has just expired, so a form posted
// after a time-out leads to sign-in rather than a refusal), and otherwise
// that of their CSRF seed. Tokens are signed with the server's form key,
// so a cookie planted by someone else (a seed or a session of their
// choosing) gives them no token that passes.
func (ui *UI) csrfValid(c *gin.Context, got string) bool {
	if got == "" {
		return false
	}
	key := c.GetString(ctxCSRFSeed)
	if tok, err := c.Cookie(ui.cookieName(sessionCookie)); err == nil && tok != "" {
		key = tok
	}
	return key != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ui.csrfMAC(key))) == 1
}

// csrfToken is the token forms carry: a MAC of the session token for a
// signed-in visitor (so it dies with the session), else of the CSRF seed.
func (ui *UI) csrfToken(c *gin.Context) string {
	key, _ := c.Cookie(ui.cookieName(sessionCookie))
	if _, ok := sessionOf(c); !ok {
		key = c.GetString(ctxCSRFSeed)
	}
	return ui.csrfMAC(key)
}

func (ui *UI) csrfMAC(key string) string {
	m := hmac.New(sha256.New, ui.formKey)
	m.Write([]byte("grants csrf v2\x00" + key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (ui *UI) newCSRFSeed(c *gin.Context) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	seed := base64.RawURLEncoding.EncodeToString(b)
	ui.setCookie(c, csrfCookie, seed, 0)
	c.Set(ctxCSRFSeed, seed)
	return seed
}

// cookieName is a cookie's name on this site: with the __Host- prefix
// when cookies are Secure.
func (ui *UI) cookieName(name string) string {
	if ui.cfg.SecureCookies {
		return hostPrefix + name
	}
	return name
}

func (ui *UI) setCookie(c *gin.Context, name, value string, maxAge int) {
	//nolint:gosec // G124: Secure is set whenever GRANTS_PUBLIC_URL is https; off only for plain-HTTP local use
	http.SetCookie(c.Writer, &http.Cookie{Name: ui.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: ui.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (ui *UI) clearCookie(c *gin.Context, name string) { ui.setCookie(c, name, "", -1) }

// startSession sets the session cookie after sign-in (or registration);
// a session the browser already had is ended, and the CSRF seed is
// replaced, so nothing from before sign-in carries over.
func (ui *UI) startSession(c *gin.Context, tok app.Token) {
	if old, err := c.Cookie(ui.cookieName(sessionCookie)); err == nil && old != "" && old != tok.Token {
		if err := ui.app.Logout(c.Request.Context(), old); err != nil {
			ui.log.WarnContext(c.Request.Context(), "end the session signed in over", "err", err)
		}
	}
	ui.setCookie(c, sessionCookie, tok.Token, 0) // a browser-session cookie; the server ends it
	ui.newCSRFSeed(c)
}

func (ui *UI) endSession(c *gin.Context) {
	ui.clearCookie(c, sessionCookie)
	ui.newCSRFSeed(c)
}

// sessionOf returns the signed-in visitor, if any.
func sessionOf(c *gin.Context) (*app.Session, bool) {
	v, ok := c.Get(ctxSession)
	if !ok {
		return nil, false
	}
	s, ok := v.(*app.Session)
	return s, ok
}

// visitorActor is the signed-in visitor, or the zero Actor (the public)
// on a public page visited signed out.
func visitorActor(c *gin.Context) app.Actor {
	if s, ok := sessionOf(c); ok && s != nil {
		return s.Actor
	}
	return app.Actor{}
}

// actor returns the signed-in visitor; only for handlers behind signedIn.
func actor(c *gin.Context) app.Actor {
	s, _ := sessionOf(c)
	return s.Actor
}

// signedIn sends a visitor without a session to sign-in (303), with the
// page they wanted as next.
func (ui *UI) signedIn(c *gin.Context) {
	if _, ok := sessionOf(c); ok {
		c.Next()
		return
	}
	c.Redirect(http.StatusSeeOther, "/sign-in?next="+url.QueryEscape(ui.returnTo(c)))
	c.Abort()
}

// returnTo is where sign-in leads back to: the page asked for, or the
// page of the form posted.
func (ui *UI) returnTo(c *gin.Context) string {
	if c.Request.Method == http.MethodGet {
		return c.Request.URL.RequestURI()
	}
	return ui.pageOf(c.FullPath(), c.Request.URL.Path)
}

// pageOf is the page a form posted to path (matching the route pattern)
// belongs to, to come back to after sign-in: path itself when it is a
// page too, else the nearest page above it (a payment's page for
// /payments/{id}/approve), else the dashboard.
func (ui *UI) pageOf(pattern, path string) string {
	for pattern != "" && pattern != "/" {
		if ui.pages[pattern] {
			return path
		}
		pattern, path = pattern[:strings.LastIndex(pattern, "/")], path[:strings.LastIndex(path, "/")]
	}
	return "/dashboard"
}

// hasRole lets through a signed-in visitor holding any of roles; others see
// 403. Use after signedIn.
func (ui *UI) hasRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, ok := sessionOf(c)
		if ok && slices.ContainsFunc(roles, s.Actor.Has) {
			c.Next()
			return
		}
		ui.forbidden(c)
		c.Abort()
	}
}

// safeNext is the one rule for where sign-in (and every other ?next=)
// leads back to: a path on this site, else the dashboard. next passes only
// if it starts with a single "/" and, as given and after each round of
// percent-decoding, it has no backslash (browsers read "\" as "/"), no
// control character or space (browsers drop tabs and newlines), no "//" in
// its path (also after cleaning "." and ".." as http.Redirect does), and
// no scheme, host or user. So "//evil.example", "/\evil.example",
// "/./\evil.example", "/%2F%2Fevil.example" and their kin never leave.
func safeNext(next string) string {
	if !localPath(next) {
		return "/dashboard"
	}
	return next
}

// maxNextLen bounds a ?next= value.
const maxNextLen = 2048

func localPath(next string) bool {
	if len(next) > maxNextLen || !strings.HasPrefix(next, "/") {
		return false
	}
	s := next
	for range 4 { // as given, then decoded up to three times
		if !localPathForm(s) {
			return false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			return true
		}
		s = d
	}
	return false // still encoded after three rounds: nothing of ours
}

// localPathForm checks one form (raw or decoded) of a ?next= value.
func localPathForm(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError {
			return false
		}
	}
	p := s
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if strings.Contains(p, "//") || strings.HasPrefix(path.Clean(p), "//") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" && strings.HasPrefix(u.Path, "/")
}

// sessionRemaining is how long the session has left, for the time-out
// warning.
func sessionRemaining(s *app.Session, now time.Time) int {
	d := s.ExpiresAt.Sub(now)
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}

func isNotFound(err error) bool {
	e, ok := app.AsError(err)
	return ok && e.Kind == app.KindNotFound
}

func isUnauthenticated(err error) bool {
	e, ok := app.AsError(err)
	return ok && e.Kind == app.KindUnauthenticated
}
