package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
)

// Spaces at Risk casework (issue 16, DESIGN §10 "Casework"): a group asks
// for one-to-one support with a space; caseworkers triage the requests in
// order of a priority that is shown with its reasons; an accepted request
// becomes a case (casework_cases.go).

// SupportRequest is a request for support with a space, as its readers
// see it: the group that made it, or a caseworker.
type SupportRequest struct {
	ID               string            `json:"id"`
	OrganisationID   string            `json:"organisation_id"`
	OrganisationName string            `json:"organisation_name"`
	ApplicationID    *string           `json:"application_id"`
	Space            casework.Space    `json:"space"`
	Risk             casework.Risk     `json:"risk"`
	Urgency          string            `json:"urgency"`
	LedByCommunity   bool              `json:"led_by_community"`
	ConsentToShare   bool              `json:"consent_to_share"`
	Status           string            `json:"status"`
	Priority         casework.Priority `json:"priority"`
	Triage           *Triage           `json:"triage"`
	CaseID           *string           `json:"case_id"`
	CreatedAt        time.Time         `json:"created_at"`
}

// Triage is a request's triage outcome.
type Triage struct {
	Outcome    string    `json:"outcome"` // accept, refer or decline
	Reason     string    `json:"reason"`
	ReferredTo *string   `json:"referred_to"`
	TriagedAt  time.Time `json:"triaged_at"`
}

// SupportRequestFilter is the query of GET /support-requests. A
// caseworker's default is the intake queue (status new, by priority);
// with another status, every request in it, newest first.
type SupportRequestFilter struct {
	Status string
	Page   PageQuery
}

// TriageInput is the body of POST /support-requests/{id}/triage.
type TriageInput struct {
	Outcome      string  `json:"outcome"`
	Reason       string  `json:"reason"`
	ReferredTo   *string `json:"referred_to"`
	CaseworkerID *string `json:"caseworker_id"`
}

// TriageResult is what a triage answers: the request, and for accept the
// case it opened.
type TriageResult struct {
	SupportRequest
	CaseID *string `json:"case_id"`
}

// intakeLimit bounds the intake queue: the requests not yet triaged are
// read whole, because their order (the priority) depends on today.
const intakeLimit = 1000

// defaultCaseProgramme is the programme a support request belongs to when
// it names none: the Community Spaces at Risk Fund, where it exists.
const defaultCaseProgramme = "spaces-at-risk"

func requireCaseworker(actor Actor) error {
	if !actor.Has(RoleCaseworker) {
		return forbidden("Only caseworkers can do this")
	}
	return nil
}

// today is the London civil date of the use cases' clock.
func (a *App) today() workday.Date { return workday.DateOf(a.now()) }

// dateString formats a date column (UTC midnight of a civil date).
func dateString(t time.Time) string { return casework.DateFrom(t).String() }

func optionalDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateString(*t)
	return &s
}

// similarSpaces counts the spaces the system knows, by borough and kind.
type similarSpaces map[[2]string]int

func (a *App) similarSpaces(ctx context.Context, q *sqlc.Queries) (similarSpaces, error) {
	rows, err := q.SupportSimilarSpaces(ctx)
	if err != nil {
		return nil, fmt.Errorf("count similar spaces: %w", err)
	}
	out := similarSpaces{}
	for _, r := range rows {
		out[[2]string{r.BoroughGss, r.SpaceKind}] = int(r.Spaces)
	}
	return out, nil
}

