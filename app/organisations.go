package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/orgcheck"
)

// Organisation is the public view of an organisation. Borough is the
// canonical name of the London local authority; BoroughGSSCode its code.
type Organisation struct {
	ID                 string               `json:"id"`
	Name               string               `json:"name"`
	LegalForm          string               `json:"legal_form"`
	CharityNumber      *string              `json:"charity_number"`
	CompanyNumber      *string              `json:"company_number"`
	Borough            string               `json:"borough"`
	BoroughGSSCode     string               `json:"borough_gss_code"`
	Address            organisation.Address `json:"address"`
	AnnualIncomePence  int64                `json:"annual_income_pence"`
	HostOrganisationID *string              `json:"host_organisation_id"`
	HostConsentedAt    *time.Time           `json:"host_consented_at"`
	// Identifier is the org-id (organisation.Identifier): GB-CHC-…,
	// GB-SC-…, GB-COH-… or the funder's own prefix (Config.OrgIDPrefix).
	Identifier string `json:"identifier"`
	// Checks are the latest register check per source (DESIGN §10).
	Checks    []orgcheck.Check `json:"checks"`
	Role      string           `json:"role,omitempty"` // the caller's membership role
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Organisation membership roles.
const (
	MemberAdmin  = "admin"
	MemberMember = "member"
)

func (a *App) organisationView(o sqlc.Organisation, role string, checks []orgcheck.Check) (Organisation, error) {
	var addr organisation.Address
	if err := json.Unmarshal(o.Address, &addr); err != nil {
		return Organisation{}, fmt.Errorf("decode address of %s: %w", o.ID, err)
	}
	if checks == nil {
		checks = []orgcheck.Check{}
	}
	return Organisation{
		ID: o.ID, Name: o.Name, Identifier: a.orgIdentifier(o), Checks: checks, LegalForm: o.LegalForm, CharityNumber: o.CharityNumber, CompanyNumber: o.CompanyNumber,
		Borough: o.BoroughName, BoroughGSSCode: o.BoroughGss, Address: addr, AnnualIncomePence: o.AnnualIncomePence,
		HostOrganisationID: o.HostOrganisationID, HostConsentedAt: o.HostConsentedAt, Role: role,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}, nil
}

func organisationInput(o sqlc.Organisation) (organisation.Input, error) {
	in := organisation.Input{Name: o.Name, LegalForm: o.LegalForm, Borough: o.BoroughName, AnnualIncomePence: &o.AnnualIncomePence}
	if err := json.Unmarshal(o.Address, &in.Address); err != nil {
		return in, fmt.Errorf("decode address of %s: %w", o.ID, err)
	}
	if o.CharityNumber != nil {
		in.CharityNumber = *o.CharityNumber
	}
	if o.CompanyNumber != nil {
		in.CompanyNumber = *o.CompanyNumber
	}
	if o.HostOrganisationID != nil {
		in.HostOrganisationID = *o.HostOrganisationID
	}
	return in, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// memberRole returns the user's role in the organisation, or "" when the
// user is not a member.
func memberRole(ctx context.Context, q *sqlc.Queries, orgID, userID string) (string, error) {
	role, err := q.OrganisationMemberRole(ctx, sqlc.OrganisationMemberRoleParams{OrganisationID: orgID, UserID: userID})
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("membership: %w", err)
	}
	return role, nil
}

// validateOrganisation checks in, including the host it names.
func validateOrganisation(ctx context.Context, q *sqlc.Queries, in *organisation.Input, selfID string) (organisation.Borough, error) {
	in.Normalise()
	borough, fields := in.Validate()
	if fields == nil {
		fields = map[string]string{}
	}
	if in.HostOrganisationID != "" && fields["host_organisation_id"] == "" {
		host, err := q.OrganisationGet(ctx, in.HostOrganisationID)
		switch {
		case err != nil && !isNotFound(err):
			return borough, fmt.Errorf("host organisation: %w", err)
		case err != nil || host.ID == selfID:
			fields["host_organisation_id"] = "Choose a host organisation that is registered here"
		case host.LegalForm == organisation.LegalFormUnconstitutedGroup:
			fields["host_organisation_id"] = "A host organisation must itself be constituted"
		}
	}
	if len(fields) > 0 {
		return borough, Invalid(fields)
	}
	return borough, numberTaken(ctx, q, *in, selfID)
}

// numberTaken refuses (409 conflict) a charity or company number that
// belongs to another organisation, naming it and saying how to ask its
// admins to join.
func numberTaken(ctx context.Context, q *sqlc.Queries, in organisation.Input, selfID string) error {
	if in.CharityNumber == "" && in.CompanyNumber == "" {
		return nil
	}
	other, err := q.OrganisationByNumber(ctx, sqlc.OrganisationByNumberParams{SelfID: selfID,
		CharityNumber: optional(in.CharityNumber), CompanyNumber: optional(in.CompanyNumber)})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find organisation by number: %w", err)
	}
	field, what, number := "charity_number", "charity number", in.CharityNumber
	if in.CharityNumber == "" || deref(other.CharityNumber) != in.CharityNumber {
		field, what, number = "company_number", "company number", in.CompanyNumber
	}
	msg := fmt.Sprintf("The %s %s belongs to %s, which is already registered here. Ask its admins to add you to its team: "+
		"POST /api/v1/organisations/%s/join-requests (on the web, \"Ask to join\")", what, number, other.Name, other.ID)
	e := conflict(msg)
	e.Fields = map[string]string{field: msg}
	return e
}

