package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workday"
)

// What casework achieved (issue 16): the dashboard of open cases by risk
// and borough, first contact against the promise, outcomes, spaces saved
// and hours given, and the same rows as CSV.

// CaseworkDashboard is the casework figures. Counts are of cases.
type CaseworkDashboard struct {
	Open          int                 `json:"open"`
	Closed        int                 `json:"closed"`
	OpenByRisk    []CaseCount         `json:"open_by_risk"`
	OpenByBorough []CaseCount         `json:"open_by_borough"`
	FirstContact  FirstContactFigures `json:"first_contact"`
	Outcomes      []CaseCount         `json:"outcomes"`
	// SpacesSaved is the closed cases whose outcome kept the space
	// (casework.Saved).
	SpacesSaved int `json:"spaces_saved"`
	// Minutes is the time logged on contacts, over every case.
	Minutes int64 `json:"minutes"`
	// Requests counts the support requests by status.
	Requests []CaseCount `json:"requests"`
}

// CaseCount is a number of cases under a key, with the words for it.
type CaseCount struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Cases int    `json:"cases"`
}

// FirstContactFigures is how first contact measured against the promise.
type FirstContactFigures struct {
	// OnTime and Late are cases contacted by, or after, their promised
	// date; Overdue have had no contact and their date has passed;
	// Waiting have had none and are still within it.
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Overdue int `json:"overdue"`
	Waiting int `json:"waiting"`
	// MedianWorkingDays is the median working days from acceptance to
	// first contact over the contacted cases, doubled (a median of an even
	// count may fall half-way); 0 with none.
	MedianHalfWorkingDays int `json:"median_half_working_days"`
	// PromisedDays is the default promise (GRANTS_CASE_FIRST_CONTACT_DAYS).
	PromisedDays int `json:"promised_days"`
}

// CaseRow is one case as the dashboard and the CSV export read it.
type CaseRow struct {
	sqlc.CaseDashboardRowsRow
	// ContactDays is the working days from acceptance to first contact
	// (nil: none yet); OnTime whether it kept the promise.
	ContactDays *int
	OnTime      *bool
}

func requireCaseworkReader(actor Actor) error {
	if !actor.Has(RoleCaseworker) && !actor.Has(RoleManager) {
		return forbidden("Only caseworkers and programme managers can see casework figures")
	}
	return nil
}

// caseRows reads every case with its first-contact measure.
func (a *App) caseRows(ctx context.Context) ([]CaseRow, error) {
	rows, err := a.store.CaseDashboardRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	out := make([]CaseRow, len(rows))
	for i, r := range rows {
		out[i] = CaseRow{CaseDashboardRowsRow: r}
		if r.FirstContactAt != nil {
			days := casework.WorkingDaysBetween(workday.DateOf(r.OpenedAt), workday.DateOf(*r.FirstContactAt))
			onTime := !casework.DateFrom(r.FirstContactDueOn).Before(workday.DateOf(*r.FirstContactAt))
			out[i].ContactDays, out[i].OnTime = &days, &onTime
		}
	}
	return out, nil
}

// CaseworkFigures gathers the casework dashboard (caseworkers and
// managers).
func (a *App) CaseworkFigures(ctx context.Context, actor Actor) (CaseworkDashboard, error) {
	if err := requireCaseworkReader(actor); err != nil {
		return CaseworkDashboard{}, err
	}
	rows, err := a.caseRows(ctx)
	if err != nil {
		return CaseworkDashboard{}, err
	}
	d := CaseworkDashboard{FirstContact: FirstContactFigures{PromisedDays: a.cfg.CaseFirstContactDays}}
	byRisk, byBorough, outcomes := map[string]int{}, map[string]int{}, map[string]int{}
	var days []int
	today := a.today()
	for _, r := range rows {
		d.Minutes += r.Minutes
		switch {
		case r.OnTime != nil && *r.OnTime:
			d.FirstContact.OnTime++
		case r.OnTime != nil:
			d.FirstContact.Late++
		case r.Status == casework.CaseOpen && casework.DateFrom(r.FirstContactDueOn).Before(today):
			d.FirstContact.Overdue++
		case r.Status == casework.CaseOpen:
			d.FirstContact.Waiting++
		}
		if r.ContactDays != nil {
			days = append(days, *r.ContactDays)
		}
		if r.Status == casework.CaseOpen {
			d.Open++
			byRisk[r.RiskKind]++
			byBorough[r.BoroughName]++
			continue
		}
		d.Closed++
		if r.Outcome != nil {
			outcomes[*r.Outcome]++
			if casework.Saved(*r.Outcome) {
				d.SpacesSaved++
			}
		}
	}
	if n := len(days); n > 0 {
		sort.Ints(days)
		d.FirstContact.MedianHalfWorkingDays = days[(n-1)/2] + days[n/2]
	}
	d.OpenByRisk = countsOf(casework.RiskKinds, byRisk)
	d.Outcomes = countsOf(casework.Outcomes, outcomes)
	for _, name := range sortedKeys(byBorough) {
		d.OpenByBorough = append(d.OpenByBorough, CaseCount{Key: name, Label: name, Cases: byBorough[name]})
	}
	if d.OpenByBorough == nil {
		d.OpenByBorough = []CaseCount{}
	}
	requests, err := a.store.SupportRequestCountByStatus(ctx)
	if err != nil {
		return CaseworkDashboard{}, fmt.Errorf("count requests: %w", err)
	}
	byStatus := map[string]int{}
	for _, r := range requests {
		byStatus[r.Status] = int(r.Requests)
	}
	d.Requests = countsOf(casework.RequestStatuses, byStatus)
	return d, nil
}

