package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/round"
)

// Partnerships (issue 17; DESIGN §10). A member of the lead invites a
// named partner of a draft by e-mail (InvitePartner: the partner is then
// "invited"); whoever holds the e-mailed address follows the link, signs
// in as that address and, as an admin of the partner organisation,
// confirms the partnership and its share as shown, or declines it
// (AnswerPartnership): the partner becomes "confirmed" with its
// organisation, or "declined", and the lead's members are told. A change
// to a confirmed partner's share or purpose returns it to "named" (its
// organisation kept) until it is invited and confirms again, so nobody is
// held to a share they did not see. A partner removed from the list, or
// whose contact address changes, loses its open invitation.

// Statuses of a partner.
const (
	PartnerNamed     = "named"
	PartnerInvited   = "invited"
	PartnerConfirmed = "confirmed"
	PartnerDeclined  = "declined"
)

// Decisions on a partnership.
const (
	PartnershipConfirm = "confirm"
	PartnershipDecline = "decline"
)

// maxSharePurpose is the length limit of what a share pays for, and of a
// reason for declining.
const maxSharePurpose = 500

const invitationPartner = "partner"

// keepPartnerStatus carries each partner's id, status and organisation
// over a save: a partner sent back with its id keeps them, with the
// changes the rules above make; one without a known id is new (named).
func keepPartnerStatus(old, given []Partner) []Partner {
	byID := map[string]Partner{}
	for _, p := range old {
		if p.ID != "" {
			byID[p.ID] = p
		}
	}
	out := make([]Partner, len(given))
	for i, p := range given {
		prev, ok := byID[p.ID]
		delete(byID, p.ID) // a repeated id is a new partner the second time
		if !ok {
			p.ID, p.Status, p.OrganisationID = id.New(id.Partner), PartnerNamed, ""
			out[i] = p
			continue
		}
		p.Status, p.OrganisationID = prev.Status, prev.OrganisationID
		switch {
		case p.Status == PartnerConfirmed && (!samePence(p.SharePence, prev.SharePence) || p.SharePurpose != prev.SharePurpose):
			p.Status = PartnerNamed
		case p.Status == PartnerInvited && !strings.EqualFold(p.ContactEmail, prev.ContactEmail):
			p.Status = PartnerNamed
		}
		out[i] = p
	}
	return out
}

