package app_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
)

// notifyN writes n notifications for user about entity, oldest first.
func notifyN(t *testing.T, env *apptest.Env, user app.Actor, entity string, n int) {
	t.Helper()
	for i := range n {
		apptest.Must[sqlc.NotificationInsertRow](t)(env.Store.NotificationInsert(context.Background(), sqlc.NotificationInsertParams{UserID: user.ID,
			Kind: "decision", Subject: "Message " + strconv.Itoa(i), Body: "Body", Entity: entity,
			DedupeKey: user.ID + ":" + entity + ":" + strconv.Itoa(i)}))
	}
}

func subjects(p app.Page[app.Notification]) []string {
	out := []string{}
	for _, n := range p.Items {
		out = append(out, n.Subject)
	}
	return out
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	me := env.User(t, "me@example.org")
	other := env.User(t, "other@example.org")
	notifyN(t, env, me, "application:app_1", 3)
	notifyN(t, env, other, "grant:gr_1", 1)

	all, err := env.App.ListNotifications(ctx, me, app.NotificationQuery{})
	require.NoError(t, err)
	require.Equal(t, []string{"Message 2", "Message 1", "Message 0"}, subjects(all), "newest first, only mine")
	first := all.Items[0]
	require.True(t, first.Unread())
	require.Equal(t, app.Delivery{Status: app.DeliveryPending}, first.Delivery, "no row was sent: pending")
	require.NotNil(t, first.Link)
	require.Equal(t, "/applications/app_1", *first.Link)
	count, err := env.App.UnreadNotifications(ctx, me)
	require.NoError(t, err)
	require.EqualValues(t, 3, count)

	// Marking read: once, and again without change.
	read, err := env.App.MarkNotificationRead(ctx, me, all.Items[1].ID)
	require.NoError(t, err)
	require.NotNil(t, read.ReadAt)
	again, err := env.App.MarkNotificationRead(ctx, me, all.Items[1].ID)
	require.NoError(t, err)
	require.True(t, read.ReadAt.Equal(*again.ReadAt), "idempotent: the first read_at stays")
	count, err = env.App.UnreadNotifications(ctx, me)
	require.NoError(t, err)
	require.EqualValues(t, 2, count)

	unread, err := env.App.ListNotifications(ctx, me, app.NotificationQuery{Unread: "true"})
	require.NoError(t, err)
	require.Equal(t, []string{"Message 2", "Message 0"}, subjects(unread))
	all, err = env.App.ListNotifications(ctx, me, app.NotificationQuery{Unread: "false"})
	require.NoError(t, err)
	require.Len(t, all.Items, 3)

	// Unread pages like any list.
	p1, err := env.App.ListNotifications(ctx, me, app.NotificationQuery{Unread: "true", Page: app.PageQuery{Limit: "1"}})
	require.NoError(t, err)
	require.Equal(t, []string{"Message 2"}, subjects(p1))
	require.NotNil(t, p1.NextCursor)
	p2, err := env.App.ListNotifications(ctx, me, app.NotificationQuery{Unread: "true", Page: app.PageQuery{Limit: "1", Cursor: *p1.NextCursor}})
	require.NoError(t, err)
	require.Equal(t, []string{"Message 0"}, subjects(p2))
	require.Nil(t, p2.NextCursor)

	// A sent row says so.
	_, err = env.Store.Pool.Exec(ctx, `UPDATE notifications SET sent_at = $1 WHERE user_id = $2`, time.Now(), other.ID)
	require.NoError(t, err)
	theirs, err := env.App.ListNotifications(ctx, other, app.NotificationQuery{})
	require.NoError(t, err)
	require.Equal(t, app.DeliverySent, theirs.Items[0].Delivery.Status)
	require.NotNil(t, theirs.Items[0].Delivery.SentAt)

	// Another user's notification, or none, is 404 and changes nothing.
	before := env.Snapshot(t, "notifications")
	for _, id := range []string{theirs.Items[0].ID, "999999", "abc", "0", "-1", ""} {
		_, err = env.App.MarkNotificationRead(ctx, me, id)
		var notFound *app.Error
		require.ErrorAs(t, err, &notFound, id)
		require.Equal(t, app.KindNotFound, notFound.Kind, id)
	}
	require.Equal(t, before, env.Snapshot(t, "notifications"))

	// Bad list queries: 422 naming every field.
	_, err = env.App.ListNotifications(ctx, me, app.NotificationQuery{Unread: "yes", Page: app.PageQuery{Limit: "0", Cursor: "x"}})
	var appErr *app.Error
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, app.KindInvalid, appErr.Kind)
	require.Len(t, appErr.Fields, 3)
	for _, f := range []string{"cursor", "limit", "unread"} {
		require.Contains(t, appErr.Fields, f)
	}
}