// supportView is a request as its readers see it, priority included.
func supportView(r sqlc.SupportRequest, orgName string, income int64, caseID *string, similar similarSpaces, today workday.Date) (SupportRequest, error) {
	var addr organisation.Address
	if err := json.Unmarshal(r.Address, &addr); err != nil {
		return SupportRequest{}, fmt.Errorf("decode address of %s: %w", r.ID, err)
	}
	weekly := int64(r.WeeklyUsers)
	out := SupportRequest{
		ID: r.ID, OrganisationID: r.OrganisationID, OrganisationName: orgName, ApplicationID: r.ApplicationID,
		Space: casework.Space{Name: r.SpaceName, Kind: r.SpaceKind, Address: addr, Borough: r.BoroughName, Uses: r.Uses,
			UsedBy: r.UsedBy, WeeklyUsers: &weekly, Tenure: r.Tenure, LandlordType: r.LandlordType,
			TenureEndsOn: optionalDate(r.TenureEndsOn), AnnualRentPence: r.AnnualRentPence, RentChanges: r.RentChanges},
		Risk: casework.Risk{Kind: r.RiskKind, KeyDate: optionalDate(r.RiskKeyDate), KeyDateKind: r.RiskKeyDateKind,
			Description: r.RiskDescription},
		Urgency: r.Urgency, LedByCommunity: r.LedByCommunity, ConsentToShare: r.ConsentToShare, Status: r.Status,
		CaseID: caseID, CreatedAt: r.CreatedAt,
	}
	if out.Space.Uses == nil {
		out.Space.Uses = []string{}
	}
	facts := casework.PriorityFacts{Urgency: r.Urgency, LedByCommunity: r.LedByCommunity, IncomePence: income,
		Borough: r.BoroughName, KindLabel: casework.Label(casework.SpaceKinds, r.SpaceKind)}
	if r.RiskKeyDate != nil {
		d := casework.DateFrom(*r.RiskKeyDate)
		facts.KeyDate = &d
		if r.RiskKeyDateKind != nil {
			facts.KeyDateKind = *r.RiskKeyDateKind
		}
	}
	// Other spaces of the kind in the borough: this one is counted in
	// similar unless it was declined.
	n := similar[[2]string{r.BoroughGss, r.SpaceKind}]
	if r.Status != casework.RequestDeclined && n > 0 {
		n--
	}
	facts.SimilarSpaces = n
	out.Priority = casework.PriorityOf(facts, today)
	if r.TriagedAt != nil {
		t := &Triage{Outcome: triageOutcomeOf(r.Status), ReferredTo: r.ReferredTo, TriagedAt: *r.TriagedAt}
		if r.TriageReason != nil {
			t.Reason = *r.TriageReason
		}
		out.Triage = t
	}
	return out, nil
}

func triageOutcomeOf(status string) string {
	switch status {
	case casework.RequestAccepted:
		return casework.TriageAccept
	case casework.RequestReferred:
		return casework.TriageRefer
	}
	return casework.TriageDecline
}

// CreateSupportRequest records a group's request for support with a space
// (a member of the organisation asks). Open all year, tied to no round.
func (a *App) CreateSupportRequest(ctx context.Context, actor Actor, body Body) (SupportRequest, error) {
	var in casework.Request
	if err := body(&in); err != nil {
		return SupportRequest{}, err
	}
	checked, fields := in.Check(a.today())
	if fields == nil {
		fields = map[string]string{}
	}
	var out SupportRequest
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		var org sqlc.Organisation
		if in.OrganisationID != "" {
			role := ""
			if id.Valid(id.Organisation, in.OrganisationID) {
				var err error
				if role, err = memberRole(ctx, q, in.OrganisationID, actor.ID); err != nil {
					return err
				}
			}
			if role == "" {
				fields["organisation_id"] = "Choose an organisation you are a member of"
			} else {
				var err error
				if org, err = q.OrganisationGet(ctx, in.OrganisationID); err != nil {
					return fmt.Errorf("get organisation: %w", err)
				}
			}
		}
		programmeID, err := a.requestProgramme(ctx, q, in.Programme, fields)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		row, err := a.insertSupportRequest(ctx, q, actor.ID, in, checked, programmeID, nil)
		if err != nil {
			return err
		}
		similar, err := a.similarSpaces(ctx, q)
		if err != nil {
			return err
		}
		out, err = supportView(row, org.Name, org.AnnualIncomePence, nil, similar, a.today())
		return err
	})
	return out, err
}

