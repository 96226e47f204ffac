package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
)

// maxAffiliations caps an assessor's list of affiliations.
const maxAffiliations = 50

// Affiliation is an organisation an assessor is connected with, used to
// keep them away from its applications: a name, a charity number or a
// company number (at least one).
type Affiliation struct {
	Name          string `json:"name,omitempty"`
	CharityNumber string `json:"charity_number,omitempty"`
	CompanyNumber string `json:"company_number,omitempty"`
}

// Affiliations is the body and result of PUT /me/affiliations.
type Affiliations struct {
	Affiliations []Affiliation `json:"affiliations"`
}

// decodeAffiliations reads a user's stored affiliations.
func decodeAffiliations(u sqlc.User) ([]Affiliation, error) {
	out := []Affiliation{}
	if len(u.Affiliations) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(u.Affiliations, &out); err != nil {
		return nil, fmt.Errorf("decode affiliations of %s: %w", u.ID, err)
	}
	if out == nil {
		out = []Affiliation{}
	}
	return out, nil
}

// SetAffiliations replaces the caller's affiliations; assessors only.
func (a *App) SetAffiliations(ctx context.Context, actor Actor, body Body) (Affiliations, error) {
	if !actor.Has(RoleAssessor) {
		return Affiliations{}, forbidden("Only assessors record affiliations")
	}
	var in struct {
		Affiliations *[]Affiliation `json:"affiliations"`
	}
	if err := body(&in); err != nil {
		return Affiliations{}, err
	}
	fields := map[string]string{}
	var list []Affiliation
	switch {
	case in.Affiliations == nil:
		fields["affiliations"] = "Send the list of your affiliations (an empty list clears it)"
	case len(*in.Affiliations) > maxAffiliations:
		fields["affiliations"] = fmt.Sprintf("Give no more than %d affiliations", maxAffiliations)
	default:
		list = make([]Affiliation, len(*in.Affiliations))
		for i, af := range *in.Affiliations {
			key := fmt.Sprintf("affiliations[%d]", i)
			af.Name = strings.TrimSpace(af.Name)
			af.CharityNumber = organisation.NormaliseNumber(af.CharityNumber)
			af.CompanyNumber = organisation.NormaliseNumber(af.CompanyNumber)
			if af.Name == "" && af.CharityNumber == "" && af.CompanyNumber == "" {
				fields[key] = "Give the organisation's name, charity number or company number"
			}
			if utf8.RuneCountInString(af.Name) > organisation.MaxNameLength {
				fields[key+".name"] = fmt.Sprintf("Enter a name of up to %d characters", organisation.MaxNameLength)
			}
			if af.CharityNumber != "" && !organisation.ValidCharityNumber(af.CharityNumber) {
				fields[key+".charity_number"] = "Enter a charity number of 6 to 8 digits, or SC and 6 digits"
			}
			if af.CompanyNumber != "" && !organisation.ValidCompanyNumber(af.CompanyNumber) {
				fields[key+".company_number"] = "Enter a company number of 8 characters, like 01234567"
			}
			list[i] = af
		}
	}
	if len(fields) > 0 {
		return Affiliations{}, Invalid(fields)
	}
	raw, err := json.Marshal(list)
	if err != nil {
		return Affiliations{}, fmt.Errorf("encode affiliations: %w", err)
	}
	var out Affiliations
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		u, err := q.UserSetAffiliations(ctx, sqlc.UserSetAffiliationsParams{ID: actor.ID, Affiliations: raw})
		if err != nil {
			return fmt.Errorf("set affiliations: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "user:" + actor.ID, Actor: actor.ID, Action: "user.affiliations_set",
			Entity: "user:" + actor.ID, Data: map[string]any{"affiliations": list}}); err != nil {
			return err
		}
		out.Affiliations, err = decodeAffiliations(u)
		return err
	})
	return out, err
}
