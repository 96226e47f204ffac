package web

import (
	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// panelRoutes mounts the panel pages: the assessor's queue, scoring,
// conflicts and affiliations; the panel's rounds and rankings; the staff
// view of a case with the chair's decision, the manager's moderation and
// the case's audit trail.
func (ui *UI) panelRoutes(_, in *gin.RouterGroup) {
	asr := in.Group("/assessments", ui.hasRole(app.RoleAssessor))
	asr.GET("", ui.panelQueue)
	asr.GET("/affiliations", ui.panelAffiliationsPage)
	asr.POST("/affiliations", ui.panelAffiliations)
	asr.GET("/:id", ui.panelAssessmentPage)
	asr.POST("/:id", ui.panelScore)
	asr.GET("/:id/conflict", ui.panelConflictPage)
	asr.POST("/:id/conflict", ui.panelConflict)

	staff := ui.hasRole(app.RoleChair, app.RoleManager)
	in.GET("/panel", staff, ui.panelRounds)
	in.GET("/panel/rounds/:id", staff, ui.panelRanking)
	in.GET("/cases/:id", staff, ui.panelCase)
	in.GET("/cases/:id/decide", ui.hasRole(app.RoleChair), ui.panelDecidePage)
	in.POST("/cases/:id/decide", ui.hasRole(app.RoleChair), ui.panelDecide)
	in.GET("/cases/:id/moderate", ui.hasRole(app.RoleManager), ui.panelModeratePage)
	in.POST("/cases/:id/moderate", ui.hasRole(app.RoleManager), ui.panelModerate)
	in.GET("/cases/:id/audit", ui.hasRole(app.RoleManager), ui.panelAudit)
}
