package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
)

// exportPageSize is how many rows an export reads per query: enough that
// each query's own cost (planning, the round trip) is small beside its
// rows — 500 made 200 queries of a 100,000-grant 360Giving export and a
// quarter of its time — and few enough to hold (2,000 rows of the widest
// export, applications with their answers, are about 15 MB).
const exportPageSize = 2000

// paymentsCSVHeader is the header row of GET /exports/payments.csv.
var paymentsCSVHeader = []string{"payment_id", "grant_id", "organisation", "tranche", "amount", "status", "provider",
	"provider_reference", "approved_by", "paid_at"}

// ExportPayments returns the payments report (finance and managers): one
// row per payment, by id, amounts in pounds with two decimals, approvers
// by name. Cells that a spreadsheet would run as a formula are defused.
func (a *App) ExportPayments(ctx context.Context, actor Actor) (CSVExport, error) {
	if !actor.seesPayments() {
		return nil, forbidden("Only finance staff and programme managers can export payments")
	}
	return func(w io.Writer) error {
		cw, err := NewCSVWriter(w, paymentsCSVHeader)
		if err != nil {
			return err
		}
		return eachPage("payments", func(cursor *string) ([]sqlc.PaymentExportPageRow, error) {
			return a.store.PaymentExportPage(ctx, sqlc.PaymentExportPageParams{Cursor: cursor, RowLimit: exportPageSize})
		}, func(r sqlc.PaymentExportPageRow) string { return r.ID }, cw.Flush, func(r sqlc.PaymentExportPageRow) error {
			paidAt := ""
			if r.PaidAt != nil {
				paidAt = r.PaidAt.UTC().Format(time.RFC3339)
			}
			return cw.Write([]string{r.ID, r.GrantID, r.OrganisationName, strconv.Itoa(int(r.Tranche)), money.Decimal(r.AmountPence),
				r.Status, deref(r.Provider), deref(r.ProviderReference), r.ApprovedBy, paidAt})
		})
	}, nil
}

