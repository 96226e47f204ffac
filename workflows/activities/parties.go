package activities

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
	"github.com/civicgrants/grants/workflows"
)

// Who may act on a case, read from PostgreSQL: the snapshots' Parties for
// the validators, and the same rules again inside the activities that
// write, so no caller is trusted for what it says of itself.

// loadParties reads an application's parties: the lead organisation's
// members and admins (with its host's admins when hostAdmins, who may set
// up payouts) and the staff with an interest in it.
func loadParties(ctx context.Context, q *sqlc.Queries, app sqlc.Application, hostAdmins bool) (workflows.Parties, error) {
	p := workflows.Parties{Loaded: true, MemberIDs: []string{}, AdminIDs: []string{}}
	members, err := q.OrganisationMemberList(ctx, app.OrganisationID)
	if err != nil {
		return p, fmt.Errorf("list members: %w", err)
	}
	for _, m := range members {
		p.MemberIDs = append(p.MemberIDs, m.UserID)
		if m.Role == "admin" {
			p.AdminIDs = append(p.AdminIDs, m.UserID)
		}
	}
	if hostAdmins {
		org, err := q.OrganisationGet(ctx, app.OrganisationID)
		if err != nil {
			return p, fmt.Errorf("load organisation: %w", err)
		}
		if org.HostOrganisationID != nil {
			admins, err := q.OrganisationAdmins(ctx, *org.HostOrganisationID)
			if err != nil {
				return p, fmt.Errorf("list host admins: %w", err)
			}
			p.AdminIDs = append(p.AdminIDs, admins...)
		}
	}
	if p.InterestedStaff, err = interest.Staff(ctx, q, app); err != nil {
		return p, err
	}
	return p, nil
}

// requireMember refuses (forbidden) a user who is not a member of the
// organisation, or not an admin when admin is set.
func requireMember(ctx context.Context, q *sqlc.Queries, orgID, userID string, admin bool) error {
	role, err := q.OrganisationMemberRole(ctx, sqlc.OrganisationMemberRoleParams{OrganisationID: orgID, UserID: userID})
	switch {
	case isNotFound(err):
		role = ""
	case err != nil:
		return fmt.Errorf("read membership: %w", err)
	}
	switch {
	case admin && role != "admin":
		return workflows.Reject(workflows.RejectForbidden, workflows.RefuseNotAdmin, nil)
	case role == "":
		return workflows.Reject(workflows.RejectForbidden, workflows.RefuseNotMember, nil)
	}
	return nil
}

// requireStaff refuses (forbidden) a user without the staff role, checked
// against the users table, or with an interest in the application.
func requireStaff(ctx context.Context, q *sqlc.Queries, userID, role, refusal string, app sqlc.Application) error {
	if err := requireRole(ctx, q, userID, role, refusal); err != nil {
		return err
	}
	why, err := interest.Of(ctx, q, userID, app)
	if err != nil {
		return err
	}
	if why != "" {
		return workflows.Reject(workflows.RejectForbidden, why+", so you cannot act on it as staff", nil)
	}
	return nil
}

// requirePayoutAdmin refuses (forbidden) a user who is neither an admin
// of the organisation nor of its host: only they set up payouts.
func requirePayoutAdmin(ctx context.Context, q *sqlc.Queries, orgID, userID string) error {
	err := requireMember(ctx, q, orgID, userID, true)
	if !isRejection(err) {
		return err
	}
	org, oerr := q.OrganisationGet(ctx, orgID)
	if oerr != nil {
		return fmt.Errorf("load organisation: %w", oerr)
	}
	if org.HostOrganisationID == nil {
		return err
	}
	return requireMember(ctx, q, *org.HostOrganisationID, userID, true)
}

// requireStaffOnGrant is requireStaff for the application of grant g.
func requireStaffOnGrant(ctx context.Context, q *sqlc.Queries, userID, role, refusal string, g sqlc.Grant) error {
	app, err := q.ApplicationGet(ctx, g.ApplicationID)
	if err != nil {
		return fmt.Errorf("load application: %w", err)
	}
	return requireStaff(ctx, q, userID, role, refusal, app)
}

// applicationOfGrant reads the application a grant was awarded on.
func applicationOfGrant(ctx context.Context, q *sqlc.Queries, grantID string) (sqlc.Application, error) {
	g, err := q.GrantGet(ctx, grantID)
	if err != nil {
		return sqlc.Application{}, fmt.Errorf("load grant: %w", err)
	}
	app, err := q.ApplicationGet(ctx, g.ApplicationID)
	if err != nil {
		return app, fmt.Errorf("load application: %w", err)
	}
	return app, nil
}
