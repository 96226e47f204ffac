package web

import (
	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/workflows"
)

// financeRoutes mounts the finance pages (payments with their four-eyes
// approval, BACS payment runs) and the managers' review of grantees'
// reports.
func (ui *UI) financeRoutes(_, in *gin.RouterGroup) {
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

	manager := ui.hasRole(app.RoleManager)
	in.GET("/manage/reports", manager, ui.financeReports)
	in.GET("/manage/reports/:id", manager, ui.financeReport)
	in.POST("/manage/reports/:id/review", manager, ui.financeReviewReport)
}