// countsOf lists a count per value of a closed list, in its order, zeros
// included, so charts and tables keep their shape.
func countsOf(list []casework.Choice, counts map[string]int) []CaseCount {
	out := make([]CaseCount, 0, len(list))
	for _, c := range list {
		out = append(out, CaseCount{Key: c.Value, Label: c.Label, Cases: counts[c.Value]})
	}
	return out
}

// casesCSVHeader is the header row of GET /exports/cases.csv.
var casesCSVHeader = []string{"case_id", "organisation_id", "organisation", "space", "space_kind", "borough", "risk", "urgency",
	"caseworker", "status", "opened_on", "first_contact_due_on", "first_contact_on", "working_days_to_first_contact",
	"first_contact_on_time", "contacts", "hours", "outcome", "outcome_summary", "closed_on"}

// ExportCases returns every case as CSV (caseworkers and managers): one
// row per case, oldest first, dates as London dates, hours with two
// decimals. Cells a spreadsheet would run as a formula are defused.
func (a *App) ExportCases(ctx context.Context, actor Actor) (CSVExport, error) {
	if err := requireCaseworkReader(actor); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		rows, err := a.caseRows(ctx)
		if err != nil {
			return err
		}
		cw, err := NewCSVWriter(w, casesCSVHeader)
		if err != nil {
			return err
		}
		day := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return workday.DateOf(*t).String()
		}
		for _, r := range rows {
			contactDays, onTime := "", ""
			if r.ContactDays != nil {
				contactDays, onTime = strconv.Itoa(*r.ContactDays), strconv.FormatBool(*r.OnTime)
			}
			rec := []string{r.ID, r.OrganisationID, r.OrganisationName, r.SpaceName, r.SpaceKind, r.BoroughName, r.RiskKind, r.Urgency,
				r.CaseworkerName, r.Status, day(&r.OpenedAt), dateString(r.FirstContactDueOn), day(r.FirstContactAt), contactDays, onTime,
				strconv.Itoa(int(r.Contacts)), fmt.Sprintf("%d.%02d", r.Minutes/60, (r.Minutes%60)*100/60), deref(r.Outcome),
				deref(r.OutcomeSummary), day(r.ClosedAt)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		return cw.Flush()
	}, nil
}

// OrganisationCases lists an organisation's cases for its page (its
// members, or caseworkers); nil for anyone else.
func (a *App) OrganisationCases(ctx context.Context, actor Actor, orgID string) ([]Case, error) {
	if !actor.Has(RoleCaseworker) {
		role, err := memberRole(ctx, a.store.Queries, orgID, actor.ID)
		if err != nil || role == "" {
			return nil, err
		}
	}
	page, err := a.ListCases(ctx, actor, CaseFilter{OrganisationID: orgID, Page: PageQuery{Limit: strconv.Itoa(maxLimit)}})
	if err != nil {
		return nil, err
	}
	return slices.Clip(page.Items), nil
}

// CaseworkWaiting is what waits for caseworkers on their home page: the
// requests not yet triaged and the open cases (two counts, not the
// figures, which read every case).
type CaseworkWaiting struct {
	Requests int
	Open     int
}

// CaseworkToDo counts what waits for caseworkers (caseworkers only).
func (a *App) CaseworkToDo(ctx context.Context, actor Actor) (CaseworkWaiting, error) {
	if err := requireCaseworker(actor); err != nil {
		return CaseworkWaiting{}, err
	}
	var w CaseworkWaiting
	requests, err := a.store.SupportRequestCountByStatus(ctx)
	if err != nil {
		return w, fmt.Errorf("count requests: %w", err)
	}
	for _, r := range requests {
		if r.Status == casework.RequestNew {
			w.Requests = int(r.Requests)
		}
	}
	open, err := a.store.CaseCountOpen(ctx)
	if err != nil {
		return w, fmt.Errorf("count open cases: %w", err)
	}
	w.Open = int(open)
	return w, nil
}
