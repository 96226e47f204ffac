package web

import (
	"github.com/gin-gonic/gin"
)

// Register mounts the web UI on r: static assets, then every page behind
// the session and CSRF middleware. Public pages go on pub; pages that need
// a session on in (a visitor without one is sent to sign-in with ?next=).
func (ui *UI) Register(r gin.IRouter) {
	r.GET("/assets/*name", ui.assets.serve)
	pub := r.Group("/", ui.sessionMiddleware, ui.csrfMiddleware)
	in := pub.Group("/", ui.signedIn)

	pub.GET("/", ui.home)
	pub.GET("/rounds/:id", ui.round)
	pub.GET("/sign-in", ui.signInPage)
	pub.POST("/sign-in", ui.signIn)
	pub.GET("/register", ui.registerPage)
	pub.POST("/register", ui.register)
	pub.POST("/sign-out", ui.signOut)
	in.POST("/sign-out-everywhere", ui.signOutEverywhere)
	in.POST("/session/extend", ui.extendSession)
	in.GET("/dashboard", ui.dashboard)

	ui.applicantRoutes(pub, in)
	ui.granteeRoutes(pub, in)
	ui.panelRoutes(pub, in)
	ui.financeRoutes(pub, in)
	ui.managerRoutes(pub, in)
}
