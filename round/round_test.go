package round_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/round"
)

func ptr[T any](v T) *T { return &v }

func decode(t *testing.T, body []byte) round.Definition {
	t.Helper()
	var d round.Definition
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&d))
	return d
}

func example(t *testing.T) round.Definition {
	t.Helper()
	body, err := os.ReadFile("testdata/example.json")
	require.NoError(t, err)
	return decode(t, body)
}

func TestExampleRoundTrips(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/example.json")
	require.NoError(t, err)
	d := decode(t, body)
	require.Empty(t, cmp.Diff(map[string]string{}, d.Validate()))

	out, err := json.Marshal(d)
	require.NoError(t, err)
	require.JSONEq(t, string(body), string(out))

	require.Equal(t, "roots-incubator", d.Programme)
	require.Equal(t, time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC), d.OpensAt)
	require.Equal(t, 336*time.Hour, d.Timeline.AssessmentWindow.Duration)
	require.Equal(t, 8760*time.Hour, d.Timeline.Reports[1].DueAfter.Duration)
	require.JSONEq(t, `true`, string(d.Eligibility.Rules[0].Value))
}

func TestExampleWithDefaultsAndOptionalFields(t *testing.T) {
	t.Parallel()
	d := example(t)
	d.AssessorIDs = []string{"usr_1", "usr_2"}
	d.ModerationThreshold = ptr(0)
	d.PaymentProvider = round.ProviderManual
	d.OfferConditions = "Spend the grant on the project."
	d.Tiers[0].Title = "Micro"
	d.Criteria[0].Guidance = "Look for evidence."
	d.Form.Sections[0].Description = "About the project"
	require.Empty(t, d.Validate())

	out, err := json.Marshal(d)
	require.NoError(t, err)
	again := decode(t, out)
	require.Empty(t, cmp.Diff(d, again))
}

func TestApplyDefaults(t *testing.T) {
	t.Parallel()
	d := example(t)
	d.ReportForm = nil
	d.Timeline.ReportGrace = round.Duration{}
	require.Equal(t, 20, d.ModerationThresholdOrDefault())
	require.Equal(t, 168*time.Hour, d.ReportGraceOrDefault())
	require.Empty(t, cmp.Diff(round.DefaultReportForm(), d.ReportFormOrDefault()))

	out, err := json.Marshal(d)
	require.NoError(t, err)
	require.NotContains(t, string(out), "report_grace")
	require.NotContains(t, string(out), "report_form")
	require.NotContains(t, string(out), "moderation_threshold")
	require.NotContains(t, string(out), "payment_provider")
	require.NotContains(t, string(out), "partner_consent")
	require.NotContains(t, string(out), "partner_payments")
	require.False(t, d.ConsentRequired())
	require.False(t, d.PaysEachPartner())

	d.ApplyDefaults(round.ProviderStripe)
	require.Empty(t, d.Validate())
	want := example(t)
	want.ModerationThreshold = ptr(20)
	want.PaymentProvider = round.ProviderStripe
	want.PartnerConsent = round.PartnerConsentOptional
	want.PartnerPayments = round.PartnerPaymentsLead
	require.Empty(t, cmp.Diff(want, d))

	// Values given are kept.
	d.ModerationThreshold = ptr(35)
	d.PaymentProvider = round.ProviderManual
	d.Timeline.ReportGrace = round.Hours(1)
	custom := form.Form{Sections: []form.Section{{Key: "s", Title: "S", Questions: []form.Question{{Key: "q", Type: form.TypeYesNo, Title: "Q"}}}}}
	d.ReportForm = &custom
	d.ApplyDefaults(round.ProviderStripe)
	require.Equal(t, 35, d.ModerationThresholdOrDefault())
	require.Equal(t, round.ProviderManual, d.PaymentProvider)
	require.Equal(t, time.Hour, d.ReportGraceOrDefault())
	require.Empty(t, cmp.Diff(custom, d.ReportFormOrDefault()))
}

