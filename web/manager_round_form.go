package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
)

// The round form: a manager's round definition as typed, one string per
// input. Field names are the definition's JSON paths with "[i]" and "."
// written as "-i" and "-" ("tiers[1].min_pence" is "tiers-1-min_pence"),
// so the use case's errors land on their inputs; the form's questions are
// one flat list ("questions-3-title") whose rows name their section.
//
// A round posted from the form goes through mgrRoundModel: the posted
// values become rows (rows ticked "Remove" are dropped), the rows become a
// round.Definition, and on any problem the rows are written back to the
// form, numbered afresh, so every index in an error matches its input.

// mgrRoundModel is the round form as typed.
type mgrRoundModel struct {
	Programme, Name                        string
	Opens, Closes                          mgrWhen
	Budget, MinPartners, AssessorsPer      string
	Moderation, Provider, OfferConditions  string
	PartnerConsent, PartnerPayments        string
	AssessmentWindow, DecisionWindow       string
	OfferExpiry, ReminderLead, ReportGrace string
	Tiers                                  []mgrTier
	Criteria                               []mgrCriterion
	Sections                               []mgrSection
	Questions                              []mgrQuestion // the form's, each naming its section
	EligQuestions                          []mgrQuestion
	Rules                                  []mgrRule
	Reports                                []mgrReport
	Schedule                               []mgrInstalment
}

// mgrWhen is a GOV.UK date input and a time.
type mgrWhen struct{ Day, Month, Year, Time string }

type mgrTier struct{ Key, Title, Min, Max string }

type mgrCriterion struct{ Key, Title, Guidance, Weight, MaxScore string }

type mgrSection struct{ Key, Title, Description string }

type mgrQuestion struct {
	Section, Key, Type, Title, Hint string
	Required, Multiple              bool
	MaxWords, Min, Max, Options     string
}

type mgrRule struct{ Field, Op, Value, Reason string }

type mgrReport struct{ Kind, DueAfter string }

type mgrInstalment struct{ Percent, Condition string }

// Row groups: the name prefix of each repeatable list and the action of
// its "Add another" button.
const (
	mgrTiers         = "tiers"
	mgrCriteria      = "criteria"
	mgrSections      = "form-sections"
	mgrQuestions     = "questions"
	mgrEligQuestions = "eligibility-questions"
	mgrRules         = "eligibility-rules"
	mgrReports       = "timeline-reports"
	mgrSchedule      = "payment_schedule"
)

// mgrRowLabels name one row of each group, for the error summary.
var mgrRowLabels = map[string]string{mgrTiers: "Tier", mgrCriteria: "Criterion", mgrSections: "Section", mgrQuestions: "Question",
	mgrEligQuestions: "Eligibility question", mgrRules: "Rule", mgrReports: "Report", mgrSchedule: "Payment"}

// mgrRowLabel is "Tier 2" for a name in the second tier's row
// ("tiers-1" or "tiers-1-max_pence"), else "".
func mgrRowLabel(name string) string {
	for g, label := range mgrRowLabels {
		rest, ok := strings.CutPrefix(name, g+"-")
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, "-")
		if n, err := strconv.Atoi(digits); err == nil {
			return fmt.Sprintf("%s %d", label, n+1)
		}
	}
	return ""
}

// mgrGroups lists the row groups in the order of the page.
var mgrGroups = []string{mgrTiers, mgrEligQuestions, mgrRules, mgrSections, mgrQuestions, mgrCriteria, mgrReports, mgrSchedule}

var mgrQuestionFields = []string{"section", "key", "type", "title", "hint", "required", "max_words", "min", "max", "options", "multiple"}

var mgrRowFields = map[string][]string{
	mgrTiers:         {"key", "title", "min_pence", "max_pence"},
	mgrCriteria:      {"key", "title", "guidance", "weight", "max_score"},
	mgrSections:      {"key", "title", "description"},
	mgrQuestions:     mgrQuestionFields,
	mgrEligQuestions: mgrQuestionFields[1:],
	mgrRules:         {"field", "op", "value", "reason"},
	mgrReports:       {"kind", "due_after"},
	mgrSchedule:      {"percent", "condition"},
}

