package app

import (
	"context"
	"fmt"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/interest"
)

// refuseInterested refuses (403) a staff actor with an interest in an
// application (a member of a party to it, a declared conflict of interest
// or affiliation; package interest): they may not decide, moderate, vary,
// review a report of, or approve a payment for it. The activity that
// writes checks the same rule again against PostgreSQL.
func (a *App) refuseInterested(ctx context.Context, actor Actor, applicationID, doing string) error {
	app, err := a.store.ApplicationGet(ctx, applicationID)
	if err != nil {
		return fmt.Errorf("load application: %w", err)
	}
	why, err := a.interestIn(ctx, actor, app)
	if err != nil {
		return err
	}
	if why != "" {
		return forbidden(why + ", so you cannot " + doing)
	}
	return nil
}

// refuseInterestedInGrant is refuseInterested for the application a grant
// was awarded on.
func (a *App) refuseInterestedInGrant(ctx context.Context, actor Actor, grantID, doing string) error {
	g, err := a.store.GrantGet(ctx, grantID)
	if err != nil {
		return fmt.Errorf("load grant: %w", err)
	}
	return a.refuseInterested(ctx, actor, g.ApplicationID, doing)
}

// interestIn says why the actor has an interest in the application
// (interest.Of), or "" when they have none.
func (a *App) interestIn(ctx context.Context, actor Actor, app sqlc.Application) (string, error) {
	why, err := interest.Of(ctx, a.store.Queries, actor.ID, app)
	if err != nil {
		return "", fmt.Errorf("interest: %w", err)
	}
	return why, nil
}
