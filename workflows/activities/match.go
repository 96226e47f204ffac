package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
)

// identity is an organisation as named somewhere (a partner, an
// affiliation): only the name is required.
type identity struct {
	Name          string `json:"name"`
	CharityNumber string `json:"charity_number"`
	CompanyNumber string `json:"company_number"`
}

// keySet is the identity keys (organisation.MatchKey) of one or more
// organisations; two organisations are the same if any keys are equal.
type keySet map[string]bool

func (k keySet) add(name, charity, company string) {
	for _, key := range organisation.MatchKey(name, charity, company) {
		k[key] = true
	}
}

func (k keySet) meets(other keySet) bool {
	for key := range other {
		if k[key] {
			return true
		}
	}
	return false
}

// caseParties is the identity keys of the application's lead organisation,
// its host (for an unconstituted group) and every partner, and the lead
// organisation itself.
func caseParties(ctx context.Context, q *sqlc.Queries, app sqlc.Application) (keySet, sqlc.Organisation, error) {
	org, err := q.OrganisationGet(ctx, app.OrganisationID)
	if err != nil {
		return nil, org, fmt.Errorf("load organisation: %w", err)
	}
	keys := keySet{}
	keys.add(org.Name, deref(org.CharityNumber), deref(org.CompanyNumber))
	if org.HostOrganisationID != nil {
		host, err := q.OrganisationGet(ctx, *org.HostOrganisationID)
		if err != nil {
			return nil, org, fmt.Errorf("load host organisation: %w", err)
		}
		keys.add(host.Name, deref(host.CharityNumber), deref(host.CompanyNumber))
	}
	var partners []identity
	if err := json.Unmarshal(app.Partners, &partners); err != nil {
		return nil, org, fmt.Errorf("%w: application %s partners: %v", errStored, app.ID, err)
	}
	for _, p := range partners {
		keys.add(p.Name, p.CharityNumber, p.CompanyNumber)
	}
	return keys, org, nil
}

// conflictKeys is the identity keys of a declared conflict's organisation.
func conflictKeys(c sqlc.AssessorConflict) keySet {
	keys := keySet{}
	keys.add("", deref(c.CharityNumber), deref(c.CompanyNumber))
	if c.NameKey != "" {
		keys["name:"+c.NameKey] = true
	}
	return keys
}

// affiliationKeys is the identity keys of an assessor's affiliations.
func affiliationKeys(u sqlc.User) (keySet, error) {
	var affs []identity
	if err := json.Unmarshal(u.Affiliations, &affs); err != nil {
		return nil, fmt.Errorf("%w: user %s affiliations: %v", errStored, u.ID, err)
	}
	keys := keySet{}
	for _, f := range affs {
		keys.add(f.Name, f.CharityNumber, f.CompanyNumber)
	}
	return keys, nil
}

// nameKey is an organisation's name as conflict detection compares it
// (organisation.MatchKey's name key without its prefix); "" when nothing
// is left of the name.
func nameKey(name string) string {
	for _, k := range organisation.MatchKey(name, "", "") {
		if n, ok := strings.CutPrefix(k, "name:"); ok {
			return n
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
