package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
)

// Staff administration (DESIGN §10 "Staff"): admins list staff, change
// their roles, deactivate and reactivate them. Nobody changes their own
// roles or deactivates themselves; the service never loses its last
// active admin. Every change is audited on the chain StaffChain.

// StaffChain is the audit chain of staff role grants, changes and
// deactivations.
const StaffChain = "staff"

// StaffMember is one member of staff as admins see them.
type StaffMember struct {
	UserID string   `json:"user_id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
	Active bool     `json:"active"`
}

// StaffFilter selects staff: by role, and by whether active ("true",
// "false" or "" for both).
type StaffFilter struct {
	Role   string
	Active string
	Page   PageQuery
}

// StaffChange is a PATCH of a member of staff: new roles (the whole set),
// and whether the account is active; nil leaves either as it is.
type StaffChange struct {
	Roles  *[]string `json:"roles"`
	Active *bool     `json:"active"`
}

func staffView(u sqlc.User) StaffMember {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return StaffMember{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: roles, Active: u.DeactivatedAt == nil}
}

func requireAdmin(actor Actor) error {
	if !actor.Has(RoleAdmin) {
		return forbidden("Only administrators can manage staff")
	}
	return nil
}

// ListStaff lists staff for an admin, ordered by id.
func (a *App) ListStaff(ctx context.Context, actor Actor, f StaffFilter) (Page[StaffMember], error) {
	if err := requireAdmin(actor); err != nil {
		return Page[StaffMember]{}, err
	}
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.User, fields)
	var role *string
	if f.Role != "" {
		if !KnownRole(f.Role) {
			fields["role"] = roleRule
		}
		role = &f.Role
	}
	var active *bool
	switch f.Active {
	case "":
	case "true", "false":
		v := f.Active == "true"
		active = &v
	default:
		fields["active"] = "Active must be true or false"
	}
	if len(fields) > 0 {
		return Page[StaffMember]{}, Invalid(fields)
	}
	rows, err := a.store.StaffList(ctx, sqlc.StaffListParams{Cursor: cursor, Role: role, Active: active, RowLimit: limit})
	if err != nil {
		return Page[StaffMember]{}, fmt.Errorf("list staff: %w", err)
	}
	return pageOf(rows, limit, func(u sqlc.User) string { return u.ID }, func(u sqlc.User) (StaffMember, error) {
		return staffView(u), nil
	})
}

// GetStaffMember reads one user as a member of staff, for an admin.
func (a *App) GetStaffMember(ctx context.Context, actor Actor, userID string) (StaffMember, error) {
	if err := requireAdmin(actor); err != nil {
		return StaffMember{}, err
	}
	if !id.Valid(id.User, userID) {
		return StaffMember{}, notFound("User")
	}
	u, err := a.store.UserGet(ctx, userID)
	if isNotFound(err) {
		return StaffMember{}, notFound("User")
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("get user: %w", err)
	}
	return staffView(u), nil
}

// roleRule is the message for a role that is not a staff role.
const roleRule = "Role must be one of manager, chair, assessor, finance, caseworker or admin"

// checkRoles validates a whole set of staff roles and returns it sorted in
// StaffRoles order without repeats.
func checkRoles(roles []string, fields map[string]string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if !KnownRole(r) {
			fields["roles"] = roleRule
			continue
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y string) int { return slices.Index(StaffRoles, x) - slices.Index(StaffRoles, y) })
	return out
}

// ChangeStaff changes a user's roles and whether the account is active.
// Deactivating ends every session, API token and e-mailed link of the
// user at once. Nobody changes their own roles or deactivates themselves
// (403); a change that would leave no active admin is refused (409).
func (a *App) ChangeStaff(ctx context.Context, actor Actor, userID string, body Body) (StaffMember, error) {
	if err := requireAdmin(actor); err != nil {
		return StaffMember{}, err
	}
	if userID == actor.ID {
		return StaffMember{}, forbidden("You cannot change your own roles or deactivate your own account: ask another administrator")
	}
	if _, err := a.GetStaffMember(ctx, actor, userID); err != nil {
		return StaffMember{}, err
	}
	var in StaffChange
	if err := body(&in); err != nil {
		return StaffMember{}, err
	}
	fields := map[string]string{}
	var roles []string
	if in.Roles != nil {
		roles = checkRoles(*in.Roles, fields)
	}
	if in.Roles == nil && in.Active == nil {
		fields["roles"] = "Give the new roles, or whether the account is active"
	}
	if len(fields) > 0 {
		return StaffMember{}, Invalid(fields)
	}
	now := a.now()
	var out sqlc.User
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		admins, err := q.StaffLockAdmins(ctx)
		if err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		u, err := q.UserLockForUpdate(ctx, userID)
		if isNotFound(err) {
			return notFound("User")
		}
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		before := staffView(u)
		after := before
		if in.Roles != nil {
			after.Roles = roles
		}
		if in.Active != nil {
			after.Active = *in.Active
		}
		wasAdmin := before.Active && slices.Contains(before.Roles, RoleAdmin)
		isAdmin := after.Active && slices.Contains(after.Roles, RoleAdmin)
		if wasAdmin && !isAdmin && len(admins) <= 1 {
			return conflict("This is the last active administrator: make someone else an administrator first")
		}
		out = u
		if in.Roles != nil && !slices.Equal(before.Roles, after.Roles) {
			if out, err = q.UserSetRoles(ctx, sqlc.UserSetRolesParams{ID: u.ID, Roles: after.Roles}); err != nil {
				return fmt.Errorf("set roles: %w", err)
			}
			if _, err := audit.Append(ctx, q, audit.Event{Chain: StaffChain, Actor: actor.ID, Action: "staff.roles_changed",
				Entity: "user:" + u.ID, Data: map[string]any{"from": before.Roles, "to": after.Roles}}); err != nil {
				return err
			}
		}
		if in.Active != nil && before.Active != after.Active {
			return a.setActive(ctx, q, actor, &out, after.Active, now)
		}
		return nil
	})
	if err != nil {
		return StaffMember{}, err
	}
	return staffView(out), nil
}

// setActive deactivates (ending every session, token and link at once) or
// reactivates u, audited.
func (a *App) setActive(ctx context.Context, q *sqlc.Queries, actor Actor, u *sqlc.User, active bool, now time.Time) error {
	var at *time.Time
	action := "staff.reactivated"
	if !active {
		at, action = &now, "staff.deactivated"
	}
	row, err := q.UserSetDeactivated(ctx, sqlc.UserSetDeactivatedParams{ID: u.ID, DeactivatedAt: at})
	if err != nil {
		return fmt.Errorf("set active: %w", err)
	}
	*u = row
	ended := int64(0)
	if !active {
		if ended, err = q.AuthTokenDeleteForUser(ctx, u.ID); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if err := q.AccountTokenRevokeForUser(ctx, sqlc.AccountTokenRevokeForUserParams{UserID: u.ID, Now: now,
			Purposes: []string{tokenConfirm, tokenReset, tokenSignIn}}); err != nil {
			return fmt.Errorf("end links: %w", err)
		}
	}
	_, err = audit.Append(ctx, q, audit.Event{Chain: StaffChain, Actor: actor.ID, Action: action, Entity: "user:" + u.ID,
		Data: map[string]any{"sessions_ended": ended}})
	return err
}
