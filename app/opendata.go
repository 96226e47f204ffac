package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/equality"
	"github.com/civicgrants/grants/opendata"
	"github.com/civicgrants/grants/organisation"
)

// GivingQuery selects the grants of a 360Giving export.
type GivingQuery struct {
	// Programme is a programme's code ("": every programme).
	Programme string
	// Since keeps grants modified on or after it (nil: all).
	Since *time.Time
	// Published keeps only published rounds: closed, with every
	// application decided (the public open data).
	Published bool
}

// GivingReport is what an export did: how many grants it wrote and what it
// could not publish or found wanting. Findings are the data-quality
// findings (opendata.Check) of the grants written, the first
// maxGivingFindings of them; FindingCount counts them all.
type GivingReport struct {
	Written      int
	Findings     []opendata.Finding
	FindingCount int
	// Unpublishable lists programmes with awarded grants but no 360Giving
	// prefix: their grants are left out until a manager sets one.
	Unpublishable []string
}

// maxGivingFindings bounds the findings an export keeps (memory stays flat
// however many grants lack data).
const maxGivingFindings = 100

// GivingExport is a 360Giving export whose grants are read page by page as
// they are written. Total is how many grants it will write.
type GivingExport struct {
	Total int64
	a     *App
	q     GivingQuery
}

// Export360Giving prepares the 360Giving export of accepted grants
// (managers; DESIGN §7): grants active and later, never offers that
// lapsed or were declined.
func (a *App) Export360Giving(ctx context.Context, actor Actor, q GivingQuery) (*GivingExport, error) {
	if !actor.Has(RoleManager) {
		return nil, forbidden("Only programme managers can export grants")
	}
	return a.givingExport(ctx, q)
}

// OpenData prepares the public 360Giving data of one programme: the
// accepted grants of its published rounds (closed, every application
// decided). An unknown programme, or one without a 360Giving prefix, is
// not found.
func (a *App) OpenData(ctx context.Context, programme string) (*GivingExport, error) {
	p, err := a.store.ProgrammeGetByCode(ctx, programme)
	if isNotFound(err) || (err == nil && p.GivingPrefix == "") {
		return nil, notFound("Programme")
	}
	if err != nil {
		return nil, fmt.Errorf("read programme: %w", err)
	}
	return a.givingExport(ctx, GivingQuery{Programme: programme, Published: true})
}

func (a *App) givingExport(ctx context.Context, q GivingQuery) (*GivingExport, error) {
	n, err := a.store.GivingGrantCount(ctx, sqlc.GivingGrantCountParams{ProgrammeCode: optional(q.Programme), Since: q.Since,
		PublishedOnly: q.Published})
	if err != nil {
		return nil, fmt.Errorf("count grants: %w", err)
	}
	return &GivingExport{Total: n, a: a, q: q}, nil
}

// WriteJSON streams the export as a 360Giving JSON data package;
// progress (optional) is called with the grants written so far.
func (e *GivingExport) WriteJSON(ctx context.Context, w io.Writer, progress func(int)) (GivingReport, error) {
	jw, err := opendata.NewJSONWriter(w, opendata.Package{Title: e.title(), Description: "Grants awarded, as 360Giving open data.",
		Extensions: []string{DEIExtensionSchema}})
	if err != nil {
		return GivingReport{}, err
	}
	rep, err := e.each(ctx, progress, jw.Write)
	if err != nil {
		return rep, err
	}
	return rep, jw.Close()
}

// WriteCSV streams the export as 360Giving's flat CSV (its column titles),
// with a byte-order mark and defused cells like every CSV export.
func (e *GivingExport) WriteCSV(ctx context.Context, w io.Writer, progress func(int)) (GivingReport, error) {
	cw, err := NewCSVWriter(w, opendata.CSVHeader)
	if err != nil {
		return GivingReport{}, err
	}
	rep, err := e.each(ctx, progress, func(g opendata.Grant) error { return cw.Write(opendata.CSVRecord(g)) })
	if err != nil {
		return rep, err
	}
	return rep, cw.Flush()
}

func (e *GivingExport) title() string {
	if e.q.Programme != "" {
		return "360Giving data: " + e.q.Programme
	}
	return "360Giving data: every programme"
}

