package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/web"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

func TestPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	def := apptest.ExampleRound(t)
	r := env.Round(t, def)
	ui, err := web.New(env.App, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	e := gin.New()
	ui.Register(e)
	e.NoRoute(ui.NotFound)

	home := get(t, e, "/")
	require.Equal(t, http.StatusOK, home.Code)
	require.Contains(t, home.Body.String(), "Apply for a community grant")
	require.Contains(t, home.Body.String(), `href="/rounds/`+r.ID+`"`)
	require.Contains(t, home.Header().Get("Content-Type"), "text/html")

	page := get(t, e, "/rounds/"+r.ID)
	require.Equal(t, http.StatusOK, page.Code)
	body := page.Body.String()
	require.Contains(t, body, def.Name)
	require.Contains(t, body, "What will you do?")              // a form question, readable before sign-up
	require.Contains(t, body, "Is your work mainly in London?") // an eligibility question
	require.Contains(t, body, "£1,000 to £5,000")

	require.Equal(t, http.StatusNotFound, get(t, e, "/rounds/rnd_nope").Code)
	require.Equal(t, http.StatusNotFound, get(t, e, "/nowhere").Code)
}
