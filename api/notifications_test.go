package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
)

// DESIGN §10: each item carries link, read_at and delivery; ?unread=true
// lists the unread; POST /notifications/{id}/read marks one of the
// caller's own (200, idempotent), anyone else's is 404.
func TestNotificationsRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	appID, _ := b.draft(t, "lead@example.org")
	me, ok, err := b.env.App.UserByEmail(ctx, "lead@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	tok := b.login(t, "lead@example.org")
	other, otherTok := b.staff(t, "other@example.org")
	for _, subject := range []string{"Older", "Newer"} {
		apptest.Must[sqlc.NotificationInsertRow](t)(b.env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: me.ID, Kind: "decision",
			Subject: subject, Body: "We have decided", Entity: "application:" + appID, DedupeKey: "t:" + subject}))
	}
	apptest.Must[sqlc.NotificationInsertRow](t)(b.env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: other.ID, Kind: "k",
		Subject: "Not yours", Body: "b", Entity: "nothing:1", DedupeKey: "other"}))

	res := b.do(t, "GET", "/notifications", tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	items := res.json(t)["items"].([]any)
	require.Len(t, items, 2)
	newer := items[0].(map[string]any)
	require.Equal(t, "Newer", newer["subject"])
	require.Equal(t, "/applications/"+appID, newer["link"])
	require.Nil(t, newer["read_at"])
	require.Equal(t, map[string]any{"status": "pending", "sent_at": nil}, newer["delivery"])
	for _, k := range []string{"id", "kind", "subject", "body", "entity", "link", "created_at", "read_at", "sent_at", "delivery"} {
		require.Contains(t, newer, k)
	}
	theirs := b.do(t, "GET", "/notifications", otherTok, nil).json(t)["items"].([]any)[0].(map[string]any)
	require.Nil(t, theirs["link"], "an entity with no page has no link")

	// Mark read: 200 with the item, again 200 and the same read_at.
	id := newer["id"].(string)
	res = b.do(t, "POST", "/notifications/"+id+"/read", tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	read := res.json(t)
	require.Equal(t, id, read["id"])
	require.NotNil(t, read["read_at"])
	again := b.do(t, "POST", "/notifications/"+id+"/read", tok, nil)
	require.Equal(t, http.StatusOK, again.Status, string(again.Body))
	require.Equal(t, read["read_at"], again.json(t)["read_at"])

	unread := b.do(t, "GET", "/notifications?unread=true", tok, nil).json(t)["items"].([]any)
	require.Len(t, unread, 1)
	require.Equal(t, "Older", unread[0].(map[string]any)["subject"])
	require.Len(t, b.do(t, "GET", "/notifications?unread=false", tok, nil).json(t)["items"], 2)

	b.expectRefused(t, func(t *testing.T) any { return b.env.Snapshot(t, "notifications") }, nil, []rejection{
		{"no token", "", "POST", "/notifications/" + id + "/read", nil, 401, "unauthenticated", ""},
		{"another user's", tok, "POST", "/notifications/" + theirs["id"].(string) + "/read", nil, 404, "not_found", ""},
		{"no such", tok, "POST", "/notifications/99999999/read", nil, 404, "not_found", ""},
		{"not an id", tok, "POST", "/notifications/abc/read", nil, 404, "not_found", ""},
		{"bad unread", tok, "GET", "/notifications?unread=yes", nil, 422, "validation_failed", "unread"},
	})
}
