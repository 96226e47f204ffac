package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Grant statuses.
const (
	GrantOffered    = workflows.GrantStatusOffered
	GrantActive     = workflows.GrantStatusActive
	GrantLapsed     = workflows.GrantStatusLapsed
	GrantCompleted  = "completed"
	GrantSuspended  = "suspended"
	GrantTerminated = "terminated"
)

// Grant is the view of a grant with its payment and report schedules.
type Grant struct {
	ID             string         `json:"id"`
	ApplicationID  string         `json:"application_id"`
	RoundID        string         `json:"round_id"`
	OrganisationID string         `json:"organisation_id"`
	Status         string         `json:"status"`
	AwardPence     int64          `json:"award_pence"`
	Conditions     string         `json:"conditions"`
	OfferedAt      time.Time      `json:"offered_at"`
	OfferExpiresAt time.Time      `json:"offer_expires_at"`
	AcceptedAt     *time.Time     `json:"accepted_at"`
	SignatoryName  *string        `json:"signatory_name"`
	SignatoryRole  *string        `json:"signatory_role"`
	LapsedAt       *time.Time     `json:"lapsed_at"`
	Payments       []GrantPayment `json:"payments"`
	Reports        []GrantReport  `json:"reports"`
}

// GrantPayment is one tranche of a grant.
type GrantPayment struct {
	ID          string     `json:"id"`
	Tranche     int32      `json:"tranche"`
	Status      string     `json:"status"`
	AmountPence int64      `json:"amount_pence"`
	Condition   string     `json:"condition"`
	DueAt       *time.Time `json:"due_at"`
}

// GrantReport is one report a grant owes; DueAt is set on acceptance.
type GrantReport struct {
	ID     string     `json:"id"`
	Kind   string     `json:"kind"`
	Status string     `json:"status"`
	DueAt  *time.Time `json:"due_at"`
}

// GrantFilter selects grants in a list.
type GrantFilter struct {
	Status  string
	RoundID string
	Page    PageQuery
}

// seesAllGrants reports whether the actor may read every grant.
func (a Actor) seesAllGrants() bool {
	return a.Has(RoleManager) || a.Has(RoleChair) || a.Has(RoleFinance)
}

func grantView(g sqlc.Grant, payments []sqlc.Payment, reports []sqlc.Report) Grant {
	v := Grant{ID: g.ID, ApplicationID: g.ApplicationID, RoundID: g.RoundID, OrganisationID: g.OrganisationID, Status: g.Status,
		AwardPence: g.AwardPence, Conditions: g.Conditions, OfferedAt: g.OfferedAt, OfferExpiresAt: g.OfferExpiresAt,
		AcceptedAt: g.AcceptedAt, SignatoryName: g.SignatoryName, SignatoryRole: g.SignatoryRole, LapsedAt: g.LapsedAt,
		Payments: make([]GrantPayment, 0, len(payments)), Reports: make([]GrantReport, 0, len(reports))}
	for _, p := range payments {
		v.Payments = append(v.Payments, GrantPayment{ID: p.ID, Tranche: p.Tranche, Status: p.Status, AmountPence: p.AmountPence,
			Condition: p.Condition, DueAt: p.DueAt})
	}
	for _, r := range reports {
		v.Reports = append(v.Reports, GrantReport{ID: r.ID, Kind: r.Kind, Status: r.Status, DueAt: r.DueAt})
	}
	return v
}

// ListGrants lists the grants the actor may see: managers, chairs and
// finance every grant, everyone else their organisations' ones.
func (a *App) ListGrants(ctx context.Context, actor Actor, f GrantFilter) (Page[Grant], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Grant, fields)
	var status, roundID *string
	switch f.Status {
	case "":
	case GrantOffered, GrantActive, GrantLapsed, GrantCompleted, GrantSuspended, GrantTerminated:
		status = &f.Status
	default:
		fields["status"] = "Unknown status"
	}
	if f.RoundID != "" {
		roundID = &f.RoundID
	}
	if len(fields) > 0 {
		return Page[Grant]{}, Invalid(fields)
	}
	rows, err := a.store.GrantListScoped(ctx, sqlc.GrantListScopedParams{SeeAll: actor.seesAllGrants(), UserID: actor.ID,
		Cursor: cursor, Status: status, RoundID: roundID, RowLimit: limit})
	if err != nil {
		return Page[Grant]{}, fmt.Errorf("list grants: %w", err)
	}
	ids := make([]string, len(rows))
	for i, g := range rows {
		ids[i] = g.ID
	}
	paysOf, repsOf, err := a.grantSchedules(ctx, a.store.Queries, ids)
	if err != nil {
		return Page[Grant]{}, err
	}
	return pageOf(rows, limit, func(g sqlc.Grant) string { return g.ID }, func(g sqlc.Grant) (Grant, error) {
		return grantView(g, paysOf[g.ID], repsOf[g.ID]), nil
	})
}

