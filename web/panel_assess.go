package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// panelQueueRow is one assessment in the assessor's queue.
type panelQueueRow struct {
	app.Assessment
	RoundName string
	Overdue   bool
}

type panelQueueData struct {
	Rows []panelQueueRow
}

// panelQueue lists the assessor's own assessments, soonest deadline first.
func (ui *UI) panelQueue(c *gin.Context) {
	ctx := c.Request.Context()
	var all []app.Assessment
	q := app.AssessmentFilter{Page: app.PageQuery{Limit: "200"}}
	for range 20 { // at most 4,000: far more than anyone is assigned
		pg, err := ui.app.ListAssessments(ctx, actor(c), q)
		if err != nil {
			ui.fail(c, err)
			return
		}
		all = append(all, pg.Items...)
		if pg.NextCursor == nil {
			break
		}
		q.Page.Cursor = *pg.NextCursor
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Deadline.Before(all[j].Deadline) })
	names := map[string]string{}
	now := ui.now()
	rows := make([]panelQueueRow, 0, len(all))
	for _, a := range all {
		name, ok := names[a.RoundID]
		if !ok {
			r, err := ui.app.GetRound(ctx, a.RoundID)
			if err != nil {
				ui.fail(c, err)
				return
			}
			name, names[a.RoundID] = r.Name, r.Name
		}
		rows = append(rows, panelQueueRow{Assessment: a, RoundName: name,
			Overdue: a.Status == "assigned" && now.After(a.Deadline)})
	}
	p := page{Title: "Your assessments", Data: panelQueueData{Rows: rows}}
	switch {
	case c.Query("conflict") == "1":
		p.Flash = "You declared a conflict of interest. The application has been passed to another assessor."
	case c.Query("affiliations") == "1":
		p.Flash = "Your affiliations have been saved."
	}
	ui.render(c, http.StatusOK, "panel-queue", p)
}

// panelCriterion is one criterion on the scoring form.
type panelCriterion struct {
	Key, Title, Guidance string
	Weight, MaxScore     int
	ScoreName, JustName  string
	Items                []choice
	MaxLength            int
}

type panelAssessmentData struct {
	Detail    app.AssessmentDetail
	Round     app.Round
	Tier      string
	Sections  []panelSection
	Criteria  []panelCriterion
	Overdue   bool
	MaxReason int
}

func panelCriteria(d app.AssessmentDetail) []panelCriterion {
	out := make([]panelCriterion, 0, len(d.Criteria))
	for _, cr := range d.Criteria {
		pc := panelCriterion{Key: cr.Key, Title: cr.Title, Guidance: cr.Guidance, Weight: cr.Weight, MaxScore: cr.MaxScore,
			ScoreName: "score_" + cr.Key, JustName: "justification_" + cr.Key, MaxLength: panelMaxJustification}
		for s := 0; s <= cr.MaxScore; s++ {
			pc.Items = append(pc.Items, choice{Value: strconv.Itoa(s), Text: strconv.Itoa(s)})
		}
		out = append(out, pc)
	}
	return out
}

// panelAssessment loads an assessment with its round and what the page
// shows of it.
func (ui *UI) panelAssessment(ctx context.Context, a app.Actor, id string) (panelAssessmentData, error) {
	d, err := ui.app.GetAssessment(ctx, a, id)
	if err != nil {
		return panelAssessmentData{}, err
	}
	r, err := ui.app.GetRound(ctx, d.Application.RoundID)
	if err != nil {
		return panelAssessmentData{}, err
	}
	return panelAssessmentData{Detail: d, Round: r, Tier: panelTier(r, d.Application.Tier), Sections: panelAnswers(r, d.Application),
		Criteria: panelCriteria(d), Overdue: d.Status == "assigned" && ui.now().After(d.Deadline), MaxReason: panelMaxReason}, nil
}

func panelAssessmentTitle(d app.AssessmentDetail) string {
	return "Assess the application from " + d.OrganisationName
}

