package web

import (
	"context"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
)

// One record (issue 16): an organisation's page shows its applications,
// grants, support requests and support cases together, each as the use
// cases let the visitor see it.

type orgRecordApp struct {
	App       app.Application
	RoundName string
}

type orgRecordGrant struct {
	Grant     app.Grant
	RoundName string
}

type orgRecordCase struct {
	Case    app.Case
	Href    string
	Risk    string
	Outcome string
}

// orgRecord is what an organisation has with the funder.
type orgRecord struct {
	Apps     []orgRecordApp
	Grants   []orgRecordGrant
	Cases    []orgRecordCase
	Requests []supportRow
}

// orgRecordOf reads orgID's applications, grants, support requests and
// cases as a sees them (one page of each: the newest 200).
func (ui *UI) orgRecordOf(ctx context.Context, a app.Actor, orgID string) (orgRecord, error) {
	var out orgRecord
	rounds := &granteeRounds{ui: ui, ctx: ctx, cache: map[string]app.Round{}}
	apps, err := ui.app.ListApplications(ctx, a, app.ApplicationFilter{Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		return out, err
	}
	for _, x := range apps.Items {
		if x.OrganisationID != orgID {
			continue
		}
		r, err := rounds.get(x.RoundID)
		if err != nil {
			return out, err
		}
		out.Apps = append(out.Apps, orgRecordApp{App: x, RoundName: r.Name})
	}
	grants, err := ui.app.ListGrants(ctx, a, app.GrantFilter{Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		return out, err
	}
	for _, g := range grants.Items {
		if g.OrganisationID != orgID {
			continue
		}
		r, err := rounds.get(g.RoundID)
		if err != nil {
			return out, err
		}
		out.Grants = append(out.Grants, orgRecordGrant{Grant: g, RoundName: r.Name})
	}
	cases, err := ui.app.OrganisationCases(ctx, a, orgID)
	if err != nil {
		return out, err
	}
	for _, k := range cases {
		row := orgRecordCase{Case: k, Href: supportCasePath(k.ID), Risk: casework.Label(casework.RiskKinds, k.Risk.Kind)}
		if k.Outcome != nil {
			row.Outcome = casework.Label(casework.Outcomes, *k.Outcome)
		}
		out.Cases = append(out.Cases, row)
	}
	reqs, err := ui.app.ListSupportRequests(ctx, a, app.SupportRequestFilter{Page: app.PageQuery{Limit: "200"}})
	if err != nil {
		return out, err
	}
	for _, r := range reqs.Items {
		if r.OrganisationID == orgID {
			out.Requests = append(out.Requests, supportRowOf(r))
		}
	}
	return out, nil
}
