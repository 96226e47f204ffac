package web

import "github.com/gin-gonic/gin"

// applicantRoutes mounts the applicant pages: the eligibility checker, the
// visitor's organisations, and an application from its start to its
// submission (task list, question pages, partners, amount, documents, check
// your answers, confirmation, withdrawal).
func (ui *UI) applicantRoutes(pub, in *gin.RouterGroup) {
	pub.GET("/rounds/:id/eligibility", ui.applicantEligibilityPage)
	pub.POST("/rounds/:id/eligibility", ui.applicantCheckEligibility)

	in.GET("/organisations", ui.applicantOrganisations)
	in.GET("/organisations/new", ui.applicantNewOrganisationPage)
	in.POST("/organisations/new", ui.applicantCreateOrganisation)
	in.GET("/organisations/:id", ui.applicantOrganisation)
	in.POST("/organisations/:id", ui.applicantUpdateOrganisation)
	in.GET("/organisations/:id/edit", ui.applicantEditOrganisationPage)
	in.GET("/organisations/:id/host-consent", ui.applicantHostConsentPage)
	in.POST("/organisations/:id/host-consent", ui.applicantHostConsent)

	in.GET("/rounds/:id/apply", ui.applicantApplyPage)
	in.POST("/rounds/:id/apply", ui.applicantApply)

	in.GET("/applications/:id", ui.applicantApplication)
	in.GET("/applications/:id/eligibility", ui.applicantSectionPage)
	in.POST("/applications/:id/eligibility", ui.applicantSaveSection)
	in.GET("/applications/:id/sections/:section", ui.applicantSectionPage)
	in.POST("/applications/:id/sections/:section", ui.applicantSaveSection)
	in.GET("/applications/:id/partners", ui.applicantPartnersPage)
	in.POST("/applications/:id/partners", ui.applicantSavePartners)
	in.GET("/applications/:id/amount", ui.applicantAmountPage)
	in.POST("/applications/:id/amount", ui.applicantSaveAmount)
	in.GET("/applications/:id/documents", ui.applicantDocumentsPage)
	in.POST("/applications/:id/documents", ui.applicantUpload)
	in.GET("/applications/:id/check", ui.applicantCheckPage)
	in.POST("/applications/:id/submit", ui.applicantSubmit)
	in.GET("/applications/:id/confirmation", ui.applicantConfirmation)
	in.GET("/applications/:id/withdraw", ui.applicantWithdrawPage)
	in.POST("/applications/:id/withdraw", ui.applicantWithdraw)
	in.GET("/documents/:id", ui.applicantDownload)
}
