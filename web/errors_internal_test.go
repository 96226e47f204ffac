package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// Every kind of use-case error answers a page with app.Kind.Status, the
// API's status for the same error: on the error page (fail) and on a form
// re-rendered with the problem (refusal). Signed out is the one kind a
// browser is not shown as a status: fail sends it to sign-in.
func TestPageStatusOfEveryKind(t *testing.T) {
	t.Parallel()
	ui, err := New(&app.App{}, slog.New(slog.DiscardHandler), Config{})
	require.NoError(t, err)
	e := gin.New()
	var refused error
	e.GET("/fail", func(c *gin.Context) { ui.fail(c, refused) })
	e.POST("/form", func(c *gin.Context) {
		f := newForm()
		f.FromApp(refused, nil)
		ui.render(c, refusal(c, refused), "error", page{Title: "Form", Form: f, Data: errorData{}})
	})
	serve := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}
	for k := app.KindInternal; k <= app.KindUnavailable; k++ {
		refused = &app.Error{Kind: k, Code: k.Code(), Message: "refused", RetryAfter: 7}
		rec := serve(http.MethodGet, "/fail")
		if k == app.KindUnauthenticated {
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, "/sign-in?next=%2Ffail", rec.Header().Get("Location"))
		} else {
			require.Equal(t, k.Status(), rec.Code, "fail: %s", k.Code())
		}
		rec = serve(http.MethodPost, "/form")
		require.Equal(t, k.Status(), rec.Code, "refusal: %s", k.Code())
		require.Equal(t, "7", rec.Header().Get("Retry-After"), "refusal: %s", k.Code())
	}
	refused = errors.New("secret detail")
	rec := serve(http.MethodGet, "/fail")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "secret detail")
}