// CreateOrganisation registers an organisation; its creator becomes admin.
func (a *App) CreateOrganisation(ctx context.Context, actor Actor, in organisation.Input) (Organisation, error) {
	var out Organisation
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		borough, err := validateOrganisation(ctx, q, &in, "")
		if err != nil {
			return err
		}
		addr, err := json.Marshal(in.Address)
		if err != nil {
			return fmt.Errorf("encode address: %w", err)
		}
		o, err := q.OrganisationCreate(ctx, sqlc.OrganisationCreateParams{
			ID: id.New(id.Organisation), Name: in.Name, LegalForm: in.LegalForm,
			CharityNumber: optional(in.CharityNumber), CompanyNumber: optional(in.CompanyNumber),
			BoroughName: borough.Name, BoroughGss: borough.GSS, Address: addr, AnnualIncomePence: *in.AnnualIncomePence,
			HostOrganisationID: optional(in.HostOrganisationID), CreatedBy: actor.ID,
		})
		if err != nil {
			return numberRace(fmt.Errorf("create organisation: %w", err))
		}
		if err := q.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: o.ID, UserID: actor.ID, Role: MemberAdmin}); err != nil {
			return fmt.Errorf("add admin: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.created",
			Entity: "organisation:" + o.ID, Data: map[string]any{"name": o.Name, "legal_form": o.LegalForm}}); err != nil {
			return err
		}
		checks, err := a.openChecks(ctx, q, o, orgcheck.TriggerCreation)
		if err != nil {
			return err
		}
		out, err = a.organisationView(o, MemberAdmin, checks)
		return err
	})
	return out, err
}