// each builds every selected grant, page by page, and hands it to write.
func (e *GivingExport) each(ctx context.Context, progress func(int), write func(opendata.Grant) error) (GivingReport, error) {
	var rep GivingReport
	missing, err := e.a.store.GivingProgrammesWithoutPrefix(ctx)
	if err != nil {
		return rep, fmt.Errorf("read programmes: %w", err)
	}
	for _, code := range missing {
		if e.q.Programme == "" || e.q.Programme == code {
			rep.Unpublishable = append(rep.Unpublishable, code)
		}
	}
	now := e.a.now()
	var dei map[string]EqualityOpenData // the page's grants whose groups agreed to publish
	err = eachPage("grants", func(cursor *string) ([]sqlc.GivingGrantPageRow, error) {
		rows, err := e.a.store.GivingGrantPage(ctx, sqlc.GivingGrantPageParams{Cursor: cursor, ProgrammeCode: optional(e.q.Programme),
			Since: e.q.Since, PublishedOnly: e.q.Published, RowLimit: exportPageSize, AnswerKeys: givingAnswerKeys})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		dei, err = e.a.EqualityForOpenData(ctx, ids)
		return rows, err
	}, func(r sqlc.GivingGrantPageRow) string { return r.ID }, func() error { return nil }, func(r sqlc.GivingGrantPageRow) error {
		g := opendata.Build(e.a.givingSource(r), e.a.cfg.PublicURL+"/api/v1/open-data/"+r.ProgrammeCode+"/360giving.json")
		if d, ok := dei[r.ID]; ok {
			g.Extensions = map[string]any{"deiDetails": deiDetails(d)}
		}
		for _, f := range opendata.Check(g, now) {
			rep.FindingCount++
			if len(rep.Findings) < maxGivingFindings {
				rep.Findings = append(rep.Findings, f)
			}
		}
		if err := write(g); err != nil {
			return err
		}
		rep.Written++
		if progress != nil {
			progress(rep.Written)
		}
		return nil
	})
	return rep, err
}

// Answer keys a form may use for a project's title and its summary, in
// order of preference.
var (
	titleAnswerKeys   = []string{"project_title", "title"}
	summaryAnswerKeys = []string{"project_summary", "summary", "plan", "space_description"}
)

// startDateKey is the answer holding a project's planned start.
const startDateKey = "start_date"

// givingAnswerKeys are the answers a 360Giving record reads (givingSource):
// its title, its summary and its start.
var givingAnswerKeys = slices.Concat(titleAnswerKeys, summaryAnswerKeys, []string{startDateKey})

// msPerMonth is an average month (365.2425 / 12 days) in milliseconds.
const msPerMonth = 2_629_746_000

