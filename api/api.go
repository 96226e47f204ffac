package api

import (
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// maxJSONBody is the largest JSON request body accepted.
const maxJSONBody = 1 << 20

// maxUploadBody is the largest multipart upload body accepted: one document
// plus room for the multipart framing.
const maxUploadBody = 10<<20 + 64<<10

//go:embed openapi.json
var openAPI []byte

// Handler serves the JSON API.
type Handler struct {
	app *app.App
	log *slog.Logger
}

// Register mounts every route of the API on g (normally /api/v1). All
// routes are registered here, in one place.
func Register(g *gin.RouterGroup, a *app.App, log *slog.Logger) {
	h := &Handler{app: a, log: log}
	g.Use(h.authenticate, h.checkQuery)

	g.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) })

	g.POST("/auth/register", h.register)
	g.POST("/auth/login", noStore, h.login)
	g.POST("/auth/logout", h.requireUser, h.logout)
	g.POST("/auth/confirm", h.confirmEmail)
	g.POST("/auth/confirm/resend", h.requireUser, h.resendConfirmation)
	g.POST("/auth/password-reset", h.requestPasswordReset)
	g.POST("/auth/password-reset/complete", h.completePasswordReset)
	g.POST("/auth/email-link", h.requestSignInLink)
	g.POST("/auth/email-link/complete", noStore, h.completeSignInLink)
	g.GET("/me", h.requireUser, h.me)
	g.PUT("/me/password", h.requireUser, h.changePassword)
	g.PUT("/me/affiliations", h.requireUser, h.setAffiliations)
	g.GET("/notifications", h.requireUser, h.listNotifications)
	g.POST("/notifications/:id/read", h.requireUser, h.markNotificationRead)
	g.GET("/emails/undelivered", h.requireUser, h.listUndeliveredEmails)
	g.POST("/emails/:id/retry", h.requireUser, h.retryEmail)

	g.GET("/programmes", h.listProgrammes)
	g.GET("/programmes/:code", h.getProgramme)
	g.POST("/programmes", h.requireUser, h.createProgramme)
	g.PATCH("/programmes/:code", h.requireUser, h.updateProgramme)

	g.GET("/staff", h.requireUser, h.listStaff)
	g.GET("/staff/:user_id", h.requireUser, h.getStaffMember)
	g.PATCH("/staff/:user_id", h.requireUser, h.changeStaff)
	g.GET("/rounds", h.listRounds)
	g.GET("/rounds/:id", h.getRound)
	g.POST("/rounds", h.requireUser, h.requireRole(app.RoleManager), h.createRound)
	g.PATCH("/rounds/:id", h.requireUser, h.requireRole(app.RoleManager), h.updateRound)
	g.GET("/rounds/:id/ranking", h.requireUser, h.roundRanking)

	g.POST("/eligibility", h.checkEligibility)

	g.POST("/organisations", h.requireUser, h.createOrganisation)
	g.GET("/organisations", h.requireUser, h.listOrganisations)
	g.GET("/organisations/:id", h.requireUser, h.getOrganisation)
	g.PATCH("/organisations/:id", h.requireUser, h.updateOrganisation)
	g.POST("/organisations/:id/host-consent", h.requireUser, h.hostConsent)
	g.POST("/organisations/:id/join-requests", h.requireUser, h.requestToJoin)
	g.GET("/registers/lookup", h.requireUser, h.lookupRegister)
	g.PUT("/organisations/:id/bank-account", noStore, h.requireUser, h.setBankAccount)
	g.GET("/organisations/:id/bank-account", noStore, h.requireUser, h.getBankAccount)
	g.GET("/organisations/:id/members", h.requireUser, h.listMembers)
	g.PATCH("/organisations/:id/members/:user_id", h.requireUser, h.setMemberRole)
	g.DELETE("/organisations/:id/members/:user_id", h.requireUser, h.removeMember)
	g.POST("/organisations/:id/invitations", h.requireUser, h.inviteMember)
	g.GET("/organisations/:id/invitations", h.requireUser, h.listInvitations)
	g.DELETE("/organisations/:id/invitations/:invitation_id", h.requireUser, h.cancelInvitation)
	g.POST("/invitations/accept", noStore, h.acceptInvitation)
	g.POST("/staff/invitations", h.requireUser, h.requireRole(app.RoleAdmin), h.inviteStaff)

	g.POST("/applications", h.requireUser, h.createApplication)
	g.GET("/applications", h.requireUser, h.listApplications)
	g.GET("/applications/:id", h.requireUser, h.getApplication)
	g.PATCH("/applications/:id", h.requireUser, h.saveApplication)
	g.DELETE("/applications/:id", h.requireUser, h.deleteApplication)
	g.POST("/applications/:id/submit", h.requireUser, h.submitApplication)
	g.POST("/applications/:id/withdraw", h.requireUser, h.withdrawApplication)
	g.POST("/applications/:id/partners/:index/invite", h.requireUser, h.invitePartner)
	g.POST("/partner-invitations/lookup", noStore, h.requireUser, h.lookupPartnerInvitation)
	g.POST("/partner-invitations/accept", noStore, h.requireUser, h.answerPartnership)
	g.POST("/applications/:id/moderation", h.requireUser, h.moderateApplication)
	g.POST("/applications/:id/decision", h.requireUser, h.decideApplication)
	g.POST("/applications/:id/documents", h.requireUser, h.uploadDocument)
	g.GET("/applications/:id/documents", h.requireUser, h.listDocuments)
	g.GET("/applications/:id/equality", h.requireUser, h.getEquality)
	g.PUT("/applications/:id/equality", h.requireUser, h.saveEquality)
	g.GET("/documents/:id", h.requireUser, h.getDocument)

	g.GET("/assessments", h.requireUser, h.listAssessments)
	g.GET("/assessments/:id", h.requireUser, h.getAssessment)
	g.POST("/assessments/:id/conflict", h.requireUser, h.declareConflict)
	g.POST("/assessments/:id/scores", h.requireUser, h.scoreAssessment)

	g.GET("/grants", h.requireUser, h.listGrants)
	g.GET("/grants/:id", h.requireUser, h.getGrant)
	g.POST("/grants/:id/accept", h.requireUser, h.acceptGrant)
	g.POST("/grants/:id/decline", h.requireUser, h.declineGrant)
	g.POST("/grants/:id/payout-account", h.requireUser, h.requestPayoutAccount)
	g.POST("/grants/:id/variations", h.requireUser, h.varyGrant)
	g.GET("/grants/:id/variations", h.requireUser, h.listVariations)

	g.GET("/payments", h.requireUser, h.listPayments)
	g.GET("/payments/:id", h.requireUser, h.getPayment)
	g.POST("/payments/:id/approve", h.requireUser, h.approvePayment)
	g.POST("/payments/:id/reject", h.requireUser, h.rejectPayment)
	g.POST("/payments/:id/retry", h.requireUser, h.retryPayment)
	g.POST("/payments/:id/cancel", h.requireUser, h.cancelPayment)
	g.POST("/payments/:id/reissue", h.requireUser, h.reissuePayment)

	g.POST("/payment-runs", h.requireUser, h.createPaymentRun)
	g.GET("/payment-runs", h.requireUser, h.listPaymentRuns)
	g.GET("/payment-runs/:id", h.requireUser, h.getPaymentRun)
	g.GET("/payment-runs/:id/file.csv", h.requireUser, h.paymentRunFile)
	g.POST("/payment-runs/:id/mark-paid", h.requireUser, h.markPaymentRunPaid)

	g.GET("/reports", h.requireUser, h.listReports)
	g.GET("/reports/:id", h.requireUser, h.getReport)
	g.POST("/reports/:id/submit", h.requireUser, h.submitReport)
	g.POST("/reports/:id/documents", h.requireUser, h.uploadReportDocument)
	g.POST("/reports/:id/review", h.requireUser, h.reviewReport)

	g.POST("/webhooks/stripe", h.stripeWebhook)
	g.GET("/exports/payments.csv", h.requireUser, h.exportPayments)
	g.GET("/exports/grants.csv", h.requireUser, h.exportGrants)
	g.GET("/exports/applications.csv", h.requireUser, h.exportApplications)
	g.GET("/exports/360giving.json", h.requireUser, h.export360Giving)
	g.GET("/exports/360giving.csv", h.requireUser, h.export360GivingCSV)
	g.GET("/open-data/:programme/360giving.json", h.openData)

	g.POST("/support-requests", h.requireUser, h.createSupportRequest)
	g.GET("/support-requests", h.requireUser, h.listSupportRequests)
	g.GET("/support-requests/:id", h.requireUser, h.getSupportRequest)
	g.POST("/support-requests/:id/triage", h.requireUser, h.triageSupportRequest)
	g.GET("/caseworkers", h.requireUser, h.listCaseworkers)
	g.GET("/cases", h.requireUser, h.listCases)
	g.GET("/cases/:id", h.requireUser, h.getCase)
	g.POST("/cases/:id/actions", h.requireUser, h.addCaseAction)
	g.PATCH("/cases/:id/actions/:action_id", h.requireUser, h.setCaseActionStatus)
	g.POST("/cases/:id/notes", h.requireUser, h.addCaseNote)
	g.POST("/cases/:id/contacts", h.requireUser, h.addCaseContact)
	g.POST("/cases/:id/key-dates", h.requireUser, h.addCaseKeyDate)
	g.POST("/cases/:id/close", h.requireUser, h.closeCase)
	g.POST("/cases/:id/reassign", h.requireUser, h.reassignCase)
	g.POST("/cases/:id/invite-to-apply", h.requireUser, h.inviteToApply)
	g.POST("/cases/:id/documents", h.requireUser, h.uploadCaseDocument)
	g.GET("/cases/:id/documents/:document_id", h.requireUser, h.getCaseDocument)
	g.GET("/reports/casework", h.requireUser, h.caseworkFigures)
	g.GET("/reports/equality", h.requireUser, h.equalityReport)
	g.GET("/exports/cases.csv", h.requireUser, h.exportCases)

	g.GET("/audit", h.requireUser, h.auditTrail)
}

// noStore marks every answer of a route, refusals included, as one no
// cache may keep: tokens and bank details.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Next()
}

// NotFound answers requests under the API prefix that match no route, in
// the API's error shape; the server installs it as its NoRoute handler for
// paths under /api/.
func NotFound(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		writeError(c, log, &app.Error{Kind: app.KindNotFound, Code: "not_found", Message: "No such endpoint"})
	}
}