func mgrName(group string, i int, field string) string {
	return fmt.Sprintf("%s-%d-%s", group, i, field)
}

// mgrRows is how many rows of group the posted values hold: rows are
// numbered from 0 with no gaps; a row exists when any of its inputs (or its
// Remove box) was sent.
func mgrRows(v url.Values, group string) int {
	n := 0
	for ; n < 500; n++ {
		found := v.Has(mgrName(group, n, "remove"))
		for _, f := range mgrRowFields[group] {
			found = found || v.Has(mgrName(group, n, f))
		}
		if !found {
			break
		}
	}
	return n
}

// mgrParseModel reads the posted form, leaving out rows ticked "Remove".
func mgrParseModel(v url.Values) mgrRoundModel {
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	when := func(name string) mgrWhen {
		return mgrWhen{Day: get(name + "-day"), Month: get(name + "-month"), Year: get(name + "-year"), Time: get(name + "-time")}
	}
	m := mgrRoundModel{Programme: get("programme"), Name: get("name"), Opens: when("opens_at"), Closes: when("closes_at"),
		Budget: get("budget_pence"), MinPartners: get("min_partners"), AssessorsPer: get("assessors_per_application"),
		Moderation: get("moderation_threshold"), Provider: get("payment_provider"), OfferConditions: strings.TrimSpace(v.Get("offer_conditions")),
		PartnerConsent: get("partner_consent"), PartnerPayments: get("partner_payments"),
		AssessmentWindow: get("timeline-assessment_window"), DecisionWindow: get("timeline-decision_window"),
		OfferExpiry: get("timeline-offer_expiry"), ReminderLead: get("timeline-reminder_lead"), ReportGrace: get("timeline-report_grace")}
	rows := func(group string, each func(f func(string) string)) {
		for i := range mgrRows(v, group) {
			if v.Get(mgrName(group, i, "remove")) != "" {
				continue
			}
			each(func(field string) string { return get(mgrName(group, i, field)) })
		}
	}
	rows(mgrTiers, func(f func(string) string) {
		m.Tiers = append(m.Tiers, mgrTier{Key: f("key"), Title: f("title"), Min: f("min_pence"), Max: f("max_pence")})
	})
	rows(mgrCriteria, func(f func(string) string) {
		m.Criteria = append(m.Criteria, mgrCriterion{Key: f("key"), Title: f("title"), Guidance: f("guidance"), Weight: f("weight"), MaxScore: f("max_score")})
	})
	rows(mgrSections, func(f func(string) string) {
		m.Sections = append(m.Sections, mgrSection{Key: f("key"), Title: f("title"), Description: f("description")})
	})
	question := func(f func(string) string) mgrQuestion {
		return mgrQuestion{Section: f("section"), Key: f("key"), Type: f("type"), Title: f("title"), Hint: f("hint"),
			Required: f("required") != "", Multiple: f("multiple") != "", MaxWords: f("max_words"), Min: f("min"), Max: f("max"), Options: f("options")}
	}
	rows(mgrQuestions, func(f func(string) string) { m.Questions = append(m.Questions, question(f)) })
	rows(mgrEligQuestions, func(f func(string) string) { m.EligQuestions = append(m.EligQuestions, question(f)) })
	rows(mgrRules, func(f func(string) string) {
		m.Rules = append(m.Rules, mgrRule{Field: f("field"), Op: f("op"), Value: f("value"), Reason: f("reason")})
	})
	rows(mgrReports, func(f func(string) string) {
		m.Reports = append(m.Reports, mgrReport{Kind: f("kind"), DueAfter: f("due_after")})
	})
	rows(mgrSchedule, func(f func(string) string) {
		m.Schedule = append(m.Schedule, mgrInstalment{Percent: f("percent"), Condition: f("condition")})
	})
	return m
}

