package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// What casework achieved: the figures of app.CaseworkFigures drawn as
// charts, each followed by a table of the same figures, and the cases as
// CSV.

type cwFiguresData struct {
	cwText
	app.CaseworkDashboard
	RiskChart, BoroughChart, ContactChart, OutcomeChart template.HTML
	Contacted                                           int    // first contact made, on time or late
	Median                                              string // "2.5 working days"; "" with no contact yet
	Hours                                               string // time given, in hours and minutes
	OutcomeTotal, RequestTotal                          int    // totals of their tables
}

// cwCountChart draws counts of cases as a bar chart.
func cwCountChart(id, title, desc string, counts []app.CaseCount) template.HTML {
	c := chart{ID: id, Title: title, Desc: desc}
	for _, n := range counts {
		c.Rows = append(c.Rows, chartRow{Label: n.Label, Note: dashPlural(int64(n.Cases), "case"),
			Segments: []chartSegment{{Value: int64(n.Cases), Class: "count"}}})
	}
	return barChart(c)
}

func cwTotal(counts []app.CaseCount) int {
	n := 0
	for _, c := range counts {
		n += c.Cases
	}
	return n
}

// cwFigures draws the casework figures.
func cwFigures(d app.CaseworkDashboard) cwFiguresData {
	h := cwFiguresData{CaseworkDashboard: d, OutcomeTotal: cwTotal(d.Outcomes), RequestTotal: cwTotal(d.Requests), Hours: cwText{}.Hours(d.Minutes)}
	fc := d.FirstContact
	h.Contacted = fc.OnTime + fc.Late
	if h.Contacted > 0 {
		h.Median = halves(int64(fc.MedianHalfWorkingDays), "working day")
	}
	h.RiskChart = cwCountChart("chart-risk", "Open cases by risk",
		fmt.Sprintf("The number of open cases for each kind of risk, %s in all.", dashPlural(int64(d.Open), "open case")), d.OpenByRisk)
	h.BoroughChart = cwCountChart("chart-borough", "Open cases by borough",
		fmt.Sprintf("The number of open cases in each borough of the space, %s in %s.", dashPlural(int64(d.Open), "open case"),
			dashPlural(int64(len(d.OpenByBorough)), "borough")), d.OpenByBorough)
	contact := []app.CaseCount{{Label: "Contacted on time", Cases: fc.OnTime}, {Label: "Contacted late", Cases: fc.Late},
		{Label: "Not contacted, overdue", Cases: fc.Overdue}, {Label: "Not contacted, still within the promise", Cases: fc.Waiting}}
	desc := fmt.Sprintf("First contact against the promise of %s: %d on time, %d late, %d overdue and %d still within it.",
		dashPlural(int64(fc.PromisedDays), "working day"), fc.OnTime, fc.Late, fc.Overdue, fc.Waiting)
	if h.Median != "" {
		desc += " The median time to first contact is " + h.Median + "."
	}
	h.ContactChart = cwCountChart("chart-contact", "First contact against the promise", desc, contact)
	h.OutcomeChart = cwCountChart("chart-outcomes", "Closed cases by outcome",
		fmt.Sprintf("The number of closed cases with each outcome, %s in all; %s saved.", dashPlural(int64(h.OutcomeTotal), "closed case"),
			dashPlural(int64(d.SpacesSaved), "space")), d.Outcomes)
	return h
}

// caseworkFigures is the casework dashboard (caseworkers and managers).
func (ui *UI) caseworkFigures(c *gin.Context) {
	d, err := ui.app.CaseworkFigures(c.Request.Context(), actor(c))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "casework-figures", page{Title: "Casework figures", Data: cwFigures(d)})
}

// caseworkCSV streams every case as a CSV attachment, as the API's
// exports do.
func (ui *UI) caseworkCSV(c *gin.Context) {
	write, err := ui.app.ExportCases(c.Request.Context(), actor(c))
	ui.sendCSV(c, "cases.csv", write, err)
}
