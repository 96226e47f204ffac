package app

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
)

// An organisation's team (DESIGN §10 "Teams"): its members see who else
// is on it; its admins change roles and remove people, and a member may
// leave. Changes to one team are serialised (the organisation's row is
// locked), so the team never has no admin. Access follows membership at
// every request, so a removed member loses it at once.

// Member is one person on an organisation's team.
type Member struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// MemberRoleInput is the body of PATCH /organisations/{id}/members/{user_id}.
type MemberRoleInput struct {
	Role string `json:"role"`
}

// ListMembers lists an organisation's team, admins first, to whoever may
// read the organisation.
func (a *App) ListMembers(ctx context.Context, actor Actor, orgID string) (Page[Member], error) {
	o, _, err := a.loadOrganisation(ctx, a.store.Queries, actor, orgID)
	if err != nil {
		return Page[Member]{}, err
	}
	rows, err := a.store.OrganisationMemberListNamed(ctx, o.ID)
	if err != nil {
		return Page[Member]{}, fmt.Errorf("list members: %w", err)
	}
	out := Page[Member]{Items: make([]Member, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, Member{UserID: r.UserID, Name: r.Name, Email: r.Email, Role: r.Role, JoinedAt: r.CreatedAt})
	}
	return out, nil
}

// teamRole reports whether r is a role on a team.
func teamRole(r string) bool { return r == MemberAdmin || r == MemberMember }

const chooseTeamRole = "Choose member or admin"

// lastAdmin is the refusal that keeps a team with an admin: what the
// only admin cannot do.
func lastAdmin(what string) *Error {
	return conflict("The only admin of this organisation cannot " + what + ". Make someone else an admin first")
}

// teamChange loads the organisation for a change to its team, locks the
// team, and returns the actor's role and the target member's ("" when
// not a member: 404).
func (a *App) teamChange(ctx context.Context, q *sqlc.Queries, actor Actor, orgID, userID string) (sqlc.Organisation, string, string, error) {
	o, _, err := a.loadOrganisation(ctx, q, actor, orgID)
	if err != nil {
		return o, "", "", err
	}
	if _, err := q.OrganisationLockForTeam(ctx, o.ID); err != nil {
		return o, "", "", fmt.Errorf("lock team: %w", err)
	}
	role, err := memberRole(ctx, q, o.ID, actor.ID) // read again under the lock
	if err != nil {
		return o, "", "", err
	}
	if userID != actor.ID && role != MemberAdmin {
		return o, role, "", forbidden("Only an admin of this organisation can change its team")
	}
	target := ""
	if id.Valid(id.User, userID) {
		if target, err = memberRole(ctx, q, o.ID, userID); err != nil {
			return o, role, "", err
		}
	}
	if target == "" {
		return o, role, "", notFound("Member")
	}
	return o, role, target, nil
}

// SetMemberRole makes a member an admin or a member (the organisation's
// admins only). The only admin cannot be made a member: hand the role on
// by making someone else an admin first, then changing one's own. body
// (MemberRoleInput) is read after the checks of scope and role.
func (a *App) SetMemberRole(ctx context.Context, actor Actor, orgID, userID string, body Body) (Member, error) {
	var out Member
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, role, target, err := a.teamChange(ctx, q, actor, orgID, userID)
		if err != nil {
			return err
		}
		if role != MemberAdmin {
			return forbidden("Only an admin of this organisation can change roles")
		}
		var in MemberRoleInput
		if err := body(&in); err != nil {
			return err
		}
		if !teamRole(in.Role) {
			return Invalid(map[string]string{"role": chooseTeamRole})
		}
		if target == MemberAdmin && in.Role == MemberMember {
			n, err := q.OrganisationAdminCount(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if n <= 1 {
				return lastAdmin("become a member")
			}
		}
		if in.Role != target {
			if _, err := q.OrganisationMemberSetRole(ctx, sqlc.OrganisationMemberSetRoleParams{Role: in.Role, OrganisationID: o.ID, UserID: userID}); err != nil {
				return fmt.Errorf("set role: %w", err)
			}
			if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.member_role_changed",
				Entity: "organisation:" + o.ID, Data: map[string]any{"user_id": userID, "from": target, "to": in.Role}}); err != nil {
				return err
			}
		}
		rows, err := q.OrganisationMemberListNamed(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		for _, r := range rows {
			if r.UserID == userID {
				out = Member{UserID: r.UserID, Name: r.Name, Email: r.Email, Role: r.Role, JoinedAt: r.CreatedAt}
			}
		}
		return nil
	})
	return out, err
}

// RemoveMember takes someone off an organisation's team: its admins may
// remove anyone, and a member may leave; never the only admin. Their
// access to the organisation's applications and grants ends at once.
func (a *App) RemoveMember(ctx context.Context, actor Actor, orgID, userID string) error {
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, _, target, err := a.teamChange(ctx, q, actor, orgID, userID)
		if err != nil {
			return err
		}
		if target == MemberAdmin {
			n, err := q.OrganisationAdminCount(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if n <= 1 {
				return lastAdmin("be removed or leave")
			}
		}
		if _, err := q.OrganisationMemberRemove(ctx, sqlc.OrganisationMemberRemoveParams{OrganisationID: o.ID, UserID: userID}); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.member_removed",
			Entity: "organisation:" + o.ID, Data: map[string]any{"user_id": userID, "role": target, "left": userID == actor.ID}})
		return err
	})
}
