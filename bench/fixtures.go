package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/round"
)

// programme is the programme the bench's rounds belong to.
const programme = "bench"

// fixtures prepares what a scenario needs beforehand through the use
// cases, with names unique to the run.
type fixtures struct {
	app      *app.App
	run      string // makes the run's e-mail addresses unique
	password string
}

func newFixtures(a *app.App) *fixtures {
	return &fixtures{app: a, run: strings.ToLower(rand.Text()[:10]), password: rand.Text()}
}

// user creates a confirmed user with the given staff roles and signs them
// in; the client has its bearer token.
func (f *fixtures) user(ctx context.Context, base string, hc *http.Client, name string, roles ...string) (app.Actor, *apiClient, error) {
	email := fmt.Sprintf("%s-%s@bench.example.org", name, f.run)
	u, err := f.app.CreateUser(ctx, app.RegisterInput{Email: email, Name: "Bench " + name, Password: f.password}, roles)
	if err != nil {
		return app.Actor{}, nil, fmt.Errorf("create user: %w", err)
	}
	tok, err := f.app.Login(ctx, email, f.password)
	if err != nil {
		return app.Actor{}, nil, fmt.Errorf("sign in: %w", err)
	}
	actor := app.Actor{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, EmailVerified: u.EmailVerified}
	return actor, &apiClient{http: hc, base: base, token: tok.Token}, nil
}

// round creates an open round of the bench programme as manager: one
// text question, one tier, one criterion and one assessor per
// application from assessors, the given timeline and payment schedule,
// paid by Stripe.
func (f *fixtures) round(ctx context.Context, manager app.Actor, name string, budget int64, assessors []string, timeline map[string]any) (app.Round, error) {
	if _, err := f.app.EnsureProgramme(ctx, app.Programme{Code: programme, Name: "Bench"}); err != nil {
		return app.Round{}, fmt.Errorf("programme: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	body := map[string]any{
		"programme": programme, "name": name + " " + f.run,
		"opens_at": now.Add(-time.Minute), "closes_at": now.Add(24 * time.Hour),
		"budget_pence": budget, "min_partners": 0,
		"tiers": []any{map[string]any{"key": "micro", "min_pence": 100000, "max_pence": 500000}},
		"form": map[string]any{"sections": []any{map[string]any{"key": "p", "title": "Project", "questions": []any{
			map[string]any{"key": "summary", "type": "text", "title": "What will you do?", "required": true, "max_words": 100}}}}},
		"criteria":                  []any{map[string]any{"key": "need", "title": "Need", "weight": 1, "max_score": 5}},
		"assessors_per_application": 1, "assessor_ids": assessors,
		"timeline":         timeline,
		"payment_schedule": []any{map[string]any{"percent": 100, "condition": "on_acceptance"}},
		"payment_provider": "stripe",
		"report_form": map[string]any{"sections": []any{map[string]any{"key": "r", "title": "Report", "questions": []any{
			map[string]any{"key": "progress", "type": "text", "title": "What happened?", "required": true, "max_words": 100}}}}},
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return app.Round{}, err
	}
	var def round.Definition
	if err := json.Unmarshal(raw, &def); err != nil {
		return app.Round{}, fmt.Errorf("round definition: %w", err)
	}
	r, err := f.app.CreateRound(ctx, manager, def)
	if err != nil {
		return app.Round{}, fmt.Errorf("create round: %w", err)
	}
	return r, nil
}

// draft is a complete, unsubmitted application and its applicant.
type draft struct {
	id     string
	orgID  string
	member app.Actor
	c      *apiClient
}

// drafts makes n applicants, each with a London charity and a complete
// draft to rnd, eight at a time.
func (f *fixtures) drafts(ctx context.Context, base string, hc *http.Client, rnd app.Round, n int) ([]draft, error) {
	out := make([]draft, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = f.draft(ctx, base, hc, rnd, i)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (f *fixtures) draft(ctx context.Context, base string, hc *http.Client, rnd app.Round, i int) (draft, error) {
	who, c, err := f.user(ctx, base, hc, fmt.Sprintf("applicant%d", i))
	if err != nil {
		return draft{}, err
	}
	income := int64(5_400_000)
	org, err := f.app.CreateOrganisation(ctx, who, organisation.Input{
		Name: fmt.Sprintf("Bench group %d %s", i, f.run), LegalForm: "community_group", Borough: "Southwark",
		Address: organisation.Address{Line1: fmt.Sprintf("%d Example Street", i+1), Town: "London", Postcode: "SE1 7PB"}, AnnualIncomePence: &income,
	})
	if err != nil {
		return draft{}, fmt.Errorf("create organisation: %w", err)
	}
	a, err := f.app.CreateApplication(ctx, who, rnd.ID, org.ID)
	if err != nil {
		return draft{}, fmt.Errorf("create application: %w", err)
	}
	patch, err := json.Marshal(map[string]any{"version": a.Version, "tier": "micro", "requested_pence": 250000,
		"answers": map[string]any{"summary": "Weekly cooking clubs for isolated older people."}})
	if err != nil {
		return draft{}, err
	}
	if _, err := f.app.SaveApplication(ctx, who, a.ID, func(dst any) error { return app.DecodeStrict(strings.NewReader(string(patch)), dst) }); err != nil {
		return draft{}, fmt.Errorf("save application: %w", err)
	}
	return draft{id: a.ID, orgID: org.ID, member: who, c: c}, nil
}
