package round

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicgrants/grants/form"
)

// Limits checked by Validate.
const (
	MaxNameLength              = 200
	MaxMinPartners             = 20
	MaxAssessorsPerApplication = 10
	MaxCriterionScore          = 100
	MaxModerationThreshold     = 100
	PercentTotal               = 100
)

// Validate checks every field of the definition and returns the problems
// keyed by JSON path, such as "tiers[1].min_pence" or
// "form.sections[0].questions[1].max_words". It does not check that the
// programme or the assessors exist. Optional fields may be left out: it can be
// called before or after ApplyDefaults.
func (d Definition) Validate() map[string]string {
	errs := map[string]string{}
	add := func(m map[string]string) {
		for k, v := range m {
			errs[k] = v
		}
	}

	if strings.TrimSpace(d.Programme) == "" {
		errs["programme"] = "Choose a programme"
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(d.Name)); {
	case n == 0:
		errs["name"] = "Enter a name"
	case utf8.RuneCountInString(d.Name) > MaxNameLength:
		errs["name"] = fmt.Sprintf("Use %d characters or fewer", MaxNameLength)
	}
	if d.OpensAt.IsZero() {
		errs["opens_at"] = "Enter when the round opens"
	}
	switch {
	case d.ClosesAt.IsZero():
		errs["closes_at"] = "Enter when the round closes"
	case !d.OpensAt.IsZero() && !d.OpensAt.Before(d.ClosesAt):
		errs["closes_at"] = "The round must close after it opens"
	}
	if d.BudgetPence <= 0 {
		errs["budget_pence"] = "Enter a budget of more than 0 pence"
	}
	if d.MinPartners < 0 || d.MinPartners > MaxMinPartners {
		errs["min_partners"] = fmt.Sprintf("Enter a number from 0 to %d", MaxMinPartners)
	}

	add(d.validateTiers())
	add(d.Form.Validate("form"))
	add(d.Eligibility.Validate("eligibility", d.Form.Questions()))
	add(d.validateCriteria())

	if d.AssessorsPerApplication < 1 || d.AssessorsPerApplication > MaxAssessorsPerApplication {
		errs["assessors_per_application"] = fmt.Sprintf("Enter a number from 1 to %d", MaxAssessorsPerApplication)
	}
	seenAssessor := map[string]bool{}
	for i, id := range d.AssessorIDs {
		p := fmt.Sprintf("assessor_ids[%d]", i)
		switch {
		case strings.TrimSpace(id) == "":
			errs[p] = "Enter an assessor id"
		case seenAssessor[id]:
			errs[p] = "List each assessor once"
		}
		seenAssessor[id] = true
	}
	if len(d.AssessorIDs) > 0 && len(d.AssessorIDs) < d.AssessorsPerApplication {
		errs["assessor_ids"] = "List at least as many assessors as each application needs"
	}
	if t := d.ModerationThreshold; t != nil && (*t < 0 || *t > MaxModerationThreshold) {
		errs["moderation_threshold"] = fmt.Sprintf("Enter a number of points from 0 to %d", MaxModerationThreshold)
	}

	add(d.Timeline.validate("timeline"))
	if d.ReportForm != nil {
		add(d.ReportForm.Validate("report_form"))
	}
	add(d.validateSchedule())

	switch d.PaymentProvider {
	case "", ProviderStripe, ProviderManual:
	default:
		errs["payment_provider"] = "Choose stripe or manual"
	}
	switch d.PartnerConsent {
	case "", PartnerConsentOptional, PartnerConsentRequired:
	default:
		errs["partner_consent"] = "Choose required or optional"
	}
	switch d.PartnerPayments {
	case "", PartnerPaymentsLead, PartnerPaymentsEach:
	default:
		errs["partner_payments"] = "Choose lead or each"
	}
	return errs
}

func (d Definition) validateTiers() map[string]string {
	errs := map[string]string{}
	if len(d.Tiers) == 0 {
		errs["tiers"] = "Add at least one tier"
		return errs
	}
	seen := map[string]bool{}
	var prevMax int64
	for i, t := range d.Tiers {
		p := fmt.Sprintf("tiers[%d]", i)
		switch {
		case t.Key == "":
			errs[p+".key"] = "Enter a key"
		case !form.ValidKey(t.Key):
			errs[p+".key"] = form.KeyMessage
		case seen[t.Key]:
			errs[p+".key"] = "Use a different key for each tier"
		}
		seen[t.Key] = true
		switch {
		case t.MinPence <= 0:
			errs[p+".min_pence"] = "Enter a whole number of pence of 1 or more"
		case i > 0 && t.MinPence <= prevMax:
			errs[p+".min_pence"] = fmt.Sprintf("Start above the previous tier's maximum of %d pence", prevMax)
		}
		switch {
		case t.MaxPence < t.MinPence:
			errs[p+".max_pence"] = "Enter a maximum of at least the minimum"
		case d.BudgetPence > 0 && t.MaxPence > d.BudgetPence:
			errs[p+".max_pence"] = "Enter a maximum no more than the budget"
		}
		prevMax = max(prevMax, t.MaxPence)
	}
	return errs
}