// add appends a blank row to group.
func (m *mgrRoundModel) add(group string) {
	switch group {
	case mgrTiers:
		m.Tiers = append(m.Tiers, mgrTier{})
	case mgrCriteria:
		m.Criteria = append(m.Criteria, mgrCriterion{})
	case mgrSections:
		m.Sections = append(m.Sections, mgrSection{})
	case mgrQuestions:
		q := mgrQuestion{Type: form.TypeText}
		if n := len(m.Sections); n > 0 {
			q.Section = m.Sections[n-1].Key
		}
		m.Questions = append(m.Questions, q)
	case mgrEligQuestions:
		m.EligQuestions = append(m.EligQuestions, mgrQuestion{Type: form.TypeYesNo, Required: true})
	case mgrRules:
		m.Rules = append(m.Rules, mgrRule{Op: eligibility.OpEq})
	case mgrReports:
		m.Reports = append(m.Reports, mgrReport{})
	case mgrSchedule:
		m.Schedule = append(m.Schedule, mgrInstalment{})
	}
}

// values writes the model as form values, rows numbered from 0.
func (m mgrRoundModel) values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	check := func(name string, on bool) {
		if on {
			v.Set(name, "yes")
		}
	}
	when := func(name string, w mgrWhen) {
		set(name+"-day", w.Day)
		set(name+"-month", w.Month)
		set(name+"-year", w.Year)
		set(name+"-time", w.Time)
	}
	set("programme", m.Programme)
	set("name", m.Name)
	when("opens_at", m.Opens)
	when("closes_at", m.Closes)
	set("budget_pence", m.Budget)
	set("min_partners", m.MinPartners)
	set("assessors_per_application", m.AssessorsPer)
	set("moderation_threshold", m.Moderation)
	set("payment_provider", m.Provider)
	set("partner_consent", m.PartnerConsent)
	set("partner_payments", m.PartnerPayments)
	set("offer_conditions", m.OfferConditions)
	set("timeline-assessment_window", m.AssessmentWindow)
	set("timeline-decision_window", m.DecisionWindow)
	set("timeline-offer_expiry", m.OfferExpiry)
	set("timeline-reminder_lead", m.ReminderLead)
	set("timeline-report_grace", m.ReportGrace)
	// Every row writes its first field even when blank, so the row is
	// counted when the page is posted back.
	for i, t := range m.Tiers {
		v.Set(mgrName(mgrTiers, i, "key"), t.Key)
		set(mgrName(mgrTiers, i, "title"), t.Title)
		set(mgrName(mgrTiers, i, "min_pence"), t.Min)
		set(mgrName(mgrTiers, i, "max_pence"), t.Max)
	}
	for i, c := range m.Criteria {
		v.Set(mgrName(mgrCriteria, i, "key"), c.Key)
		set(mgrName(mgrCriteria, i, "title"), c.Title)
		set(mgrName(mgrCriteria, i, "guidance"), c.Guidance)
		set(mgrName(mgrCriteria, i, "weight"), c.Weight)
		set(mgrName(mgrCriteria, i, "max_score"), c.MaxScore)
	}
	for i, s := range m.Sections {
		v.Set(mgrName(mgrSections, i, "key"), s.Key)
		set(mgrName(mgrSections, i, "title"), s.Title)
		set(mgrName(mgrSections, i, "description"), s.Description)
	}
	question := func(group string, i int, q mgrQuestion) {
		v.Set(mgrName(group, i, "key"), q.Key)
		if group == mgrQuestions {
			set(mgrName(group, i, "section"), q.Section)
		}
		set(mgrName(group, i, "type"), q.Type)
		set(mgrName(group, i, "title"), q.Title)
		set(mgrName(group, i, "hint"), q.Hint)
		check(mgrName(group, i, "required"), q.Required)
		check(mgrName(group, i, "multiple"), q.Multiple)
		set(mgrName(group, i, "max_words"), q.MaxWords)
		set(mgrName(group, i, "min"), q.Min)
		set(mgrName(group, i, "max"), q.Max)
		set(mgrName(group, i, "options"), q.Options)
	}
	for i, q := range m.Questions {
		question(mgrQuestions, i, q)
	}
	for i, q := range m.EligQuestions {
		question(mgrEligQuestions, i, q)
	}
	for i, r := range m.Rules {
		v.Set(mgrName(mgrRules, i, "field"), r.Field)
		set(mgrName(mgrRules, i, "op"), r.Op)
		set(mgrName(mgrRules, i, "value"), r.Value)
		set(mgrName(mgrRules, i, "reason"), r.Reason)
	}
	for i, r := range m.Reports {
		v.Set(mgrName(mgrReports, i, "kind"), r.Kind)
		set(mgrName(mgrReports, i, "due_after"), r.DueAfter)
	}
	for i, s := range m.Schedule {
		v.Set(mgrName(mgrSchedule, i, "percent"), s.Percent)
		set(mgrName(mgrSchedule, i, "condition"), s.Condition)
	}
	return v
}

