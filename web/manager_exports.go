package web

import (
	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// sendCSV answers with a CSV export as an attachment, or the page of the
// error that refused it.
func (ui *UI) sendCSV(c *gin.Context, filename string, write app.CSVExport, err error) {
	if err != nil {
		ui.fail(c, err)
		return
	}
	if err := app.ServeCSV(c.Writer, filename, write); err != nil {
		// The status is sent; the truncated file is all the client gets.
		ui.log.ErrorContext(c.Request.Context(), "export "+filename, "err", err)
	}
}

// managerGrantsCSV downloads every grant as CSV.
func (ui *UI) managerGrantsCSV(c *gin.Context) {
	write, err := ui.app.ExportGrants(c.Request.Context(), actor(c))
	ui.sendCSV(c, "grants.csv", write, err)
}

// managerApplicationsCSV downloads a round's applications as CSV.
func (ui *UI) managerApplicationsCSV(c *gin.Context) {
	write, err := ui.app.ExportApplications(c.Request.Context(), actor(c), app.ApplicationExportFilter{RoundID: c.Param("id"), Status: c.Query("status")})
	ui.sendCSV(c, "applications.csv", write, err)
}

// manager360Giving downloads every programme's grants as 360Giving data:
// JSON, or the flat CSV for the .csv address.
func (ui *UI) manager360Giving(asCSV bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		e, err := ui.app.Export360Giving(c.Request.Context(), actor(c), app.GivingQuery{})
		if err != nil {
			ui.fail(c, err)
			return
		}
		rep, err := e.Serve(c.Request.Context(), c.Writer, asCSV, true, "360giving")
		app.LogGivingReport(c.Request.Context(), ui.log, rep, err)
	}
}
