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
