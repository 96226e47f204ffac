package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
)

type dashboardData struct {
	Me app.Me
	app.Home
	Manager *dashManagerData
	// Caseworker leads a caseworker to the intake queue.
	Caseworker *dashCaseworkerData
}

// dashCaseworkerData is what waits for caseworkers: requests to triage
// and open cases.
type dashCaseworkerData struct {
	Waiting, Open int
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
	home, err := ui.app.Home(ctx, a)
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := dashboardData{Me: me, Home: home}
	if a.Has(app.RoleManager) {
		if d.Manager, err = ui.dashManager(ctx, a); err != nil {
			ui.fail(c, err)
			return
		}
	}
	if a.Has(app.RoleCaseworker) {
		w, err := ui.app.CaseworkToDo(ctx, a)
		if err != nil {
			ui.fail(c, err)
			return
		}
		d.Caseworker = &dashCaseworkerData{Open: w.Open, Waiting: w.Requests}
	}
	ui.render(c, http.StatusOK, "dashboard", page{Title: "Dashboard", Data: d})
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
func dashHalfDays(n int64) string { return halves(n, "day") }

// halves writes a number of halves of unit: "10 days", "10.5 days",
// "1 day".
func halves(n int64, unit string) string {
	s := fmt.Sprint(n / 2)
	if n%2 != 0 {
		s += ".5"
	}
	if n == 2 {
		return s + " " + unit
	}
	return s + " " + unit + "s"
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
