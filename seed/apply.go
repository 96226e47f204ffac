package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/organisation"
)

// Apply loads the demo data once: both programmes, one open round of each,
// the demo users (all with password) and the applicant's charity. It
// reports false when the data was already there (the manager exists), in
// which case it changes nothing.
func Apply(ctx context.Context, a *app.App, password string, now time.Time) (bool, error) {
	if _, found, err := a.UserByEmail(ctx, "manager@example.org"); err != nil || found {
		return false, err
	}
	for _, p := range Programmes() {
		if _, err := a.EnsureProgramme(ctx, app.Programme{Code: p.Code, Name: p.Name, Description: p.Description,
			FunderName: p.FunderName, GivingPrefix: p.GivingPrefix}); err != nil {
			return false, err
		}
	}
	actors := map[string]app.Actor{}
	for _, du := range DemoUsers() {
		u, err := a.CreateUser(ctx, app.RegisterInput{Email: du.Email, Name: du.Name, Password: password}, du.Roles)
		if err != nil {
			return false, fmt.Errorf("seed user %s: %w", du.Email, err)
		}
		actors[du.Email] = app.Actor{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, EmailVerified: u.EmailVerified}
	}
	o := DemoOrganisation()
	income := o.AnnualIncomePence
	if _, err := a.CreateOrganisation(ctx, actors[ApplicantEmail], organisation.Input{
		Name: o.Name, LegalForm: o.LegalForm, CharityNumber: o.CharityNumber, Borough: o.Borough,
		Address: organisation.Address{Line1: o.Line1, Town: o.Town, Postcode: o.Postcode}, AnnualIncomePence: &income,
	}); err != nil {
		return false, fmt.Errorf("seed organisation: %w", err)
	}
	rounds, err := Rounds()
	if err != nil {
		return false, err
	}
	opens := now.UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	for _, p := range Programmes() {
		def := rounds[p.Code]
		def.OpensAt, def.ClosesAt = opens, opens.Add(60*24*time.Hour)
		if _, err := a.CreateRound(ctx, actors["manager@example.org"], def); err != nil {
			return false, fmt.Errorf("seed round %s: %w", p.Code, err)
		}
	}
	return true, nil
}
