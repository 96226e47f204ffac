package web_test

import (
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/dispatch"
	"github.com/civicgrants/grants/web"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
	"github.com/civicgrants/grants/workflows/wftest"
)

// site is the web UI on a fresh database, served over a real HTTP server.
type site struct {
	env *apptest.Env
	srv *httptest.Server
	h   http.Handler // what srv serves, for requests made in the test itself
	// engine is the same, with its routes: every page and form.
	engine *gin.Engine
}

func newSite(t *testing.T) *site {
	t.Helper()
	env := apptest.New(t)
	ui, err := web.New(env.App, slog.New(slog.DiscardHandler), web.Config{})
	require.NoError(t, err)
	e := gin.New()
	ui.Register(e)
	e.NoRoute(ui.NotFound)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &site{env: env, srv: srv, h: e, engine: e}
}

// withWorker runs the real workflows and activities for this site on a
// task queue of the test's own against the Temporal dev server; dispatch
// starts the workflows queued in the outbox.
func (s *site) withWorker(t *testing.T) (dispatchOnce func()) {
	t.Helper()
	tc := wftest.Client(t)
	queue := wftest.TaskQueue(t)
	log := slog.New(slog.DiscardHandler)
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w)
	(&activities.Activities{Store: s.env.Store, Log: log, Temporal: tc}).Register(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	s.env.App.UseCases(app.TemporalCases(tc, 20*time.Second))
	d := &dispatch.Dispatcher{Store: s.env.Store, Temporal: tc, Log: log, TaskQueue: queue}
	return func() {
		_, err := d.DispatchOnce(context.Background())
		require.NoError(t, err)
	}
}

// visitor is a browser without JavaScript: it keeps cookies, does not
// follow redirects, and posts forms with the CSRF token of the last page
// it fetched.
type visitor struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func (s *site) visitor(t *testing.T) *visitor {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &visitor{t: t, base: s.srv.URL, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn is a visitor signed in as the user with email (apptest.Password).
func (s *site) signedIn(t *testing.T, email string) *visitor {
	v := s.visitor(t)
	v.get("/sign-in")
	r := v.post("/sign-in", url.Values{"email": {email}, "password": {apptest.Password}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	return v
}

type page struct {
	Code     int
	Body     string
	Header   http.Header
	Location string
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (v *visitor) do(req *http.Request) page {
	v.t.Helper()
	resp, err := v.hc.Do(req)
	require.NoError(v.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(v.t, err)
	p := page{Code: resp.StatusCode, Body: string(b), Header: resp.Header, Location: resp.Header.Get("Location")}
	if m := csrfRE.FindStringSubmatch(p.Body); m != nil {
		v.csrf = m[1]
	}
	return p
}

func (v *visitor) get(path string) page {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.base+path, nil)
	require.NoError(v.t, err)
	return v.do(req)
}

// post sends form with the visitor's CSRF token unless form sets its own
// csrf_token (an empty one is sent as missing).
func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	form = cloneValues(form)
	if _, ok := form["csrf_token"]; !ok {
		if v.csrf == "" {
			v.get("/sign-in") // a page with a form
		}
		form.Set("csrf_token", v.csrf)
	} else if form.Get("csrf_token") == "" {
		form.Del("csrf_token")
	}
	req, err := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(req)
}

// upload posts a multipart form with one file field, its CSRF token in the
// action URL's query as the upload forms carry it: the visitor's, unless
// form sets its own csrf_token (an empty one is sent as missing).
func (v *visitor) upload(path string, form url.Values, field, filename string, content []byte) page {
	v.t.Helper()
	if v.csrf == "" {
		v.get("/sign-in") // a page with a form
	}
	form = cloneValues(form)
	tok := v.csrf
	if _, ok := form["csrf_token"]; ok {
		tok = form.Get("csrf_token")
		form.Del("csrf_token")
	}
	if tok != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "csrf_token=" + url.QueryEscape(tok)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, vs := range form {
			for _, x := range vs {
				_ = mw.WriteField(k, x)
			}
		}
		fw, err := mw.CreateFormFile(field, filename)
		if err == nil {
			_, _ = fw.Write(content)
		}
		_ = pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequest(http.MethodPost, v.base+path, pr)
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return v.do(req)
}

func cloneValues(in url.Values) url.Values {
	out := url.Values{}
	for k, v := range in {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// retryingPost posts form until the answer is not not_ready (a case whose
// workflow is still starting: the only 409 that carries Retry-After), as
// a person would press the button again.
func retryingPost(t *testing.T, v *visitor, path string, form url.Values) page {
	t.Helper()
	var r page
	require.Eventually(t, func() bool {
		r = v.post(path, form)
		return r.Code != http.StatusConflict || r.Header.Get("Retry-After") == ""
	}, 20*time.Second, 200*time.Millisecond)
	return r
}
