package web

import "github.com/gin-gonic/gin"

// granteeRoutes mounts the pages of applicants with applications and
// grants: their list, a grant with its offer, payouts and bank details,
// and monitoring reports.
func (ui *UI) granteeRoutes(pub, in *gin.RouterGroup) {
	in.GET("/applications", ui.granteeApplications)
	in.GET("/grants/:id", ui.granteeGrant)
	in.GET("/grants/:id/accept", ui.granteeAcceptPage)
	in.POST("/grants/:id/accept", ui.granteeAccept)
	in.POST("/grants/:id/payout-account", ui.granteePayoutAccount)
	in.GET("/organisations/:id/bank-account", ui.granteeBankPage)
	in.POST("/organisations/:id/bank-account", ui.granteeBankSave)
	in.GET("/reports/:id", ui.granteeReport)
	in.POST("/reports/:id", ui.granteeSubmitReport)
	in.POST("/reports/:id/documents", ui.granteeUploadEvidence)
}
