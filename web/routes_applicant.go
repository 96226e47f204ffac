package web

import "github.com/gin-gonic/gin"

// applicantRoutes mounts the applicant pages.
func (ui *UI) applicantRoutes(pub, in *gin.RouterGroup) {}
