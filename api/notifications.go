package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

func (h *Handler) listNotifications(c *gin.Context) {
	page, err := h.app.ListNotifications(c.Request.Context(), actor(c),
		app.NotificationQuery{Unread: c.Query("unread"), Page: pageQuery(c)})
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) markNotificationRead(c *gin.Context) {
	n, err := h.app.MarkNotificationRead(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, n, err)
}

func (h *Handler) listUndeliveredEmails(c *gin.Context) {
	page, err := h.app.ListUndeliveredEmails(c.Request.Context(), actor(c), pageQuery(c))
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) retryEmail(c *gin.Context) {
	if !h.emptyBody(c) {
		return
	}
	err := h.app.RetryEmail(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusAccepted, app.Accepted{Status: "queued"}, err)
}