// ListOrganisations lists the caller's organisations.
func (a *App) ListOrganisations(ctx context.Context, actor Actor, pq PageQuery) (Page[Organisation], error) {
	fields := map[string]string{}
	cursor, limit := pq.parse(id.Organisation, fields)
	if len(fields) > 0 {
		return Page[Organisation]{}, Invalid(fields)
	}
	rows, err := a.store.OrganisationListForUser(ctx, sqlc.OrganisationListForUserParams{UserID: actor.ID, Cursor: cursor, RowLimit: limit})
	if err != nil {
		return Page[Organisation]{}, fmt.Errorf("list organisations: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Organisation.ID
	}
	checks, err := orgcheck.Latest(ctx, a.store.Queries, ids...)
	if err != nil {
		return Page[Organisation]{}, err
	}
	return pageOf(rows, limit, func(r sqlc.OrganisationListForUserRow) string { return r.Organisation.ID },
		func(r sqlc.OrganisationListForUserRow) (Organisation, error) {
			return a.organisationView(r.Organisation, r.MemberRole, checks[r.Organisation.ID])
		})
}

// loadOrganisation returns an organisation the actor may read: members, and
// programme and finance staff. Anyone else gets not_found.
func (a *App) loadOrganisation(ctx context.Context, q *sqlc.Queries, actor Actor, orgID string) (sqlc.Organisation, string, error) {
	if !id.Valid(id.Organisation, orgID) {
		return sqlc.Organisation{}, "", notFound("Organisation")
	}
	o, err := q.OrganisationGet(ctx, orgID)
	if err != nil {
		if isNotFound(err) {
			return o, "", notFound("Organisation")
		}
		return o, "", fmt.Errorf("get organisation: %w", err)
	}
	role, err := memberRole(ctx, q, orgID, actor.ID)
	if err != nil {
		return o, "", err
	}
	if role == "" && !(actor.Has(RoleManager) || actor.Has(RoleFinance)) {
		return o, "", notFound("Organisation")
	}
	return o, role, nil
}

// GetOrganisation reads one organisation.
func (a *App) GetOrganisation(ctx context.Context, actor Actor, orgID string) (Organisation, error) {
	o, role, err := a.loadOrganisation(ctx, a.store.Queries, actor, orgID)
	if err != nil {
		return Organisation{}, err
	}
	checks, err := orgcheck.Latest(ctx, a.store.Queries, o.ID)
	if err != nil {
		return Organisation{}, err
	}
	return a.organisationView(o, role, checks[o.ID])
}

// UpdateOrganisation applies a partial edit; organisation admins only.
func (a *App) UpdateOrganisation(ctx context.Context, actor Actor, orgID string, body Body) (Organisation, error) {
	var out Organisation
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		cur, role, err := a.loadOrganisation(ctx, q, actor, orgID)
		if err != nil {
			return err
		}
		if role != MemberAdmin {
			return forbidden("Only an admin of this organisation can change its details")
		}
		base, err := organisationInput(cur)
		if err != nil {
			return err
		}
		var in organisation.Input
		changed, err := applyPatch(body, base, &in)
		if err != nil {
			return err
		}
		borough, err := validateOrganisation(ctx, q, &in, cur.ID)
		if err != nil {
			return err
		}
		// Who is paid follows the legal form and the host.
		if in.LegalForm != cur.LegalForm || in.HostOrganisationID != deref(cur.HostOrganisationID) {
			if err := refusePayeeChange(ctx, q, cur.ID, "legal form or host organisation"); err != nil {
				return err
			}
		}
		addr, err := json.Marshal(in.Address)
		if err != nil {
			return fmt.Errorf("encode address: %w", err)
		}
		o, err := q.OrganisationUpdate(ctx, sqlc.OrganisationUpdateParams{
			ID: cur.ID, Name: in.Name, LegalForm: in.LegalForm, CharityNumber: optional(in.CharityNumber),
			CompanyNumber: optional(in.CompanyNumber), BoroughName: borough.Name, BoroughGss: borough.GSS, Address: addr,
			AnnualIncomePence: *in.AnnualIncomePence, HostOrganisationID: optional(in.HostOrganisationID),
		})
		if err != nil {
			return numberRace(fmt.Errorf("update organisation: %w", err))
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.updated",
			Entity: "organisation:" + o.ID, Data: map[string]any{"changed": changed}}); err != nil {
			return err
		}
		if deref(o.CharityNumber) != deref(cur.CharityNumber) || deref(o.CompanyNumber) != deref(cur.CompanyNumber) {
			if _, err := a.openChecks(ctx, q, o, orgcheck.TriggerUpdate); err != nil {
				return err
			}
		}
		checks, err := orgcheck.Latest(ctx, q, o.ID)
		if err != nil {
			return err
		}
		out, err = a.organisationView(o, role, checks[o.ID])
		return err
	})
	return out, err
}

// HostRequest is what a host organisation's admin is asked to agree to:
// which group wants hosting, and who asked.
type HostRequest struct {
	GroupID      string     `json:"group_id"`
	GroupName    string     `json:"group_name"`
	LegalForm    string     `json:"legal_form"`
	Borough      string     `json:"borough"`
	HostID       string     `json:"host_id"`
	HostName     string     `json:"host_name"`
	AskedByName  string     `json:"asked_by_name"`
	AskedByEmail string     `json:"asked_by_email"`
	ConsentedAt  *time.Time `json:"consented_at"`
	CanConsent   bool       `json:"can_consent"` // the caller is an admin of the host
}

// GetHostRequest reads the request of a group (orgID) to be hosted, for
// the consent page: the group's members and the host's members may read
// it (anyone else: 404), so that a host's admin sees which group they agree
// to host before agreeing.
func (a *App) GetHostRequest(ctx context.Context, actor Actor, orgID string) (HostRequest, error) {
	if !id.Valid(id.Organisation, orgID) {
		return HostRequest{}, notFound("Organisation")
	}
	q := a.store.Queries
	o, err := q.OrganisationGet(ctx, orgID)
	if err != nil {
		if isNotFound(err) {
			return HostRequest{}, notFound("Organisation")
		}
		return HostRequest{}, fmt.Errorf("get organisation: %w", err)
	}
	ownRole, err := memberRole(ctx, q, o.ID, actor.ID)
	if err != nil {
		return HostRequest{}, err
	}
	hostRole := ""
	if o.HostOrganisationID != nil {
		if hostRole, err = memberRole(ctx, q, *o.HostOrganisationID, actor.ID); err != nil {
			return HostRequest{}, err
		}
	}
	if ownRole == "" && hostRole == "" {
		return HostRequest{}, notFound("Organisation")
	}
	if o.HostOrganisationID == nil {
		return HostRequest{}, invalidState("This organisation has no host organisation")
	}
	host, err := q.OrganisationGet(ctx, *o.HostOrganisationID)
	if err != nil {
		return HostRequest{}, fmt.Errorf("get host: %w", err)
	}
	asker, err := q.UserGet(ctx, o.CreatedBy)
	if err != nil {
		return HostRequest{}, fmt.Errorf("get asker: %w", err)
	}
	return HostRequest{GroupID: o.ID, GroupName: o.Name, LegalForm: o.LegalForm, Borough: o.BoroughName, HostID: host.ID,
		HostName: host.Name, AskedByName: asker.Name, AskedByEmail: asker.Email, ConsentedAt: o.HostConsentedAt,
		CanConsent: hostRole == MemberAdmin}, nil
}

