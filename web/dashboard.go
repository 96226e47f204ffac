package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

type dashboardData struct {
	Me app.Me
}

// dashboard is every role's signed-in home: what each of the visitor's
// roles has waiting.
func (ui *UI) dashboard(c *gin.Context) {
	me, err := ui.app.Me(c.Request.Context(), actor(c))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "dashboard", page{Title: "Dashboard", Data: dashboardData{Me: me}})
}
