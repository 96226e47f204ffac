package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

// dashboardCap bounds how many items a dashboard counts by listing; above
// it the page says "more than".
const dashboardCap = 1000

type dashboardData struct {
	Me        app.Me
	Applicant *dashApplicantData
	Assessor  *dashAssessorData
	Chair     *dashChairData
	Finance   *dashFinanceData
	Manager   *dashManagerData
}

// dashTally is a count that may have stopped at dashboardCap.
type dashTally struct {
	N    int
	More bool
}

func (t dashTally) String() string {
	if t.More {
		return fmt.Sprintf("more than %d", t.N)
	}
	return fmt.Sprint(t.N)
}

type dashApplicantData struct {
	Drafts, Submitted, Grants, Offers dashTally
}

type dashAssessorData struct {
	Waiting dashTally
	Next    *time.Time // the earliest deadline of a waiting assessment
}

type dashChairData struct {
	Rounds []dashRound
	More   bool
}

type dashRound struct {
	ID, Name string
	Cases    int
}

type dashFinanceData struct {
	Awaiting, Failed dashTally
}

// dashManagerData is the programme dashboard: four charts, each with its
// table.
type dashManagerData struct {
	app.Dashboard
	BudgetChart, PipelineChart, BoroughChart, DaysChart template.HTML
	Median                                              string // "10.5 days"
	TotalBudget, TotalCommitted, TotalRemaining         int64
	TotalApplications, BoroughGrants, BoroughPence      int64
}

// dashboard is every role's signed-in home: what each of the visitor's
// roles has waiting; programme managers see the programme's figures.
func (ui *UI) dashboard(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	me, err := ui.app.Me(ctx, a)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := dashboardData{Me: me}
	staff := a.Has(app.RoleManager) || a.Has(app.RoleChair) || a.Has(app.RoleAssessor) || a.Has(app.RoleFinance)
	steps := []struct {
		on  bool
		run func() error
	}{
		{!staff, func() (err error) { d.Applicant, err = ui.dashApplicant(ctx, a); return }},
		{a.Has(app.RoleAssessor), func() (err error) { d.Assessor, err = ui.dashAssessor(ctx, a); return }},
		{a.Has(app.RoleChair), func() (err error) { d.Chair, err = ui.dashChair(ctx, a); return }},
		{a.Has(app.RoleFinance), func() (err error) { d.Finance, err = ui.dashFinance(ctx, a); return }},
		{a.Has(app.RoleManager), func() (err error) { d.Manager, err = ui.dashManager(ctx, a); return }},
	}
	for _, s := range steps {
		if !s.on {
			continue
		}
		if err := s.run(); err != nil {
			ui.fail(c, err)
			return
		}
	}
	ui.render(c, http.StatusOK, "dashboard", page{Title: "Dashboard", Data: d})
}

