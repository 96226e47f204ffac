package web

import (
	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// managerRoutes mounts the programme managers' pages: the rounds, and the
// forms that create and edit them.
func (ui *UI) managerRoutes(_, in *gin.RouterGroup) {
	m := in.Group("/manage/rounds", ui.hasRole(app.RoleManager))
	m.GET("", ui.managerRounds)
	m.GET("/new", ui.managerNewRoundPage)
	m.POST("/new", ui.managerCreateRound)
	m.GET("/:id/edit", ui.managerEditRoundPage)
	m.POST("/:id/edit", ui.managerUpdateRound)
}
