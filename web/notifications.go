package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// notificationsData is the notifications page: a page of the signed-in
// person's notifications, newest first, and the link to the next.
type notificationsData struct {
	Items  []app.Notification
	Next   string
	Cursor string // this page's cursor, so marking one read comes back here
}

// notifications lists the signed-in person's notifications.
func (ui *UI) notifications(c *gin.Context) {
	cursor := c.Query("cursor")
	p, err := ui.app.ListNotifications(c.Request.Context(), actor(c), app.NotificationQuery{Page: app.PageQuery{Cursor: cursor, Limit: "25"}})
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := notificationsData{Items: p.Items, Cursor: cursor}
	if p.NextCursor != nil {
		d.Next = "/notifications?cursor=" + url.QueryEscape(*p.NextCursor)
	}
	ui.render(c, http.StatusOK, "notifications", page{Title: "Notifications", Data: d})
}

// markNotificationRead marks one of the signed-in person's notifications
// read and goes back to the page it was on.
func (ui *UI) markNotificationRead(c *gin.Context) {
	n, err := ui.app.MarkNotificationRead(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	to := "/notifications"
	if cur := c.PostForm("cursor"); cur != "" {
		to += "?cursor=" + url.QueryEscape(cur)
	}
	redirect(c, to+"#notification-"+n.ID)
}
