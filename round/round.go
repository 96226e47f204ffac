package round

import (
	"time"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
)

// Round statuses, derived from the dates at read time (never stored).
const (
	StatusUpcoming = "upcoming"
	StatusOpen     = "open"
	StatusClosed   = "closed"
)

// Payment providers.
const (
	ProviderStripe = "stripe"
	ProviderManual = "manual"
)

// Partnership settings: whether partners must confirm before an
// application can be submitted (PartnerConsent), and whether a grant is
// paid to the lead only or to each confirmed partner with a share as its
// own payee (PartnerPayments).
const (
	PartnerConsentOptional = "optional"
	PartnerConsentRequired = "required"
	PartnerPaymentsLead    = "lead"
	PartnerPaymentsEach    = "each"
)

// Payment conditions: a tranche is paid on acceptance of the offer, or after
// the report of the given kind is accepted ("after_report:interim").
const (
	ConditionOnAcceptance      = "on_acceptance"
	ConditionAfterReportPrefix = "after_report:"
)

// Defaults applied by ApplyDefaults.
const (
	DefaultModerationThreshold = 20
	DefaultReportGrace         = 7 * 24 * time.Hour
)

// Definition is a round as posted by a manager (POST /rounds) and returned
// when a round is read. Programme is the programme's code.
type Definition struct {
	Programme               string            `json:"programme"`
	Name                    string            `json:"name"`
	OpensAt                 time.Time         `json:"opens_at"`
	ClosesAt                time.Time         `json:"closes_at"`
	BudgetPence             int64             `json:"budget_pence"`
	MinPartners             int               `json:"min_partners"`
	Tiers                   []Tier            `json:"tiers"`
	Eligibility             eligibility.Rules `json:"eligibility"`
	Form                    form.Form         `json:"form"`
	Criteria                []Criterion       `json:"criteria"`
	AssessorsPerApplication int               `json:"assessors_per_application"`
	AssessorIDs             []string          `json:"assessor_ids,omitempty"`
	ModerationThreshold     *int              `json:"moderation_threshold,omitempty"`
	Timeline                Timeline          `json:"timeline"`
	ReportForm              *form.Form        `json:"report_form,omitempty"`
	PaymentSchedule         []Instalment      `json:"payment_schedule"`
	PaymentProvider         string            `json:"payment_provider,omitempty"`
	OfferConditions         string            `json:"offer_conditions,omitempty"`
	// PartnerConsent is "required" when every partner must confirm the
	// partnership before submission; "optional" (the default) when a
	// named partner never blocks it.
	PartnerConsent string `json:"partner_consent,omitempty"`
	// PartnerPayments is "lead" (the default: the grant is paid to the
	// lead) or "each" (each confirmed partner with a share is paid its
	// share of every tranche as its own payee).
	PartnerPayments string `json:"partner_payments,omitempty"`
}

// Tier is a band of grant sizes an applicant chooses from; MinPence and
// MaxPence are inclusive.
type Tier struct {
	Key      string `json:"key"`
	Title    string `json:"title,omitempty"`
	MinPence int64  `json:"min_pence"`
	MaxPence int64  `json:"max_pence"`
}

// Criterion is one assessment criterion, scored 0..MaxScore and weighted by
// Weight in an assessor's total.
type Criterion struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Guidance string `json:"guidance,omitempty"`
	Weight   int    `json:"weight"`
	MaxScore int    `json:"max_score"`
}

// Timeline holds the round's durations: how long assessors have, how long
// the decision may take, how long an offer stays open, how long before a
// deadline reminders go out, how long an overdue report is tolerated before
// payments are held, and the reports due after a grant is accepted.
type Timeline struct {
	AssessmentWindow Duration    `json:"assessment_window"`
	DecisionWindow   Duration    `json:"decision_window"`
	OfferExpiry      Duration    `json:"offer_expiry"`
	ReminderLead     Duration    `json:"reminder_lead"`
	ReportGrace      Duration    `json:"report_grace,omitzero"`
	Reports          []ReportDue `json:"reports,omitempty"`
}

// ReportDue is a report a grantee owes, due DueAfter after the grant's
// acceptance.
type ReportDue struct {
	Kind     string   `json:"kind"`
	DueAfter Duration `json:"due_after"`
}