// dashListAll reads a list page by page (200 at a time) up to dashboardCap
// items, reporting whether there were more.
func dashListAll[T any](list func(app.PageQuery) (app.Page[T], error)) ([]T, bool, error) {
	var out []T
	q := app.PageQuery{Limit: "200"}
	for {
		p, err := list(q)
		if err != nil {
			return nil, false, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == nil {
			return out, false, nil
		}
		if len(out) >= dashboardCap {
			return out[:dashboardCap], true, nil
		}
		q.Cursor = *p.NextCursor
	}
}

func (ui *UI) dashApplicant(ctx context.Context, a app.Actor) (*dashApplicantData, error) {
	apps, more, err := dashListAll(func(q app.PageQuery) (app.Page[app.Application], error) {
		return ui.app.ListApplications(ctx, a, app.ApplicationFilter{Page: q})
	})
	if err != nil {
		return nil, err
	}
	h := &dashApplicantData{Drafts: dashTally{More: more}, Submitted: dashTally{More: more}}
	for _, x := range apps {
		switch x.Status {
		case app.StatusDraft:
			h.Drafts.N++
		case app.StatusWithdrawn:
		default:
			h.Submitted.N++
		}
	}
	grants, more, err := dashListAll(func(q app.PageQuery) (app.Page[app.Grant], error) {
		return ui.app.ListGrants(ctx, a, app.GrantFilter{Page: q})
	})
	if err != nil {
		return nil, err
	}
	h.Grants = dashTally{N: len(grants), More: more}
	h.Offers.More = more
	for _, g := range grants {
		if g.Status == workflows.GrantStatusOffered {
			h.Offers.N++
		}
	}
	return h, nil
}

func (ui *UI) dashAssessor(ctx context.Context, a app.Actor) (*dashAssessorData, error) {
	items, more, err := dashListAll(func(q app.PageQuery) (app.Page[app.Assessment], error) {
		return ui.app.ListAssessments(ctx, a, app.AssessmentFilter{Status: workflows.AssessmentAssigned, Page: q})
	})
	if err != nil {
		return nil, err
	}
	h := &dashAssessorData{Waiting: dashTally{N: len(items), More: more}}
	for _, x := range items {
		if h.Next == nil || x.Deadline.Before(*h.Next) {
			d := x.Deadline
			h.Next = &d
		}
	}
	return h, nil
}

// dashChairData lists the rounds with applications in assessment: the cases
// waiting for the chair's decision.
func (ui *UI) dashChair(ctx context.Context, a app.Actor) (*dashChairData, error) {
	items, more, err := dashListAll(func(q app.PageQuery) (app.Page[app.Application], error) {
		return ui.app.ListApplications(ctx, a, app.ApplicationFilter{Status: app.StatusInAssessment, Page: q})
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, x := range items {
		counts[x.RoundID]++
	}
	h := &dashChairData{More: more}
	for id, n := range counts {
		r, err := ui.app.GetRound(ctx, id)
		if err != nil {
			return nil, err
		}
		h.Rounds = append(h.Rounds, dashRound{ID: id, Name: r.Name, Cases: n})
	}
	sort.Slice(h.Rounds, func(i, j int) bool { return h.Rounds[i].Name < h.Rounds[j].Name })
	return h, nil
}

func (ui *UI) dashFinance(ctx context.Context, a app.Actor) (*dashFinanceData, error) {
	count := func(status string) (dashTally, error) {
		items, more, err := dashListAll(func(q app.PageQuery) (app.Page[app.Payment], error) {
			return ui.app.ListPayments(ctx, a, app.PaymentFilter{Status: status, Page: q})
		})
		return dashTally{N: len(items), More: more}, err
	}
	var h dashFinanceData
	var err error
	if h.Awaiting, err = count(workflows.PaymentAwaitingApproval); err != nil {
		return nil, err
	}
	if h.Failed, err = count(workflows.PaymentFailed); err != nil {
		return nil, err
	}
	return &h, nil
}

func (ui *UI) dashManager(ctx context.Context, a app.Actor) (*dashManagerData, error) {
	d, err := ui.app.Dashboard(ctx, a)
	if err != nil {
		return nil, err
	}
	return dashCharts(d), nil
}

// dashCharts draws the programme dashboard's charts from its figures.
func dashCharts(d app.Dashboard) *dashManagerData {
	h := &dashManagerData{Dashboard: d}

	budget := chart{ID: "chart-budget", Title: "Budget committed and remaining by round", NoteBelow: true,
		Legend: []chartKey{{Text: "Committed (solid)", Class: "committed"}, {Text: "Remaining (hatched)", Class: "hatched"}}}
	for _, r := range d.Budget {
		h.TotalBudget += r.BudgetPence
		h.TotalCommitted += r.CommittedPence
		h.TotalRemaining += r.RemainingPence
		budget.Rows = append(budget.Rows, chartRow{Label: r.Name,
			Note:     fmt.Sprintf("%s committed, %s left", money.Pounds(r.CommittedPence), money.Pounds(r.RemainingPence)),
			Segments: []chartSegment{{Value: r.CommittedPence, Class: "committed"}, {Value: r.RemainingPence, Class: "hatched"}}})
	}
	budget.Desc = fmt.Sprintf("For each of %d rounds, a bar as long as its budget: the solid part is committed to awards, the hatched part remains. In all, %s committed and %s remaining of %s.",
		len(d.Budget), money.Pounds(h.TotalCommitted), money.Pounds(h.TotalRemaining), money.Pounds(h.TotalBudget))
	h.BudgetChart = barChart(budget)

	pipeline := chart{ID: "chart-pipeline", Title: "Applications by status"}
	for _, s := range d.Pipeline {
		h.TotalApplications += s.Applications
		pipeline.Rows = append(pipeline.Rows, chartRow{Label: humanise(s.Status), Note: dashPlural(s.Applications, "application"),
			Segments: []chartSegment{{Value: s.Applications, Class: "count"}}})
	}
	pipeline.Desc = fmt.Sprintf("The number of applications in each status, %s in all.", dashPlural(h.TotalApplications, "application"))
	h.PipelineChart = barChart(pipeline)

	boroughs := chart{ID: "chart-boroughs", Title: "Awards by London borough"}
	for _, b := range d.Boroughs {
		h.BoroughGrants += b.Grants
		h.BoroughPence += b.AwardPence
		boroughs.Rows = append(boroughs.Rows, chartRow{Label: b.Borough,
			Note:     fmt.Sprintf("%s, %s", money.Pounds(b.AwardPence), dashPlural(b.Grants, "grant")),
			Segments: []chartSegment{{Value: b.AwardPence, Class: "award"}}})
	}
	boroughs.Desc = fmt.Sprintf("The total awarded to lead organisations in each borough, largest first, with the number of grants: %s worth %s in %s.",
		dashPlural(h.BoroughGrants, "grant"), money.Pounds(h.BoroughPence), dashPlural(int64(len(d.Boroughs)), "borough"))
	h.BoroughChart = barChart(boroughs)

	days := columnChart{ID: "chart-days", Title: "Days from submission to decision", Mark: -1}
	dd := d.DecisionDays
	if dd.Decided > 0 {
		h.Median = dashHalfDays(dd.MedianHalfDays)
		days.MarkText = "Median: " + h.Median
		for i, b := range dd.Buckets { // the bucket the median falls in
			lo, hi := 2*b.MinDays, 2*b.MaxDays
			if dd.MedianHalfDays >= lo && (b.MaxDays < 0 || dd.MedianHalfDays <= hi+1) {
				days.Mark = i
				break
			}
		}
	}
	for _, b := range dd.Buckets {
		days.Columns = append(days.Columns, chartColumn{Label: dashBucketLabel(b), Value: b.Applications})
	}
	if dd.Decided > 0 {
		days.Desc = fmt.Sprintf("How many of the %s decided took each number of days from submission to decision. The median is %s.",
			dashPlural(dd.Decided, "application"), h.Median)
	} else {
		days.Desc = "No application has been decided yet."
	}
	h.DaysChart = columnsChart(days)
	return h
}

// halfDays writes a number of half days as days: "10 days", "10.5 days",
// "1 day".
func dashHalfDays(n int64) string {
	s := fmt.Sprint(n / 2)
	if n%2 != 0 {
		s += ".5"
	}
	if n == 2 {
		return s + " day"
	}
	return s + " days"
}

func dashBucketLabel(b app.DayBucket) string {
	if b.MaxDays < 0 {
		return fmt.Sprintf("%d or more days", b.MinDays)
	}
	return fmt.Sprintf("%d to %d days", b.MinDays, b.MaxDays)
}

// plural writes "1 grant", "2 grants".
func dashPlural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
