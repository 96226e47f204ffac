package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workday"
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
	org, err := a.CreateOrganisation(ctx, actors[ApplicantEmail], organisation.Input{
		Name: o.Name, LegalForm: o.LegalForm, CharityNumber: o.CharityNumber, Borough: o.Borough,
		Address: organisation.Address{Line1: o.Line1, Town: o.Town, Postcode: o.Postcode}, AnnualIncomePence: &income,
	})
	if err != nil {
		return false, fmt.Errorf("seed organisation: %w", err)
	}
	if err := demoSupportRequest(ctx, a, actors[ApplicantEmail], org, now); err != nil {
		return false, err
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

// demoSupportRequest asks for support with the demo charity's hall, so the
// caseworker's intake queue has a request to triage.
func demoSupportRequest(ctx context.Context, a *app.App, applicant app.Actor, org app.Organisation, now time.Time) error {
	keyDate := workday.DateOf(now).AddDays(30).String()
	council, weekly, rent := "council", int64(220), int64(900_000)
	consent := true
	in := casework.Request{OrganisationID: org.ID, Urgency: "high", LedByCommunity: true, ConsentToShare: &consent,
		Space: casework.Space{Name: "Walworth Community Hall", Kind: "community_centre", Address: org.Address, Borough: org.Borough,
			Uses: []string{"Food bank", "Lunch club for older people", "Homework club"}, UsedBy: "Families and older people from the estates around East Street",
			WeeklyUsers: &weekly, Tenure: "lease", LandlordType: &council, TenureEndsOn: &keyDate, AnnualRentPence: &rent,
			RentChanges: "The council has proposed a market rent from the renewal"},
		Risk: casework.Risk{Kind: "lease_ending", KeyDate: &keyDate, KeyDateKind: ptr("lease_end"),
			Description: "Our lease ends next month and the council proposes to triple the rent on renewal."}}
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode demo support request: %w", err)
	}
	if _, err := a.CreateSupportRequest(ctx, applicant, func(v any) error { return json.Unmarshal(raw, v) }); err != nil {
		return fmt.Errorf("seed support request: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
