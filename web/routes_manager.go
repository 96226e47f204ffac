package web

import "github.com/gin-gonic/gin"

// managerRoutes mounts the manager pages.
func (ui *UI) managerRoutes(pub, in *gin.RouterGroup) {}
