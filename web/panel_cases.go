package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workflows"
)

type panelRoundsData struct {
	Rounds []app.Round
}

// panelRounds lists every round, each linking to its ranking.
func (ui *UI) panelRounds(c *gin.Context) {
	ctx := c.Request.Context()
	var rounds []app.Round
	q := app.RoundFilter{Page: app.PageQuery{Limit: "200"}}
	for range 20 {
		pg, err := ui.app.ListRounds(ctx, q)
		if err != nil {
			ui.fail(c, err)
			return
		}
		rounds = append(rounds, pg.Items...)
		if pg.NextCursor == nil {
			break
		}
		q.Page.Cursor = *pg.NextCursor
	}
	ui.render(c, http.StatusOK, "panel-rounds", page{Title: "Panel", Data: panelRoundsData{Rounds: rounds}})
}

// panelRankRow is one application of a ranking as the table shows it.
type panelRankRow struct {
	Rank int
	app.RankingItem
	Scored    int  // assessments scored
	Live      int  // assessments assigned or scored
	Disagree  bool // the assessors' totals differ by more than the threshold
	Moderated bool
	Counted   bool // undecided: counted in the running total
}

type panelRankingData struct {
	Round      app.Round
	Ranking    app.Ranking
	Rows       []panelRankRow
	Threshold  int
	Prev, Next string // the pages' addresses, "" when there is none
	// FirstRank and LastRank are the ranks this page shows.
	FirstRank, LastRank int
}

func panelThreshold(r app.Round) int {
	if r.ModerationThreshold == nil {
		return 20 // round.DefaultModerationThreshold
	}
	return *r.ModerationThreshold
}

// ReferenceParts is the application's reference in pieces the ranking
// table may break a line between (with <wbr>): whole, the id is wider than
// its column and pushes the table out of the page.
func (r panelRankRow) ReferenceParts() []string {
	const piece = 10
	id := r.ApplicationID
	var out []string
	if prefix, rest, ok := strings.Cut(id, "_"); ok {
		out, id = append(out, prefix+"_"), rest
	}
	for len(id) > piece {
		out, id = append(out, id[:piece]), id[piece:]
	}
	return append(out, id)
}

func panelRankRowOf(it app.RankingItem, threshold int) panelRankRow {
	row := panelRankRow{Rank: it.Rank, RankingItem: it,
		Counted: it.Counted}
	for _, a := range it.Assessments {
		if a.Status == workflows.AssessmentScored {
			row.Scored++
		}
		if workflows.AssessmentLive(a.Status) {
			row.Live++
		}
	}
	for _, f := range it.Flags {
		switch f {
		case "needs_moderation":
			row.Disagree = true
		case "moderated":
			row.Moderated = true
		}
	}
	if len(it.AssessorTotals) >= 2 && int64(it.Spread) > int64(threshold)*100 && !row.Moderated {
		row.Disagree = true
	}
	return row
}