// requestProgramme resolves the programme a request names (default: the
// Spaces at Risk programme, or none when it does not exist).
func (a *App) requestProgramme(ctx context.Context, q *sqlc.Queries, code string, fields map[string]string) (*string, error) {
	named := code != ""
	if !named {
		code = defaultCaseProgramme
	}
	p, err := q.ProgrammeGetByCode(ctx, code)
	if isNotFound(err) {
		if named {
			fields["programme"] = "Choose a programme that exists"
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get programme: %w", err)
	}
	return &p.ID, nil
}

// insertSupportRequest writes a checked request, audits it and tells the
// caseworkers a request is waiting. An application's request that exists
// already inserts nothing (no row).
func (a *App) insertSupportRequest(ctx context.Context, q *sqlc.Queries, actorID string, in casework.Request, checked casework.Checked,
	programmeID, applicationID *string) (sqlc.SupportRequest, error) {
	addr, err := json.Marshal(in.Space.Address)
	if err != nil {
		return sqlc.SupportRequest{}, fmt.Errorf("encode address: %w", err)
	}
	row, err := q.SupportRequestInsert(ctx, sqlc.SupportRequestInsertParams{
		ID: id.New(id.SupportRequest), OrganisationID: in.OrganisationID, ProgrammeID: programmeID, ApplicationID: applicationID,
		RequestedBy: actorID, SpaceName: in.Space.Name, SpaceKind: in.Space.Kind, Address: addr,
		BoroughName: checked.Borough.Name, BoroughGss: checked.Borough.GSS, Uses: in.Space.Uses, UsedBy: in.Space.UsedBy,
		WeeklyUsers: int32(*in.Space.WeeklyUsers), Tenure: in.Space.Tenure, LandlordType: in.Space.LandlordType,
		TenureEndsOn: checked.TenureEndsOn, AnnualRentPence: in.Space.AnnualRentPence, RentChanges: in.Space.RentChanges,
		RiskKind: in.Risk.Kind, RiskKeyDate: checked.KeyDate, RiskKeyDateKind: in.Risk.KeyDateKind,
		RiskDescription: in.Risk.Description, Urgency: in.Urgency, LedByCommunity: in.LedByCommunity,
		ConsentToShare: *in.ConsentToShare, CreatedAt: a.now(),
	})
	if err != nil {
		return row, fmt.Errorf("insert support request: %w", err)
	}
	if _, err := audit.Append(ctx, q, audit.Event{Chain: supportChain(row.ID), Actor: actorID, Action: "support_request.created",
		Entity: supportChain(row.ID), Data: map[string]any{"organisation_id": row.OrganisationID, "application_id": row.ApplicationID,
			"risk_kind": row.RiskKind, "urgency": row.Urgency, "borough": row.BoroughName}}); err != nil {
		return row, err
	}
	caseworkers, err := q.CaseCaseworkers(ctx)
	if err != nil {
		return row, fmt.Errorf("list caseworkers: %w", err)
	}
	ids := make([]string, len(caseworkers))
	for i, c := range caseworkers {
		ids[i] = c.ID
	}
	return row, mailq.Notify(ctx, q, ids, mailq.Notice{Kind: "support_request", Subject: "A space needs support: " + row.SpaceName,
		Body: fmt.Sprintf("A group in %s has asked for one-to-one support with %s (%s). Triage it from the intake queue.",
			row.BoroughName, row.SpaceName, strings.ToLower(casework.Label(casework.RiskKinds, row.RiskKind))),
		Entity: supportChain(row.ID), Key: supportChain(row.ID) + ":created"})
}

func supportChain(id string) string { return "support_request:" + id }

// ListSupportRequests is a caseworker's intake queue (by priority, highest
// first) or, with a status, every request in it; for anyone else, the
// requests of their organisations.
func (a *App) ListSupportRequests(ctx context.Context, actor Actor, f SupportRequestFilter) (Page[SupportRequest], error) {
	fields := map[string]string{}
	if f.Status != "" && !casework.Known(casework.RequestStatuses, f.Status) {
		fields["status"] = "Status must be one of " + strings.Join(casework.Values(casework.RequestStatuses), ", ")
	}
	if !actor.Has(RoleCaseworker) {
		cursor, limit := f.Page.parse(id.SupportRequest, fields)
		if len(fields) > 0 {
			return Page[SupportRequest]{}, Invalid(fields)
		}
		orgs, err := a.store.OrganisationMembershipsForUser(ctx, actor.ID)
		if err != nil {
			return Page[SupportRequest]{}, fmt.Errorf("memberships: %w", err)
		}
		ids := make([]string, len(orgs))
		for i, o := range orgs {
			ids[i] = o.OrganisationID
		}
		rows, err := a.store.SupportRequestListForOrganisations(ctx, sqlc.SupportRequestListForOrganisationsParams{
			OrganisationIds: ids, After: cursor, RowLimit: limit})
		if err != nil {
			return Page[SupportRequest]{}, fmt.Errorf("list support requests: %w", err)
		}
		rows = filterRows(rows, func(r sqlc.SupportRequestListForOrganisationsRow) bool {
			return f.Status == "" || r.SupportRequest.Status == f.Status
		})
		similar, err := a.similarSpaces(ctx, a.store.Queries)
		if err != nil {
			return Page[SupportRequest]{}, err
		}
		return pageOf(rows, limit, func(r sqlc.SupportRequestListForOrganisationsRow) string { return r.SupportRequest.ID },
			func(r sqlc.SupportRequestListForOrganisationsRow) (SupportRequest, error) {
				return supportView(r.SupportRequest, r.OrganisationName, r.OrganisationIncomePence, r.CaseID, similar, a.today())
			})
	}
	similar, err := a.similarSpaces(ctx, a.store.Queries)
	if err != nil {
		return Page[SupportRequest]{}, err
	}
	if f.Status == "" || f.Status == casework.RequestNew {
		return a.intakeQueue(ctx, f.Page, similar, fields)
	}
	cursor, limit := f.Page.parse(id.SupportRequest, fields)
	if len(fields) > 0 {
		return Page[SupportRequest]{}, Invalid(fields)
	}
	rows, err := a.store.SupportRequestListAll(ctx, sqlc.SupportRequestListAllParams{Status: &f.Status, After: cursor, RowLimit: limit})
	if err != nil {
		return Page[SupportRequest]{}, fmt.Errorf("list support requests: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.SupportRequestListAllRow) string { return r.SupportRequest.ID },
		func(r sqlc.SupportRequestListAllRow) (SupportRequest, error) {
			return supportView(r.SupportRequest, r.OrganisationName, r.OrganisationIncomePence, r.CaseID, similar, a.today())
		})
}

// filterRows keeps the rows for which keep holds, in place.
func filterRows[R any](rows []R, keep func(R) bool) []R {
	return slices.DeleteFunc(rows, func(r R) bool { return !keep(r) })
}

// intakeQueue pages the requests waiting for triage by priority (highest
// first, then oldest first). The cursor is the last request's id: the
// page after it starts after its place in today's order.
func (a *App) intakeQueue(ctx context.Context, pq PageQuery, similar similarSpaces, fields map[string]string) (Page[SupportRequest], error) {
	cursor, limit := pq.parse(id.SupportRequest, fields)
	if len(fields) > 0 {
		return Page[SupportRequest]{}, Invalid(fields)
	}
	rows, err := a.store.SupportRequestListNew(ctx, intakeLimit)
	if err != nil {
		return Page[SupportRequest]{}, fmt.Errorf("intake queue: %w", err)
	}
	today := a.today()
	all := make([]SupportRequest, 0, len(rows))
	for _, r := range rows {
		v, err := supportView(r.SupportRequest, r.OrganisationName, r.OrganisationIncomePence, nil, similar, today)
		if err != nil {
			return Page[SupportRequest]{}, err
		}
		all = append(all, v)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Priority.Score > all[j].Priority.Score })
	if cursor != nil {
		i := slices.IndexFunc(all, func(r SupportRequest) bool { return r.ID == *cursor })
		all = all[i+1:] // a request triaged since (-1) starts again from the top
	}
	page, next := pageRows(all, limit, func(r SupportRequest) string { return r.ID })
	return Page[SupportRequest]{Items: page, NextCursor: next}, nil
}

// GetSupportRequest reads one request: a caseworker, or a member of its
// organisation (anyone else: 404).
func (a *App) GetSupportRequest(ctx context.Context, actor Actor, requestID string) (SupportRequest, error) {
	if !id.Valid(id.SupportRequest, requestID) {
		return SupportRequest{}, notFound("Support request")
	}
	r, err := a.store.SupportRequestGet(ctx, requestID)
	if isNotFound(err) {
		return SupportRequest{}, notFound("Support request")
	}
	if err != nil {
		return SupportRequest{}, fmt.Errorf("get support request: %w", err)
	}
	if !actor.Has(RoleCaseworker) {
		role, err := memberRole(ctx, a.store.Queries, r.SupportRequest.OrganisationID, actor.ID)
		if err != nil {
			return SupportRequest{}, err
		}
		if role == "" {
			return SupportRequest{}, notFound("Support request")
		}
	}
	similar, err := a.similarSpaces(ctx, a.store.Queries)
	if err != nil {
		return SupportRequest{}, err
	}
	return supportView(r.SupportRequest, r.OrganisationName, r.OrganisationIncomePence, r.CaseID, similar, a.today())
}

// Caseworker is someone a case may be given to.
type Caseworker struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ListCaseworkers lists the active caseworkers (caseworkers only).
func (a *App) ListCaseworkers(ctx context.Context, actor Actor) ([]Caseworker, error) {
	if err := requireCaseworker(actor); err != nil {
		return nil, err
	}
	rows, err := a.store.CaseCaseworkers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list caseworkers: %w", err)
	}
	out := make([]Caseworker, len(rows))
	for i, r := range rows {
		out[i] = Caseworker{ID: r.ID, Name: r.Name, Email: r.Email}
	}
	return out, nil
}

