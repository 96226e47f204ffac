package app

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/registers"
)

// RegisterLookup is what a register says about a number, offered to fill
// in the organisation form (GET /registers/lookup).
type RegisterLookup struct {
	Source  string            `json:"source"`
	Number  string            `json:"number"`
	Status  string            `json:"status"` // passed or failed
	Details registers.Details `json:"details"`
}

// LookupRegister asks the register about exactly one of a charity number
// or a company number. 422 for a missing or malformed number; 503
// not_run when the register has no key configured (or is not one this
// system asks, as for Scottish charities); 503 unavailable when the
// register cannot be reached or errs. A number not on the register is a
// 200 with status failed.
func (a *App) LookupRegister(ctx context.Context, actor Actor, charityNumber, companyNumber string) (RegisterLookup, error) {
	charityNumber, companyNumber = organisation.NormaliseNumber(charityNumber), organisation.NormaliseNumber(companyNumber)
	var source, number string
	switch {
	case charityNumber != "" && companyNumber != "":
		return RegisterLookup{}, Invalid(map[string]string{"company_number": "Look up a charity number or a company number, not both"})
	case charityNumber != "":
		if !organisation.ValidCharityNumber(charityNumber) {
			return RegisterLookup{}, Invalid(map[string]string{"charity_number": "Charity number must be 6 to 8 digits, or SC followed by 6 digits"})
		}
		source, number = registers.SourceCharityCommission, charityNumber
	case companyNumber != "":
		if !organisation.ValidCompanyNumber(companyNumber) {
			return RegisterLookup{}, Invalid(map[string]string{"company_number": "Company number must be 8 letters or digits, like 01234567"})
		}
		source, number = registers.SourceCompaniesHouse, companyNumber
	default:
		return RegisterLookup{}, Invalid(map[string]string{"charity_number": "Enter a charity number or a company number"})
	}
	var res registers.Result
	if reg := a.cfg.Registers.Register(source); reg != nil && reg.Configured() {
		res = a.cfg.Registers.Check(ctx, source, number)
	} else {
		res = registers.Result{Source: source, Number: number, Status: registers.StatusNotRun, Details: registers.Details{Reason: registers.ReasonNoKey}}
	}
	if source == registers.SourceCharityCommission && strings.HasPrefix(number, "SC") {
		res = registers.Result{Source: source, Number: number, Status: registers.StatusNotRun, Details: registers.Details{Reason: registers.ReasonOSCR}}
	}
	switch res.Status {
	case registers.StatusNotRun:
		return RegisterLookup{}, &Error{Kind: KindUnavailable, Code: "not_run",
			Message: "The register was not asked (" + res.Details.Reason + "); enter the details by hand"}
	case registers.StatusError:
		retry := max(res.Details.RetryAfterSeconds, 30)
		return RegisterLookup{}, &Error{Kind: KindUnavailable, Code: KindUnavailable.Code(), RetryAfter: retry,
			Message: "The register could not be asked (" + res.Details.Reason + "); try again later or enter the details by hand"}
	}
	return RegisterLookup{Source: res.Source, Number: res.Number, Status: res.Status, Details: res.Details}, nil
}

// JoinRequestInput is the body of POST /organisations/{id}/join-requests.
type JoinRequestInput struct {
	// Message is an optional note to the admins (≤ MaxJoinMessageRunes).
	Message string `json:"message"`
}

// MaxJoinMessageRunes bounds a join request's note.
const MaxJoinMessageRunes = 1000

// JoinRequest is what asking to join answers.
type JoinRequest struct {
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	Status           string `json:"status"` // "sent"
}

// RequestToJoin tells an organisation's admins (notification and
// e-mail, linking to their team page) that the caller asks to join it,
// so that one of them can invite them. Anyone signed in may ask (the
// organisation's name and id are what a claimed number's conflict
// named); asking again adds nothing. 409 for a member already.
func (a *App) RequestToJoin(ctx context.Context, actor Actor, orgID string, body Body) (JoinRequest, error) {
	var in JoinRequestInput
	if err := body(&in); err != nil {
		return JoinRequest{}, err
	}
	in.Message = strings.TrimSpace(in.Message)
	if utf8.RuneCountInString(in.Message) > MaxJoinMessageRunes {
		return JoinRequest{}, Invalid(map[string]string{"message": fmt.Sprintf("Keep the message to %d characters or fewer", MaxJoinMessageRunes)})
	}
	if !id.Valid(id.Organisation, orgID) {
		return JoinRequest{}, notFound("Organisation")
	}
	var out JoinRequest
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, err := q.OrganisationGet(ctx, orgID)
		if isNotFound(err) {
			return notFound("Organisation")
		}
		if err != nil {
			return fmt.Errorf("get organisation: %w", err)
		}
		if role, err := memberRole(ctx, q, o.ID, actor.ID); err != nil {
			return err
		} else if role != "" {
			return invalidState("You are already a member of " + o.Name)
		}
		u, err := q.UserGet(ctx, actor.ID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		admins, err := q.OrganisationAdmins(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("list admins: %w", err)
		}
		body := fmt.Sprintf("%s (%s) asks to join %s on this system. If you know them, invite them from your team page with that address.",
			u.Name, u.Email, o.Name)
		if in.Message != "" {
			body += "\n\nTheir message: " + in.Message
		}
		if err := mailq.Notify(ctx, q, admins, mailq.Notice{Kind: "join_request", Subject: u.Name + " asks to join " + o.Name,
			Body: body, Entity: "organisation:" + o.ID, Key: "join:" + o.ID + ":" + actor.ID}); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.join_requested",
			Entity: "organisation:" + o.ID, Data: map[string]any{"user_id": actor.ID}}); err != nil {
			return err
		}
		out = JoinRequest{OrganisationID: o.ID, OrganisationName: o.Name, Status: "sent"}
		return nil
	})
	return out, err
}

// organisationChecks are an organisation's latest register checks, never
// nil.
func (a *App) organisationChecks(ctx context.Context, orgID string) ([]orgcheck.Check, error) {
	checks, err := orgcheck.Latest(ctx, a.store.Queries, orgID)
	if err != nil {
		return nil, err
	}
	return nonNilChecks(checks[orgID]), nil
}

func nonNilChecks(c []orgcheck.Check) []orgcheck.Check {
	if c == nil {
		return []orgcheck.Check{}
	}
	return c
}

// UseRegisters replaces the register checker (Config.Registers), for
// tests that point it at local servers.
func (a *App) UseRegisters(c *registers.Checker) { a.cfg.Registers = c }

// RequestToJoinByNumber is RequestToJoin for the organisation holding a
// charity or company number (the web's "Ask to join" after a claimed
// number): 404 when none holds it.
func (a *App) RequestToJoinByNumber(ctx context.Context, actor Actor, charityNumber, companyNumber string, body Body) (JoinRequest, error) {
	charityNumber, companyNumber = organisation.NormaliseNumber(charityNumber), organisation.NormaliseNumber(companyNumber)
	if charityNumber == "" && companyNumber == "" {
		return JoinRequest{}, notFound("Organisation")
	}
	o, err := a.store.OrganisationByNumber(ctx, sqlc.OrganisationByNumberParams{CharityNumber: optional(charityNumber),
		CompanyNumber: optional(companyNumber)})
	if isNotFound(err) {
		return JoinRequest{}, notFound("Organisation")
	}
	if err != nil {
		return JoinRequest{}, fmt.Errorf("find organisation by number: %w", err)
	}
	return a.RequestToJoin(ctx, actor, o.ID, body)
}