// givingSource is the open-data view of one awarded grant: the planned
// start is the applicant's start_date answer (else the acceptance), the
// duration runs to the grant's last report.
func (a *App) givingSource(r sqlc.GivingGrantPageRow) opendata.Source {
	var answers map[string]any
	_ = json.Unmarshal(r.Answers, &answers) // a CHECK keeps it an object
	text := func(keys []string) string {
		for _, k := range keys {
			if s, ok := answers[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	var addr organisation.Address
	_ = json.Unmarshal(r.Address, &addr) // validated when saved
	start := r.OfferedAt
	if r.AcceptedAt != nil {
		start = *r.AcceptedAt
	}
	if s, ok := answers[startDateKey].(string); ok {
		if d, err := time.ParseInLocation(time.DateOnly, s, time.UTC); err == nil {
			start = d.Add(12 * time.Hour) // midday: the same London date
		}
	}
	months := int((r.LastReportAfterMs + msPerMonth/2) / msPerMonth)
	return opendata.Source{
		GrantID: r.ID, GivingPrefix: r.GivingPrefix, FunderName: r.FunderName,
		ProgrammeCode: r.ProgrammeCode, ProgrammeName: r.ProgrammeName,
		RecipientID:   organisation.Identifier(deref(r.CharityNumber), deref(r.CompanyNumber), a.cfg.OrgIDPrefix, r.OrganisationID),
		RecipientName: r.OrganisationName, CharityNumber: organisation.NormaliseNumber(deref(r.CharityNumber)),
		CompanyNumber: organisation.NormaliseNumber(deref(r.CompanyNumber)), Postcode: addr.Postcode, Town: addr.Town,
		BoroughName: r.BoroughName, BoroughGSS: r.BoroughGss,
		ProjectTitle: text(titleAnswerKeys), Summary: text(summaryAnswerKeys),
		AppliedPence: r.RequestedPence, AwardedPence: r.AwardPence, DisbursedPence: r.DisbursedPence,
		AwardDate: r.OfferedAt, Start: start, Months: months, Modified: r.DateModified,
	}
}

// Serve answers an HTTP request with the export: the JSON package (shown
// inline, or an attachment when download), or the flat CSV as an
// attachment; name is the file's name without its extension. Once the
// status is sent a failure can only truncate the file, so it is returned
// for the caller to log, with the report.
func (e *GivingExport) Serve(ctx context.Context, w http.ResponseWriter, asCSV, download bool, name string) (GivingReport, error) {
	if asCSV {
		SetCSVHeaders(w.Header(), name+".csv")
		w.WriteHeader(http.StatusOK)
		return e.WriteCSV(ctx, w, nil)
	}
	disposition := "inline"
	if download {
		disposition = "attachment"
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name + ".json"}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	return e.WriteJSON(ctx, w, nil)
}

// LogGivingReport logs what an export could not publish well (nothing
// when all was well).
func LogGivingReport(ctx context.Context, log *slog.Logger, rep GivingReport, err error) {
	if err != nil {
		log.ErrorContext(ctx, "export 360Giving", "err", err)
	}
	if rep.FindingCount > 0 || len(rep.Unpublishable) > 0 {
		log.WarnContext(ctx, "360Giving export has data-quality findings", "grants", rep.Written,
			"findings", rep.FindingCount, "first", rep.Findings, "programmes_without_prefix", rep.Unpublishable)
	}
}

// CSVWriter writes a CSV export: UTF-8 with a byte-order mark (so a
// spreadsheet reads "£" right), every cell defused (SafeCell). It is the
// one writer of every CSV export.
type CSVWriter struct{ cw *csv.Writer }

// NewCSVWriter writes the byte-order mark and the header row to w.
func NewCSVWriter(w io.Writer, header []string) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("write byte-order mark: %w", err)
	}
	c := &CSVWriter{cw: csv.NewWriter(w)}
	if err := c.cw.Write(header); err != nil {
		return nil, fmt.Errorf("write header: %w", err)
	}
	return c, nil
}

// Write writes one row, defusing its cells in place.
func (c *CSVWriter) Write(rec []string) error {
	for i := range rec {
		rec[i] = SafeCell(rec[i])
	}
	if err := c.cw.Write(rec); err != nil {
		return fmt.Errorf("write row: %w", err)
	}
	return nil
}

// Flush sends what is buffered (call it after each page, and at the end).
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write rows: %w", err)
	}
	return nil
}

// DEIExtensionSchema is the 360Giving DEI extension (deiDetails on a
// grant) that the export uses for groups that agreed to publish their
// equality answers.
const DEIExtensionSchema = "https://raw.githubusercontent.com/ThreeSixtyGiving/360-dei/main/schema/360-giving-schema-extension.json"

// deiArea is one area of the DEI extension's deiDetails: how it was asked
// (codes of its askedStatus, replyStatus and availableOptions codelists)
// and the taxonomy codes of the reply.
type deiArea struct {
	AskedStatus      string       `json:"askedStatus"`
	ReplyStatus      string       `json:"replyStatus"`
	AvailableOptions []string     `json:"availableOptions"`
	Purposes         string       `json:"purposes"`
	Response         *deiResponse `json:"response,omitempty"`
}

type deiResponse struct {
	TaxonomyCodes []string `json:"taxonomyCodes"`
}

// deiDetails maps a group's published answers onto the extension. Every
// area is asked with the application (AS200), offering the taxonomy's
// groups, categories and subcategories and "prefer not to say"; an
// answer is a reply (RS200) with its codes, "prefer not to say" RS202.
func deiDetails(d EqualityOpenData) map[string]deiArea {
	area := func(a equality.Area) deiArea {
		x := deiArea{AskedStatus: "AS200", ReplyStatus: "RS202", AvailableOptions: []string{"AO100", "AO101", "AO102", "AO301"},
			Purposes: "Monitoring"}
		if a.Answered {
			x.ReplyStatus = "RS200"
			x.Response = &deiResponse{TaxonomyCodes: a.Groups}
		}
		return x
	}
	return map[string]deiArea{"leadership": area(d.Leadership), "mission": area(d.Mission), "project": area(d.Project)}
}
