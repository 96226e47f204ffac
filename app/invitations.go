package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mailq"
)

// Invitations (DESIGN §10 "Teams" and "Staff"). An organisation's admin
// invites an address to its team as member or admin; a staff admin invites
// an address to hold staff roles. Either is e-mailed a link whose token
// (package linktoken, stored hashed) is spent once by AcceptInvitation,
// before InvitationTTL. Inviting an address again replaces its open
// invitation. Accepting creates the account when the address has none
// (confirmed: the link proves the address); an address with an account
// accepts signed in as that account.

// InvitationTTL is how long an invitation's link lasts.
const InvitationTTL = 14 * 24 * time.Hour

// Kinds of invitation.
const (
	invitationOrganisation = "organisation"
	invitationStaff        = "staff"
)

// Statuses of an invitation.
const (
	InvitationPending   = "pending"
	InvitationExpired   = "expired"
	InvitationUsed      = "accepted"
	InvitationCancelled = "cancelled"
)

// InvitationInput is the body of POST /organisations/{id}/invitations.
type InvitationInput struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Invitation is an invitation to an organisation's team.
type Invitation struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Role          string    `json:"role"`
	Status        string    `json:"status"`
	ExpiresAt     time.Time `json:"expires_at"`
	CreatedAt     time.Time `json:"created_at"`
	InvitedByName string    `json:"invited_by_name,omitempty"`
}

// StaffInvitationInput is the body of POST /staff/invitations.
type StaffInvitationInput struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// StaffInvitation is an invitation to hold staff roles.
type StaffInvitation struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// AcceptInvitationInput is the body of POST /invitations/accept: name and
// password make the account of an address that has none.
type AcceptInvitationInput struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// InvitationAccepted is the answer of POST /invitations/accept: the team
// joined and the role held there, or the staff roles now held.
type InvitationAccepted struct {
	OrganisationID *string  `json:"organisation_id,omitempty"`
	Role           *string  `json:"role,omitempty"`
	Roles          []string `json:"roles,omitempty"`
	// Email is the address of the account that accepted, and Created
	// says it was made just now (the web UI then signs it in).
	Email   string `json:"-"`
	Created bool   `json:"-"`
}

// invitationStatus is what an invitation's row says at now.
func invitationStatus(acceptedAt, cancelledAt *time.Time, expiresAt, now time.Time) string {
	switch {
	case acceptedAt != nil:
		return InvitationUsed
	case cancelledAt != nil:
		return InvitationCancelled
	case !expiresAt.After(now):
		return InvitationExpired
	}
	return InvitationPending
}

func (a *App) invitationView(i sqlc.Invitation, inviter string) Invitation {
	return Invitation{ID: i.ID, Email: i.Email, Role: deref(i.Role), Status: invitationStatus(i.AcceptedAt, i.CancelledAt, i.ExpiresAt, a.now()),
		ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt, InvitedByName: inviter}
}

// issueInvitation replaces the open invitation to the same address and
// team (or staff; or the same partner of an application), makes p with a fresh link token, and queues its e-mail
// (kind), inside q's transaction.
func (a *App) issueInvitation(ctx context.Context, q *sqlc.Queries, key []byte, p sqlc.InvitationCreateParams, kind string) (sqlc.Invitation, error) {
	now := a.now().UTC()
	var err error
	if p.Kind == invitationPartner {
		_, err = q.InvitationCancelOpenForPartner(ctx, sqlc.InvitationCancelOpenForPartnerParams{Now: now,
			ApplicationID: p.ApplicationID, PartnerID: p.PartnerID})
	} else {
		_, err = q.InvitationCancelOpenTo(ctx, sqlc.InvitationCancelOpenToParams{Now: now, Kind: p.Kind,
			OrganisationID: p.OrganisationID, Email: p.Email})
	}
	if err != nil {
		return sqlc.Invitation{}, fmt.Errorf("replace invitation: %w", err)
	}
	nonce, err := linktoken.NewNonce()
	if err != nil {
		return sqlc.Invitation{}, err
	}
	p.ID, p.Nonce, p.TokenHash = id.New(id.Invitation), nonce, linktoken.Hash(linktoken.Token(key, nonce))
	p.Now, p.ExpiresAt = now, now.Add(InvitationTTL)
	if p.Roles == nil {
		p.Roles = []string{}
	}
	inv, err := q.InvitationCreate(ctx, p)
	if err != nil {
		return inv, fmt.Errorf("create invitation: %w", err)
	}
	e := sqlc.EmailInsertParams{Kind: kind, ToAddress: inv.Email, InvitationID: &inv.ID}
	if u, err := q.UserGetByEmail(ctx, inv.Email); err == nil {
		e.UserID = &u.ID
	} else if !isNotFound(err) {
		return inv, fmt.Errorf("find invitee: %w", err)
	}
	_, err = mailq.Queue(ctx, q, e)
	return inv, err
}

