package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Grant statuses.
const (
	GrantOffered    = workflows.GrantStatusOffered
	GrantActive     = workflows.GrantStatusActive
	GrantLapsed     = workflows.GrantStatusLapsed
	GrantDeclined   = workflows.GrantStatusDeclined
	GrantCompleted  = workflows.GrantStatusCompleted
	GrantSuspended  = workflows.GrantStatusSuspended
	GrantTerminated = workflows.GrantStatusTerminated
)

// Grant is the view of a grant with its payment and report schedules.
// PayeeOrganisationID is who is paid: the grantee, or its host for an
// unconstituted group; PayoutReady says whether the payee can be paid
// now (for a Stripe round: its account has payouts enabled; for a
// manual round: its bank details are saved; a host must also have
// consented). PaidPence sums the payments that are paid.
type Grant struct {
	ID                  string         `json:"id"`
	ApplicationID       string         `json:"application_id"`
	RoundID             string         `json:"round_id"`
	OrganisationID      string         `json:"organisation_id"`
	Status              string         `json:"status"`
	AwardPence          int64          `json:"award_pence"`
	Conditions          string         `json:"conditions"`
	OfferedAt           time.Time      `json:"offered_at"`
	OfferExpiresAt      time.Time      `json:"offer_expires_at"`
	AcceptedAt          *time.Time     `json:"accepted_at"`
	SignatoryName       *string        `json:"signatory_name"`
	SignatoryRole       *string        `json:"signatory_role"`
	LapsedAt            *time.Time     `json:"lapsed_at"`
	DeclinedAt          *time.Time     `json:"declined_at"`
	DeclineReason       *string        `json:"decline_reason"`
	CompletedAt         *time.Time     `json:"completed_at"`
	Flags               []string       `json:"flags"`
	ClawbackPence       int64          `json:"clawback_pence"`
	PaidPence           int64          `json:"paid_pence"`
	PayeeOrganisationID string         `json:"payee_organisation_id"`
	PayoutReady         bool           `json:"payout_ready"`
	Payments            []GrantPayment `json:"payments"`
	Reports             []GrantReport  `json:"reports"`
}

// GrantPayment is one tranche of a grant. Approvals counts the finance
// approvals it has.
type GrantPayment struct {
	ID                string     `json:"id"`
	Tranche           int32      `json:"tranche"`
	Status            string     `json:"status"`
	AmountPence       int64      `json:"amount_pence"`
	Condition         string     `json:"condition"`
	DueAt             *time.Time `json:"due_at"`
	Provider          *string    `json:"provider"`
	ProviderReference *string    `json:"provider_reference"`
	PaidAt            *time.Time `json:"paid_at"`
	Approvals         int        `json:"approvals"`
	// PartnerOrganisationID names the partner whose share this payment
	// pays (a round paying each partner); nil for the lead's.
	PartnerOrganisationID *string `json:"partner_organisation_id,omitempty"`
}