// names lists every input and row group of the form in page order: the
// order of the error summary, and the ids an error may point at.
func (m mgrRoundModel) names() []string {
	out := []string{"programme", "name", "opens_at", "opens_at-time", "closes_at", "closes_at-time", "min_partners",
		"budget_pence"}
	rows := func(group string, n int, fields []string) {
		out = append(out, group)
		for i := range n {
			out = append(out, fmt.Sprintf("%s-%d", group, i))
			for _, f := range fields {
				out = append(out, mgrName(group, i, f))
			}
		}
	}
	rows(mgrTiers, len(m.Tiers), mgrRowFields[mgrTiers])
	rows(mgrEligQuestions, len(m.EligQuestions), mgrRowFields[mgrEligQuestions])
	rows(mgrRules, len(m.Rules), mgrRowFields[mgrRules])
	rows(mgrSections, len(m.Sections), mgrRowFields[mgrSections])
	rows(mgrQuestions, len(m.Questions), mgrRowFields[mgrQuestions])
	rows(mgrCriteria, len(m.Criteria), mgrRowFields[mgrCriteria])
	out = append(out, "assessors_per_application", "moderation_threshold", "timeline-assessment_window", "timeline-decision_window",
		"timeline-offer_expiry", "timeline-reminder_lead", "timeline-report_grace")
	rows(mgrReports, len(m.Reports), mgrRowFields[mgrReports])
	rows(mgrSchedule, len(m.Schedule), mgrRowFields[mgrSchedule])
	return append(out, "partner_consent", "partner_payments", "payment_provider", "offer_conditions")
}

// mgrPathName turns a use-case field path into the form's naming:
// "tiers[1].min_pence" → "tiers-1-min_pence".
func mgrPathName(path string) string {
	return strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(path)
}

// mgrAliases point the use case's whole-part errors at the part of the
// form that edits it.
var mgrAliases = map[string]string{
	"form":             mgrSections,
	"eligibility":      mgrEligQuestions,
	"timeline":         "timeline-assessment_window",
	"timeline-reports": mgrReports,
}

// rename maps each use-case field path in fields onto the form input (or
// row, or group) it is about; a path that matches nothing on the form
// (such as report_form, which the form does not edit) maps to "", a
// problem with the whole form. questionOf maps a form question's path
// ("form-sections-0-questions-2") to its row ("questions-5").
func (m mgrRoundModel) rename(fields map[string]string, questionOf map[string]string) map[string]string {
	known := map[string]bool{}
	for _, n := range m.names() {
		known[n] = true
	}
	out := map[string]string{}
	for path := range fields {
		name := mgrPathName(path)
		best := ""
		for from := range questionOf { // the longest match: a question before its section
			if (name == from || strings.HasPrefix(name, from+"-")) && len(from) > len(best) {
				best = from
			}
		}
		if best != "" {
			name = questionOf[best] + strings.TrimPrefix(name, best)
		}
		if a, ok := mgrAliases[name]; ok {
			name = a
		}
		for name != "" && !known[name] {
			i := strings.LastIndex(name, "-")
			if i < 0 {
				name = ""
				break
			}
			name = name[:i]
			if a, ok := mgrAliases[name]; ok {
				name = a
			}
		}
		out[path] = name
	}
	return out
}

