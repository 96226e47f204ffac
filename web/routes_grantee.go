package web

import "github.com/gin-gonic/gin"

// granteeRoutes mounts the pages of applicants with applications and grants.
func (ui *UI) granteeRoutes(pub, in *gin.RouterGroup) {}