// TriageSupportRequest accepts (opening a case, given to caseworker_id or
// the caller), refers elsewhere (with where) or declines (with a reason)
// a request waiting for triage; the group is told. Caseworkers only, and
// never on a request of their own organisation.
func (a *App) TriageSupportRequest(ctx context.Context, actor Actor, requestID string, body Body) (TriageResult, error) {
	if err := requireCaseworker(actor); err != nil {
		return TriageResult{}, err
	}
	if !id.Valid(id.SupportRequest, requestID) {
		return TriageResult{}, notFound("Support request")
	}
	var caseID *string
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		r, err := q.SupportRequestGetForUpdate(ctx, requestID)
		if isNotFound(err) {
			return notFound("Support request")
		}
		if err != nil {
			return fmt.Errorf("get support request: %w", err)
		}
		if err := a.notOwnOrganisation(ctx, q, actor.ID, r.OrganisationID); err != nil {
			return err
		}
		if r.Status != casework.RequestNew {
			return invalidState("This request has already been triaged (it is " + r.Status + ")")
		}
		var in TriageInput
		if err := body(&in); err != nil {
			return err
		}
		fields := map[string]string{}
		in.Reason = strings.TrimSpace(in.Reason)
		caseworker := actor.ID
		switch in.Outcome {
		case casework.TriageAccept:
			casework.CheckText(in.Reason, casework.MaxShortText, "reason", "", fields)
			if in.ReferredTo != nil {
				fields["referred_to"] = "Only a referral names where the group was referred"
			}
			if in.CaseworkerID != nil {
				caseworker = *in.CaseworkerID
				if err := a.checkCaseworker(ctx, q, caseworker, r.OrganisationID, "caseworker_id", fields); err != nil {
					return err
				}
			}
		case casework.TriageRefer, casework.TriageDecline:
			casework.CheckText(in.Reason, casework.MaxShortText, "reason", "Give the reason, which the group will see", fields)
			if in.Outcome == casework.TriageRefer {
				if in.ReferredTo == nil || strings.TrimSpace(*in.ReferredTo) == "" {
					fields["referred_to"] = "Say where the group was referred"
				} else {
					t := strings.TrimSpace(*in.ReferredTo)
					in.ReferredTo = &t
					casework.CheckText(t, casework.MaxShortText, "referred_to", "", fields)
				}
			} else if in.ReferredTo != nil {
				fields["referred_to"] = "Only a referral names where the group was referred"
			}
			if in.CaseworkerID != nil {
				fields["caseworker_id"] = "Only an accepted request is given to a caseworker"
			}
		default:
			fields["outcome"] = "Outcome must be one of accept, refer, decline"
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		now := a.now()
		status := map[string]string{casework.TriageAccept: casework.RequestAccepted, casework.TriageRefer: casework.RequestReferred,
			casework.TriageDecline: casework.RequestDeclined}[in.Outcome]
		if _, err := q.SupportRequestTriage(ctx, sqlc.SupportRequestTriageParams{ID: r.ID, Status: status, TriagedBy: &actor.ID,
			TriagedAt: &now, TriageReason: &in.Reason, ReferredTo: in.ReferredTo}); err != nil {
			return fmt.Errorf("triage: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: supportChain(r.ID), Actor: actor.ID, Action: "support_request.triaged",
			Entity: supportChain(r.ID), Data: map[string]any{"outcome": in.Outcome, "reason": in.Reason, "referred_to": in.ReferredTo}}); err != nil {
			return err
		}
		if in.Outcome == casework.TriageAccept {
			c, err := a.openCase(ctx, q, actor, r, caseworker, now)
			if err != nil {
				return err
			}
			caseID = &c.ID
		}
		return a.tellGroupOfTriage(ctx, q, r, in, caseID)
	})
	if err != nil {
		return TriageResult{}, err
	}
	v, err := a.GetSupportRequest(ctx, actor, requestID)
	if err != nil {
		return TriageResult{}, err
	}
	return TriageResult{SupportRequest: v, CaseID: caseID}, nil
}

