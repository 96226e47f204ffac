package web_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	dbtest.Main(m)
}

func TestPublicPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	def := apptest.ExampleRound(t)
	r := s.env.Round(t, def)
	v := s.visitor(t)

	home := v.get("/")
	require.Equal(t, http.StatusOK, home.Code)
	require.Contains(t, home.Body, "Apply for a community grant")
	require.Contains(t, home.Body, `href="/rounds/`+r.ID+`"`)
	require.Contains(t, home.Header.Get("Content-Type"), "text/html")
	require.Contains(t, home.Header.Get("Content-Security-Policy"), "script-src 'self'")

	start := v.get("/rounds/" + r.ID)
	require.Equal(t, http.StatusOK, start.Code)
	require.Contains(t, start.Body, def.Name)
	require.Contains(t, start.Body, "What will you do?")              // a form question, readable before sign-up
	require.Contains(t, start.Body, "Is your work mainly in London?") // an eligibility question
	require.Contains(t, start.Body, "£1,000 to £5,000")

	require.Equal(t, http.StatusNotFound, v.get("/rounds/rnd_nope").Code)
	nf := v.get("/nowhere")
	require.Equal(t, http.StatusNotFound, nf.Code)
	require.Contains(t, nf.Body, "Page not found")
}
