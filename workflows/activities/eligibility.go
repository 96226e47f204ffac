package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/workflows"
)

// CheckEligibility evaluates the round's eligibility rules against the
// stored application and its lead organisation and moves the application
// from submitted to in_assessment or ineligible, with an audit event. Run
// again after it applied, it reports the status it set and changes nothing.
func (a *Activities) CheckEligibility(ctx context.Context, in workflows.CheckEligibilityInput) (workflows.CheckEligibilityResult, error) {
	var out workflows.CheckEligibilityResult
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		app, err := q.ApplicationGetForUpdate(ctx, in.ApplicationID)
		if err != nil {
			return fmt.Errorf("load application: %w", err)
		}
		if app.Status != workflows.StatusSubmitted {
			out = previousResult(app)
			return nil
		}
		_, def, err := loadRound(ctx, q, app.RoundID)
		if err != nil {
			return err
		}
		org, err := q.OrganisationGet(ctx, app.OrganisationID)
		if err != nil {
			return fmt.Errorf("load organisation: %w", err)
		}
		facts, err := applicationFacts(app, org)
		if err != nil {
			return err
		}
		res := eligibility.Evaluate(def.Eligibility.Rules, facts, true)
		status := workflows.StatusInAssessment
		if !res.Eligible {
			status = workflows.StatusIneligible
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("encode eligibility: %w", err)
		}
		if _, err := q.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: app.ID, Status: status, Eligibility: raw}); err != nil {
			return fmt.Errorf("record eligibility: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: appChain(app.ID), Actor: workflows.SystemActor, Action: "application.eligibility_checked",
			Entity: appChain(app.ID), Data: map[string]any{"status": status, "eligible": res.Eligible, "reasons": res.Reasons}}); err != nil {
			return err
		}
		out = workflows.CheckEligibilityResult{Status: status, Eligible: res.Eligible, Reasons: res.Reasons}
		return nil
	})
	return out, classify(err)
}

func previousResult(app sqlc.Application) workflows.CheckEligibilityResult {
	out := workflows.CheckEligibilityResult{Status: app.Status, Reasons: []string{}}
	var res eligibility.Result
	if len(app.Eligibility) > 0 && json.Unmarshal(app.Eligibility, &res) == nil {
		out.Eligible, out.Reasons = res.Eligible, res.Reasons
	}
	return out
}

// applicationFacts is what the eligibility rules may look at.
// Unreadable stored answers are an error, never an empty set that would
// fail every rule.
func applicationFacts(app sqlc.Application, org sqlc.Organisation) (eligibility.Facts, error) {
	answers := map[string]json.RawMessage{}
	if err := json.Unmarshal(app.Answers, &answers); err != nil {
		return eligibility.Facts{}, fmt.Errorf("decode answers: %w", err)
	}
	var partners []json.RawMessage
	if err := json.Unmarshal(app.Partners, &partners); err != nil {
		return eligibility.Facts{}, fmt.Errorf("decode partners: %w", err)
	}
	orgFacts := map[string]any{
		"name":                org.Name,
		"legal_form":          org.LegalForm,
		"borough":             org.BoroughName,
		"annual_income_pence": org.AnnualIncomePence,
	}
	if org.CharityNumber != nil {
		orgFacts["charity_number"] = *org.CharityNumber
	}
	if org.CompanyNumber != nil {
		orgFacts["company_number"] = *org.CompanyNumber
	}
	appFacts := map[string]any{"partner_count": int64(len(partners))}
	if app.RequestedPence != nil {
		appFacts["requested_pence"] = *app.RequestedPence
	}
	return eligibility.Facts{Answers: answers, Organisation: orgFacts, Application: appFacts}, nil
}