func TestDefaultReportFormMatchesDesign(t *testing.T) {
	t.Parallel()
	f := round.DefaultReportForm()
	require.Empty(t, f.Validate("report_form"))
	out, err := json.Marshal(f)
	require.NoError(t, err)
	require.JSONEq(t, `{"sections": [{"key": "progress", "title": "Progress", "questions": [
     {"key": "progress", "type": "text", "title": "What has happened?", "required": true, "max_words": 500}]}]}`, string(out))
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const durationMessage = `Enter a duration of more than 0, such as "336h"`
	tests := []struct {
		name   string
		change func(d *round.Definition)
		want   map[string]string
	}{
		{"programme blank", func(d *round.Definition) { d.Programme = " " },
			map[string]string{"programme": "Choose a programme"}},
		{"name empty", func(d *round.Definition) { d.Name = "" },
			map[string]string{"name": "Enter a name"}},
		{"name 200 characters", func(d *round.Definition) { d.Name = strings.Repeat("é", 200) },
			map[string]string{}},
		{"name too long", func(d *round.Definition) { d.Name = strings.Repeat("é", 201) },
			map[string]string{"name": "Use 200 characters or fewer"}},
		{"opens_at missing", func(d *round.Definition) { d.OpensAt = time.Time{} },
			map[string]string{"opens_at": "Enter when the round opens"}},
		{"closes_at missing", func(d *round.Definition) { d.ClosesAt = time.Time{} },
			map[string]string{"closes_at": "Enter when the round closes"}},
		{"closes before opens", func(d *round.Definition) { d.ClosesAt = d.OpensAt.Add(-time.Second) },
			map[string]string{"closes_at": "The round must close after it opens"}},
		{"closes when opens", func(d *round.Definition) { d.ClosesAt = d.OpensAt },
			map[string]string{"closes_at": "The round must close after it opens"}},
		{"opens in the past is fine", func(d *round.Definition) { d.OpensAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) },
			map[string]string{}},
		{"budget zero", func(d *round.Definition) { d.BudgetPence = 0 },
			map[string]string{"budget_pence": "Enter a budget of more than 0 pence"}},
		{"budget below largest tier", func(d *round.Definition) { d.BudgetPence = 1499999 },
			map[string]string{"tiers[1].max_pence": "Enter a maximum no more than the budget"}},
		{"min_partners negative", func(d *round.Definition) { d.MinPartners = -1 },
			map[string]string{"min_partners": "Enter a number from 0 to 20"}},
		{"min_partners too many", func(d *round.Definition) { d.MinPartners = 21 },
			map[string]string{"min_partners": "Enter a number from 0 to 20"}},
		{"no tiers", func(d *round.Definition) { d.Tiers = nil },
			map[string]string{"tiers": "Add at least one tier"}},
		{"tier key empty", func(d *round.Definition) { d.Tiers[0].Key = "" },
			map[string]string{"tiers[0].key": "Enter a key"}},
		{"tier key invalid", func(d *round.Definition) { d.Tiers[0].Key = "Micro" },
			map[string]string{"tiers[0].key": form.KeyMessage}},
		{"tier key duplicate", func(d *round.Definition) { d.Tiers[1].Key = "micro" },
			map[string]string{"tiers[1].key": "Use a different key for each tier"}},
		{"tier min zero", func(d *round.Definition) { d.Tiers[0].MinPence = 0 },
			map[string]string{"tiers[0].min_pence": "Enter a whole number of pence of 1 or more"}},
		{"tier max below min", func(d *round.Definition) { d.Tiers[0].MaxPence = 99999 },
			map[string]string{"tiers[0].max_pence": "Enter a maximum of at least the minimum"}},
		{"tiers overlap", func(d *round.Definition) { d.Tiers[1].MinPence = 500000 },
			map[string]string{"tiers[1].min_pence": "Start above the previous tier's maximum of 500000 pence"}},
		{"tiers out of order", func(d *round.Definition) { d.Tiers[0], d.Tiers[1] = d.Tiers[1], d.Tiers[0] },
			map[string]string{"tiers[1].min_pence": "Start above the previous tier's maximum of 1500000 pence"}},
		{"tier equal min and max", func(d *round.Definition) { d.Tiers[1].MaxPence = d.Tiers[1].MinPence },
			map[string]string{}},
		{"form problem", func(d *round.Definition) { d.Form.Sections[0].Questions[1].MaxWords = ptr(5) },
			map[string]string{"form.sections[0].questions[1].max_words": "Only text questions have a word limit"}},
		{"form empty", func(d *round.Definition) { d.Form = form.Form{} },
			map[string]string{"form.sections": "Add at least one section"}},
		{"eligibility rule op", func(d *round.Definition) { d.Eligibility.Rules[0].Op = "is" },
			map[string]string{"eligibility.rules[0].op": "Choose an operator: eq, ne, in, not_in, lt, lte, gt, gte, present"}},
		{"eligibility question clashes with form", func(d *round.Definition) {
			d.Eligibility.Questions[0].Key = "summary"
			d.Eligibility.Rules[0].Field = "answers.summary"
			d.Eligibility.Rules[0].Value = json.RawMessage(`"x"`)
		},
			map[string]string{"eligibility.questions[0].key": "A form question already uses this key"}},
		{"eligibility rule on form answer", func(d *round.Definition) {
			d.Eligibility.Rules[0].Field = "answers.summary"
			d.Eligibility.Rules[0].Op = "present"
		}, map[string]string{}},
		{"eligibility omitted", func(d *round.Definition) { d.Eligibility.Questions = nil; d.Eligibility.Rules = nil },
			map[string]string{}},
		{"no criteria", func(d *round.Definition) { d.Criteria = nil },
			map[string]string{"criteria": "Add at least one criterion"}},
		{"criterion key invalid", func(d *round.Definition) { d.Criteria[1].Key = "led by" },
			map[string]string{"criteria[1].key": form.KeyMessage}},
		{"criterion key empty", func(d *round.Definition) { d.Criteria[1].Key = "" },
			map[string]string{"criteria[1].key": "Enter a key"}},
		{"criterion key duplicate", func(d *round.Definition) { d.Criteria[2].Key = "need" },
			map[string]string{"criteria[2].key": "Use a different key for each criterion"}},
		{"criterion title blank", func(d *round.Definition) { d.Criteria[0].Title = "" },
			map[string]string{"criteria[0].title": "Enter a title"}},
		{"criterion weight zero", func(d *round.Definition) { d.Criteria[0].Weight = 0 },
			map[string]string{"criteria[0].weight": "Enter a weight of 1 or more"}},
		{"criterion max_score zero", func(d *round.Definition) { d.Criteria[2].MaxScore = 0 },
			map[string]string{"criteria[2].max_score": "Enter a maximum score from 1 to 100"}},
		{"criterion max_score 101", func(d *round.Definition) { d.Criteria[2].MaxScore = 101 },
			map[string]string{"criteria[2].max_score": "Enter a maximum score from 1 to 100"}},
		{"assessors zero", func(d *round.Definition) { d.AssessorsPerApplication = 0 },
			map[string]string{"assessors_per_application": "Enter a number from 1 to 10"}},
		{"assessors eleven", func(d *round.Definition) { d.AssessorsPerApplication = 11 },
			map[string]string{"assessors_per_application": "Enter a number from 1 to 10"}},
		{"assessor id blank", func(d *round.Definition) { d.AssessorIDs = []string{"usr_1", ""} },
			map[string]string{"assessor_ids[1]": "Enter an assessor id"}},
		{"assessor id repeated", func(d *round.Definition) { d.AssessorIDs = []string{"usr_1", "usr_2", "usr_1"} },
			map[string]string{"assessor_ids[2]": "List each assessor once"}},
		{"assessor pool too small", func(d *round.Definition) { d.AssessorIDs = []string{"usr_1"} },
			map[string]string{"assessor_ids": "List at least as many assessors as each application needs"}},
		{"moderation threshold negative", func(d *round.Definition) { d.ModerationThreshold = ptr(-1) },
			map[string]string{"moderation_threshold": "Enter a number of points from 0 to 100"}},
		{"moderation threshold over 100", func(d *round.Definition) { d.ModerationThreshold = ptr(101) },
			map[string]string{"moderation_threshold": "Enter a number of points from 0 to 100"}},
		{"moderation threshold 100", func(d *round.Definition) { d.ModerationThreshold = ptr(100) },
			map[string]string{}},
		{"assessment window zero", func(d *round.Definition) { d.Timeline.AssessmentWindow = round.Duration{} },
			map[string]string{"timeline.assessment_window": durationMessage}},
		{"decision window negative", func(d *round.Definition) { d.Timeline.DecisionWindow = round.Hours(-1) },
			map[string]string{"timeline.decision_window": durationMessage}},
		{"offer expiry zero", func(d *round.Definition) { d.Timeline.OfferExpiry = round.Duration{} },
			map[string]string{"timeline.offer_expiry": durationMessage}},
		{"reminder lead zero", func(d *round.Definition) { d.Timeline.ReminderLead = round.Duration{} },
			map[string]string{"timeline.reminder_lead": durationMessage}},
		{"reminder lead equals window", func(d *round.Definition) { d.Timeline.ReminderLead = round.Hours(336) },
			map[string]string{"timeline.reminder_lead": "Enter a reminder lead shorter than the assessment window"}},
		{"short durations are fine", func(d *round.Definition) {
			d.Timeline.AssessmentWindow = round.Duration{Duration: 2 * time.Second}
			d.Timeline.ReminderLead = round.Duration{Duration: time.Second}
			d.Timeline.Reports[0].DueAfter = round.Duration{Duration: time.Millisecond}
		}, map[string]string{}},
		{"report grace negative", func(d *round.Definition) { d.Timeline.ReportGrace = round.Hours(-1) },
			map[string]string{"timeline.report_grace": `Enter a duration of 0 or more, such as "168h"`}},
		{"report kind invalid", func(d *round.Definition) {
			d.Timeline.Reports[1].Kind = "Final"
		}, map[string]string{"timeline.reports[1].kind": form.KeyMessage}},
		{"report kind empty", func(d *round.Definition) {
			d.Timeline.Reports[1].Kind = ""
		}, map[string]string{"timeline.reports[1].kind": "Enter a kind"}},
		{"report kind duplicate", func(d *round.Definition) { d.Timeline.Reports[1].Kind = "interim" },
			map[string]string{"timeline.reports[1].kind": "Use a different kind for each report"}},
		{"report due zero", func(d *round.Definition) { d.Timeline.Reports[0].DueAfter = round.Duration{} },
			map[string]string{"timeline.reports[0].due_after": `Enter a duration of more than 0, such as "4380h"`}},
		{"no reports, all on acceptance", func(d *round.Definition) {
			d.Timeline.Reports = nil
			d.PaymentSchedule = []round.Instalment{{Percent: 100, Condition: "on_acceptance"}}
		}, map[string]string{}},
		{"report form invalid", func(d *round.Definition) { d.ReportForm.Sections[0].Questions[0].Type = "essay" },
			map[string]string{"report_form.sections[0].questions[0].type": "Choose a type: text, money, number, date, choice, yes_no, file"}},
		{"report form empty", func(d *round.Definition) { d.ReportForm = &form.Form{} },
			map[string]string{"report_form.sections": "Add at least one section"}},
		{"report form omitted", func(d *round.Definition) { d.ReportForm = nil },
			map[string]string{}},
		{"payment schedule empty", func(d *round.Definition) { d.PaymentSchedule = nil },
			map[string]string{"payment_schedule": "Add at least one payment"}},
		{"payment percentages short", func(d *round.Definition) { d.PaymentSchedule[1].Percent = 40 },
			map[string]string{"payment_schedule": "Make the percentages add up to 100 (they add up to 90)"}},
		{"payment percent zero", func(d *round.Definition) { d.PaymentSchedule[0].Percent = 0; d.PaymentSchedule[1].Percent = 100 },
			map[string]string{"payment_schedule[0].percent": "Enter a percentage from 1 to 100"}},
		{"payment percent over 100", func(d *round.Definition) { d.PaymentSchedule[0].Percent = 150; d.PaymentSchedule[1].Percent = -50 },
			map[string]string{
				"payment_schedule[0].percent": "Enter a percentage from 1 to 100",
				"payment_schedule[1].percent": "Enter a percentage from 1 to 100",
			}},
		{"payment condition unknown report", func(d *round.Definition) { d.PaymentSchedule[1].Condition = "after_report:annual" },
			map[string]string{"payment_schedule[1].condition": "Name a report kind from the timeline"}},
		{"payment condition empty kind", func(d *round.Definition) { d.PaymentSchedule[1].Condition = "after_report:" },
			map[string]string{"payment_schedule[1].condition": "Name a report kind from the timeline"}},
		{"payment condition unknown", func(d *round.Definition) { d.PaymentSchedule[0].Condition = "on_signature" },
			map[string]string{"payment_schedule[0].condition": "Use on_acceptance or after_report:<kind>"}},
		{"payment condition empty", func(d *round.Definition) { d.PaymentSchedule[0].Condition = "" },
			map[string]string{"payment_schedule[0].condition": "Use on_acceptance or after_report:<kind>"}},
		{"payment after final", func(d *round.Definition) { d.PaymentSchedule[1].Condition = "after_report:final" },
			map[string]string{}},
		{"payment provider stripe", func(d *round.Definition) { d.PaymentProvider = "stripe" },
			map[string]string{}},
		{"payment provider unknown", func(d *round.Definition) { d.PaymentProvider = "paypal" },
			map[string]string{"payment_provider": "Choose stripe or manual"}},
		{"payment provider wrong case", func(d *round.Definition) { d.PaymentProvider = "Stripe" },
			map[string]string{"payment_provider": "Choose stripe or manual"}},
		{"partner consent required", func(d *round.Definition) { d.PartnerConsent = "required" }, map[string]string{}},
		{"partner consent optional", func(d *round.Definition) { d.PartnerConsent = "optional" }, map[string]string{}},
		{"partner consent unknown", func(d *round.Definition) { d.PartnerConsent = "always" },
			map[string]string{"partner_consent": "Choose required or optional"}},
		{"partner payments each", func(d *round.Definition) { d.PartnerPayments = "each" }, map[string]string{}},
		{"partner payments lead", func(d *round.Definition) { d.PartnerPayments = "lead" }, map[string]string{}},
		{"partner payments unknown", func(d *round.Definition) { d.PartnerPayments = "Each" },
			map[string]string{"partner_payments": "Choose lead or each"}},
		{"everything missing", func(d *round.Definition) { *d = round.Definition{} },
			map[string]string{
				"programme":                  "Choose a programme",
				"name":                       "Enter a name",
				"opens_at":                   "Enter when the round opens",
				"closes_at":                  "Enter when the round closes",
				"budget_pence":               "Enter a budget of more than 0 pence",
				"tiers":                      "Add at least one tier",
				"form.sections":              "Add at least one section",
				"criteria":                   "Add at least one criterion",
				"assessors_per_application":  "Enter a number from 1 to 10",
				"timeline.assessment_window": durationMessage,
				"timeline.decision_window":   durationMessage,
				"timeline.offer_expiry":      durationMessage,
				"timeline.reminder_lead":     durationMessage,
				"payment_schedule":           "Add at least one payment",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := example(t)
			tt.change(&d)
			require.Empty(t, cmp.Diff(tt.want, d.Validate()))
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from string
		to   string
	}{
		{"fractional budget", `"budget_pence": 50000000`, `"budget_pence": 50000000.5`},
		{"string budget", `"budget_pence": 50000000`, `"budget_pence": "50000000"`},
		{"fractional tier", `"min_pence": 100000`, `"min_pence": 1000.5`},
		{"duration as number", `"assessment_window": "336h"`, `"assessment_window": 336`},
		{"duration unparsable", `"reminder_lead": "48h"`, `"reminder_lead": "2 days"`},
		{"report due as number", `"due_after": "4380h"`, `"due_after": 4380`},
		{"bad date", `"opens_at": "2027-01-10T09:00:00Z"`, `"opens_at": "2027-01-10"`},
		{"unknown field", `"min_partners": 1`, `"min_partners": 1, "partners_min": 1`},
		{"unknown nested field", `"weight": 40`, `"weight": 40, "weighting": 1`},
		{"question min fraction", `"max_words": 250`, `"max_words": 250.5`},
	}
	body, err := os.ReadFile("testdata/example.json")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, string(body), tt.from)
			broken := strings.Replace(string(body), tt.from, tt.to, 1)
			var d round.Definition
			dec := json.NewDecoder(strings.NewReader(broken))
			dec.DisallowUnknownFields()
			require.Error(t, dec.Decode(&d))
		})
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	d := example(t)
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"long before", d.OpensAt.Add(-24 * time.Hour), round.StatusUpcoming},
		{"just before opening", d.OpensAt.Add(-time.Nanosecond), round.StatusUpcoming},
		{"at opening", d.OpensAt, round.StatusOpen},
		{"at opening in another zone", d.OpensAt.In(time.FixedZone("X", 3600)), round.StatusOpen},
		{"just before closing", d.ClosesAt.Add(-time.Nanosecond), round.StatusOpen},
		{"at closing", d.ClosesAt, round.StatusClosed},
		{"after closing", d.ClosesAt.Add(time.Hour), round.StatusClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, d.Status(tt.now))
		})
	}
}

