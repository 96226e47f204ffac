package api_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
)

// A web session's cookie is no bearer token, and the API authenticates
// before it reads a byte of the body: an upload with no token, a session's
// token or an idle API token is 401 with its body unread.
func TestBearerAuthBeforeBody(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, draft := b.draft(t, "owner@example.org")
	appID := draft["id"].(string)
	ctx := context.Background()
	session, err := b.env.App.SignIn(ctx, "owner@example.org", apptest.Password)
	require.NoError(t, err)
	idle, err := b.env.App.Login(ctx, "owner@example.org", apptest.Password)
	require.NoError(t, err)
	_, err = b.env.Store.Pool.Exec(ctx, `UPDATE auth_tokens SET last_used_at = now() - interval '8 days' WHERE token_hash = sha256($1::bytea)`,
		[]byte(idle.Token))
	require.NoError(t, err)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "plan.pdf")
	require.NoError(t, err)
	_, err = fw.Write(append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	upload := func(auth string) (int, int64) {
		body := &apptest.CountingBody{R: bytes.NewReader(form.Bytes())}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/applications/"+appID+"/documents", body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		b.handler.ServeHTTP(w, req)
		return w.Code, body.BytesRead()
	}
	for name, auth := range map[string]string{
		"no token":        "",
		"a session":       "Bearer " + session.Token,
		"an idle token":   "Bearer " + idle.Token,
		"a made-up token": "Bearer nope",
		"not bearer":      "Basic b3duZXI6cGFzcw==",
	} {
		status, read := upload(auth)
		require.Equal(t, http.StatusUnauthorized, status, name)
		require.Zero(t, read, "%s: bytes of the body read", name)
	}
	require.Equal(t, http.StatusUnauthorized, b.do(t, "GET", "/me", session.Token, nil).Status, "a session is no bearer token")

	status, read := upload("Bearer " + tok)
	require.Equal(t, http.StatusCreated, status)
	require.Positive(t, read)
}
