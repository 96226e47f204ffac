package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
)

// No body is read before the session and CSRF checks: a file upload (5 MB
// here) from a visitor without a session, or without the right token in
// its address, is answered without one byte of it being read.
func TestUploadBodyNotReadBeforeSessionAndCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "owner@example.org")
	signed := s.signedIn(t, "owner@example.org")
	signed.get("/dashboard") // the session's token
	anon := s.visitor(t)
	anon.get("/sign-in") // a CSRF seed and its token
	site, err := url.Parse(s.srv.URL)
	require.NoError(t, err)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "plan.pdf")
	require.NoError(t, err)
	_, err = fw.Write(append([]byte("%PDF-1.4\n"), make([]byte, 5<<20)...))
	require.NoError(t, err)
	require.NoError(t, mw.WriteField("csrf_token", signed.csrf)) // in the body: not where it is looked for
	require.NoError(t, mw.Close())

	post := func(v *visitor, query string, header ...string) (*httptest.ResponseRecorder, int64) {
		t.Helper()
		body := &apptest.CountingBody{R: bytes.NewReader(form.Bytes())}
		req := httptest.NewRequest(http.MethodPost, "/applications/app_nope/documents"+query, body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if len(header) == 1 {
			req.Header.Set("X-CSRF-Token", header[0])
		}
		for _, c := range v.hc.Jar.Cookies(site) {
			req.AddCookie(c)
		}
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, req)
		return w, body.BytesRead()
	}

	for name, tc := range map[string]struct {
		v     *visitor
		query string
		want  int
	}{
		"no session, no token":           {anon, "", http.StatusForbidden},
		"no session, the seed's token":   {anon, "?csrf_token=" + url.QueryEscape(anon.csrf), http.StatusSeeOther},
		"a session, token in body only":  {signed, "", http.StatusForbidden},
		"a session, a wrong token":       {signed, "?csrf_token=nope", http.StatusForbidden},
		"a session, another's token":     {signed, "?csrf_token=" + url.QueryEscape(anon.csrf), http.StatusForbidden},
		"no session, the session's form": {anon, "?csrf_token=" + url.QueryEscape(signed.csrf), http.StatusForbidden},
	} {
		w, read := post(tc.v, tc.query)
		require.Equal(t, tc.want, w.Code, name)
		require.Zero(t, read, "%s: bytes of the body read", name)
	}

	// With the session and its token (in the address, or the header) the
	// upload goes ahead: the body is read (the application does not exist).
	w, read := post(signed, "?csrf_token="+url.QueryEscape(signed.csrf))
	require.Equal(t, http.StatusNotFound, w.Code)
	require.Positive(t, read)
	w, read = post(signed, "", signed.csrf)
	require.Equal(t, http.StatusNotFound, w.Code)
	require.Positive(t, read)
	w, read = post(signed, "", "nope")
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Zero(t, read)
}