// definition builds the round the form describes. Problems the form can
// see by itself (an amount that is not pounds and pence, a date that does
// not exist) come back keyed by input name; everything else is the use
// case's to judge. questionOf maps form question paths to their rows (see
// rename). keep, when editing, is the round as it was: a date and time
// shown to the minute that was not changed keeps its seconds.
func (m mgrRoundModel) definition(keep *round.Definition) (def round.Definition, local map[string]string, questionOf map[string]string) {
	local = map[string]string{}
	questionOf = map[string]string{}
	def.Programme = m.Programme
	def.Name = m.Name
	var oldOpens, oldCloses time.Time
	if keep != nil {
		oldOpens, oldCloses = keep.OpensAt, keep.ClosesAt
	}
	def.OpensAt = mgrParseWhen(m.Opens, "opens_at", "when the round opens", oldOpens, local)
	def.ClosesAt = mgrParseWhen(m.Closes, "closes_at", "when the round closes", oldCloses, local)
	def.BudgetPence = mgrPence(m.Budget, "budget_pence", "the budget", local)
	def.MinPartners = mgrInt(m.MinPartners, "min_partners", local)
	def.AssessorsPerApplication = mgrInt(m.AssessorsPer, "assessors_per_application", local)
	if m.Moderation != "" {
		n := mgrInt(m.Moderation, "moderation_threshold", local)
		def.ModerationThreshold = &n
	}
	def.PaymentProvider = m.Provider
	def.PartnerConsent, def.PartnerPayments = m.PartnerConsent, m.PartnerPayments
	def.OfferConditions = m.OfferConditions

	def.Timeline.AssessmentWindow = mgrParseDuration(m.AssessmentWindow, "timeline-assessment_window", local)
	def.Timeline.DecisionWindow = mgrParseDuration(m.DecisionWindow, "timeline-decision_window", local)
	def.Timeline.OfferExpiry = mgrParseDuration(m.OfferExpiry, "timeline-offer_expiry", local)
	def.Timeline.ReminderLead = mgrParseDuration(m.ReminderLead, "timeline-reminder_lead", local)
	def.Timeline.ReportGrace = mgrParseDuration(m.ReportGrace, "timeline-report_grace", local)
	for i, r := range m.Reports {
		def.Timeline.Reports = append(def.Timeline.Reports, round.ReportDue{Kind: r.Kind,
			DueAfter: mgrParseDuration(r.DueAfter, mgrName(mgrReports, i, "due_after"), local)})
	}

	def.Tiers = []round.Tier{}
	for i, t := range m.Tiers {
		def.Tiers = append(def.Tiers, round.Tier{Key: t.Key, Title: t.Title,
			MinPence: mgrPence(t.Min, mgrName(mgrTiers, i, "min_pence"), "the smallest grant", local),
			MaxPence: mgrPence(t.Max, mgrName(mgrTiers, i, "max_pence"), "the largest grant", local)})
	}
	def.Criteria = []round.Criterion{}
	for i, c := range m.Criteria {
		def.Criteria = append(def.Criteria, round.Criterion{Key: c.Key, Title: c.Title, Guidance: c.Guidance,
			Weight: mgrInt(c.Weight, mgrName(mgrCriteria, i, "weight"), local), MaxScore: mgrInt(c.MaxScore, mgrName(mgrCriteria, i, "max_score"), local)})
	}

	def.Eligibility.Questions = []form.Question{}
	for i, q := range m.EligQuestions {
		def.Eligibility.Questions = append(def.Eligibility.Questions, q.question(mgrEligQuestions, i, local))
	}
	def.Eligibility.Rules = []eligibility.Rule{}
	for _, r := range m.Rules {
		def.Eligibility.Rules = append(def.Eligibility.Rules, eligibility.Rule{Field: r.Field, Op: r.Op,
			Value: mgrRuleValue(r.Value), Reason: r.Reason})
	}

	def.Form.Sections = []form.Section{}
	for _, s := range m.Sections {
		def.Form.Sections = append(def.Form.Sections, form.Section{Key: s.Key, Title: s.Title, Description: s.Description, Questions: []form.Question{}})
	}
	for k, q := range m.Questions {
		s := -1
		for i, sec := range m.Sections {
			if sec.Key == q.Section && q.Section != "" {
				s = i
				break
			}
		}
		fq := q.question(mgrQuestions, k, local)
		if s < 0 {
			local[mgrName(mgrQuestions, k, "section")] = "Choose the section this question is in"
			continue
		}
		j := len(def.Form.Sections[s].Questions)
		def.Form.Sections[s].Questions = append(def.Form.Sections[s].Questions, fq)
		questionOf[fmt.Sprintf("%s-%d-questions-%d", mgrSections, s, j)] = fmt.Sprintf("%s-%d", mgrQuestions, k)
	}
	for s := range m.Sections {
		questionOf[fmt.Sprintf("%s-%d-questions", mgrSections, s)] = fmt.Sprintf("%s-%d", mgrSections, s)
	}

	def.PaymentSchedule = []round.Instalment{}
	for i, in := range m.Schedule {
		def.PaymentSchedule = append(def.PaymentSchedule, round.Instalment{
			Percent: mgrInt(in.Percent, mgrName(mgrSchedule, i, "percent"), local), Condition: in.Condition})
	}
	return def, local, questionOf
}

