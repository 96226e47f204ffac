package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/money"
)

// exportPageSize is how many payments the export reads per query.
const exportPageSize = 500

// paymentsCSVHeader is the header row of GET /exports/payments.csv.
var paymentsCSVHeader = []string{"payment_id", "grant_id", "organisation", "tranche", "amount", "status", "provider",
	"provider_reference", "approved_by", "paid_at"}

// PaymentsExport writes the payments report as CSV; it is returned by
// ExportPayments once the caller's role is checked, so a refusal is a
// normal error response and the rows can be streamed.
type PaymentsExport func(w io.Writer) error

// ExportPayments returns the payments report (finance and managers): one
// row per payment, by id, amounts in pounds with two decimals, approvers
// by name. Cells that a spreadsheet would run as a formula are defused.
func (a *App) ExportPayments(ctx context.Context, actor Actor) (PaymentsExport, error) {
	if !actor.seesPayments() {
		return nil, forbidden("Only finance staff and programme managers can export payments")
	}
	return func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(paymentsCSVHeader); err != nil {
			return fmt.Errorf("write header: %w", err)
		}
		var cursor *string
		for {
			rows, err := a.store.PaymentExportPage(ctx, sqlc.PaymentExportPageParams{Cursor: cursor, RowLimit: exportPageSize})
			if err != nil {
				return fmt.Errorf("read payments: %w", err)
			}
			for _, r := range rows {
				paidAt := ""
				if r.PaidAt != nil {
					paidAt = r.PaidAt.UTC().Format(time.RFC3339)
				}
				rec := []string{r.ID, r.GrantID, r.OrganisationName, strconv.Itoa(int(r.Tranche)), money.Decimal(r.AmountPence),
					r.Status, deref(r.Provider), deref(r.ProviderReference), r.ApprovedBy, paidAt}
				for i := range rec {
					rec[i] = SafeCell(rec[i])
				}
				if err := cw.Write(rec); err != nil {
					return fmt.Errorf("write row: %w", err)
				}
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return fmt.Errorf("write rows: %w", err)
			}
			if len(rows) < exportPageSize {
				return nil
			}
			cursor = &rows[len(rows)-1].ID
		}
	}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SafeCell defuses a CSV cell a spreadsheet would read as a formula (one
// starting with =, +, -, @, a tab or a carriage return) by prefixing a
// single quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SetCSVHeaders sets the headers of a CSV export: an attachment named
// filename, never cached, never sniffed as anything else.
func SetCSVHeaders(h http.Header, filename string) {
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}
