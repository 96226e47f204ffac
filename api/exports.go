package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// exportPayments streams the payments report as a CSV attachment.
func (h *Handler) exportPayments(c *gin.Context) {
	write, err := h.app.ExportPayments(c.Request.Context(), actor(c))
	h.sendCSV(c, "payments.csv", write, err)
}

// exportGrants streams every grant as a CSV attachment (managers).
func (h *Handler) exportGrants(c *gin.Context) {
	write, err := h.app.ExportGrants(c.Request.Context(), actor(c))
	h.sendCSV(c, "grants.csv", write, err)
}

// exportApplications streams a round's applications as a CSV attachment
// (managers; ?round_id= required, ?status= optional).
func (h *Handler) exportApplications(c *gin.Context) {
	write, err := h.app.ExportApplications(c.Request.Context(), actor(c),
		app.ApplicationExportFilter{RoundID: c.Query("round_id"), Status: c.Query("status")})
	h.sendCSV(c, "applications.csv", write, err)
}

// sendCSV answers with a CSV export, or the error that refused it.
func (h *Handler) sendCSV(c *gin.Context, filename string, write app.CSVExport, err error) {
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	if err := app.ServeCSV(c.Writer, filename, write); err != nil {
		// The status is sent; the truncated file is all the client gets.
		h.log.ErrorContext(c.Request.Context(), "export "+filename, "err", err)
	}
}

// export360Giving streams the 360Giving data of every programme
// (managers): JSON, or 360Giving's flat CSV with ?format=csv;
// ?since=YYYY-MM-DD keeps grants modified since that date.
func (h *Handler) export360Giving(c *gin.Context) {
	h.export360(c, c.Query("format"))
}

// export360GivingCSV is export360Giving as CSV.
func (h *Handler) export360GivingCSV(c *gin.Context) { h.export360(c, "csv") }

func (h *Handler) export360(c *gin.Context, format string) {
	q := app.GivingQuery{}
	fields := map[string]string{}
	if format != "" && format != "json" && format != "csv" {
		fields["format"] = "Use json or csv"
	}
	if s := c.Query("since"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fields["since"] = "Use a date as YYYY-MM-DD"
		}
		q.Since = &t
	}
	if len(fields) > 0 {
		writeError(c, h.log, app.Invalid(fields))
		return
	}
	e, err := h.app.Export360Giving(c.Request.Context(), actor(c), q)
	h.sendGiving(c, e, err, format == "csv", "360giving")
}

// openDataMaxAge is how long a published 360Giving file may be reused by
// browsers and shared caches: it is public, changes only when a round's
// results are published, and is costly to build on every request.
const openDataMaxAge = "public, max-age=900"

// openData streams a programme's published 360Giving data (public), which
// caches may keep for a quarter of an hour.
func (h *Handler) openData(c *gin.Context) {
	e, err := h.app.OpenData(c.Request.Context(), c.Param("programme"))
	if err == nil {
		c.Header("Cache-Control", openDataMaxAge)
	}
	h.sendGiving(c, e, err, false, c.Param("programme")+"-360giving")
}

// sendGiving streams a 360Giving export; what it could not publish well
// is logged (the CLI lists it).
func (h *Handler) sendGiving(c *gin.Context, e *app.GivingExport, err error, csv bool, name string) {
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	rep, err := e.Serve(c.Request.Context(), c.Writer, csv, false, name)
	app.LogGivingReport(c.Request.Context(), h.log, rep, err)
}