// notOwnOrganisation refuses a staff member who belongs to the
// organisation whose case it is (least privilege).
func (a *App) notOwnOrganisation(ctx context.Context, q *sqlc.Queries, userID, orgID string) error {
	role, err := memberRole(ctx, q, orgID, userID)
	if err != nil {
		return err
	}
	if role != "" {
		return forbidden("You are a member of this organisation, so another caseworker must handle its case")
	}
	return nil
}

// checkCaseworker checks that userID may be given a case of orgID: an
// active caseworker who is not a member of it.
func (a *App) checkCaseworker(ctx context.Context, q *sqlc.Queries, userID, orgID, key string, fields map[string]string) error {
	if !id.Valid(id.User, userID) {
		fields[key] = "Choose a caseworker"
		return nil
	}
	u, err := q.UserGet(ctx, userID)
	if isNotFound(err) || (err == nil && (!slices.Contains(u.Roles, RoleCaseworker) || u.DeactivatedAt != nil)) {
		fields[key] = "Choose an active caseworker"
		return nil
	}
	if err != nil {
		return fmt.Errorf("get caseworker: %w", err)
	}
	role, err := memberRole(ctx, q, orgID, userID)
	if err != nil {
		return err
	}
	if role != "" {
		fields[key] = "This caseworker is a member of the organisation: choose another"
	}
	return nil
}

