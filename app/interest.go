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
func (a *App) refuseInterested(ctx context.Context, actor Actor, app sqlc.Application, doing string) error {
	why, err := a.interestIn(ctx, actor, app)
	if err != nil {
		return err
	}
	return interestRefusal(why, doing)
}

// refuseInterestedIn is refuseInterested for an application not read yet.
func (a *App) refuseInterestedIn(ctx context.Context, actor Actor, applicationID, doing string) error {
	app, err := a.store.ApplicationGet(ctx, applicationID)
	if err != nil {
		return fmt.Errorf("load application: %w", err)
	}
	return a.refuseInterested(ctx, actor, app, doing)
}

// refuseInterestedInGrant is refuseInterested for the application a grant
// was awarded on.
func (a *App) refuseInterestedInGrant(ctx context.Context, actor Actor, grantID, doing string) error {
	g, err := a.store.GrantGet(ctx, grantID)
	if err != nil {
		return fmt.Errorf("load grant: %w", err)
	}
	return a.refuseInterestedIn(ctx, actor, g.ApplicationID, doing)
}

// refuseInterestedInPayment refuses (403) an approval by someone with an
// interest in the payment (interest.OfPayment: in its application, or as a
// member of the organisation paid), the same interest the two-approver
// rule reads in the validator and the activity.
func (a *App) refuseInterestedInPayment(ctx context.Context, actor Actor, p sqlc.Payment) error {
	why, err := interest.OfPayment(ctx, a.store.Queries, actor.ID, p)
	if err != nil {
		return fmt.Errorf("interest: %w", err)
	}
	return interestRefusal(why, "approve its payments")
}

// interestRefusal is the 403 of an interest (why), or nil when there is none.
func interestRefusal(why, doing string) error {
	if why == "" {
		return nil
	}
	return forbidden(why + ", so you cannot " + doing)
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