func (d Definition) validateCriteria() map[string]string {
	errs := map[string]string{}
	if len(d.Criteria) == 0 {
		errs["criteria"] = "Add at least one criterion"
		return errs
	}
	seen := map[string]bool{}
	for i, c := range d.Criteria {
		p := fmt.Sprintf("criteria[%d]", i)
		switch {
		case c.Key == "":
			errs[p+".key"] = "Enter a key"
		case !form.ValidKey(c.Key):
			errs[p+".key"] = form.KeyMessage
		case seen[c.Key]:
			errs[p+".key"] = "Use a different key for each criterion"
		}
		seen[c.Key] = true
		if strings.TrimSpace(c.Title) == "" {
			errs[p+".title"] = "Enter a title"
		}
		if c.Weight <= 0 {
			errs[p+".weight"] = "Enter a weight of 1 or more"
		}
		if c.MaxScore < 1 || c.MaxScore > MaxCriterionScore {
			errs[p+".max_score"] = fmt.Sprintf("Enter a maximum score from 1 to %d", MaxCriterionScore)
		}
	}
	return errs
}

func (t Timeline) validate(prefix string) map[string]string {
	errs := map[string]string{}
	for _, w := range []struct {
		name string
		d    Duration
	}{
		{"assessment_window", t.AssessmentWindow},
		{"decision_window", t.DecisionWindow},
		{"offer_expiry", t.OfferExpiry},
		{"reminder_lead", t.ReminderLead},
	} {
		if w.d.Duration <= 0 {
			errs[prefix+"."+w.name] = "Enter a duration of more than 0, such as \"336h\""
		}
	}
	if _, bad := errs[prefix+".reminder_lead"]; !bad && t.AssessmentWindow.Duration > 0 && t.ReminderLead.Duration >= t.AssessmentWindow.Duration {
		errs[prefix+".reminder_lead"] = "Enter a reminder lead shorter than the assessment window"
	}
	if t.ReportGrace.Duration < 0 {
		errs[prefix+".report_grace"] = "Enter a duration of 0 or more, such as \"168h\""
	}
	seen := map[string]bool{}
	for i, r := range t.Reports {
		p := fmt.Sprintf("%s.reports[%d]", prefix, i)
		switch {
		case r.Kind == "":
			errs[p+".kind"] = "Enter a kind"
		case !form.ValidKey(r.Kind):
			errs[p+".kind"] = form.KeyMessage
		case seen[r.Kind]:
			errs[p+".kind"] = "Use a different kind for each report"
		}
		seen[r.Kind] = true
		if r.DueAfter.Duration <= 0 {
			errs[p+".due_after"] = "Enter a duration of more than 0, such as \"4380h\""
		}
	}
	return errs
}

func (d Definition) validateSchedule() map[string]string {
	errs := map[string]string{}
	if len(d.PaymentSchedule) == 0 {
		errs["payment_schedule"] = "Add at least one payment"
		return errs
	}
	kinds := map[string]bool{}
	for _, r := range d.Timeline.Reports {
		kinds[r.Kind] = true
	}
	total := 0
	for i, in := range d.PaymentSchedule {
		p := fmt.Sprintf("payment_schedule[%d]", i)
		if in.Percent < 1 || in.Percent > PercentTotal {
			errs[p+".percent"] = "Enter a percentage from 1 to 100"
		}
		total += in.Percent
		switch kind, after := strings.CutPrefix(in.Condition, ConditionAfterReportPrefix); {
		case in.Condition == ConditionOnAcceptance:
		case after && kinds[kind]:
		case after:
			errs[p+".condition"] = "Name a report kind from the timeline"
		default:
			errs[p+".condition"] = "Use on_acceptance or after_report:<kind>"
		}
	}
	if total != PercentTotal {
		errs["payment_schedule"] = fmt.Sprintf("Make the percentages add up to 100 (they add up to %d)", total)
	}
	return errs
}
