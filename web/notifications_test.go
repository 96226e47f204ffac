package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
)

// The notifications page: newest first, unread marked for eyes and screen
// readers, each linking to its thing, a mark-as-read form per unread one
// (CSRF-protected, only your own), paged; and the unread count in the
// header of every signed-in page.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	env := s.env
	ctx := context.Background()
	me := env.User(t, "me@example.org")
	other := env.User(t, "other@example.org")
	insert := func(user app.Actor, subject, entity string) {
		apptest.Must[sqlc.NotificationInsertRow](t)(env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: user.ID, Kind: "decision",
			Subject: subject, Body: "Body of " + subject, Entity: entity, DedupeKey: user.ID + subject}))
	}
	insert(me, "Older", "nothing:1")
	insert(me, "Newer", "application:app_1")
	insert(other, "Theirs", "application:app_2")
	v := s.signedIn(t, "me@example.org")

	header := func(body string) string {
		i := strings.Index(body, `href="/notifications"`)
		require.GreaterOrEqual(t, i, 0, "the header links to the notifications")
		return body[i : i+strings.Index(body[i:], "</a>")]
	}
	dash := v.get("/dashboard")
	require.Equal(t, http.StatusOK, dash.Code)
	require.Contains(t, header(dash.Body), `Notifications (2<span class="govuk-visually-hidden"> unread</span>)`)

	res := v.get("/notifications")
	require.Equal(t, http.StatusOK, res.Code, res.Body)
	require.Less(t, strings.Index(res.Body, "Newer"), strings.Index(res.Body, "Older"), "newest first")
	require.NotContains(t, res.Body, "Theirs")
	require.Equal(t, 2, strings.Count(res.Body, `<strong class="govuk-tag govuk-tag--blue">Unread</strong>`))
	require.Contains(t, res.Body, `<a class="govuk-link" href="/applications/app_1">Newer</a>`)
	require.NotContains(t, res.Body, `href="/nothing`, "an entity with no page has no link")
	require.Equal(t, 2, strings.Count(res.Body, "Mark as read<span class=\"govuk-visually-hidden\">"))

	mine, err := env.App.ListNotifications(ctx, me, app.NotificationQuery{})
	require.NoError(t, err)
	newer := mine.Items[0].ID
	theirs, err := env.App.ListNotifications(ctx, other, app.NotificationQuery{})
	require.NoError(t, err)

	// Without a CSRF token, or someone else's: refused, nothing changes.
	before := env.Snapshot(t, "notifications")
	require.Equal(t, http.StatusForbidden, v.post("/notifications/"+newer+"/read", url.Values{"csrf_token": {""}}).Code)
	require.Equal(t, http.StatusNotFound, v.post("/notifications/"+theirs.Items[0].ID+"/read", url.Values{}).Code)
	require.Equal(t, http.StatusNotFound, v.post("/notifications/nope/read", url.Values{}).Code)
	require.Equal(t, before, env.Snapshot(t, "notifications"))

	res = v.post("/notifications/"+newer+"/read", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	require.Equal(t, "/notifications#notification-"+newer, res.Location)
	res = v.get("/notifications")
	require.Equal(t, 1, strings.Count(res.Body, `govuk-tag--blue">Unread</strong>`))
	require.Contains(t, res.Body, `<span class="govuk-visually-hidden">Read: </span>`)
	require.Contains(t, header(res.Body), `Notifications (1<span`)
	require.Equal(t, http.StatusSeeOther, v.post("/notifications/"+newer+"/read", url.Values{}).Code, "again: no change, no error")

	// Paged 25 to a page; marking one read on a later page comes back to it.
	for i := range 30 {
		insert(me, fmt.Sprintf("Batch %02d", i), "grant:gr_1")
	}
	first := v.get("/notifications")
	require.Contains(t, first.Body, "Batch 29")
	require.NotContains(t, first.Body, "Batch 04")
	i := strings.Index(first.Body, `<a class="govuk-link" href="/notifications?cursor=`)
	require.GreaterOrEqual(t, i, 0, "a link to older notifications")
	next := first.Body[i+len(`<a class="govuk-link" href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	second := v.get(next)
	require.Equal(t, http.StatusOK, second.Code)
	require.Contains(t, second.Body, "Batch 04")
	require.Contains(t, second.Body, "Older")
	cursor := strings.TrimPrefix(next, "/notifications?cursor=")
	older := mine.Items[1].ID
	res = v.post("/notifications/"+older+"/read", url.Values{"cursor": {cursor}})
	require.Equal(t, "/notifications?cursor="+cursor+"#notification-"+older, res.Location)
	require.Equal(t, http.StatusNotFound, v.get("/notifications?cursor=abc").Code)

	// Signed out: sent to sign in.
	anon := s.visitor(t)
	require.Equal(t, http.StatusSeeOther, anon.get("/notifications").Code)
	require.NotContains(t, anon.get("/").Body, `href="/notifications"`)
}