// ConsentToHost records that the host organisation of an unconstituted
// group agrees to receive and pass on its grants. Only an admin of the host
// may consent.
func (a *App) ConsentToHost(ctx context.Context, actor Actor, orgID string, params NoParams) (Organisation, error) {
	if !id.Valid(id.Organisation, orgID) {
		return Organisation{}, notFound("Organisation")
	}
	var out Organisation
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		o, err := q.OrganisationGet(ctx, orgID)
		if err != nil {
			if isNotFound(err) {
				return notFound("Organisation")
			}
			return fmt.Errorf("get organisation: %w", err)
		}
		ownRole, err := memberRole(ctx, q, o.ID, actor.ID)
		if err != nil {
			return err
		}
		hostRole := ""
		if o.HostOrganisationID != nil {
			if hostRole, err = memberRole(ctx, q, *o.HostOrganisationID, actor.ID); err != nil {
				return err
			}
		}
		if ownRole == "" && hostRole == "" {
			return notFound("Organisation")
		}
		if o.HostOrganisationID == nil {
			return invalidState("This organisation has no host organisation")
		}
		if hostRole != MemberAdmin {
			return forbidden("Only an admin of the host organisation can consent")
		}
		if err := params(); err != nil {
			return err
		}
		if o.HostConsentedAt == nil {
			if o, err = q.OrganisationSetHostConsent(ctx, sqlc.OrganisationSetHostConsentParams{ID: o.ID, UserID: &actor.ID}); err != nil {
				return fmt.Errorf("record consent: %w", err)
			}
			if _, err := audit.Append(ctx, q, audit.Event{Chain: "organisation:" + o.ID, Actor: actor.ID, Action: "organisation.host_consented",
				Entity: "organisation:" + o.ID, Data: map[string]any{"host_organisation_id": *o.HostOrganisationID}}); err != nil {
				return err
			}
		}
		checks, err := orgcheck.Latest(ctx, q, o.ID)
		if err != nil {
			return err
		}
		out, err = a.organisationView(o, ownRole, checks[o.ID])
		return err
	})
	return out, err
}

// orgIdentifier is o's org-id, with the funder's own prefix for an
// organisation with no registered number.
func (a *App) orgIdentifier(o sqlc.Organisation) string {
	return organisation.Identifier(deref(o.CharityNumber), deref(o.CompanyNumber), a.cfg.OrgIDPrefix, o.ID)
}

// openChecks opens o's register checks (inside the caller's
// transaction): not_run at once for a register without a key, else
// queued for RegisterCheckWorkflow through the outbox, so the request
// never waits on a register. It returns the checks as shown.
func (a *App) openChecks(ctx context.Context, q *sqlc.Queries, o sqlc.Organisation, trigger string) ([]orgcheck.Check, error) {
	rows, err := orgcheck.Open(ctx, q, o, orgcheck.Trigger{Kind: trigger}, a.cfg.Registers.Configured, true, a.now())
	if err != nil {
		return nil, err
	}
	out := make([]orgcheck.Check, len(rows))
	for i, r := range rows {
		out[i] = orgcheck.View(r)
	}
	return out, nil
}

// numberRace is err, or a 409 conflict when another organisation claimed
// the same number between numberTaken's look and the write (the unique
// indexes of migration 00017 decide).
func numberRace(err error) error {
	for _, c := range []struct{ constraint, field string }{{"organisations_charity_number", "charity_number"},
		{"organisations_company_number", "company_number"}} {
		if db.IsConstraint(err, c.constraint) {
			msg := "That number was registered here by another organisation a moment ago; try again to see which, and ask its admins to join"
			e := conflict(msg)
			e.Fields = map[string]string{c.field: msg}
			return e
		}
	}
	return err
}