func TestTiers(t *testing.T) {
	t.Parallel()
	d := example(t)
	micro := round.Tier{Key: "micro", MinPence: 100000, MaxPence: 500000}
	growth := round.Tier{Key: "growth", MinPence: 500001, MaxPence: 1500000}

	got, ok := d.Tier("growth")
	require.True(t, ok)
	require.Empty(t, cmp.Diff(growth, got))
	_, ok = d.Tier("large")
	require.False(t, ok)

	tests := []struct {
		pence int64
		want  round.Tier
		ok    bool
	}{
		{99999, round.Tier{}, false},
		{100000, micro, true},
		{500000, micro, true},
		{500001, growth, true},
		{1500000, growth, true},
		{1500001, round.Tier{}, false},
		{-1, round.Tier{}, false},
	}
	for _, tt := range tests {
		got, ok := d.TierFor(tt.pence)
		require.Equal(t, tt.ok, ok, "%d", tt.pence)
		require.Empty(t, cmp.Diff(tt.want, got), "%d", tt.pence)
	}

	require.Equal(t, int64(1500000), d.MaxTierPence())
	require.Equal(t, int64(0), round.Definition{}.MaxTierPence())
}

func TestApplicationQuestions(t *testing.T) {
	t.Parallel()
	d := example(t)
	var keys []string
	for _, q := range d.ApplicationQuestions() {
		keys = append(keys, q.Key)
	}
	require.Equal(t, []string{"london_work", "summary", "budget_breakdown"}, keys)

	// The result is a copy: changing it leaves the definition alone.
	qs := d.ApplicationQuestions()
	qs[0].Key = "changed"
	require.Equal(t, "london_work", d.Eligibility.Questions[0].Key)
	require.Empty(t, round.Definition{}.ApplicationQuestions())
}

func TestModerationThresholdOrDefault(t *testing.T) {
	t.Parallel()
	require.Equal(t, 20, round.Definition{}.ModerationThresholdOrDefault())
	require.Equal(t, 0, round.Definition{ModerationThreshold: ptr(0)}.ModerationThresholdOrDefault())
	require.Equal(t, 55, round.Definition{ModerationThreshold: ptr(55)}.ModerationThresholdOrDefault())
}