// grantSchedules reads the payments and reports of several grants.
func (a *App) grantSchedules(ctx context.Context, q *sqlc.Queries, ids []string) (map[string][]sqlc.Payment, map[string][]sqlc.Report, error) {
	payments, err := q.PaymentListByGrants(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("list payments: %w", err)
	}
	reports, err := q.ReportListByGrants(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("list reports: %w", err)
	}
	paysOf := map[string][]sqlc.Payment{}
	for _, p := range payments {
		paysOf[p.GrantID] = append(paysOf[p.GrantID], p)
	}
	repsOf := map[string][]sqlc.Report{}
	for _, r := range reports {
		repsOf[r.GrantID] = append(repsOf[r.GrantID], r)
	}
	return paysOf, repsOf, nil
}

// loadGrant returns a grant the actor may read and the actor's role in
// its organisation ("" if none): members of the organisation and
// managers, chairs and finance; anyone else gets not_found.
func (a *App) loadGrant(ctx context.Context, actor Actor, grantID string) (sqlc.Grant, string, error) {
	if !id.Valid(id.Grant, grantID) {
		return sqlc.Grant{}, "", notFound("Grant")
	}
	g, err := a.store.GrantGet(ctx, grantID)
	if err != nil {
		if isNotFound(db.Translate(err)) {
			return g, "", notFound("Grant")
		}
		return g, "", fmt.Errorf("get grant: %w", err)
	}
	role, err := memberRole(ctx, a.store.Queries, g.OrganisationID, actor.ID)
	if err != nil {
		return g, "", err
	}
	if role == "" && !actor.seesAllGrants() {
		return g, "", notFound("Grant")
	}
	return g, role, nil
}

// GetGrant reads one grant with its payments and reports.
func (a *App) GetGrant(ctx context.Context, actor Actor, grantID string) (Grant, error) {
	g, _, err := a.loadGrant(ctx, actor, grantID)
	if err != nil {
		return Grant{}, err
	}
	paysOf, repsOf, err := a.grantSchedules(ctx, a.store.Queries, []string{g.ID})
	if err != nil {
		return Grant{}, err
	}
	return grantView(g, paysOf[g.ID], repsOf[g.ID]), nil
}

// AcceptInput is the body of POST /grants/{id}/accept.
type AcceptInput struct {
	SignatoryName string `json:"signatory_name"`
	SignatoryRole string `json:"signatory_role"`
}

// AcceptGrant accepts an offer for an admin of the grant's organisation,
// through the application's workflow, which then starts the grant's own.
func (a *App) AcceptGrant(ctx context.Context, actor Actor, grantID string, body Body) (Grant, error) {
	g, role, err := a.loadGrant(ctx, actor, grantID)
	if err != nil {
		return Grant{}, err
	}
	if role != MemberAdmin {
		return Grant{}, forbidden("Only an admin of the organisation can accept the offer")
	}
	if g.Status != GrantOffered {
		return Grant{}, invalidState("This offer is no longer open for acceptance")
	}
	var in AcceptInput
	if err := body(&in); err != nil {
		return Grant{}, err
	}
	in.SignatoryName = strings.TrimSpace(in.SignatoryName)
	in.SignatoryRole = strings.TrimSpace(in.SignatoryRole)
	if fields := workflows.CheckAcceptance(in.SignatoryName, in.SignatoryRole); len(fields) > 0 {
		return Grant{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, g.ApplicationID, workflows.UpdateAccept, workflows.AcceptUpdate{Caller: caller(actor),
		GrantID: g.ID, SignatoryName: in.SignatoryName, SignatoryRole: in.SignatoryRole}); err != nil {
		return Grant{}, err
	}
	return a.GetGrant(ctx, actor, grantID)
}