// InviteMember invites an address to an organisation's team (its admins
// only): 409 when the address's account is a member already. body
// (InvitationInput) is read after the checks of scope and role.
func (a *App) InviteMember(ctx context.Context, actor Actor, orgID string, body Body) (Invitation, error) {
	var out Invitation
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, role, err := a.loadOrganisation(ctx, q, actor, orgID)
		if err != nil {
			return err
		}
		if role != MemberAdmin {
			return forbidden("Only an admin of this organisation can invite people to its team")
		}
		var in InvitationInput
		if err := body(&in); err != nil {
			return err
		}
		in.Email = strings.TrimSpace(in.Email)
		fields := map[string]string{}
		if !validEmail(in.Email) {
			fields["email"] = badEmail
		}
		if !teamRole(in.Role) {
			fields["role"] = chooseTeamRole
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		if _, err := q.OrganisationMemberRoleByEmail(ctx, sqlc.OrganisationMemberRoleByEmailParams{OrganisationID: o.ID, Email: in.Email}); err == nil {
			return &Error{Kind: KindConflict, Code: "conflict", Message: in.Email + " is already a member of " + o.Name,
				Fields: map[string]string{"email": in.Email + " is already a member of " + o.Name}}
		} else if !isNotFound(err) {
			return fmt.Errorf("find member: %w", err)
		}
		key, err := a.linkKey(ctx)
		if err != nil {
			return err
		}
		if err := a.throttleMail(ctx, in.Email); err != nil {
			return err
		}
		inv, err := a.issueInvitation(ctx, q, key, sqlc.InvitationCreateParams{Kind: invitationOrganisation, OrganisationID: &o.ID,
			Role: &in.Role, Email: in.Email, InvitedBy: actor.ID}, mailq.EmailInvitation)
		if err != nil {
			return err
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.member_invited",
			Entity: "organisation:" + o.ID, Data: map[string]any{"invitation_id": inv.ID, "email": inv.Email, "role": in.Role}}); err != nil {
			return err
		}
		out = a.invitationView(inv, actor.Name)
		return nil
	})
	return out, err
}

// ListInvitations lists an organisation's open invitations, pending and
// lapsed (its admins only).
func (a *App) ListInvitations(ctx context.Context, actor Actor, orgID string) (Page[Invitation], error) {
	o, role, err := a.loadOrganisation(ctx, a.store.Queries, actor, orgID)
	if err != nil {
		return Page[Invitation]{}, err
	}
	if role != MemberAdmin {
		return Page[Invitation]{}, forbidden("Only an admin of this organisation can see its invitations")
	}
	rows, err := a.store.InvitationListOpenForOrganisation(ctx, &o.ID)
	if err != nil {
		return Page[Invitation]{}, fmt.Errorf("list invitations: %w", err)
	}
	out := Page[Invitation]{Items: make([]Invitation, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, a.invitationView(sqlc.Invitation{ID: r.ID, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt,
			ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt, CancelledAt: r.CancelledAt}, r.InvitedByName))
	}
	return out, nil
}