func samePence(a, b *int64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// cancelDroppedPartnerInvitations cancels the open invitation of each
// partner that was invited and no longer is (removed, or its address or
// share changed).
func (a *App) cancelDroppedPartnerInvitations(ctx context.Context, q *sqlc.Queries, appID string, old, now []Partner) error {
	still := map[string]bool{}
	for _, p := range now {
		if p.Status == PartnerInvited {
			still[p.ID] = true
		}
	}
	for _, p := range old {
		if p.Status != PartnerInvited || still[p.ID] {
			continue
		}
		if _, err := q.InvitationCancelOpenForPartner(ctx, sqlc.InvitationCancelOpenForPartnerParams{Now: a.now().UTC(),
			ApplicationID: &appID, PartnerID: &p.ID}); err != nil {
			return fmt.Errorf("cancel partner invitation: %w", err)
		}
	}
	return nil
}

// countPartners counts the partners towards the round's min_partners:
// every one, or where the round requires consent the confirmed ones.
func countPartners(def round.Definition, ps []Partner) int {
	if !def.ConsentRequired() {
		return len(ps)
	}
	n := 0
	for _, p := range ps {
		if p.Status == PartnerConfirmed {
			n++
		}
	}
	return n
}

// LeadSharePence is what the lead keeps of requested: requested less the
// partners' shares.
func LeadSharePence(requested int64, ps []Partner) int64 {
	for _, p := range ps {
		if p.SharePence != nil {
			requested -= *p.SharePence
		}
	}
	return requested
}

// checkPartnership adds the submission rules of a partnership to fields:
// the lead keeps part of the request; where the round requires consent
// every partner has confirmed; where it pays each partner, a partner with
// a share has confirmed (nobody is paid who did not agree).
func checkPartnership(def round.Definition, app Application, fields map[string]string) {
	shared := false
	for _, p := range app.Partners {
		shared = shared || p.SharePence != nil
	}
	if shared && app.RequestedPence != nil {
		if lead := LeadSharePence(*app.RequestedPence, app.Partners); lead <= 0 {
			for i, p := range app.Partners {
				if p.SharePence != nil {
					fields[fmt.Sprintf("partners[%d].share_pence", i)] = fmt.Sprintf(
						"The partners' shares must leave part of the %s requested to the lead", money.PoundsAndPence(*app.RequestedPence))
				}
			}
		}
	}
	for i, p := range app.Partners {
		key := fmt.Sprintf("partners[%d].status", i)
		paid := def.PaysEachPartner() && p.SharePence != nil && *p.SharePence > 0
		if p.Status == PartnerConfirmed || !(def.ConsentRequired() || paid) {
			continue
		}
		switch p.Status {
		case PartnerDeclined:
			fields[key] = p.Name + " has declined the partnership: remove it or invite it again"
		case PartnerInvited:
			fields[key] = p.Name + " has not yet confirmed the partnership"
		default:
			fields[key] = "Invite " + p.Name + " to confirm the partnership"
		}
	}
}

// partnerAt returns the partner at index (a path segment) of a draft's
// partners, or not_found.
func partnerAt(ps []Partner, index string) (int, error) {
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(ps) || strconv.Itoa(i) != index {
		return 0, notFound("Partner")
	}
	return i, nil
}

// savePartners writes a draft's partners back (version + 1).
func savePartners(ctx context.Context, q *sqlc.Queries, r sqlc.Application, ps []Partner) (sqlc.Application, error) {
	raw, err := json.Marshal(ps)
	if err != nil {
		return r, fmt.Errorf("encode partners: %w", err)
	}
	out, err := q.ApplicationSaveDraft(ctx, sqlc.ApplicationSaveDraftParams{ID: r.ID, Version: r.Version, Tier: r.Tier,
		RequestedPence: r.RequestedPence, Answers: r.Answers, Partners: raw})
	if err != nil {
		return r, fmt.Errorf("save partners: %w", err)
	}
	return out, nil
}

// InvitePartner e-mails the partner at index (0-based, in the order of
// the application's partners) of a draft a link to confirm or decline the
// partnership (any member of the lead). The partner needs a contact
// address; a confirmed partner is a conflict; inviting again replaces
// the open invitation. The partner becomes "invited".
func (a *App) InvitePartner(ctx context.Context, actor Actor, appID, index string, params NoParams) (Application, error) {
	key, err := a.linkKey(ctx)
	if err != nil {
		return Application{}, err
	}
	var out Application
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		x, err := a.loadApplication(ctx, q, actor, appID, true)
		if err != nil {
			return err
		}
		if !x.canEdit() {
			return forbidden("Only members of the applying organisation can invite its partners")
		}
		if x.app.Status != StatusDraft {
			return invalidState("Partners can only be invited while the application is a draft")
		}
		if err := params(); err != nil {
			return err
		}
		cur, err := applicationView(x.app)
		if err != nil {
			return err
		}
		i, err := partnerAt(cur.Partners, index)
		if err != nil {
			return err
		}
		p := &cur.Partners[i]
		if p.Status == PartnerConfirmed {
			return conflict(p.Name + " has already confirmed the partnership")
		}
		if p.ContactEmail == "" {
			return Invalid(map[string]string{fmt.Sprintf("partners[%d].contact_email", i): "Enter the partner's contact email address, then invite them"})
		}
		if p.ID == "" {
			p.ID = id.New(id.Partner)
		}
		if err := a.throttleMail(ctx, p.ContactEmail); err != nil {
			return err
		}
		inv, err := a.issueInvitation(ctx, q, key, sqlc.InvitationCreateParams{Kind: invitationPartner, Email: p.ContactEmail,
			Name: &p.Name, InvitedBy: actor.ID, ApplicationID: &appID, PartnerID: &p.ID}, mailq.EmailPartnerInvitation)
		if err != nil {
			return err
		}
		p.Status = PartnerInvited
		r, err := savePartners(ctx, q, x.app, cur.Partners)
		if err != nil {
			return err
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "application.partner_invited",
			Entity: "application:" + appID, Data: map[string]any{"partner_id": p.ID, "name": p.Name, "email": p.ContactEmail,
				"invitation_id": inv.ID, "share_pence": p.SharePence}}); err != nil {
			return err
		}
		out, err = applicationView(r)
		return err
	})
	return out, err
}

// PartnerInvitation is what a partner's invitation asks: who leads, which
// round, the partner as named (its share and purpose) and the request,
// with the organisations the invitee may answer for (those they are an
// admin of).
type PartnerInvitation struct {
	ApplicationID    string                `json:"application_id"`
	RoundName        string                `json:"round_name"`
	LeadName         string                `json:"lead_organisation_name"`
	Partner          Partner               `json:"partner"`
	RequestedPence   *int64                `json:"requested_pence"`
	ExpiresAt        time.Time             `json:"expires_at"`
	Organisations    []PartnerOrganisation `json:"organisations"`
	ApplicationDraft bool                  `json:"application_draft"`
}

// PartnershipAnswered is the answer of POST /partner-invitations/accept:
// the partner as it now stands (not the lead's application, which the
// partner does not see).
type PartnershipAnswered struct {
	ApplicationID string  `json:"application_id"`
	Partner       Partner `json:"partner"`
}

