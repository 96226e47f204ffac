package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/equality"
)

// The areas of the equality questions, as form field prefixes.
var equalityAreas = []string{"leadership", "mission", "beneficiaries"}

// equalityPageData is the equality monitoring page: the application and
// every group of the taxonomy to choose from.
type equalityPageData struct {
	AppID  string
	Base   string
	Groups []choice
	// ShareGroups are the taxonomy's population groups, each with the
	// form fields of its board and senior-staff shares.
	ShareGroups []equalityShareField
	Saved       bool
}

// equalityShareField is one population group's share inputs.
type equalityShareField struct {
	Label, Board, Senior string
}

// shareField names a group's share input (kind board or senior).
func shareField(kind, code string) string { return "share_" + kind + "_" + code }

func equalityShareFields() []equalityShareField {
	var out []equalityShareField
	for _, g := range equality.Groups() {
		if g.Parent == "" {
			out = append(out, equalityShareField{Label: g.Label, Board: shareField("board", g.Code), Senior: shareField("senior", g.Code)})
		}
	}
	return out
}

// equalityShares reads the share inputs: a group with either filled in is
// given; a value that is not a whole number fails on the form.
func equalityShares(f *Form) []equality.Share {
	out := []equality.Share{}
	for _, g := range equality.Groups() {
		if g.Parent != "" {
			continue
		}
		read := func(name string) *int {
			v := f.Get(name)
			if v == "" {
				return nil
			}
			n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
			if err != nil {
				f.Fail(name, "Enter a whole number from 0 to 100")
				return nil
			}
			return &n
		}
		board, senior := read(shareField("board", g.Code)), read(shareField("senior", g.Code))
		if board != nil || senior != nil {
			out = append(out, equality.Share{Group: g.Code, BoardPercent: board, SeniorStaffPercent: senior})
		}
	}
	return out
}

func equalityChoices() []choice {
	gs := equality.Groups()
	out := make([]choice, 0, len(gs))
	for _, g := range gs {
		text := g.Label
		if g.Parent != "" {
			text = equality.Label(equality.TopLevel(g.Code)) + ": " + g.Label
		}
		out = append(out, choice{Value: g.Code, Text: text})
	}
	return out
}

// equalityForm fills the form from stored answers.
func equalityForm(e app.Equality) *Form {
	f := newForm()
	for i, a := range []equality.Area{{Answered: e.Leadership.Answered, Groups: e.Leadership.Groups}, e.Mission, e.Beneficiaries} {
		if !e.Saved {
			continue
		}
		if a.Answered {
			f.Set(equalityAreas[i]+"_answered", "yes")
		} else {
			f.Set(equalityAreas[i]+"_answered", "prefer_not")
		}
		f.Values[equalityAreas[i]+"_groups"] = append([]string(nil), a.Groups...)
	}
	for _, sh := range e.Leadership.Shares {
		if sh.BoardPercent != nil {
			f.Set(shareField("board", sh.Group), strconv.Itoa(*sh.BoardPercent))
		}
		if sh.SeniorStaffPercent != nil {
			f.Set(shareField("senior", sh.Group), strconv.Itoa(*sh.SeniorStaffPercent))
		}
	}
	if e.Publish {
		f.Set("publish", "yes")
	}
	return f
}

// applicantEqualityPage asks the optional equality monitoring questions
// (members of the applicant only; staff get not found from the use case).
func (ui *UI) applicantEqualityPage(c *gin.Context) {
	e, err := ui.app.GetEquality(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.renderEquality(c, http.StatusOK, equalityForm(e), e.Saved)
}

// applicantSaveEquality stores the answers; "prefer not to say" (or no
// choice) for an area stores it as not answered with no groups.
func (ui *UI) applicantSaveEquality(c *gin.Context) {
	f := postedForm(c)
	area := func(name string) equality.Area {
		if f.Get(name+"_answered") != "yes" {
			return equality.Area{Answered: false, Groups: []string{}}
		}
		return equality.Area{Answered: true, Groups: f.All(name + "_groups")}
	}
	l := area("leadership")
	shares := equalityShares(f)
	if !l.Answered {
		shares = []equality.Share{} // "prefer not to say" says nothing of shares
	}
	in := equality.Answers{Leadership: equality.Leadership{Answered: l.Answered, Groups: l.Groups, Shares: shares}, Mission: area("mission"),
		Beneficiaries: area("beneficiaries"), Publish: f.Get("publish") == "yes"}
	appID := c.Param("id")
	if f.Invalid() {
		ui.renderEquality(c, http.StatusUnprocessableEntity, f, false)
		return
	}
	_, err := ui.app.SaveEquality(c.Request.Context(), actor(c), appID, jsonBody(in))
	if err == nil {
		redirect(c, "/applications/"+url.PathEscape(appID)+"/equality?saved=1")
		return
	}
	e, ok := app.AsError(err)
	if !ok || e.Kind != app.KindInvalid {
		ui.fail(c, err)
		return
	}
	// Each problem under its area's checkboxes (field paths are
	// "<area>.groups[i]" or "<area>.shares…").
	for _, a := range equalityAreas {
		for k, msg := range e.Fields {
			if strings.HasPrefix(k, a+".") && f.Error(a+"_groups") == "" {
				f.Fail(a+"_groups", msg)
			}
		}
	}
	ui.renderEquality(c, http.StatusUnprocessableEntity, f, false)
}

func (ui *UI) renderEquality(c *gin.Context, status int, f *Form, saved bool) {
	base := "/applications/" + url.PathEscape(c.Param("id"))
	flash := ""
	if c.Query("saved") == "1" {
		flash = "Your equality answers were saved"
	}
	ui.render(c, status, "applicant-equality", page{Title: "Equality monitoring", Form: f, Flash: flash, Back: base,
		Data: equalityPageData{AppID: c.Param("id"), Base: base, Groups: equalityChoices(), ShareGroups: equalityShareFields(), Saved: saved}})
}

// managerEqualityPage is the equality report of a round or a programme,
// in tables, for managers.
func (ui *UI) managerEqualityPage(c *gin.Context) {
	filter := app.EqualityReportFilter{RoundID: c.Query("round_id"), Programme: c.Query("programme")}
	var (
		rep app.EqualityReport
		err error
	)
	if filter.RoundID != "" || filter.Programme != "" {
		rep, err = ui.app.ReportEquality(c.Request.Context(), actor(c), filter)
		if err != nil {
			ui.fail(c, err)
			return
		}
	}
	f := newForm().Set("round_id", filter.RoundID).Set("programme", filter.Programme)
	ui.render(c, http.StatusOK, "manager-equality", page{Title: "Equality monitoring", Form: f, Data: equalityReportData{Report: rep,
		Chosen: filter.RoundID != "" || filter.Programme != "", Areas: []equalityArea{{"Organisations led by", rep.Leadership},
			{"Mission", rep.Mission}, {"Who the project is for", rep.Beneficiaries}}}})
}

type equalityReportData struct {
	Report app.EqualityReport
	Chosen bool
	Areas  []equalityArea
}

type equalityArea struct {
	Title string
	Rows  []app.EqualityRow
}
