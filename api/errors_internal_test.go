package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// Every kind of use-case error answers with app.Kind.Status and the
// error's code in the shape of DESIGN §7; an error that is not an
// *app.Error is a 500 that never shows its text.
func TestWriteErrorStatusOfEveryKind(t *testing.T) {
	t.Parallel()
	for k := app.KindInternal; k <= app.KindUnavailable; k++ {
		t.Run(k.Code(), func(t *testing.T) {
			t.Parallel()
			e := &app.Error{Kind: k, Code: k.Code(), Message: "refused", RetryAfter: 7}
			rec := serveError(e)
			require.Equal(t, k.Status(), rec.Code)
			var body errorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Equal(t, k.Code(), body.Error.Code)
			require.Equal(t, "7", rec.Header().Get("Retry-After"))
			if k == app.KindUnauthenticated {
				require.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
	rec := serveError(errors.New("secret detail"))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "secret detail")
	require.Contains(t, rec.Body.String(), `"code":"internal"`)
}

// serveError answers one request through a route whose handler fails
// with err, written by writeError.
func serveError(err error) *httptest.ResponseRecorder {
	e := gin.New()
	e.GET("/fail", func(c *gin.Context) { writeError(c, slog.New(slog.DiscardHandler), err) })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	return rec
}