// GrantReport is one report a grant owes; DueAt is set on acceptance.
type GrantReport struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	DueAt       *time.Time `json:"due_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
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

// grantExtras is what a grant's view needs besides its row.
type grantExtras struct {
	payments []sqlc.PaymentListByGrantsRow // with their approval counts
	reports  []sqlc.Report
	payee    sqlc.GrantPayeesByGrantsRow
}

// grantView builds a grant's view; PaidPence sums its paid payments.
func grantView(g sqlc.Grant, x grantExtras) Grant {
	flags := g.Flags
	if flags == nil {
		flags = []string{}
	}
	v := Grant{ID: g.ID, ApplicationID: g.ApplicationID, RoundID: g.RoundID, OrganisationID: g.OrganisationID, Status: g.Status,
		AwardPence: g.AwardPence, Conditions: g.Conditions, OfferedAt: g.OfferedAt, OfferExpiresAt: g.OfferExpiresAt,
		AcceptedAt: g.AcceptedAt, SignatoryName: g.SignatoryName, SignatoryRole: g.SignatoryRole, LapsedAt: g.LapsedAt,
		DeclinedAt: g.DeclinedAt, DeclineReason: g.DeclineReason,
		CompletedAt: g.CompletedAt, Flags: flags, ClawbackPence: g.ClawbackPence,
		PayeeOrganisationID: x.payee.PayeeOrganisationID, PayoutReady: x.payee.PayoutReady,
		Payments: make([]GrantPayment, 0, len(x.payments)), Reports: make([]GrantReport, 0, len(x.reports))}
	for _, r := range x.payments {
		p := r.Payment
		if p.Status == workflows.PaymentPaid {
			v.PaidPence += p.AmountPence
		}
		v.Payments = append(v.Payments, GrantPayment{ID: p.ID, Tranche: p.Tranche, Status: p.Status, AmountPence: p.AmountPence,
			Condition: p.Condition, DueAt: p.DueAt, Provider: p.Provider, ProviderReference: p.ProviderReference,
			PaidAt: p.PaidAt, Approvals: int(r.Approvals), PartnerOrganisationID: p.PartnerOrganisationID})
	}
	for _, r := range x.reports {
		v.Reports = append(v.Reports, GrantReport{ID: r.ID, Kind: r.Kind, Status: r.Status, DueAt: r.DueAt, SubmittedAt: r.SubmittedAt})
	}
	return v
}

// ListGrants lists the grants the actor may see: managers, chairs and
// finance every grant, everyone else their organisations' ones, and those
// paying a share to a partner organisation of theirs (as partnerGrant
// shows them).
func (a *App) ListGrants(ctx context.Context, actor Actor, f GrantFilter) (Page[Grant], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Grant, fields)
	var status, roundID *string
	switch f.Status {
	case "":
	case GrantOffered, GrantActive, GrantLapsed, GrantDeclined, GrantCompleted, GrantSuspended, GrantTerminated:
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
	rows, next := pageRows(rows, limit, func(g sqlc.Grant) string { return g.ID })
	items, err := a.grantViews(ctx, rows)
	if err != nil {
		return Page[Grant]{}, err
	}
	if !actor.seesAllGrants() { // a partner's grants, as a partner sees them
		mine, err := a.store.OrganisationMembershipsForUser(ctx, actor.ID)
		if err != nil {
			return Page[Grant]{}, fmt.Errorf("list memberships: %w", err)
		}
		member := map[string]bool{}
		for _, m := range mine {
			member[m.OrganisationID] = true
		}
		for i, g := range items {
			if !member[g.OrganisationID] {
				if items[i], err = a.partnerGrant(ctx, actor, g.ID, notFound("Grant")); err != nil {
					return Page[Grant]{}, err
				}
			}
		}
	}
	return Page[Grant]{Items: items, NextCursor: next}, nil
}

// grantViews reads the payments, reports and payees of grants (three
// queries however many there are) and builds their views.
func (a *App) grantViews(ctx context.Context, rows []sqlc.Grant) ([]Grant, error) {
	ids := make([]string, len(rows))
	for i, g := range rows {
		ids[i] = g.ID
	}
	q := a.store.Queries
	payments, err := q.PaymentListByGrants(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	reports, err := q.ReportListByGrants(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	payees, err := q.GrantPayeesByGrants(ctx, sqlc.GrantPayeesByGrantsParams{GrantIds: ids, DefaultProvider: a.cfg.DefaultPaymentProvider})
	if err != nil {
		return nil, fmt.Errorf("payees: %w", err)
	}
	extras := make(map[string]*grantExtras, len(ids))
	for _, gid := range ids {
		extras[gid] = &grantExtras{}
	}
	for _, p := range payments {
		extras[p.Payment.GrantID].payments = append(extras[p.Payment.GrantID].payments, p)
	}
	for _, r := range reports {
		extras[r.GrantID].reports = append(extras[r.GrantID].reports, r)
	}
	for _, p := range payees {
		extras[p.GrantID].payee = p
	}
	out := make([]Grant, 0, len(rows))
	for _, g := range rows {
		out = append(out, grantView(g, *extras[g.ID]))
	}
	return out, nil
}

// getGrant reads a grant, not_found for an id that is not one.
func (a *App) getGrant(ctx context.Context, grantID string) (sqlc.Grant, error) {
	if !id.Valid(id.Grant, grantID) {
		return sqlc.Grant{}, notFound("Grant")
	}
	g, err := a.store.GrantGet(ctx, grantID)
	if err != nil {
		if isNotFound(err) {
			return g, notFound("Grant")
		}
		return g, fmt.Errorf("get grant: %w", err)
	}
	return g, nil
}

// loadGrant returns a grant the actor may read and the actor's role in
// its organisation ("" if none): members of the organisation and
// managers, chairs and finance; anyone else gets not_found.
func (a *App) loadGrant(ctx context.Context, actor Actor, grantID string) (sqlc.Grant, string, error) {
	g, err := a.getGrant(ctx, grantID)
	if err != nil {
		return g, "", err
	}
	role, err := a.grantRole(ctx, actor, g.OrganisationID, "Grant")
	return g, role, err
}

// grantRole returns the actor's role in the organisation of a grant ("" if
// none), or not_found naming what for someone who may not read the grant
// or what belongs to it: only its organisation's members and managers,
// chairs and finance may.
func (a *App) grantRole(ctx context.Context, actor Actor, orgID, what string) (string, error) {
	role, err := memberRole(ctx, a.store.Queries, orgID, actor.ID)
	if err != nil {
		return "", err
	}
	if role == "" && !actor.seesAllGrants() {
		return "", notFound(what)
	}
	return role, nil
}

// GetGrant reads one grant with its payments and reports. A member of a
// partner organisation paid a share of the grant reads its summary with
// that organisation's payments only (partnerGrant).
func (a *App) GetGrant(ctx context.Context, actor Actor, grantID string) (Grant, error) {
	g, _, err := a.loadGrant(ctx, actor, grantID)
	if e, ok := AsError(err); ok && e.Kind == KindNotFound {
		return a.partnerGrant(ctx, actor, grantID, err)
	}
	if err != nil {
		return Grant{}, err
	}
	views, err := a.grantViews(ctx, []sqlc.Grant{g})
	if err != nil {
		return Grant{}, err
	}
	return views[0], nil
}

// loadOffer reads a grant on offer for an admin of its organisation, who
// is to verb it: scope (404), role (403), then state (409, closed).
func (a *App) loadOffer(ctx context.Context, actor Actor, grantID, verb, closed string) (sqlc.Grant, error) {
	g, role, err := a.loadGrant(ctx, actor, grantID)
	if err != nil {
		return g, err
	}
	if role != MemberAdmin {
		return g, forbidden("Only an admin of the organisation can " + verb + " the offer")
	}
	if g.Status != GrantOffered {
		return g, invalidState(closed)
	}
	return g, nil
}

// AcceptInput is the body of POST /grants/{id}/accept.
type AcceptInput struct {
	SignatoryName string `json:"signatory_name"`
	SignatoryRole string `json:"signatory_role"`
}

// AcceptGrant accepts an offer for an admin of the grant's organisation,
// through the application's workflow, which then starts the grant's own.
func (a *App) AcceptGrant(ctx context.Context, actor Actor, grantID string, body Body) (Grant, error) {
	g, err := a.loadOffer(ctx, actor, grantID, "accept", "This offer is no longer open for acceptance")
	if err != nil {
		return Grant{}, err
	}
	if err := requireVerified(actor); err != nil {
		return Grant{}, err
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

// DeclineInput is the body of POST /grants/{id}/decline.
type DeclineInput struct {
	Reason string `json:"reason"`
}

// DeclineGrant declines an offer for an admin of the grant's organisation,
// through the application's workflow: the grant becomes declined, its
// budget is released and the round is told, as for a lapse.
func (a *App) DeclineGrant(ctx context.Context, actor Actor, grantID string, body Body) (Grant, error) {
	g, err := a.loadOffer(ctx, actor, grantID, "decline", "This offer is no longer open")
	if err != nil {
		return Grant{}, err
	}
	var in DeclineInput
	if err := body(&in); err != nil {
		return Grant{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if fields := workflows.CheckDecline(in.Reason); len(fields) > 0 {
		return Grant{}, Invalid(fields)
	}
	if err := a.updateCase(ctx, g.ApplicationID, workflows.UpdateDecline, workflows.DeclineUpdate{Caller: caller(actor),
		GrantID: g.ID, Reason: in.Reason}); err != nil {
		return Grant{}, err
	}
	return a.GetGrant(ctx, actor, grantID)
}

// partnerGrant is the grant as a partner organisation paid a share of it
// sees it: the summary (no signatory, no reports) with only its own
// payments, its own payout readiness as payee; notFound (the error
// given) for anyone with no such payment.
func (a *App) partnerGrant(ctx context.Context, actor Actor, grantID string, notFound error) (Grant, error) {
	g, err := a.getGrant(ctx, grantID)
	if err != nil {
		return Grant{}, err
	}
	rows, err := a.store.PaymentListForPartnerMember(ctx, sqlc.PaymentListForPartnerMemberParams{GrantID: g.ID, UserID: actor.ID})
	if err != nil {
		return Grant{}, fmt.Errorf("list partner payments: %w", err)
	}
	if len(rows) == 0 {
		return Grant{}, notFound
	}
	x := grantExtras{}
	for _, r := range rows {
		x.payments = append(x.payments, sqlc.PaymentListByGrantsRow(r))
	}
	ready, err := a.store.PaymentPayeeReadiness(ctx, sqlc.PaymentPayeeReadinessParams{GrantID: g.ID, DefaultProvider: a.cfg.DefaultPaymentProvider})
	if err != nil {
		return Grant{}, fmt.Errorf("payees' readiness: %w", err)
	}
	for _, r := range ready {
		if r.PaymentID == rows[0].Payment.ID {
			x.payee = sqlc.GrantPayeesByGrantsRow{GrantID: g.ID, PayeeOrganisationID: r.PayeeOrganisationID, PayoutReady: r.PayoutReady}
		}
	}
	g.SignatoryName, g.SignatoryRole, g.DeclineReason = nil, nil, nil
	return grantView(g, x), nil
}
