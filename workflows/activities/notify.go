package activities

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/mailq"
)

// message is one notification to write for some people. key makes it
// idempotent: each recipient's row has the dedupe key "<key>:<user id>", so
// a retried activity adds nothing.
type message struct {
	kind    string
	subject string
	body    string
	entity  string
	key     string
}

// notify writes m for every user in userIDs, inside the caller's
// transaction, and queues its e-mail to each (mailq.Notify).
func notify(ctx context.Context, q *sqlc.Queries, userIDs []string, m message) error {
	return mailq.Notify(ctx, q, userIDs, mailq.Notice{Kind: m.kind, Subject: m.subject, Body: m.body, Entity: m.entity, Key: m.key})
}

// notifyRole writes m for every holder of a staff role.
func notifyRole(ctx context.Context, q *sqlc.Queries, role string, m message) error {
	users, err := q.UserListByRole(ctx, role)
	if err != nil {
		return fmt.Errorf("list %s users: %w", role, err)
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return notify(ctx, q, ids, m)
}

// notifyOrgAdmins writes m for every admin of an organisation.
func notifyOrgAdmins(ctx context.Context, q *sqlc.Queries, orgID string, m message) error {
	admins, err := q.OrganisationAdmins(ctx, orgID)
	if err != nil {
		return fmt.Errorf("list organisation admins: %w", err)
	}
	return notify(ctx, q, admins, m)
}
