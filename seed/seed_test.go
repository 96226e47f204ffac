package seed_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/seed"
)

// raw builds an answer set from Go values.
func raw(t *testing.T, answers map[string]any) map[string]json.RawMessage {
	t.Helper()
	out := make(map[string]json.RawMessage, len(answers))
	for k, v := range answers {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out[k] = b
	}
	return out
}

// organisation returns the facts of the demo charity with the given income.
func organisation(income int64) map[string]any {
	o := seed.DemoOrganisation()
	return map[string]any{
		"name":                o.Name,
		"legal_form":          o.LegalForm,
		"charity_number":      o.CharityNumber,
		"borough":             o.Borough,
		"annual_income_pence": income,
	}
}

var cases = []struct {
	programme string
	// eligibility holds the answers an eligible applicant gives.
	eligibility map[string]any
	// answers is a complete, realistic answer set for the form.
	answers map[string]any
	// incomeLimitPence is the highest annual income that is eligible.
	incomeLimitPence int64
}{
	{
		programme: "roots-incubator",
		eligibility: map[string]any{
			"london_work":    true,
			"partnership":    true,
			"not_for_profit": true,
		},
		answers: map[string]any{
			"partnership_summary": "Bermondsey Community Kitchen will lead, cooking and hosting weekly community meals. Rotherhithe Advice Project will run a drop-in benefits and debt advice table at each meal.",
			"community_led":       "Half of our trustees have used the kitchen themselves, and a steering group of regular diners plans the menu and activities.",
			"theme":               "cost_of_living",
			"area":                "south",
			"project_summary":     "Twice-weekly hot meals with free advice on benefits, debt and energy bills, in a warm and welcoming space.",
			"need":                "Food bank use in our ward has doubled in two years, and diners tell us they do not know where to get advice.",
			"start_date":          "2027-04-01",
			"people_reached":      400,
			"total_cost":          1250000,
			"budget_summary":      "Sessional cook, advice worker hours, ingredients, hall hire and volunteer travel.",
			"delivery_plan":       "Meals start in month one; the advice table joins in month two. If volunteers are short we will recruit through the partner's network.",
			"budget_file":         "doc_budget_example",
		},
		incomeLimitPence: 25000000,
	},
	{
		programme: "spaces-at-risk",
		eligibility: map[string]any{
			"runs_london_space": true,
			"space_at_risk":     true,
			"not_for_profit":    true,
		},
		answers: map[string]any{
			"space_name":           "Southwark Park Road Community Hall",
			"space_type":           []string{"community_centre", "youth_space"},
			"space_description":    "A hall and kitchen used every day: community meals, a youth club, a parents' group and a pensioners' lunch club.",
			"weekly_users":         350,
			"owns_or_leases":       true,
			"risk_description":     "Our lease ends next year and the landlord has proposed doubling the rent.",
			"risk_date":            "2027-09-30",
			"annual_running_costs": 4200000,
			"plan":                 "Pay for a surveyor and legal advice to negotiate a longer lease at a fair rent, and fix the leaking roof the landlord cites.",
			"sustainability":       "Evening hall hire to local groups will cover the higher running costs, with a fundraising plan for the rest.",
			"support_needs":        []string{"lease_negotiation", "business_planning"},
		},
		incomeLimitPence: 100000000,
	},
}

func TestRounds(t *testing.T) {
	t.Parallel()

	rounds, err := seed.Rounds()
	require.NoError(t, err)

	codes := map[string]bool{}
	for _, p := range seed.Programmes() {
		codes[p.Code] = true
		require.Contains(t, rounds, p.Code, "a programme without a round")
	}
	require.Len(t, rounds, len(codes), "a round without a programme")
	require.Len(t, cases, len(rounds), "a round without a test case")

	for _, tc := range cases {
		t.Run(tc.programme, func(t *testing.T) {
			t.Parallel()

			def, ok := rounds[tc.programme]
			require.True(t, ok)
			def.ApplyDefaults(round.ProviderStripe)
			require.Empty(t, def.Validate())

			facts := eligibility.Facts{
				Answers:      raw(t, tc.eligibility),
				Organisation: organisation(seed.DemoOrganisation().AnnualIncomePence),
			}
			res := eligibility.Evaluate(def.Eligibility.Rules, facts, true)
			require.True(t, res.Eligible, "reasons: %v", res.Reasons)

			facts.Organisation = organisation(tc.incomeLimitPence)
			require.True(t, eligibility.Evaluate(def.Eligibility.Rules, facts, true).Eligible, "at the income limit")

			facts.Organisation = organisation(tc.incomeLimitPence + 1)
			require.False(t, eligibility.Evaluate(def.Eligibility.Rules, facts, true).Eligible, "over the income limit")

			facts.Organisation = organisation(30000000)
			require.Equal(t, tc.incomeLimitPence >= 30000000, eligibility.Evaluate(def.Eligibility.Rules, facts, true).Eligible, "income of £300,000")

			for key := range tc.eligibility {
				no := raw(t, tc.eligibility)
				no[key] = json.RawMessage("false")
				res := eligibility.Evaluate(def.Eligibility.Rules, eligibility.Facts{
					Answers:      no,
					Organisation: organisation(seed.DemoOrganisation().AnnualIncomePence),
				}, true)
				require.False(t, res.Eligible, "answering no to %s", key)
			}

			all := raw(t, tc.answers)
			for k, v := range raw(t, tc.eligibility) {
				all[k] = v
			}
			require.Empty(t, form.CheckAnswers(def.ApplicationQuestions(), all, true))
			require.NotEmpty(t, form.CheckAnswers(def.ApplicationQuestions(), raw(t, tc.eligibility), true), "the form has required questions")

			for _, q := range def.Form.Questions() {
				if q.Type == form.TypeFile {
					require.False(t, q.Required, "file question %s must be optional", q.Key)
				}
			}
		})
	}
}

func TestDemoUsers(t *testing.T) {
	t.Parallel()

	roles := map[string]int{}
	emails := map[string]bool{}
	for _, u := range seed.DemoUsers() {
		require.False(t, emails[u.Email], "duplicate user %s", u.Email)
		emails[u.Email] = true
		require.NotEmpty(t, u.Name)
		for _, r := range u.Roles {
			roles[r]++
		}
	}
	require.Equal(t, map[string]int{"manager": 1, "chair": 1, "assessor": 3, "finance": 2, "admin": 1, "caseworker": 1}, roles)
	require.True(t, emails[seed.ApplicantEmail])
}
