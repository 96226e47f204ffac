package web

import "github.com/gin-gonic/gin"

// panelRoutes mounts the panel pages.
func (ui *UI) panelRoutes(pub, in *gin.RouterGroup) {}
