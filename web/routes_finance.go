package web

import "github.com/gin-gonic/gin"

// financeRoutes mounts the finance pages.
func (ui *UI) financeRoutes(pub, in *gin.RouterGroup) {}
