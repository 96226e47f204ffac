package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
)

// Programme is a funding programme: rounds belong to one. Managers create
// and edit programmes (DESIGN §10 "Programmes"); the code names it for
// good, in URLs and filters.
type Programme struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// FunderName is who funds the programme, as open data names it.
	FunderName string `json:"funder_name"`
	// GivingPrefix is the funder's registered 360Giving prefix, with its
	// "360G-" (e.g. 360G-cityhall); "" until the funder has one.
	GivingPrefix string `json:"giving_prefix"`
	// CaseFirstContactDays is the working days the programme's Spaces at
	// Risk cases promise to first contact (nil:
	// GRANTS_CASE_FIRST_CONTACT_DAYS).
	CaseFirstContactDays *int32    `json:"case_first_contact_days"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// ProgrammeInput is what POST /programmes takes; PATCH takes the same
// fields but code, each optional.
type ProgrammeInput struct {
	Code         string  `json:"code"`
	Name         *string `json:"name"`
	Description  *string `json:"description"`
	FunderName   *string `json:"funder_name"`
	GivingPrefix *string `json:"giving_prefix"`
	// CaseFirstContactDays sets the programme's first-contact promise
	// (1 to 60 working days; null: the service's default).
	CaseFirstContactDays Optional[int32] `json:"case_first_contact_days"`
}

// Limits of a programme's fields.
const (
	maxProgrammeCode = 40
	maxProgrammeName = 200
	maxProgrammeDesc = 5000
	maxFunderName    = 200
)

var (
	programmeCode = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	givingPrefix  = regexp.MustCompile(`^360G-[A-Za-z0-9][A-Za-z0-9_-]*$`)
)

func programmeView(p sqlc.Programme) Programme {
	return Programme{ID: p.ID, Code: p.Code, Name: p.Name, Description: p.Description, FunderName: p.FunderName,
		GivingPrefix: p.GivingPrefix, CaseFirstContactDays: p.CaseFirstContactDays, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// ListProgrammes returns every programme, by name.
func (a *App) ListProgrammes(ctx context.Context) ([]Programme, error) {
	rows, err := a.store.ProgrammeList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list programmes: %w", err)
	}
	out := make([]Programme, 0, len(rows))
	for _, p := range rows {
		out = append(out, programmeView(p))
	}
	return out, nil
}

// GetProgramme reads one programme by code.
func (a *App) GetProgramme(ctx context.Context, code string) (Programme, error) {
	if !programmeCode.MatchString(code) || len(code) > maxProgrammeCode {
		return Programme{}, notFound("Programme")
	}
	p, err := a.store.ProgrammeGetByCode(ctx, code)
	if isNotFound(err) {
		return Programme{}, notFound("Programme")
	}
	if err != nil {
		return Programme{}, fmt.Errorf("get programme: %w", err)
	}
	return programmeView(p), nil
}

// EnsureProgramme creates or updates a programme by code; for seeding and
// tests, without the checks of CreateProgramme.
func (a *App) EnsureProgramme(ctx context.Context, p Programme) (Programme, error) {
	row, err := a.store.ProgrammeUpsert(ctx, sqlc.ProgrammeUpsertParams{
		ID: id.New(id.Programme), Code: p.Code, Name: p.Name, Description: p.Description,
		FunderName: p.FunderName, GivingPrefix: p.GivingPrefix,
	})
	if err != nil {
		return Programme{}, fmt.Errorf("upsert programme: %w", err)
	}
	return programmeView(row), nil
}

func requireManager(actor Actor) error {
	if !actor.Has(RoleManager) {
		return forbidden("Only programme managers can manage programmes")
	}
	return nil
}

// checkProgramme validates the fields of in that are set onto p (which
// holds the current values, or zero for a new programme).
func checkProgramme(in ProgrammeInput, p *Programme, fields map[string]string) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&p.Name, in.Name)
	set(&p.Description, in.Description)
	set(&p.FunderName, in.FunderName)
	set(&p.GivingPrefix, in.GivingPrefix)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > maxProgrammeName {
		fields["name"] = fmt.Sprintf("Enter the programme's name (up to %d characters)", maxProgrammeName)
	}
	if utf8.RuneCountInString(p.Description) > maxProgrammeDesc {
		fields["description"] = fmt.Sprintf("Description must be %d characters or fewer", maxProgrammeDesc)
	}
	if p.FunderName == "" || utf8.RuneCountInString(p.FunderName) > maxFunderName {
		fields["funder_name"] = fmt.Sprintf("Enter the funder's name (up to %d characters)", maxFunderName)
	}
	if in.CaseFirstContactDays.Set {
		p.CaseFirstContactDays = nil
		if v := in.CaseFirstContactDays.Value; !in.CaseFirstContactDays.Null {
			p.CaseFirstContactDays = &v
			if v < 1 || v > 60 {
				fields["case_first_contact_days"] = "The first-contact promise must be from 1 to 60 working days"
			}
		}
	}
	if p.GivingPrefix != "" && (!givingPrefix.MatchString(p.GivingPrefix) || len(p.GivingPrefix) > 60) {
		fields["giving_prefix"] = "Enter the funder's 360Giving prefix as registered, starting 360G-, like 360G-cityhall"
	}
}

// CreateProgramme creates a programme (managers only); a code already
// taken is 409.
func (a *App) CreateProgramme(ctx context.Context, actor Actor, body Body) (Programme, error) {
	if err := requireManager(actor); err != nil {
		return Programme{}, err
	}
	var in ProgrammeInput
	if err := body(&in); err != nil {
		return Programme{}, err
	}
	fields := map[string]string{}
	in.Code = strings.TrimSpace(in.Code)
	if !programmeCode.MatchString(in.Code) || len(in.Code) > maxProgrammeCode {
		fields["code"] = fmt.Sprintf("Enter a code of lower-case letters, digits and hyphens (up to %d characters), like community-spaces", maxProgrammeCode)
	}
	var p Programme
	checkProgramme(in, &p, fields)
	if len(fields) > 0 {
		return Programme{}, Invalid(fields)
	}
	var out sqlc.Programme
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		row, err := q.ProgrammeCreate(ctx, sqlc.ProgrammeCreateParams{ID: id.New(id.Programme), Code: in.Code, Name: p.Name,
			Description: p.Description, FunderName: p.FunderName, GivingPrefix: p.GivingPrefix, CaseFirstContactDays: p.CaseFirstContactDays})
		if isNotFound(err) {
			return &Error{Kind: KindConflict, Code: KindConflict.Code(), Message: "A programme with this code already exists",
				Fields: map[string]string{"code": "A programme with this code already exists: choose another"}}
		}
		if err != nil {
			return fmt.Errorf("create programme: %w", err)
		}
		out = row
		_, err = audit.Append(ctx, q, audit.Event{Chain: "programme:" + row.Code, Actor: actor.ID, Action: "programme.created",
			Entity: "programme:" + row.Code, Data: programmeView(row)})
		return err
	})
	if err != nil {
		return Programme{}, err
	}
	return programmeView(out), nil
}

// UpdateProgramme changes a programme's name, description, funder or
// 360Giving prefix (managers only); the code cannot change.
func (a *App) UpdateProgramme(ctx context.Context, actor Actor, code string, body Body) (Programme, error) {
	if err := requireManager(actor); err != nil {
		return Programme{}, err
	}
	cur, err := a.GetProgramme(ctx, code)
	if err != nil {
		return Programme{}, err
	}
	var in ProgrammeInput
	if err := body(&in); err != nil {
		return Programme{}, err
	}
	fields := map[string]string{}
	if in.Code != "" && in.Code != cur.Code {
		fields["code"] = "A programme's code cannot change"
	}
	p := cur
	checkProgramme(in, &p, fields)
	if len(fields) > 0 {
		return Programme{}, Invalid(fields)
	}
	var out sqlc.Programme
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		row, err := q.ProgrammeUpdate(ctx, sqlc.ProgrammeUpdateParams{Code: cur.Code, Name: p.Name, Description: p.Description,
			FunderName: p.FunderName, GivingPrefix: p.GivingPrefix, CaseFirstContactDays: p.CaseFirstContactDays})
		if err != nil {
			return fmt.Errorf("update programme: %w", err)
		}
		out = row
		_, err = audit.Append(ctx, q, audit.Event{Chain: "programme:" + row.Code, Actor: actor.ID, Action: "programme.updated",
			Entity: "programme:" + row.Code, Data: map[string]any{"from": cur, "to": programmeView(row)}})
		return err
	})
	if err != nil {
		return Programme{}, err
	}
	return programmeView(out), nil
}