// Instalment is one tranche of the payment schedule: Percent of the award,
// paid when Condition holds ("on_acceptance" or "after_report:<kind>").
type Instalment struct {
	Percent   int    `json:"percent"`
	Condition string `json:"condition"`
}

// DefaultReportForm returns the report form used when a round gives none: one
// section with one required text question "progress" of up to 500 words.
func DefaultReportForm() form.Form {
	maxWords := 500
	return form.Form{Sections: []form.Section{{
		Key:   "progress",
		Title: "Progress",
		Questions: []form.Question{{
			Key: "progress", Type: form.TypeText, Title: "What has happened?",
			Required: true, MaxWords: &maxWords,
		}},
	}}}
}

// ApplyDefaults fills in the optional fields a manager left out: the report
// form, the report grace period (7 days), the moderation threshold (20
// points), the payment provider (defaultProvider, from configuration),
// partner consent (optional) and partner payments (lead).
// Call it before Validate so the stored round is complete.
func (d *Definition) ApplyDefaults(defaultProvider string) {
	if d.ReportForm == nil {
		f := DefaultReportForm()
		d.ReportForm = &f
	}
	if d.Timeline.ReportGrace.Duration == 0 {
		d.Timeline.ReportGrace = Duration{DefaultReportGrace}
	}
	if d.ModerationThreshold == nil {
		t := DefaultModerationThreshold
		d.ModerationThreshold = &t
	}
	if d.PaymentProvider == "" {
		d.PaymentProvider = defaultProvider
	}
	if d.PartnerConsent == "" {
		d.PartnerConsent = PartnerConsentOptional
	}
	if d.PartnerPayments == "" {
		d.PartnerPayments = PartnerPaymentsLead
	}
}

// ConsentRequired reports whether partners must confirm before submission.
func (d Definition) ConsentRequired() bool { return d.PartnerConsent == PartnerConsentRequired }

// PaysEachPartner reports whether grants are paid to each partner with a
// share as its own payee.
func (d Definition) PaysEachPartner() bool { return d.PartnerPayments == PartnerPaymentsEach }

// Status returns the round's status at now: upcoming before it opens, open
// from OpensAt until ClosesAt, closed from ClosesAt.
func (d Definition) Status(now time.Time) string {
	switch {
	case now.Before(d.OpensAt):
		return StatusUpcoming
	case now.Before(d.ClosesAt):
		return StatusOpen
	}
	return StatusClosed
}

// Tier returns the tier with the given key.
func (d Definition) Tier(key string) (Tier, bool) {
	for _, t := range d.Tiers {
		if t.Key == key {
			return t, true
		}
	}
	return Tier{}, false
}

// TierFor returns the first tier whose range includes pence.
func (d Definition) TierFor(pence int64) (Tier, bool) {
	for _, t := range d.Tiers {
		if t.MinPence <= pence && pence <= t.MaxPence {
			return t, true
		}
	}
	return Tier{}, false
}

// MaxTierPence returns the largest MaxPence of any tier, or 0 without tiers.
func (d Definition) MaxTierPence() int64 {
	var m int64
	for _, t := range d.Tiers {
		m = max(m, t.MaxPence)
	}
	return m
}

// ModerationThresholdOrDefault returns the moderation threshold in points,
// or DefaultModerationThreshold when none is set.
func (d Definition) ModerationThresholdOrDefault() int {
	if d.ModerationThreshold == nil {
		return DefaultModerationThreshold
	}
	return *d.ModerationThreshold
}

// ApplicationQuestions returns every question an application answers:
// eligibility questions first, then the form's questions.
func (d Definition) ApplicationQuestions() []form.Question {
	qs := append([]form.Question{}, d.Eligibility.Questions...)
	return append(qs, d.Form.Questions()...)
}

// ReportGraceOrDefault returns the report grace period, or
// DefaultReportGrace when none is set.
func (d Definition) ReportGraceOrDefault() time.Duration {
	if d.Timeline.ReportGrace.Duration <= 0 {
		return DefaultReportGrace
	}
	return d.Timeline.ReportGrace.Duration
}

// ReportFormOrDefault returns the report form, or DefaultReportForm when none
// is set.
func (d Definition) ReportFormOrDefault() form.Form {
	if d.ReportForm == nil {
		return DefaultReportForm()
	}
	return *d.ReportForm
}