// CancelInvitation cancels an open invitation of an organisation (its
// admins only); its link then cannot be used.
func (a *App) CancelInvitation(ctx context.Context, actor Actor, orgID, invitationID string) error {
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, role, err := a.loadOrganisation(ctx, q, actor, orgID)
		if err != nil {
			return err
		}
		if role != MemberAdmin {
			return forbidden("Only an admin of this organisation can cancel its invitations")
		}
		if !id.Valid(id.Invitation, invitationID) {
			return notFound("Invitation")
		}
		inv, err := q.InvitationCancel(ctx, sqlc.InvitationCancelParams{Now: a.now().UTC(), ID: invitationID, OrganisationID: &o.ID})
		if isNotFound(err) {
			return notFound("Invitation")
		}
		if err != nil {
			return fmt.Errorf("cancel invitation: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.invitation_cancelled",
			Entity: "organisation:" + o.ID, Data: map[string]any{"invitation_id": inv.ID, "email": inv.Email}})
		return err
	})
}

// InviteStaff invites an address to hold staff roles (admins only). Nobody
// grants roles to themselves (403); an account holding every role asked
// for already is a 409.
func (a *App) InviteStaff(ctx context.Context, actor Actor, in StaffInvitationInput) (StaffInvitation, error) {
	if !actor.Has(RoleAdmin) {
		return StaffInvitation{}, forbidden("Only an admin can invite staff")
	}
	in.Email, in.Name = strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if !validEmail(in.Email) {
		fields["email"] = badEmail
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		fields["name"] = "Enter their name (up to 200 characters)"
	}
	roles := checkRoles(in.Roles, fields)
	if len(roles) == 0 && fields["roles"] == "" {
		fields["roles"] = "Choose at least one role"
	}
	if len(fields) > 0 {
		return StaffInvitation{}, Invalid(fields)
	}
	key, err := a.linkKey(ctx)
	if err != nil {
		return StaffInvitation{}, err
	}
	var out StaffInvitation
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		u, err := q.UserGetByEmail(ctx, in.Email)
		switch {
		case err == nil && u.ID == actor.ID:
			return forbidden("Nobody grants roles to themselves: ask another admin")
		case err == nil && !slices.ContainsFunc(roles, func(r string) bool { return !slices.Contains(u.Roles, r) }):
			return conflict(in.Email + " already holds every role asked for")
		case err != nil && !isNotFound(err):
			return fmt.Errorf("find invitee: %w", err)
		}
		if err := a.throttleMail(ctx, in.Email); err != nil {
			return err
		}
		inv, err := a.issueInvitation(ctx, q, key, sqlc.InvitationCreateParams{Kind: invitationStaff, Roles: roles, Email: in.Email,
			Name: &in.Name, InvitedBy: actor.ID}, mailq.EmailStaffInvitation)
		if err != nil {
			return err
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: StaffChain, Actor: actor.ID, Action: "staff.invited",
			Entity: "invitation:" + inv.ID, Data: map[string]any{"email": inv.Email, "name": in.Name, "roles": roles}}); err != nil {
			return err
		}
		out = StaffInvitation{ID: inv.ID, Email: inv.Email, Name: in.Name, Roles: inv.Roles,
			Status: invitationStatus(inv.AcceptedAt, inv.CancelledAt, inv.ExpiresAt, a.now()), ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt}
		return nil
	})
	return out, err
}

