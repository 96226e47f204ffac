package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// A member deletes a draft from its task list after a confirmation page;
// without a CSRF token, or for another organisation, nothing is deleted;
// a submitted application cannot be deleted.
func TestApplicantDeleteDraft(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	who, _, a := b.draft(t, "owner@example.org")
	b.draft(t, "rival@example.org")
	v := b.signedIn(t, "owner@example.org")
	base := "/applications/" + a.ID
	require.Contains(t, v.get(base).Body, `href="`+base+`/delete">Delete this draft`)
	confirm := v.get(base + "/delete")
	require.Equal(t, http.StatusOK, confirm.Code)
	require.Contains(t, confirm.Body, "Are you sure you want to delete this draft?")
	require.Contains(t, confirm.Body, `action="`+base+`/delete"`)

	require.Equal(t, http.StatusForbidden, v.post(base+"/delete", url.Values{"csrf_token": {""}}).Code)
	rv := b.signedIn(t, "rival@example.org")
	require.Equal(t, http.StatusNotFound, rv.get(base+"/delete").Code)
	require.Equal(t, http.StatusNotFound, rv.post(base+"/delete", url.Values{}).Code)
	b.applicantApp(t, who, a.ID) // still there

	done := v.post(base+"/delete", url.Values{})
	require.Equal(t, http.StatusSeeOther, done.Code, done.Body)
	require.Equal(t, "/applications?deleted=1", done.Location)
	require.Contains(t, v.get(done.Location).Body, "Your draft has been deleted.")
	require.Equal(t, http.StatusNotFound, v.get(base).Code)
	_, err := b.env.App.GetApplication(context.Background(), who, a.ID)
	require.Error(t, err)

	// A submitted application: the page says so and a post is refused.
	sub := b.env.Submitted(t, b.round, "done@example.org", true)
	sv := b.signedIn(t, "done@example.org")
	page := sv.get("/applications/" + sub + "/delete")
	require.Contains(t, page.Body, "This application cannot be deleted")
	refused := sv.post("/applications/"+sub+"/delete", url.Values{})
	require.Equal(t, http.StatusConflict, refused.Code, refused.Body)
	require.Contains(t, refused.Body, "Only a draft can be deleted")
}