// PartnerOrganisation is an organisation the invitee may answer for.
type PartnerOrganisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PartnershipAnswer is the body of POST /partner-invitations/accept.
type PartnershipAnswer struct {
	Token          string `json:"token"`
	OrganisationID string `json:"organisation_id"`
	Decision       string `json:"decision"`
	Reason         string `json:"reason"`
}

// openPartnerInvitation finds the live partner invitation of a token for
// the signed-in invitee: a malformed, unknown, used or lapsed token is a
// 422 on token; another account than the invited address's is a 403.
func (a *App) openPartnerInvitation(ctx context.Context, q *sqlc.Queries, actor Actor, token string, lock bool) (sqlc.Invitation, error) {
	if !linktoken.WellFormed(token) {
		return sqlc.Invitation{}, Invalid(map[string]string{"token": badLink})
	}
	var (
		inv sqlc.Invitation
		err error
	)
	now := a.now().UTC()
	if lock {
		inv, err = q.InvitationOpenByToken(ctx, sqlc.InvitationOpenByTokenParams{TokenHash: linktoken.Hash(token), Now: now})
	} else {
		inv, err = q.InvitationOpenByTokenShared(ctx, sqlc.InvitationOpenByTokenSharedParams{TokenHash: linktoken.Hash(token), Now: now})
	}
	if isNotFound(err) || (err == nil && inv.Kind != invitationPartner) {
		return inv, Invalid(map[string]string{"token": badLink})
	}
	if err != nil {
		return inv, fmt.Errorf("find invitation: %w", err)
	}
	if !strings.EqualFold(actor.Email, inv.Email) {
		return inv, forbidden("This invitation is for " + inv.Email + ": sign in with that address to answer it")
	}
	return inv, nil
}

// partnerByID finds a partner by its id.
func partnerByID(ps []Partner, partnerID string) int {
	for i, p := range ps {
		if p.ID == partnerID {
			return i
		}
	}
	return -1
}

// GetPartnerInvitation shows what a partner's invitation asks, for the
// signed-in invitee, without spending it.
func (a *App) GetPartnerInvitation(ctx context.Context, actor Actor, token string) (PartnerInvitation, error) {
	q := a.store.Queries
	inv, err := a.openPartnerInvitation(ctx, q, actor, token, false)
	if err != nil {
		return PartnerInvitation{}, err
	}
	r, err := q.ApplicationGet(ctx, deref(inv.ApplicationID))
	if err != nil {
		return PartnerInvitation{}, fmt.Errorf("get application: %w", err)
	}
	v, err := applicationView(r)
	if err != nil {
		return PartnerInvitation{}, err
	}
	i := partnerByID(v.Partners, deref(inv.PartnerID))
	if i < 0 {
		return PartnerInvitation{}, Invalid(map[string]string{"token": badLink})
	}
	out := PartnerInvitation{ApplicationID: r.ID, Partner: v.Partners[i], RequestedPence: r.RequestedPence, ExpiresAt: inv.ExpiresAt,
		ApplicationDraft: r.Status == StatusDraft, Organisations: []PartnerOrganisation{}}
	lead, err := q.OrganisationGet(ctx, r.OrganisationID)
	if err != nil {
		return out, fmt.Errorf("get lead: %w", err)
	}
	rnd, err := q.RoundGet(ctx, r.RoundID)
	if err != nil {
		return out, fmt.Errorf("get round: %w", err)
	}
	out.LeadName, out.RoundName = lead.Name, rnd.Name
	orgs, err := q.OrganisationMembershipsForUser(ctx, actor.ID)
	if err != nil {
		return out, fmt.Errorf("list organisations: %w", err)
	}
	for _, o := range orgs {
		if o.Role == MemberAdmin && o.OrganisationID != r.OrganisationID {
			out.Organisations = append(out.Organisations, PartnerOrganisation{ID: o.OrganisationID, Name: o.Name})
		}
	}
	return out, nil
}