// question builds a form question from its row.
func (q mgrQuestion) question(group string, i int, local map[string]string) form.Question {
	out := form.Question{Key: q.Key, Type: q.Type, Title: q.Title, Hint: q.Hint, Required: q.Required, Multiple: q.Multiple}
	if q.MaxWords != "" {
		n := mgrInt(q.MaxWords, mgrName(group, i, "max_words"), local)
		out.MaxWords = &n
	}
	bound := func(s, field, what string) *int64 {
		if s == "" {
			return nil
		}
		name := mgrName(group, i, field)
		if q.Type == form.TypeMoney {
			p := mgrPence(s, name, what, local)
			return &p
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			local[name] = "Enter " + what + " as a whole number"
		}
		return &n
	}
	out.Min = bound(q.Min, "min", "the smallest answer")
	out.Max = bound(q.Max, "max", "the largest answer")
	for _, line := range strings.Split(q.Options, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		value, label, ok := strings.Cut(line, "|")
		if !ok {
			label = value
		}
		out.Options = append(out.Options, form.Option{Value: strings.TrimSpace(value), Label: strings.TrimSpace(label)})
	}
	return out
}

// mgrRuleValue reads a rule's value: JSON when it is JSON (true, 100,
// ["a","b"], "text"), else the text itself; nothing for "present" or an
// empty box.
func mgrRuleValue(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	raw, _ := json.Marshal(s) // a string always encodes
	return raw
}

// mgrModelOf is the form for an existing definition.
func mgrModelOf(d round.Definition) mgrRoundModel {
	m := mgrRoundModel{Programme: d.Programme, Name: d.Name, Opens: mgrWhenOf(d.OpensAt), Closes: mgrWhenOf(d.ClosesAt),
		Budget: money.Grouped(d.BudgetPence), MinPartners: strconv.Itoa(d.MinPartners), AssessorsPer: strconv.Itoa(d.AssessorsPerApplication),
		Provider: d.PaymentProvider, OfferConditions: d.OfferConditions, PartnerConsent: d.PartnerConsent, PartnerPayments: d.PartnerPayments,
		AssessmentWindow: mgrDurationText(d.Timeline.AssessmentWindow), DecisionWindow: mgrDurationText(d.Timeline.DecisionWindow),
		OfferExpiry: mgrDurationText(d.Timeline.OfferExpiry), ReminderLead: mgrDurationText(d.Timeline.ReminderLead),
		ReportGrace: mgrDurationText(d.Timeline.ReportGrace)}
	if d.ModerationThreshold != nil {
		m.Moderation = strconv.Itoa(*d.ModerationThreshold)
	}
	for _, t := range d.Tiers {
		m.Tiers = append(m.Tiers, mgrTier{Key: t.Key, Title: t.Title, Min: money.Grouped(t.MinPence), Max: money.Grouped(t.MaxPence)})
	}
	for _, c := range d.Criteria {
		m.Criteria = append(m.Criteria, mgrCriterion{Key: c.Key, Title: c.Title, Guidance: c.Guidance,
			Weight: strconv.Itoa(c.Weight), MaxScore: strconv.Itoa(c.MaxScore)})
	}
	for _, s := range d.Form.Sections {
		m.Sections = append(m.Sections, mgrSection{Key: s.Key, Title: s.Title, Description: s.Description})
		for _, q := range s.Questions {
			row := mgrQuestionOf(q)
			row.Section = s.Key
			m.Questions = append(m.Questions, row)
		}
	}
	for _, q := range d.Eligibility.Questions {
		m.EligQuestions = append(m.EligQuestions, mgrQuestionOf(q))
	}
	for _, r := range d.Eligibility.Rules {
		m.Rules = append(m.Rules, mgrRule{Field: r.Field, Op: r.Op, Value: mgrRuleText(r.Value), Reason: r.Reason})
	}
	for _, r := range d.Timeline.Reports {
		m.Reports = append(m.Reports, mgrReport{Kind: r.Kind, DueAfter: mgrDurationText(r.DueAfter)})
	}
	for _, in := range d.PaymentSchedule {
		m.Schedule = append(m.Schedule, mgrInstalment{Percent: strconv.Itoa(in.Percent), Condition: in.Condition})
	}
	return m
}