// AcceptInvitation spends an invitation's token. An address with no
// account gets one, named and with the password given (confirmed: the link
// proves the address); an address with an account must be the signed-in
// actor's (403 otherwise, and the link stays usable). actor is the zero
// Actor for a visitor who is not signed in. An unknown, used, cancelled or
// lapsed token is a 422 on token.
func (a *App) AcceptInvitation(ctx context.Context, actor Actor, in AcceptInvitationInput) (InvitationAccepted, error) {
	if err := a.throttleClient(ctx); err != nil {
		return InvitationAccepted{}, err
	}
	if !linktoken.WellFormed(in.Token) {
		return InvitationAccepted{}, Invalid(map[string]string{"token": badLink})
	}
	var hash []byte
	passwordOK := len(in.Password) >= minPasswordLen && len(in.Password) <= maxPasswordLen
	if passwordOK {
		h, err := bcrypt.GenerateFromPassword([]byte(in.Password), a.cfg.PasswordCost)
		if err != nil {
			return InvitationAccepted{}, fmt.Errorf("hash password: %w", err)
		}
		hash = h
	}
	var out InvitationAccepted
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		now := a.now().UTC()
		inv, err := q.InvitationOpenByToken(ctx, sqlc.InvitationOpenByTokenParams{TokenHash: linktoken.Hash(in.Token), Now: now})
		if isNotFound(err) || (err == nil && inv.Kind == invitationPartner) { // a partnership is answered at its own route
			return Invalid(map[string]string{"token": badLink})
		}
		if err != nil {
			return fmt.Errorf("find invitation: %w", err)
		}
		u, err := q.UserGetByEmail(ctx, inv.Email)
		switch {
		case err == nil:
			if actor.ID != u.ID {
				return forbidden("This invitation is for " + inv.Email + ": sign in with that address to accept it")
			}
			if u.EmailVerifiedAt == nil {
				if u, err = q.UserConfirmEmail(ctx, sqlc.UserConfirmEmailParams{ID: u.ID, Now: now}); err != nil {
					return fmt.Errorf("confirm email: %w", err)
				}
			}
		case isNotFound(err):
			name := strings.TrimSpace(in.Name)
			if name == "" {
				name = deref(inv.Name)
			}
			fields := map[string]string{}
			if name == "" || utf8.RuneCountInString(name) > 200 {
				fields["name"] = "Enter your name (up to 200 characters)"
			}
			if !passwordOK {
				fields["password"] = passwordRule()
			}
			if len(fields) > 0 {
				return Invalid(fields)
			}
			if u, err = q.UserCreate(ctx, sqlc.UserCreateParams{ID: id.New(id.User), Email: inv.Email, Name: name,
				PasswordHash: string(hash), Roles: []string{}, EmailVerifiedAt: &now}); err != nil {
				return fmt.Errorf("create user: %w", err)
			}
			if _, err := audit.Append(ctx, q, audit.Event{Chain: "user:" + u.ID, Actor: u.ID, Action: "user.registered",
				Entity: "user:" + u.ID, Data: map[string]any{"invitation_id": inv.ID}}); err != nil {
				return err
			}
			out.Created = true
		default:
			return fmt.Errorf("find invitee: %w", err)
		}
		if u.ID == inv.InvitedBy {
			return forbidden("Nobody accepts their own invitation")
		}
		if err := q.InvitationMarkAccepted(ctx, sqlc.InvitationMarkAcceptedParams{Now: now, UserID: &u.ID, ID: inv.ID}); err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		out.Email = u.Email
		if inv.Kind == invitationStaff {
			if u, err = q.InvitationGrantRoles(ctx, sqlc.InvitationGrantRolesParams{ID: u.ID, Roles: inv.Roles}); err != nil {
				return fmt.Errorf("grant roles: %w", err)
			}
			out.Roles = u.Roles
			_, err = audit.Append(ctx, q, audit.Event{Chain: StaffChain, Actor: u.ID, Action: "staff.roles_granted", Entity: "user:" + u.ID,
				Data: map[string]any{"invitation_id": inv.ID, "granted": inv.Roles, "roles": u.Roles, "invited_by": inv.InvitedBy}})
			return err
		}
		orgID := deref(inv.OrganisationID)
		if _, err := q.OrganisationLockForTeam(ctx, orgID); err != nil {
			return fmt.Errorf("lock team: %w", err)
		}
		role, err := memberRole(ctx, q, orgID, u.ID)
		if err != nil {
			return err
		}
		if role == "" { // a member already keeps the role they have
			role = deref(inv.Role)
			if err := q.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: orgID, UserID: u.ID, Role: role}); err != nil {
				return fmt.Errorf("add member: %w", err)
			}
		}
		out.OrganisationID, out.Role = &orgID, &role
		_, err = audit.Append(ctx, q, audit.Event{Chain: "organisation:" + orgID, Actor: u.ID, Action: "organisation.member_joined",
			Entity: "organisation:" + orgID, Data: map[string]any{"invitation_id": inv.ID, "user_id": u.ID, "role": role}})
		return err
	})
	if err != nil {
		return InvitationAccepted{}, err
	}
	return out, nil
}
