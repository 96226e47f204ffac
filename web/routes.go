package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/workflows"
)

// Register mounts the web UI on r: static assets, then every page behind
// the session and CSRF middleware. Public pages go on pub; pages that need
// a session on in (a visitor without one is sent to sign-in with ?next=).
// Staff pages check the role (403 otherwise); the use cases check the rest
// (another organisation's object is 404).
func (ui *UI) Register(r *gin.Engine) {
	r.GET("/assets/*name", ui.assets.serve)
	pub := r.Group("/", ui.sessionMiddleware, ui.csrfMiddleware)
	in := pub.Group("/", ui.signedIn)

	// Public pages, sign-in and sessions.
	pub.GET("/", ui.home)
	pub.GET("/rounds/:id", ui.round)
	pub.GET("/sign-in", ui.signInPage)
	pub.POST("/sign-in", ui.signIn)
	pub.GET("/register", ui.registerPage)
	pub.POST("/register", ui.register)
	pub.POST("/sign-out", ui.signOut)
	pub.GET("/check-email", ui.checkEmail)
	pub.GET(mailq.PathConfirmEmail, ui.confirmEmailPage)
	pub.POST(mailq.PathConfirmEmail, ui.confirmEmail)
	in.POST("/account/confirm/resend", ui.resendConfirmation)
	pub.GET("/password-reset", ui.passwordResetPage)
	pub.POST("/password-reset", ui.requestPasswordReset)
	pub.GET(mailq.PathResetPassword, ui.completePasswordResetPage)
	pub.POST(mailq.PathResetPassword, ui.completePasswordReset)
	pub.GET("/sign-in/email-link", ui.signInLinkPage)
	pub.POST("/sign-in/email-link", ui.requestSignInLink)
	pub.GET(mailq.PathSignInLink, ui.signInByLinkPage)
	pub.POST(mailq.PathSignInLink, ui.signInByLink)
	in.GET("/account/password", ui.changePasswordPage)
	in.POST("/account/password", ui.changePassword)
	in.POST("/sign-out-everywhere", ui.signOutEverywhere)
	in.POST("/session/extend", ui.extendSession)
	in.GET("/dashboard", ui.dashboard)
	in.GET("/notifications", ui.notifications)
	in.POST("/notifications/:id/read", ui.markNotificationRead)
	in.GET("/notifications/:id", ui.openNotification)

	// Applicants: the eligibility checker, their organisations, and an
	// application from its start to its submission.
	pub.GET("/rounds/:id/eligibility", ui.applicantEligibilityPage)
	pub.POST("/rounds/:id/eligibility", ui.applicantCheckEligibility)
	in.GET("/organisations", ui.applicantOrganisations)
	in.GET("/organisations/new", ui.applicantNewOrganisationPage)
	in.POST("/organisations/new", ui.applicantCreateOrganisation)
	in.POST("/organisations/join-request", ui.applicantAskToJoin)
	in.GET("/organisations/:id", ui.applicantOrganisation)
	in.POST("/organisations/:id", ui.applicantUpdateOrganisation)
	in.GET("/organisations/:id/edit", ui.applicantEditOrganisationPage)
	in.GET("/organisations/:id/team", ui.applicantTeam)
	in.POST("/organisations/:id/team/invite", ui.applicantInvite)
	in.POST("/organisations/:id/invitations/:invitation/cancel", ui.applicantCancelInvitation)
	in.POST("/organisations/:id/members/:user/role", ui.applicantSetMemberRole)
	in.POST("/organisations/:id/members/:user/remove", ui.applicantRemoveMember)
	pub.GET(mailq.PathAcceptInvitation, ui.acceptInvitationPage)
	pub.POST(mailq.PathAcceptInvitation, ui.acceptInvitation)
	in.GET(mailq.PathPartnerInvitation, ui.partnerInvitationPage)
	in.POST(mailq.PathPartnerInvitation, ui.answerPartnerInvitation)
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
	in.GET("/applications/:id/equality", ui.applicantEqualityPage)
	in.POST("/applications/:id/equality", ui.applicantSaveEquality)
	in.GET("/applications/:id/withdraw", ui.applicantConfirmPage(applicantWithdrawal))
	in.POST("/applications/:id/withdraw", ui.applicantConfirmed(applicantWithdrawal))
	in.GET("/applications/:id/delete", ui.applicantConfirmPage(applicantDeletion))
	in.POST("/applications/:id/delete", ui.applicantConfirmed(applicantDeletion))
	in.GET("/documents/:id", ui.applicantDownload)

	// Spaces at Risk support: asking for it (every question public), the
	// group's requests and its case (caseworkers work cases under
	// /casework).
	pub.GET("/support", ui.supportStart)
	in.GET("/support/new", ui.supportNewPage)
	in.POST("/support/new", ui.supportCreate)
	in.GET("/support-requests", ui.supportRequests)
	in.GET("/support-requests/:id", ui.supportRequest)
	in.GET("/support/cases/:id", ui.supportCase)
	in.POST("/support/cases/:id/notes", ui.supportAddNote)
	in.POST("/support/cases/:id/documents", ui.supportUpload)
	in.GET("/support/cases/:id/documents/:doc", ui.supportDownload)

	// Grantees: their applications and grants, the offer, payouts and
	// bank details, monitoring reports.
	in.GET("/applications", ui.granteeApplications)
	in.GET("/grants/:id", ui.granteeGrant)
	in.GET("/grants/:id/accept", ui.granteeAcceptPage)
	in.POST("/grants/:id/accept", ui.granteeAccept)
	in.GET("/grants/:id/decline", ui.granteeDeclinePage)
	in.POST("/grants/:id/decline", ui.granteeDecline)
	in.POST("/grants/:id/payout-account", ui.granteePayoutAccount)
	in.GET("/organisations/:id/bank-account", ui.granteeBankPage)
	in.POST("/organisations/:id/bank-account", ui.granteeBankSave)
	in.GET("/reports/:id", ui.granteeReport)
	in.POST("/reports/:id", ui.granteeSubmitReport)
	in.POST("/reports/:id/documents", ui.granteeUploadEvidence)

	// Assessors: the queue, scoring, conflicts and affiliations.
	asr := in.Group("/assessments", ui.hasRole(app.RoleAssessor))
	asr.GET("", ui.panelQueue)
	asr.GET("/affiliations", ui.panelAffiliationsPage)
	asr.POST("/affiliations", ui.panelAffiliations)
	asr.GET("/:id", ui.panelAssessmentPage)
	asr.POST("/:id", ui.panelScore)
	asr.GET("/:id/conflict", ui.panelConflictPage)
	asr.POST("/:id/conflict", ui.panelConflict)

	// The panel: rounds and rankings, the staff view of a case, the
	// chair's decision, the manager's moderation and the audit trail.
	staff := ui.hasRole(app.RoleChair, app.RoleManager)
	chair := ui.hasRole(app.RoleChair)
	manager := ui.hasRole(app.RoleManager)
	in.GET("/panel", staff, ui.panelRounds)
	in.GET("/panel/rounds/:id", staff, ui.panelRanking)
	in.GET("/cases/:id", staff, ui.panelCase)
	in.GET("/cases/:id/decide", chair, ui.panelDecidePage)
	in.POST("/cases/:id/decide", chair, ui.panelDecide)
	in.GET("/cases/:id/moderate", manager, ui.panelModeratePage)
	in.POST("/cases/:id/moderate", manager, ui.panelModerate)
	in.GET("/cases/:id/audit", manager, ui.panelAudit)

	// Finance: payments with their four-eyes approval (managers read
	// them), BACS payment runs.
	finance := ui.hasRole(app.RoleFinance)
	readers := ui.hasRole(app.RoleFinance, app.RoleManager)
	in.GET("/payments", readers, ui.financePayments)
	in.GET("/payments/:id", readers, ui.financePayment)
	in.POST("/payments/:id/approve", finance, ui.financePaymentCommand(workflows.UpdateApprovePayment))
	in.POST("/payments/:id/reject", finance, ui.financePaymentCommand(workflows.UpdateRejectPayment))
	in.POST("/payments/:id/retry", finance, ui.financePaymentCommand(workflows.UpdateRetryPayment))
	in.POST("/payments/:id/cancel", finance, ui.financePaymentCommand(workflows.UpdateCancelPayment))
	in.GET("/payment-runs", finance, ui.financeRuns)
	in.POST("/payment-runs", finance, ui.financeCreateRun)
	in.GET("/payment-runs/:id", finance, ui.financeRun)
	in.GET("/payment-runs/:id/file.csv", finance, ui.financeRunFile)
	in.POST("/payment-runs/:id/mark-paid", finance, ui.financeMarkRunPaid)

	// Programme managers: rounds, and the review of grantees' reports.
	rounds := in.Group("/manage/rounds", manager)
	rounds.GET("", ui.managerRounds)
	rounds.GET("/new", ui.managerNewRoundPage)
	rounds.POST("/new", ui.managerCreateRound)
	rounds.GET("/:id/edit", ui.managerEditRoundPage)
	rounds.POST("/:id/edit", ui.managerUpdateRound)
	rounds.GET("/:id/applications.csv", ui.managerApplicationsCSV)
	in.GET("/manage/exports/grants.csv", manager, ui.managerGrantsCSV)
	in.GET("/manage/exports/360giving.json", manager, ui.manager360Giving(false))
	in.GET("/manage/exports/360giving.csv", manager, ui.manager360Giving(true))
	in.GET("/manage/reports", manager, ui.financeReports)
	in.GET("/manage/reports/:id", manager, ui.financeReport)
	in.POST("/manage/reports/:id/review", manager, ui.financeReviewReport)
	in.GET("/manage/emails", manager, ui.managerEmails)
	in.GET("/manage/equality", manager, ui.managerEqualityPage)
	in.POST("/manage/emails/:id/retry", manager, ui.managerRetryEmail)
	programmes := in.Group("/manage/programmes", manager)
	programmes.GET("", ui.managerProgrammes)
	programmes.GET("/new", ui.managerNewProgrammePage)
	programmes.POST("/new", ui.managerCreateProgramme)
	programmes.GET("/:code/edit", ui.managerEditProgrammePage)
	programmes.POST("/:code/edit", ui.managerUpdateProgramme)

	// Caseworkers: the intake queue and triage, cases and their commands;
	// the figures and their CSV for caseworkers and managers.
	cw := in.Group("/casework", ui.hasRole(app.RoleCaseworker))
	cw.GET("", ui.caseworkQueue)
	cw.GET("/requests/:id", ui.caseworkRequest)
	cw.POST("/requests/:id/triage", ui.caseworkTriage)
	cw.GET("/cases", ui.caseworkCases)
	cw.GET("/cases/:id", ui.caseworkCase)
	cw.POST("/cases/:id/actions", ui.caseworkAddAction)
	cw.POST("/cases/:id/actions/:action/status", ui.caseworkActionStatus)
	cw.POST("/cases/:id/contacts", ui.caseworkAddContact)
	cw.POST("/cases/:id/notes", ui.caseworkAddNote)
	cw.POST("/cases/:id/key-dates", ui.caseworkAddKeyDate)
	cw.POST("/cases/:id/documents", ui.caseworkUpload)
	cw.GET("/cases/:id/documents/:doc", ui.caseworkDownload)
	cw.POST("/cases/:id/reassign", ui.caseworkReassign)
	cw.POST("/cases/:id/invite-to-apply", ui.caseworkInvite)
	cw.POST("/cases/:id/close", ui.caseworkClose)
	figures := ui.hasRole(app.RoleCaseworker, app.RoleManager)
	in.GET("/casework/figures", figures, ui.caseworkFigures)
	in.GET("/casework/cases.csv", figures, ui.caseworkCSV)

	// Administrators: staff, their invitations and their roles.
	admin := ui.hasRole(app.RoleAdmin)
	in.GET("/admin/staff", admin, ui.adminStaff)
	in.GET("/admin/staff/invite", admin, ui.staffInvitePage)
	in.POST("/admin/staff/invite", admin, ui.staffInvite)
	in.GET("/admin/staff/:id", admin, ui.adminStaffMember)
	in.POST("/admin/staff/:id/roles", admin, ui.adminStaffRoles)
	in.POST("/admin/staff/:id/active", admin, ui.adminStaffActive)

	// The pages (GET routes), for pageOf.
	for _, rt := range r.Routes() {
		if rt.Method == http.MethodGet {
			ui.pages[rt.Path] = true
		}
	}
}