// AnswerPartnership spends a partner's invitation: the signed-in invitee,
// as an admin of organisation_id, confirms the partnership as shown (the
// partner becomes "confirmed" with that organisation) or declines it
// (with an optional reason). Only while the application is a draft (409);
// the lead's own organisation, or one already confirmed as another
// partner of the application, is a 422 on organisation_id. The lead's
// members are told.
func (a *App) AnswerPartnership(ctx context.Context, actor Actor, in PartnershipAnswer) (PartnershipAnswered, error) {
	if err := a.throttleClient(ctx); err != nil {
		return PartnershipAnswered{}, err
	}
	var out PartnershipAnswered
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		inv, err := a.openPartnerInvitation(ctx, q, actor, in.Token, true)
		if err != nil {
			return err
		}
		r, err := q.ApplicationGetForUpdate(ctx, deref(inv.ApplicationID))
		if err != nil {
			return fmt.Errorf("get application: %w", err)
		}
		if r.Status != StatusDraft {
			return invalidState("The application has been submitted or withdrawn, so the partnership can no longer be answered")
		}
		cur, err := applicationView(r)
		if err != nil {
			return err
		}
		i := partnerByID(cur.Partners, deref(inv.PartnerID))
		if i < 0 || cur.Partners[i].Status != PartnerInvited {
			return Invalid(map[string]string{"token": badLink})
		}
		if inv.InvitedBy == actor.ID {
			return forbidden("Nobody answers their own invitation")
		}
		fields := map[string]string{}
		in.Reason = strings.TrimSpace(in.Reason)
		if utf8.RuneCountInString(in.Reason) > maxSharePurpose {
			fields["reason"] = fmt.Sprintf("Use %d characters or fewer", maxSharePurpose)
		}
		switch in.Decision {
		case PartnershipConfirm:
			if err := checkPartnerOrganisation(ctx, q, actor, cur, i, in.OrganisationID, fields); err != nil {
				return err
			}
		case PartnershipDecline:
		default:
			fields["decision"] = "Choose confirm or decline"
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		now := a.now().UTC()
		if !actor.EmailVerified { // the link proves the address
			if _, err := q.UserConfirmEmail(ctx, sqlc.UserConfirmEmailParams{ID: actor.ID, Now: now}); err != nil {
				return fmt.Errorf("confirm email: %w", err)
			}
		}
		if err := q.InvitationMarkAccepted(ctx, sqlc.InvitationMarkAcceptedParams{Now: now, UserID: &actor.ID, ID: inv.ID}); err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		p := &cur.Partners[i]
		action, verb := "application.partner_confirmed", "confirmed"
		if in.Decision == PartnershipConfirm {
			p.Status, p.OrganisationID = PartnerConfirmed, in.OrganisationID
		} else {
			p.Status, action, verb = PartnerDeclined, "application.partner_declined", "declined"
		}
		if _, err := savePartners(ctx, q, r, cur.Partners); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + r.ID, Actor: actor.ID, Action: action,
			Entity: "application:" + r.ID, Data: map[string]any{"partner_id": p.ID, "organisation_id": p.OrganisationID,
				"invitation_id": inv.ID, "share_pence": p.SharePence, "reason": in.Reason}}); err != nil {
			return err
		}
		members, err := q.OrganisationMemberList(ctx, r.OrganisationID)
		if err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		ids := make([]string, len(members))
		for k, m := range members {
			ids[k] = m.UserID
		}
		body := p.Name + " has " + verb + " the partnership in your application."
		if in.Reason != "" {
			body += "\n\nTheir reason: " + in.Reason
		}
		if err := mailq.Notify(ctx, q, ids, mailq.Notice{Kind: "partner_" + verb, Subject: p.Name + " has " + verb + " the partnership",
			Body: body, Entity: "application:" + r.ID, Key: "partner:" + inv.ID}); err != nil {
			return err
		}
		out = PartnershipAnswered{ApplicationID: r.ID, Partner: *p}
		return nil
	})
	return out, err
}

// checkPartnerOrganisation checks the organisation a partner confirms
// for: one the actor is an admin of, not the lead, not already confirmed
// as another partner.
func checkPartnerOrganisation(ctx context.Context, q *sqlc.Queries, actor Actor, app Application, i int, orgID string, fields map[string]string) error {
	const key = "organisation_id"
	if !id.Valid(id.Organisation, orgID) {
		fields[key] = "Choose the organisation you are confirming for"
		return nil
	}
	role, err := memberRole(ctx, q, orgID, actor.ID)
	if err != nil {
		return err
	}
	switch {
	case role != MemberAdmin:
		fields[key] = "Choose an organisation you are an admin of"
	case orgID == app.OrganisationID:
		fields[key] = "The lead organisation cannot also be its own partner"
	default:
		for j, p := range app.Partners {
			if j != i && p.OrganisationID == orgID && p.Status == PartnerConfirmed {
				fields[key] = "This organisation is already a partner in this application"
			}
		}
	}
	return nil
}

// Shared reports whether any partner of the application has a share.
func (v Application) Shared() bool {
	for _, p := range v.Partners {
		if p.SharePence != nil {
			return true
		}
	}
	return false
}

// LeadSharePence is what the lead keeps of the request after the
// partners' shares (0 with no request yet).
func (v Application) LeadSharePence() int64 {
	if v.RequestedPence == nil {
		return 0
	}
	return LeadSharePence(*v.RequestedPence, v.Partners)
}