func mgrQuestionOf(q form.Question) mgrQuestion {
	row := mgrQuestion{Key: q.Key, Type: q.Type, Title: q.Title, Hint: q.Hint, Required: q.Required, Multiple: q.Multiple}
	if q.MaxWords != nil {
		row.MaxWords = strconv.Itoa(*q.MaxWords)
	}
	bound := func(p *int64) string {
		switch {
		case p == nil:
			return ""
		case q.Type == form.TypeMoney:
			return money.Grouped(*p)
		}
		return strconv.FormatInt(*p, 10)
	}
	row.Min, row.Max = bound(q.Min), bound(q.Max)
	lines := make([]string, 0, len(q.Options))
	for _, o := range q.Options {
		if o.Value == o.Label {
			lines = append(lines, o.Label)
		} else {
			lines = append(lines, o.Value+" | "+o.Label)
		}
	}
	row.Options = strings.Join(lines, "\n")
	return row
}

// mgrRuleText shows a rule's value as mgrRuleValue reads it back: a JSON
// string whose text is not itself JSON without its quotes.
func mgrRuleText(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && !json.Valid([]byte(strings.TrimSpace(s))) && strings.TrimSpace(s) == s && s != "" {
		return s
	}
	return string(raw)
}

// mgrStarter is the form for a new round: one blank tier, criterion and
// question, the usual timeline, and one payment on acceptance.
func mgrStarter(programme string) mgrRoundModel {
	return mgrRoundModel{Programme: programme, MinPartners: "0", AssessorsPer: "2", Moderation: strconv.Itoa(round.DefaultModerationThreshold),
		AssessmentWindow: "14 days", DecisionWindow: "14 days", OfferExpiry: "28 days", ReminderLead: "2 days", ReportGrace: "7 days",
		Tiers: []mgrTier{{}}, Criteria: []mgrCriterion{{}}, Sections: []mgrSection{{Key: "project", Title: "Your project"}},
		Questions: []mgrQuestion{{Section: "project", Type: form.TypeText, Required: true}},
		Reports:   []mgrReport{{Kind: "final", DueAfter: "365 days"}},
		Schedule:  []mgrInstalment{{Percent: "100", Condition: round.ConditionOnAcceptance}}}
}

// Parsing what was typed.

func mgrPence(s, name, what string, local map[string]string) int64 {
	if s == "" {
		return 0 // the use case says what is missing
	}
	p, err := money.ParsePounds(s)
	if err != nil {
		local[name] = "Enter " + what + " in pounds and pence, like 5,000 or 1,234.50"
	}
	return p
}

func mgrInt(s, name string, local map[string]string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		local[name] = "Enter a whole number, like 3"
	}
	return n
}

var mgrDurationRE = regexp.MustCompile(`^([0-9]{1,6})\s*(weeks?|days?|hours?|minutes?|mins?)?$`)