// firstContactDays is the promise of a programme (or the default).
func (a *App) firstContactDays(ctx context.Context, q *sqlc.Queries, programmeID *string) (int, error) {
	if programmeID != nil {
		p, err := q.ProgrammeGet(ctx, *programmeID)
		if err != nil {
			return 0, fmt.Errorf("get programme: %w", err)
		}
		if p.CaseFirstContactDays != nil {
			return int(*p.CaseFirstContactDays), nil
		}
	}
	return a.cfg.CaseFirstContactDays, nil
}

// openCase opens the case of an accepted request and queues the start of
// its workflow, in the caller's transaction.
func (a *App) openCase(ctx context.Context, q *sqlc.Queries, actor Actor, r sqlc.SupportRequest, caseworker string, now time.Time) (sqlc.Case, error) {
	days, err := a.firstContactDays(ctx, q, r.ProgrammeID)
	if err != nil {
		return sqlc.Case{}, err
	}
	due := casework.FirstContactDue(now, days)
	review := casework.NextReview(workday.DateOf(now))
	reviewOn := casework.DateTime(review)
	c, err := q.CaseInsert(ctx, sqlc.CaseInsertParams{ID: id.New(id.Case), SupportRequestID: r.ID, OrganisationID: r.OrganisationID,
		CaseworkerID: caseworker, OpenedAt: now, OpenedBy: actor.ID, FirstContactDueOn: casework.DateTime(due), ReviewDueOn: &reviewOn})
	if err != nil {
		return c, fmt.Errorf("open case: %w", err)
	}
	payload, err := json.Marshal(workflows.CaseInput{CaseID: c.ID})
	if err != nil {
		return c, fmt.Errorf("encode workflow input: %w", err)
	}
	if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxStartCase, Payload: payload}); err != nil {
		return c, fmt.Errorf("queue workflow: %w", err)
	}
	if _, err := audit.Append(ctx, q, audit.Event{Chain: workflows.CaseChain(c.ID), Actor: actor.ID, Action: "case.opened",
		Entity: workflows.CaseChain(c.ID), Data: map[string]any{"support_request_id": r.ID, "caseworker_id": caseworker,
			"first_contact_due_on": due.String(), "first_contact_days": days}}); err != nil {
		return c, err
	}
	if caseworker != actor.ID {
		if err := mailq.Notify(ctx, q, []string{caseworker}, mailq.Notice{Kind: "case_assigned", Subject: "A case is yours: " + r.SpaceName,
			Body:   fmt.Sprintf("You are the caseworker for %s. First contact is promised by %s.", r.SpaceName, due.String()),
			Entity: workflows.CaseChain(c.ID), Key: workflows.CaseChain(c.ID) + ":assigned:" + caseworker}); err != nil {
			return c, err
		}
	}
	return c, nil
}

// tellGroupOfTriage tells the organisation's members what became of their
// request.
func (a *App) tellGroupOfTriage(ctx context.Context, q *sqlc.Queries, r sqlc.SupportRequest, in TriageInput, caseID *string) error {
	members, err := q.OrganisationMemberList(ctx, r.OrganisationID)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	n := mailq.Notice{Entity: supportChain(r.ID), Key: supportChain(r.ID) + ":triaged"}
	switch in.Outcome {
	case casework.TriageAccept:
		n.Kind, n.Subject = "support_accepted", "We will support you with "+r.SpaceName
		n.Body = "A caseworker will contact you within a few working days to plan what happens next. You can follow your case online."
		n.Entity = workflows.CaseChain(*caseID)
	case casework.TriageRefer:
		n.Kind, n.Subject = "support_referred", "Your request for support with "+r.SpaceName
		n.Body = fmt.Sprintf("We have referred you to %s, who are best placed to help. %s", *in.ReferredTo, in.Reason)
	default:
		n.Kind, n.Subject = "support_declined", "Your request for support with "+r.SpaceName
		n.Body = "We are not able to offer one-to-one support with this space. " + in.Reason
	}
	return mailq.Notify(ctx, q, ids, n)
}