// eachPage reads what rows page by page (exportPageSize, keyset by key) and
// hands each to each, calling flush after every page: an export streams
// without holding more than a page.
func eachPage[T any](what string, page func(cursor *string) ([]T, error), key func(T) string, flush func() error, each func(T) error) error {
	var cursor *string
	for {
		rows, err := page(cursor)
		if err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		for _, r := range rows {
			if err := each(r); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if len(rows) < exportPageSize {
			return nil
		}
		k := key(rows[len(rows)-1])
		cursor = &k
	}
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

// ServeCSV answers an HTTP request with a CSV export as an attachment
// named filename. Once the status is sent a failure can only truncate the
// file, so it is returned for the caller to log.
func ServeCSV(w http.ResponseWriter, filename string, write CSVExport) error {
	SetCSVHeaders(w.Header(), filename)
	w.WriteHeader(http.StatusOK)
	return write(w)
}

// SetCSVHeaders sets the headers of a CSV export: an attachment named
// filename, never cached, never sniffed as anything else.
func SetCSVHeaders(h http.Header, filename string) {
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// CSVExport writes a CSV export; it is returned once the caller's role
// and parameters are checked, so a refusal is a normal error response and
// the rows can be streamed.
type CSVExport func(w io.Writer) error

// grantsCSVHeader is the header row of GET /exports/grants.csv.
var grantsCSVHeader = []string{"grant_id", "application_id", "programme", "round_id", "round", "organisation_id", "organisation",
	"borough", "status", "award", "paid", "offered_at", "accepted_at", "completed_at", "link"}

// ExportGrants returns every grant as CSV (managers), by id: amounts in
// pounds with two decimals, a link to the application's page.
func (a *App) ExportGrants(ctx context.Context, actor Actor) (CSVExport, error) {
	if !actor.Has(RoleManager) {
		return nil, forbidden("Only programme managers can export grants")
	}
	return func(w io.Writer) error {
		cw, err := NewCSVWriter(w, grantsCSVHeader)
		if err != nil {
			return err
		}
		return eachPage("grants", func(cursor *string) ([]sqlc.GrantExportPageRow, error) {
			return a.store.GrantExportPage(ctx, sqlc.GrantExportPageParams{Cursor: cursor, RowLimit: exportPageSize})
		}, func(r sqlc.GrantExportPageRow) string { return r.ID }, cw.Flush, func(r sqlc.GrantExportPageRow) error {
			return cw.Write([]string{r.ID, r.ApplicationID, r.ProgrammeCode, r.RoundID, r.RoundName, r.OrganisationID,
				r.OrganisationName, r.BoroughName, r.Status, money.Decimal(r.AwardPence), money.Decimal(r.PaidPence),
				stamp(&r.OfferedAt), stamp(r.AcceptedAt), stamp(r.CompletedAt), a.applicationLink(r.ApplicationID)})
		})
	}, nil
}

// ApplicationExportFilter selects the applications of a CSV export: the
// applications list's filters (a round is required).
type ApplicationExportFilter struct {
	RoundID string
	Status  string
}

// ExportApplications returns the submitted applications of a round as
// CSV (managers): one row per application by id, its partners, and one
// column per question of the round's form (eligibility questions first),
// answers as the summary pages show them, a link to the application's
// page.
func (a *App) ExportApplications(ctx context.Context, actor Actor, f ApplicationExportFilter) (CSVExport, error) {
	if !actor.Has(RoleManager) {
		return nil, forbidden("Only programme managers can export applications")
	}
	fields := map[string]string{}
	if f.RoundID == "" {
		fields["round_id"] = "Choose a round"
	}
	switch f.Status {
	case "", StatusSubmitted, StatusIneligible, StatusInAssessment, StatusApproved, StatusRejected, StatusWaitlisted, StatusWithdrawn:
	default:
		fields["status"] = "Unknown status"
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	rd, err := a.GetRound(ctx, f.RoundID)
	if err != nil {
		return nil, err
	}
	questions := append(slices.Clone(rd.Eligibility.Questions), rd.Form.Questions()...)
	header := []string{"application_id", "organisation_id", "organisation", "borough", "status", "tier", "requested", "award",
		"submitted_at", "partners"}
	for _, q := range questions {
		header = append(header, q.Key)
	}
	header = append(header, "link")
	return func(w io.Writer) error {
		cw, err := NewCSVWriter(w, header)
		if err != nil {
			return err
		}
		return eachPage("applications", func(cursor *string) ([]sqlc.ApplicationExportPageRow, error) {
			return a.store.ApplicationExportPage(ctx, sqlc.ApplicationExportPageParams{RoundID: f.RoundID, Status: optional(f.Status),
				Cursor: cursor, RowLimit: exportPageSize})
		}, func(r sqlc.ApplicationExportPageRow) string { return r.ID }, cw.Flush, func(r sqlc.ApplicationExportPageRow) error {
			rec, err := a.applicationRecord(r, questions)
			if err != nil {
				return err
			}
			return cw.Write(rec)
		})
	}, nil
}

// applicationRecord is one row of the applications export.
func (a *App) applicationRecord(r sqlc.ApplicationExportPageRow, questions []form.Question) ([]string, error) {
	var answers map[string]json.RawMessage
	if err := json.Unmarshal(r.Answers, &answers); err != nil {
		return nil, fmt.Errorf("decode answers of %s: %w", r.ID, err)
	}
	var partners []Partner
	if err := json.Unmarshal(r.Partners, &partners); err != nil {
		return nil, fmt.Errorf("decode partners of %s: %w", r.ID, err)
	}
	names := make([]string, len(partners))
	for i, p := range partners {
		names[i] = p.Name
		if p.SharePence != nil {
			names[i] += " (" + money.Pounds(*p.SharePence) + ")"
		}
	}
	pounds := func(p *int64) string {
		if p == nil {
			return ""
		}
		return money.Decimal(*p)
	}
	rec := []string{r.ID, r.OrganisationID, r.OrganisationName, r.BoroughName, r.Status, deref(r.Tier), pounds(r.RequestedPence),
		pounds(r.AwardPence), stamp(r.SubmittedAt), strings.Join(names, "; ")}
	for _, q := range questions {
		rec = append(rec, strings.Join(form.AnswerLines(q, answers[q.Key], func(id string) string { return id }), "; "))
	}
	return append(rec, a.applicationLink(r.ID)), nil
}

// applicationLink is the staff page of an application on the web.
func (a *App) applicationLink(applicationID string) string {
	return a.cfg.PublicURL + "/cases/" + applicationID
}

// stamp is a time in RFC 3339 (UTC), "" for none.
func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