// mgrParseDuration reads a period: "14" or "14 days", "2 weeks", "48
// hours", "90 minutes", or a Go duration such as "336h" or "1h30m".
func mgrParseDuration(s, name string, local map[string]string) round.Duration {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return round.Duration{}
	}
	if m := mgrDurationRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64) // at most 6 digits
		unit := 24 * time.Hour
		switch {
		case strings.HasPrefix(m[2], "week"):
			unit = 7 * 24 * time.Hour
		case strings.HasPrefix(m[2], "hour"):
			unit = time.Hour
		case strings.HasPrefix(m[2], "min"):
			unit = time.Minute
		}
		if time.Duration(n) > mgrMaxPeriod/unit { // and n*unit cannot overflow
			local[name] = mgrPeriodTooLong
			return round.Duration{}
		}
		return round.Duration{Duration: time.Duration(n) * unit}
	}
	if d, err := time.ParseDuration(strings.ReplaceAll(s, " ", "")); err == nil && d >= 0 {
		if d > mgrMaxPeriod {
			local[name] = mgrPeriodTooLong
			return round.Duration{}
		}
		return round.Duration{Duration: d}
	}
	local[name] = "Enter a number of days, like 14 days, or hours, like 48 hours"
	return round.Duration{}
}

// mgrMaxPeriod is the longest period a round's form takes: ten years.
const (
	mgrMaxPeriod     = 3653 * 24 * time.Hour
	mgrPeriodTooLong = "Enter a period of 10 years or less"
)

// mgrDurationText writes a period as mgrParseDuration reads it back,
// exactly: "14 days", "36 hours", "90 minutes", else "1h30m5s".
func mgrDurationText(d round.Duration) string {
	v := d.Duration
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case v <= 0:
		return ""
	case v%(24*time.Hour) == 0:
		return unit(int64(v/(24*time.Hour)), "day")
	case v%time.Hour == 0:
		return unit(int64(v/time.Hour), "hour")
	case v%time.Minute == 0:
		return unit(int64(v/time.Minute), "minute")
	}
	return d.String()
}

var mgrTimeRE = regexp.MustCompile(`^([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*(am|pm)?$`)

// mgrParseClock reads a time of day: "9am", "9:30am", "5.30pm", "17:30",
// "midday", "midnight".
func mgrParseClock(s string) (h, m int, ok bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	switch s {
	case "midday", "noon", "12noon":
		return 12, 0, true
	case "midnight", "12midnight":
		return 0, 0, true
	}
	g := mgrTimeRE.FindStringSubmatch(s)
	if g == nil {
		return 0, 0, false
	}
	h, _ = strconv.Atoi(g[1])
	if g[2] != "" {
		m, _ = strconv.Atoi(g[2])
	}
	switch g[3] {
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		h %= 12
		if g[3] == "pm" {
			h += 12
		}
	}
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// mgrParseWhen reads a date and time in London. Nothing typed is the zero
// time (the use case says it is missing). old is kept when the typed
// minute is old's own, so an unchanged date keeps its seconds.
func mgrParseWhen(w mgrWhen, name, what string, old time.Time, local map[string]string) time.Time {
	if w.Day == "" && w.Month == "" && w.Year == "" && w.Time == "" {
		return time.Time{}
	}
	d, e1 := strconv.Atoi(w.Day)
	mo, e2 := strconv.Atoi(w.Month)
	y, e3 := strconv.Atoi(w.Year)
	if e1 != nil || e2 != nil || e3 != nil || y < 2000 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
		time.Date(y, time.Month(mo), d, 12, 0, 0, 0, time.UTC).Day() != d {
		local[name] = "Enter " + what + " as a real date, like 27 3 2027"
		return time.Time{}
	}
	if w.Time == "" {
		local[name+"-time"] = "Enter the time, like 9am or 17:30"
		return time.Time{}
	}
	h, m, ok := mgrParseClock(w.Time)
	if !ok {
		local[name+"-time"] = "Enter a real time, like 9am or 17:30"
		return time.Time{}
	}
	t := time.Date(y, time.Month(mo), d, h, m, 0, 0, london)
	if !old.IsZero() && t.Equal(old.In(london).Truncate(time.Minute)) {
		return old
	}
	return t.UTC()
}

// mgrWhenOf shows a time in London.
func mgrWhenOf(t time.Time) mgrWhen {
	if t.IsZero() {
		return mgrWhen{}
	}
	l := t.In(london)
	return mgrWhen{Day: strconv.Itoa(l.Day()), Month: strconv.Itoa(int(l.Month())), Year: strconv.Itoa(l.Year()),
		Time: strings.ToLower(l.Format("3:04PM"))}
}