// panelRanking is a page of a round's ranking: applications best first
// with their scores, the spread flag, the decision and the running total
// against the budget left (carried from page to page).
func (ui *UI) panelRanking(c *gin.Context) {
	ctx := c.Request.Context()
	rk, err := ui.app.RoundRanking(ctx, actor(c), c.Param("id"), app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"})
	if err != nil {
		ui.fail(c, err)
		return
	}
	r, err := ui.app.GetRound(ctx, rk.RoundID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	data := panelRankingData{Round: r, Ranking: rk, Threshold: panelThreshold(r)}
	for _, it := range rk.Items {
		data.Rows = append(data.Rows, panelRankRowOf(it, data.Threshold))
	}
	if n := len(rk.Items); n > 0 {
		data.FirstRank, data.LastRank = rk.Items[0].Rank, rk.Items[n-1].Rank
	}
	here := "/panel/rounds/" + rk.RoundID
	if rk.NextCursor != nil {
		data.Next = here + "?cursor=" + url.QueryEscape(*rk.NextCursor)
	}
	if rk.Previous != nil {
		data.Prev = here
		if *rk.Previous != "" {
			data.Prev += "?cursor=" + url.QueryEscape(*rk.Previous)
		}
	}
	ui.render(c, http.StatusOK, "panel-ranking", page{Title: "Ranking: " + r.Name, Data: data, Back: "/panel"})
}

// panelScoreRow is one criterion of one assessor's scores.
type panelScoreRow struct {
	Title         string
	Score, Max    int
	Justification string
	Given         bool
}

// panelAssessmentView is one assessor's assessment on the case page.
type panelAssessmentView struct {
	app.RankingAssessment
	Rows []panelScoreRow
}

// panelCaseData is a case as staff see it: the application, its round,
// its place in the ranking and what the visitor may do (app's to say).
type panelCaseData struct {
	App         app.Application
	Round       app.Round
	OrgName     string
	Tier        string
	Sections    []panelSection
	Place       app.CaseRanking
	Item        *app.RankingItem
	Row         panelRankRow
	Assessments []panelAssessmentView
	Threshold   int
	CanAudit    bool
	MaxReason   int
}

// panelLoadCase reads an application with its round and its place in the
// round's ranking (which holds the organisation's name and every
// assessment with its scores).
func (ui *UI) panelLoadCase(ctx context.Context, a app.Actor, appID string) (panelCaseData, error) {
	ap, err := ui.app.GetApplication(ctx, a, appID)
	if err != nil {
		return panelCaseData{}, err
	}
	r, err := ui.app.GetRound(ctx, ap.RoundID)
	if err != nil {
		return panelCaseData{}, err
	}
	place, err := ui.app.CaseRanking(ctx, a, ap.ID)
	if err != nil {
		return panelCaseData{}, err
	}
	d := panelCaseData{App: ap, Round: r, Tier: panelTier(r, ap.Tier), Sections: panelAnswers(r, ap), Place: place,
		Threshold: panelThreshold(r), MaxReason: panelMaxReason, CanAudit: a.Has(app.RoleManager)}
	if it := place.Item; it != nil {
		d.Item = it
		d.Row = panelRankRowOf(*it, d.Threshold)
		d.OrgName = it.OrganisationName
	}
	if d.OrgName == "" && a.Has(app.RoleManager) {
		if o, err := ui.app.GetOrganisation(ctx, a, ap.OrganisationID); err == nil {
			d.OrgName = o.Name
		}
	}
	if d.Item != nil {
		for _, as := range d.Item.Assessments {
			v := panelAssessmentView{RankingAssessment: as}
			for _, cr := range r.Criteria {
				row := panelScoreRow{Title: cr.Title, Max: cr.MaxScore}
				if s, ok := as.Scores[cr.Key]; ok {
					row.Score, row.Justification, row.Given = s.Score, s.Justification, true
				}
				v.Rows = append(v.Rows, row)
			}
			d.Assessments = append(d.Assessments, v)
		}
	}
	return d, nil
}

func panelCaseTitle(d panelCaseData) string {
	if d.OrgName != "" {
		return "Application from " + d.OrgName
	}
	return "Application " + d.App.ID
}

// panelCase is the staff view of an application: answers, documents,
// eligibility, assessments with their justifications, the total, the
// moderation and the decision.
func (ui *UI) panelCase(c *gin.Context) {
	d, err := ui.panelLoadCase(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	p := page{Title: panelCaseTitle(d), Data: d, Back: "/panel/rounds/" + d.Round.ID}
	switch {
	case c.Query("decided") == "1":
		p.Flash = "Your decision has been recorded."
	case c.Query("moderated") == "1":
		p.Flash = "The moderated total has been saved."
	}
	ui.render(c, http.StatusOK, "panel-case", p)
}

func panelDecideTitle(d panelCaseData) string {
	if d.OrgName != "" {
		return "Decide on the application from " + d.OrgName
	}
	return "Decide on application " + d.App.ID
}

// panelDecidePage is the chair's decision form.
func (ui *UI) panelDecidePage(c *gin.Context) {
	d, err := ui.panelLoadCase(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	if !d.Place.AwaitingDecision {
		ui.panelNotAwaiting(c, d, "This application is not awaiting a decision.")
		return
	}
	f := newForm()
	if d.App.RequestedPence != nil {
		f.Set("award", money.Input(*d.App.RequestedPence))
	}
	ui.render(c, http.StatusOK, "panel-decide", page{Title: panelDecideTitle(d), Form: f, Data: d, Back: "/cases/" + d.App.ID})
}

// panelNotAwaiting answers a decision or moderation form for a case that
// has moved on: 409 with the reason.
func (ui *UI) panelNotAwaiting(c *gin.Context, d panelCaseData, msg string) {
	ui.render(c, app.KindConflict.Status(), "error", page{Title: "There is a problem", Data: errorData{Message: msg}, Back: "/cases/" + d.App.ID})
}

// panelDecide records the chair's decision (app.Decide): approve with an
// award in pounds (read into pence exactly), reject with a reason, or
// waitlist. Over budget and a case that has moved on come back on the form.
func (ui *UI) panelDecide(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := ui.panelLoadCase(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	in := app.DecisionInput{Outcome: f.Get("outcome"), Reason: f.Raw("reason")}
	reason := strings.TrimSpace(in.Reason)
	switch in.Outcome {
	case "approve":
		award, err := money.ParsePounds(f.Get("award"))
		lo, hi, tiered := panelTierRange(d.Round, d.App.Tier)
		switch {
		case f.Get("award") == "":
			f.Fail("award", "Enter the amount to award")
		case err != nil:
			f.Fail("award", "Enter the award in pounds, like 2500 or 2,500.50")
		case award <= 0:
			f.Fail("award", "The award must be more than £0")
		case d.App.RequestedPence != nil && award > *d.App.RequestedPence:
			f.Fail("award", "The award cannot be more than the "+money.Pounds(*d.App.RequestedPence)+" requested")
		case tiered && (award < lo || award > hi):
			f.Fail("award", fmt.Sprintf("The award must be within the tier, %s to %s", money.Pounds(lo), money.Pounds(hi)))
		default:
			in.AwardPence = &award
		}
	case "reject":
		if reason == "" {
			f.Fail("reason", "Give the reason for rejecting the application")
		}
	case "waitlist":
	default:
		f.Fail("outcome", "Choose whether to approve, reject or put the application on the waiting list")
	}
	if utf8.RuneCountInString(reason) > panelMaxReason {
		f.Fail("reason", fmt.Sprintf("Keep the reason to %d characters or fewer", panelMaxReason))
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		_, err := ui.app.Decide(ctx, actor(c), c.Param("id"), jsonBody(in))
		if err == nil {
			redirect(c, "/cases/"+c.Param("id")+"?decided=1")
			return
		}
		if !f.FromApp(err, map[string]string{"award_pence": "award"}, "outcome", "award_pence", "reason") {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	ui.render(c, status, "panel-decide", page{Title: panelDecideTitle(d), Form: f, Data: d, Back: "/cases/" + d.App.ID})
}

func panelModerateTitle(d panelCaseData) string {
	if d.OrgName != "" {
		return "Moderate the total for " + d.OrgName
	}
	return "Moderate the total for application " + d.App.ID
}

// panelModeratePage is the manager's moderation form: the assessors'
// totals and a moderated total with the rationale.
func (ui *UI) panelModeratePage(c *gin.Context) {
	d, err := ui.panelLoadCase(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	if !d.Place.AwaitingDecision {
		ui.panelNotAwaiting(c, d, "Only an application in assessment or on the waiting list can be moderated.")
		return
	}
	f := newForm()
	if m := d.App.Review; m != nil && m.Moderation != nil {
		f.Set("total", m.Moderation.Total.String())
	}
	ui.render(c, http.StatusOK, "panel-moderate", page{Title: panelModerateTitle(d), Form: f, Data: d, Back: "/cases/" + d.App.ID})
}

var panelTotalRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// panelModerate sets the moderated total (app.Moderate); the assessors'
// own scores stay as they were.
func (ui *UI) panelModerate(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := ui.panelLoadCase(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	total := f.Get("total")
	rationale := strings.TrimSpace(f.Raw("rationale"))
	var raw json.RawMessage
	switch {
	case total == "":
		f.Fail("total", "Enter the moderated total, from 0 to 100")
	case !panelTotalRE.MatchString(total):
		f.Fail("total", "Enter the total as a number from 0 to 100, like 72 or 72.5")
	default:
		// A JSON number: no leading zeros.
		whole, frac, dot := strings.Cut(total, ".")
		whole = strings.TrimLeft(whole, "0")
		if whole == "" {
			whole = "0"
		}
		if dot {
			whole += "." + frac
		}
		raw = json.RawMessage(whole)
	}
	switch {
	case rationale == "":
		f.Fail("rationale", "Explain why you are moderating the total")
	case utf8.RuneCountInString(rationale) > panelMaxReason:
		f.Fail("rationale", fmt.Sprintf("Keep the rationale to %d characters or fewer", panelMaxReason))
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		_, err := ui.app.Moderate(ctx, actor(c), c.Param("id"), jsonBody(app.ModerationInput{Total: raw, Rationale: rationale}))
		if err == nil {
			redirect(c, "/cases/"+c.Param("id")+"?moderated=1")
			return
		}
		if !f.FromApp(err, nil, "total", "rationale") {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	ui.render(c, status, "panel-moderate", page{Title: panelModerateTitle(d), Form: f, Data: d, Back: "/cases/" + d.App.ID})
}

// panelDetail is one key and value of an audit event's data.
type panelDetail struct {
	Key, Value string
}

type panelAuditRow struct {
	At      time.Time
	Actor   string
	Action  string
	Details []panelDetail
}

type panelAuditData struct {
	Case     panelCaseData
	Rows     []panelAuditRow
	Verified bool
}

// panelDetails lists an event's data, keys in order, values as text.
func panelDetails(raw json.RawMessage) []panelDetail {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || len(m) == 0 {
		if s := strings.TrimSpace(string(raw)); s != "" && s != "null" && s != "{}" {
			return []panelDetail{{Key: "data", Value: s}}
		}
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]panelDetail, 0, len(keys))
	for _, k := range keys {
		var v string
		switch x := m[k].(type) {
		case string:
			v = x
		case json.Number:
			v = x.String()
		case nil:
			v = "none"
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				switch e := e.(type) {
				case string:
					parts = append(parts, e)
				case json.Number:
					parts = append(parts, e.String())
				default:
					b, _ := json.Marshal(e)
					parts = append(parts, string(b))
				}
			}
			v = strings.Join(parts, ", ")
		default:
			b, err := json.Marshal(x)
			if err != nil {
				v = fmt.Sprint(x)
			} else {
				v = string(b)
			}
		}
		out = append(out, panelDetail{Key: humanise(k), Value: v})
	}
	return out
}

// panelAudit is the case's audit trail (manager): every event with who did
// it, and whether the hash chain verifies.
func (ui *UI) panelAudit(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := ui.panelLoadCase(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	trail, err := ui.app.AuditTrailOf(ctx, actor(c), "application:"+d.App.ID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	data := panelAuditData{Case: d, Verified: trail.Verified}
	for _, ev := range trail.Items {
		who := ev.ActorName
		switch {
		case ev.Actor == "system":
			who = "System"
		case who == "":
			who = ev.Actor
		}
		data.Rows = append(data.Rows, panelAuditRow{At: ev.At, Actor: who, Action: ev.Action, Details: panelDetails(ev.Data)})
	}
	ui.render(c, http.StatusOK, "panel-audit", page{Title: "Audit trail: " + panelCaseTitle(d), Data: data, Back: "/cases/" + d.App.ID})
}
