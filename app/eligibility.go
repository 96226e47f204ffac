package app

import (
	"context"
	"encoding/json"

	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/organisation"
)

// EligibilityInput is the body of POST /eligibility. Organisation and the
// application facts are optional: rules needing a fact not given are listed
// as unknown rather than failed.
type EligibilityInput struct {
	RoundID        string                     `json:"round_id"`
	Answers        map[string]json.RawMessage `json:"answers"`
	Organisation   *EligibilityOrganisation   `json:"organisation"`
	PartnerCount   *int64                     `json:"partner_count"`
	RequestedPence *int64                     `json:"requested_pence"`
}

// EligibilityOrganisation is what an eligibility check may know about the
// applying organisation before it registers.
type EligibilityOrganisation struct {
	Name              *string `json:"name"`
	LegalForm         *string `json:"legal_form"`
	AnnualIncomePence *int64  `json:"annual_income_pence"`
	Borough           *string `json:"borough"`
	CharityNumber     *string `json:"charity_number"`
	CompanyNumber     *string `json:"company_number"`
}

// CheckEligibility evaluates a round's eligibility rules against what the
// caller gives; anyone may ask.
func (a *App) CheckEligibility(ctx context.Context, in EligibilityInput) (eligibility.Result, error) {
	fields := map[string]string{}
	if in.RoundID == "" {
		fields["round_id"] = "Choose a round"
		return eligibility.Result{}, Invalid(fields)
	}
	rnd, err := a.GetRound(ctx, in.RoundID)
	if err != nil {
		if e, ok := AsError(err); ok && e.Kind == KindNotFound {
			return eligibility.Result{}, Invalid(map[string]string{"round_id": "Choose a round that exists"})
		}
		return eligibility.Result{}, err
	}
	for k, msg := range form.CheckAnswers(rnd.ApplicationQuestions(), in.Answers, false) {
		fields[k] = msg
	}
	facts := eligibility.Facts{Answers: map[string]json.RawMessage{}, Organisation: map[string]any{}, Application: map[string]any{}}
	for k, v := range in.Answers {
		if !form.IsNull(v) {
			facts.Answers[k] = v
		}
	}
	if o := in.Organisation; o != nil {
		setString := func(key string, v *string) {
			if v != nil {
				facts.Organisation[key] = *v
			}
		}
		setString("name", o.Name)
		setString("legal_form", o.LegalForm)
		setString("charity_number", o.CharityNumber)
		setString("company_number", o.CompanyNumber)
		if o.Borough != nil {
			if b, ok := organisation.LookupBorough(*o.Borough); ok {
				facts.Organisation["borough"] = b.Name
			} else {
				fields["organisation.borough"] = "Enter a London borough or the City of London"
			}
		}
		if o.AnnualIncomePence != nil {
			if *o.AnnualIncomePence < 0 {
				fields["organisation.annual_income_pence"] = "Enter an income of 0 or more, in pence"
			}
			facts.Organisation["annual_income_pence"] = *o.AnnualIncomePence
		}
	}
	if in.PartnerCount != nil {
		facts.Application["partner_count"] = *in.PartnerCount
	}
	if in.RequestedPence != nil {
		facts.Application["requested_pence"] = *in.RequestedPence
	}
	if len(fields) > 0 {
		return eligibility.Result{}, Invalid(fields)
	}
	return eligibility.Evaluate(rnd.Eligibility.Rules, facts, false), nil
}
