package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/round"
)

// Grants paid to each partner (a round's partner_payments: each, issue
// 17): every tranche is split across the payees in proportion to their
// shares of the request, so an award smaller (or larger) than the request
// scales every share alike; each partner's part is rounded down to whole
// pence and the lead, last, takes the remainder, so a tranche's parts
// always sum to the tranche exactly and never more is paid than awarded.

// payee is one organisation paid part of every tranche: a confirmed
// partner with a share (OrganisationID set), or the lead (empty).
type payee struct {
	OrganisationID string
	Weight         int64 // its share of the request, in pence
}

// partnerShare is what the split reads of an application's partners.
type partnerShare struct {
	OrganisationID string `json:"organisation_id"`
	Status         string `json:"status"`
	SharePence     *int64 `json:"share_pence"`
}

// payeesOf lists who a grant of the application is paid to: under
// partner_payments "each", every confirmed partner with a share above
// nothing, then the lead with what the partners' shares leave of the
// request; otherwise (or with no such partner) the lead alone.
func payeesOf(def round.Definition, requested int64, rawPartners []byte) ([]payee, error) {
	lead := payee{Weight: 1}
	if !def.PaysEachPartner() {
		return []payee{lead}, nil
	}
	var ps []partnerShare
	if err := json.Unmarshal(rawPartners, &ps); err != nil {
		return nil, fmt.Errorf("decode partners: %w", err)
	}
	var out []payee
	left := requested
	for _, p := range ps {
		if p.Status != "confirmed" || p.OrganisationID == "" || p.SharePence == nil || *p.SharePence <= 0 {
			continue
		}
		out = append(out, payee{OrganisationID: p.OrganisationID, Weight: *p.SharePence})
		left -= *p.SharePence
	}
	if len(out) == 0 {
		return []payee{lead}, nil
	}
	if left <= 0 { // submission refuses this; never let the lead's part go negative
		return nil, rejectField("partners", fmt.Sprintf("The partners' shares leave nothing of %d pence to the lead", requested))
	}
	return append(out, payee{Weight: left}), nil
}

// splitTranche splits a tranche across payees by their weights (spread:
// rounded down, the remainder on the last, the lead).
func splitTranche(amount int64, payees []payee) []int64 {
	weights := make([]int64, len(payees))
	for i, p := range payees {
		weights[i] = p.Weight
	}
	return spread(amount, weights)
}

// paidToPartner reports whether some payment of the grant pays a share
// of orgID.
func paidToPartner(ctx context.Context, q *sqlc.Queries, grantID, orgID string) (bool, error) {
	orgs, err := partnersPaid(ctx, q, grantID)
	if err != nil {
		return false, err
	}
	return slices.Contains(orgs, orgID), nil
}

// partnersPaid lists the partner organisations the grant's payments pay
// shares of, each once, in payment order.
func partnersPaid(ctx context.Context, q *sqlc.Queries, grantID string) ([]string, error) {
	pays, err := q.PaymentListByGrant(ctx, grantID)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	var out []string
	for _, p := range pays {
		if p.PartnerOrganisationID != nil && !slices.Contains(out, *p.PartnerOrganisationID) {
			out = append(out, *p.PartnerOrganisationID)
		}
	}
	return out, nil
}

// partnerPayoutAdmins are the admins of each partner paid a share of the
// grant (and of its host, if any), by organisation.
func partnerPayoutAdmins(ctx context.Context, q *sqlc.Queries, grantID string) (map[string][]string, error) {
	orgs, err := partnersPaid(ctx, q, grantID)
	if err != nil || len(orgs) == 0 {
		return nil, err
	}
	out := map[string][]string{}
	for _, orgID := range orgs {
		admins, err := q.OrganisationAdmins(ctx, orgID)
		if err != nil {
			return nil, fmt.Errorf("list partner admins: %w", err)
		}
		org, err := q.OrganisationGet(ctx, orgID)
		if err != nil {
			return nil, fmt.Errorf("load partner: %w", err)
		}
		if org.HostOrganisationID != nil {
			host, err := q.OrganisationAdmins(ctx, *org.HostOrganisationID)
			if err != nil {
				return nil, fmt.Errorf("list partner host admins: %w", err)
			}
			admins = append(admins, host...)
		}
		out[orgID] = admins
	}
	return out, nil
}

// paidToPartners reports whether any payment of the grant pays a
// partner's share. Variations re-spread tranches over one payee, so they
// refuse such a grant.
func paidToPartners(ctx context.Context, q *sqlc.Queries, grantID string) (bool, error) {
	orgs, err := partnersPaid(ctx, q, grantID)
	return len(orgs) > 0, err
}
