package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the views; each is parsed with the layout.
var pages = []string{"home", "round", "error"}

// UI serves the web pages.
type UI struct {
	app   *app.App
	log   *slog.Logger
	views map[string]*template.Template
}

var funcs = template.FuncMap{
	"pounds": pounds,
	"date":   func(t time.Time) string { return t.UTC().Format("2 January 2006 at 15:04 MST") },
}

// New parses every view once; a template error fails start-up.
func New(a *app.App, log *slog.Logger) (*UI, error) {
	ui := &UI{app: a, log: log, views: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse view %s: %w", p, err)
		}
		ui.views[p] = t
	}
	return ui, nil
}

// Register mounts the pages on r.
func (ui *UI) Register(r gin.IRoutes) {
	r.GET("/", ui.home)
	r.GET("/rounds/:id", ui.round)
}

// render executes a view into a buffer first, so a failing template never
// sends half a page.
func (ui *UI) render(c *gin.Context, status int, view string, data any) {
	var buf bytes.Buffer
	if err := ui.views[view].Execute(&buf, data); err != nil {
		ui.log.ErrorContext(c.Request.Context(), "render", "view", view, "err", err)
		c.String(http.StatusInternalServerError, "Sorry, there is a problem with the service.")
		return
	}
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// NotFound renders the not-found page.
func (ui *UI) NotFound(c *gin.Context) {
	ui.render(c, http.StatusNotFound, "error", gin.H{"Title": "Page not found",
		"Message": "If you typed the web address, check it is correct."})
}

type roundGroup struct {
	Programme app.Programme
	Rounds    []app.Round
}

func (ui *UI) home(c *gin.Context) {
	ctx := c.Request.Context()
	progs, err := ui.app.ListProgrammes(ctx)
	if err != nil {
		ui.fail(c, err)
		return
	}
	page, err := ui.app.ListRounds(ctx, app.RoundFilter{Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		ui.fail(c, err)
		return
	}
	groups := make([]roundGroup, 0, len(progs))
	for _, p := range progs {
		g := roundGroup{Programme: p}
		for _, r := range page.Items {
			if r.Programme == p.Code {
				g.Rounds = append(g.Rounds, r)
			}
		}
		groups = append(groups, g)
	}
	ui.render(c, http.StatusOK, "home", gin.H{"Title": "Apply for a community grant", "Groups": groups})
}

func (ui *UI) round(c *gin.Context) {
	r, err := ui.app.GetRound(c.Request.Context(), c.Param("id"))
	if err != nil {
		if e, ok := app.AsError(err); ok && e.Kind == app.KindNotFound {
			ui.NotFound(c)
			return
		}
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "round", gin.H{"Title": r.Name, "Round": r})
}

func (ui *UI) fail(c *gin.Context, err error) {
	ui.log.ErrorContext(c.Request.Context(), "web page", "path", c.FullPath(), "err", err)
	ui.render(c, http.StatusInternalServerError, "error", gin.H{"Title": "Sorry, there is a problem with the service",
		"Message": "Try again later."})
}

// pounds formats pence as £1,234 or £1,234.56.
func pounds(p int64) string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	digits := strconv.FormatInt(p/100, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	s := sign + "£" + b.String()
	if p%100 != 0 {
		s += fmt.Sprintf(".%02d", p%100)
	}
	return s
}
