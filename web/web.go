package web

import (
	"bytes"
	"crypto/rand"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

//go:embed templates
var templateFS embed.FS

// maxUploadBytes bounds a multipart form post: one document (10 MiB, the
// use case's limit) and the form around it.
const maxUploadBytes = 10<<20 + 64<<10

// Config holds the web UI's settings.
type Config struct {
	// SecureCookies marks cookies Secure; set it whenever the site is
	// reached over HTTPS (the server derives it from GRANTS_PUBLIC_URL).
	SecureCookies bool
}

// UI serves the web pages.
type UI struct {
	app    *app.App
	log    *slog.Logger
	cfg    Config
	views  map[string]*template.Template
	assets *assets
	now    func() time.Time
	// formKey signs CSRF tokens (app.FormKey, shared by replicas).
	formKey []byte
	// pages are the GET routes' patterns, filled in by Register.
	pages map[string]bool
}

// New reads the static assets and parses every view once; a template error
// fails start-up.
func New(a *app.App, log *slog.Logger, cfg Config) (*UI, error) {
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	ui := &UI{app: a, log: log, cfg: cfg, assets: as, views: map[string]*template.Template{}, now: time.Now, formKey: a.FormKey(), pages: map[string]bool{}}
	if ui.formKey == nil {
		// Without an encryption key (tests, a lone server) the key is this
		// process's own: forms from another replica would be refused.
		ui.formKey = make([]byte, 32)
		_, _ = rand.Read(ui.formKey) // crypto/rand.Read never fails (Go 1.24+)
	}
	if err := ui.parse(); err != nil {
		return nil, err
	}
	return ui, nil
}

// parse builds one template set per view: the layout, the shared partials
// and the view's own file (templates/pages/<view>.html).
func (ui *UI) parse() error {
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return fmt.Errorf("list views: %w", err)
	}
	fm := funcs()
	fm["asset"] = ui.assets.url
	for k, f := range supportFuncs() {
		fm[k] = f
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New("layout.html").Funcs(fm).ParseFS(templateFS,
			"templates/layout.html", "templates/partials/*.html", f)
		if err != nil {
			return fmt.Errorf("parse view %s: %w", name, err)
		}
		for _, block := range []string{"content"} {
			if t.Lookup(block) == nil {
				return fmt.Errorf("view %s defines no %q", name, block)
			}
		}
		ui.views[name] = t
	}
	return nil
}

// page is what every view renders: the handler sets Title, Form, Data and
// the rest; render fills in the visitor's session, CSRF token and
// navigation.
type page struct {
	Title string
	Form  *Form  // the form on the page, with the visitor's input and errors; may be nil
	Data  any    // the view's own data
	Flash string // a success message shown in a notification banner
	Back  string // a back link, when the page has one

	Session   *app.Session
	Unread    int64 // the signed-in person's unread notifications, for the header
	CSRF      string
	Nav       []navItem
	Path      string
	Remaining int // seconds of session left, for the time-out warning
	Warn      int // seconds before the end to warn
}

type errorData struct {
	Message string
}

// render executes a view into a buffer first, so a failing template never
// sends half a page.
func (ui *UI) render(c *gin.Context, status int, view string, p page) {
	t, ok := ui.views[view]
	if !ok {
		ui.log.ErrorContext(c.Request.Context(), "render: no such view", "view", view)
		c.String(http.StatusInternalServerError, "Sorry, there is a problem with the service.")
		return
	}
	if s, ok := sessionOf(c); ok {
		p.Session = s
		p.Nav = navFor(s.Actor, c.Request.URL.Path)
		n, err := ui.app.UnreadNotifications(c.Request.Context(), s.Actor)
		if err != nil { // the page is still worth showing without its count
			ui.log.ErrorContext(c.Request.Context(), "render: count unread notifications", "err", err)
		}
		p.Unread = n
		p.Remaining = sessionRemaining(s, ui.now())
		p.Warn = warnBefore(ui.app.SessionIdle())
	}
	if p.Form == nil {
		p.Form = newForm()
	}
	p.CSRF = ui.csrfToken(c)
	p.Path = c.Request.URL.Path
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		ui.log.ErrorContext(c.Request.Context(), "render", "view", view, "err", err)
		c.String(http.StatusInternalServerError, "Sorry, there is a problem with the service.")
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// warnBefore is how long before the session ends the time-out warning
// shows: two minutes, or half the idle time when that is shorter.
func warnBefore(idle time.Duration) int {
	return int(min(2*time.Minute, idle/2) / time.Second)
}

// redirect answers a successful POST: 303 to the next page.
func redirect(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }

// NotFound renders the not-found page.
func (ui *UI) NotFound(c *gin.Context) {
	ui.render(c, app.KindNotFound.Status(), "error", page{Title: "Page not found",
		Data: errorData{Message: "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."}})
}

func (ui *UI) forbidden(c *gin.Context) {
	ui.render(c, app.KindForbidden.Status(), "error", page{Title: "You cannot see this page",
		Data: errorData{Message: "Your account does not give you access to this page."}})
}

// fail renders the page for a use-case error that the handler does not
// show on its form, with the status of app.Kind.Status: not found and not
// allowed have their own pages, signed out goes to sign-in (the browser's
// face of 401), conflicts and limits show their message, anything else is
// 500.
func (ui *UI) fail(c *gin.Context, err error) {
	e, ok := app.AsError(err)
	if !ok || e.Kind == app.KindInternal {
		ui.log.ErrorContext(c.Request.Context(), "web page", "path", c.FullPath(), "err", err)
		ui.render(c, http.StatusInternalServerError, "error", page{Title: "Sorry, there is a problem with the service",
			Data: errorData{Message: "Try again later. Nothing you had saved has been lost."}})
		return
	}
	switch e.Kind {
	case app.KindNotFound:
		ui.NotFound(c)
	case app.KindForbidden:
		ui.forbidden(c)
	case app.KindUnauthenticated:
		ui.endSession(c)
		redirect(c, "/sign-in?next="+urlQueryEscape(ui.returnTo(c)))
	default:
		title := "There is a problem"
		if e.Kind == app.KindUnavailable {
			title = "Sorry, the service is unavailable"
		}
		ui.render(c, refusal(c, err), "error", page{Title: title, Data: errorData{Message: e.Message}})
	}
}

// failList answers the error of a list page: a query of a link this site
// did not give out (a bad cursor, 422 from the use case) is not found.
func (ui *UI) failList(c *gin.Context, err error) {
	if e, ok := app.AsError(err); ok && e.Kind == app.KindInvalid {
		ui.NotFound(c)
		return
	}
	ui.fail(c, err)
}

// refusal is the status to render a page with for a use-case error
// (app.StatusOf: the API's status for the same error), setting
// Retry-After when the error says when to try again. A page shows the
// refusal on its own form or on the error page; the status is never its
// choice.
func refusal(c *gin.Context, err error) int {
	if e, ok := app.AsError(err); ok && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	return app.StatusOf(err)
}