// panelAssessmentPage is the scoring page: the application, its documents
// and a score with a justification for each criterion, filled in with the
// scores already saved.
func (ui *UI) panelAssessmentPage(c *gin.Context) {
	data, err := ui.panelAssessment(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := newForm()
	for _, cr := range data.Criteria {
		if s, ok := data.Detail.Scores[cr.Key]; ok {
			f.Set(cr.ScoreName, strconv.Itoa(s.Score))
			f.Set(cr.JustName, s.Justification)
		}
	}
	p := page{Title: panelAssessmentTitle(data.Detail), Form: f, Data: data, Back: "/assessments"}
	if c.Query("saved") == "1" {
		p.Flash = "Your scores have been saved."
	}
	ui.render(c, http.StatusOK, "panel-assessment", p)
}

// panelScore saves a score and a justification for every criterion
// (app.Score: all criteria at once; they can be revised until the deadline
// or the decision).
func (ui *UI) panelScore(c *gin.Context) {
	ctx := c.Request.Context()
	data, err := ui.panelAssessment(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	scores := make(map[string]app.ScoreInput, len(data.Criteria))
	rename := map[string]string{}
	var order []string
	for i, cr := range data.Criteria {
		in := app.ScoreInput{Justification: f.Raw(cr.JustName)}
		if v := f.Get(cr.ScoreName); v == "" {
			f.Fail(cr.ScoreName, "Choose a score for "+strings.ToLower(cr.Title))
		} else {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > cr.MaxScore {
				f.Fail(cr.ScoreName, fmt.Sprintf("Choose a score from 0 to %d for %s", cr.MaxScore, strings.ToLower(cr.Title)))
			} else {
				in.Score = &n
			}
		}
		switch j := strings.TrimSpace(in.Justification); {
		case j == "":
			f.Fail(cr.JustName, "Explain your score for "+strings.ToLower(cr.Title))
		case utf8.RuneCountInString(j) > cr.MaxLength:
			f.Fail(cr.JustName, fmt.Sprintf("Keep your explanation for %s to %d characters or fewer", strings.ToLower(cr.Title), cr.MaxLength))
		}
		scores[cr.Key] = in
		rename["scores."+cr.Key] = cr.ScoreName
		rename["scores."+cr.Key+".score"] = cr.ScoreName
		rename["scores."+cr.Key+".justification"] = cr.JustName
		order = append(order, "scores."+cr.Key, "scores."+cr.Key+".score", "scores."+cr.Key+".justification")
		if i == 0 {
			rename["scores"] = cr.ScoreName
		}
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		_, err := ui.app.Score(ctx, actor(c), c.Param("id"), jsonBody(app.ScoresInput{Scores: scores}))
		if err == nil {
			redirect(c, "/assessments/"+c.Param("id")+"?saved=1")
			return
		}
		if !f.FromApp(err, rename, order...) {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	ui.render(c, status, "panel-assessment", page{Title: panelAssessmentTitle(data.Detail), Form: f, Data: data, Back: "/assessments"})
}

func panelConflictTitle() string { return "Declare a conflict of interest" }

// panelConflictPage asks the assessor what the conflict is before they give
// the application up.
func (ui *UI) panelConflictPage(c *gin.Context) {
	data, err := ui.panelAssessment(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "panel-conflict", page{Title: panelConflictTitle(), Data: data, Back: "/assessments/" + data.Detail.ID})
}

// panelConflict declares the conflict (app.DeclareConflict): the
// assessment is released, the case goes to another assessor and this one
// can no longer see it.
func (ui *UI) panelConflict(c *gin.Context) {
	ctx := c.Request.Context()
	data, err := ui.panelAssessment(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	reason := strings.TrimSpace(f.Raw("reason"))
	switch {
	case reason == "":
		f.Fail("reason", "Say what the conflict of interest is")
	case utf8.RuneCountInString(reason) > panelMaxReason:
		f.Fail("reason", fmt.Sprintf("Keep the reason to %d characters or fewer", panelMaxReason))
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		_, err := ui.app.DeclareConflict(ctx, actor(c), c.Param("id"), jsonBody(app.ConflictInput{Reason: reason}))
		if err == nil {
			redirect(c, "/assessments?conflict=1")
			return
		}
		if !f.FromApp(err, nil, "reason") {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	ui.render(c, status, "panel-conflict", page{Title: panelConflictTitle(), Form: f, Data: data, Back: "/assessments/" + data.Detail.ID})
}

// panelAffiliationRows is how many blank rows the affiliations page offers
// beyond those filled in.
const panelAffiliationRows = 3

type panelAffiliationsData struct {
	Rows []int
}

func panelAffiliationsPageData(n int) panelAffiliationsData {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return panelAffiliationsData{Rows: rows}
}

// panelAffiliationsPage lets an assessor list the organisations they are
// connected with, so they are not given those organisations' applications.
func (ui *UI) panelAffiliationsPage(c *gin.Context) {
	me, err := ui.app.Me(c.Request.Context(), actor(c))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := newForm()
	for i, a := range me.Affiliations {
		f.Set(fmt.Sprintf("name-%d", i), a.Name)
		f.Set(fmt.Sprintf("charity_number-%d", i), a.CharityNumber)
		f.Set(fmt.Sprintf("company_number-%d", i), a.CompanyNumber)
	}
	ui.render(c, http.StatusOK, "panel-affiliations", page{Title: "Your affiliations", Form: f,
		Data: panelAffiliationsPageData(len(me.Affiliations) + panelAffiliationRows), Back: "/assessments"})
}

// panelAffiliations replaces the assessor's affiliations with the rows
// filled in (app.SetAffiliations); a cleared row is removed.
func (ui *UI) panelAffiliations(c *gin.Context) {
	f := postedForm(c)
	n := 0
	for k := range f.Values {
		for _, p := range []string{"name-", "charity_number-", "company_number-"} {
			if rest, ok := strings.CutPrefix(k, p); ok {
				if i, err := strconv.Atoi(rest); err == nil && i >= 0 && i < 200 && i+1 > n {
					n = i + 1
				}
			}
		}
	}
	list := []app.Affiliation{}
	rename := map[string]string{"affiliations": "name-0"}
	var order []string
	for i := range n {
		af := app.Affiliation{Name: f.Get(fmt.Sprintf("name-%d", i)), CharityNumber: f.Get(fmt.Sprintf("charity_number-%d", i)),
			CompanyNumber: f.Get(fmt.Sprintf("company_number-%d", i))}
		if af == (app.Affiliation{}) {
			continue
		}
		key := fmt.Sprintf("affiliations[%d]", len(list))
		rename[key] = fmt.Sprintf("name-%d", i)
		for _, fld := range []string{"name", "charity_number", "company_number"} {
			rename[key+"."+fld] = fmt.Sprintf("%s-%d", fld, i)
		}
		order = append(order, key, key+".name", key+".charity_number", key+".company_number")
		list = append(list, af)
	}
	_, err := ui.app.SetAffiliations(c.Request.Context(), actor(c), jsonBody(app.Affiliations{Affiliations: list}))
	if err == nil {
		redirect(c, "/assessments?affiliations=1")
		return
	}
	if !f.FromApp(err, rename, order...) {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "panel-affiliations", page{Title: "Your affiliations", Form: f,
		Data: panelAffiliationsPageData(max(n, 1)), Back: "/assessments"})
}
