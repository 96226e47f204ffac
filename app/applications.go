package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/eligibility"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/orgcheck"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// Application statuses: a draft is the use cases' own; after submission
// the workflow's names are the ones written.
const (
	StatusDraft        = "draft"
	StatusSubmitted    = workflows.StatusSubmitted
	StatusIneligible   = workflows.StatusIneligible
	StatusInAssessment = workflows.StatusInAssessment
	StatusWithdrawn    = workflows.StatusWithdrawn
)

// maxPartners caps the partner list of one application.
const maxPartners = 20

// Partner is a partner organisation of an application (besides the lead).
// ID is given by the server and sent back to keep a partner's status
// across saves; OrganisationID and Status are set by the partnership's
// invitation and its answer (never by a save). SharePence is the part of
// the request the partner spends, on SharePurpose; with no shares the
// whole request is the lead's.
type Partner struct {
	ID             string `json:"id,omitempty"`
	Name           string `json:"name"`
	CharityNumber  string `json:"charity_number,omitempty"`
	CompanyNumber  string `json:"company_number,omitempty"`
	ContactEmail   string `json:"contact_email,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Status         string `json:"status"`
	SharePence     *int64 `json:"share_pence,omitempty"`
	SharePurpose   string `json:"share_purpose,omitempty"`
}

// Application is the view of an application.
type Application struct {
	ID             string                     `json:"id"`
	RoundID        string                     `json:"round_id"`
	OrganisationID string                     `json:"organisation_id"`
	Status         string                     `json:"status"`
	Version        int32                      `json:"version"`
	Tier           *string                    `json:"tier"`
	RequestedPence *int64                     `json:"requested_pence"`
	Answers        map[string]json.RawMessage `json:"answers"`
	Partners       []Partner                  `json:"partners"`
	Eligibility    *eligibility.Result        `json:"eligibility"`
	GrantID        *string                    `json:"grant_id"`
	Decision       *Decision                  `json:"decision"`
	Documents      []Document                 `json:"documents,omitempty"`
	// SupportCase summarises the Spaces at Risk support its support
	// question opened: for the group, and for staff reading the
	// application where the group consented to share.
	SupportCase *CaseSummary `json:"support_case,omitempty"`
	// OrganisationChecks are the lead organisation's latest register
	// checks, with their dates (GetApplication only).
	OrganisationChecks []orgcheck.Check `json:"organisation_checks,omitempty"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
	SubmittedAt        *time.Time       `json:"submitted_at"`
	// *Review is set for managers and chairs only; its fields appear
	// beside the others (total, flags, moderation).
	*Review
}

// ApplicationPatch is the body of PATCH /applications/{id}: fields present
// replace, answers merge key by key (null removes one), partners replace.
type ApplicationPatch struct {
	Version        *int64                     `json:"version"`
	Tier           Optional[string]           `json:"tier"`
	RequestedPence Optional[int64]            `json:"requested_pence"`
	Answers        map[string]json.RawMessage `json:"answers"`
	Partners       Optional[[]Partner]        `json:"partners"`
}

// ApplicationFilter selects applications in a list.
type ApplicationFilter struct {
	RoundID string
	Status  string
	Page    PageQuery
}

func applicationView(r sqlc.Application) (Application, error) {
	v := Application{ID: r.ID, RoundID: r.RoundID, OrganisationID: r.OrganisationID, Status: r.Status, Version: r.Version,
		Tier: r.Tier, RequestedPence: r.RequestedPence, GrantID: r.GrantID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		SubmittedAt: r.SubmittedAt, Decision: decisionView(r)}
	if err := json.Unmarshal(r.Answers, &v.Answers); err != nil {
		return v, fmt.Errorf("decode answers of %s: %w", r.ID, err)
	}
	if v.Answers == nil {
		v.Answers = map[string]json.RawMessage{}
	}
	if err := json.Unmarshal(r.Partners, &v.Partners); err != nil {
		return v, fmt.Errorf("decode partners of %s: %w", r.ID, err)
	}
	if v.Partners == nil {
		v.Partners = []Partner{}
	}
	for i := range v.Partners {
		if v.Partners[i].Status == "" {
			v.Partners[i].Status = PartnerNamed
		}
	}
	if len(r.Eligibility) > 0 {
		v.Eligibility = new(eligibility.Result)
		if err := json.Unmarshal(r.Eligibility, v.Eligibility); err != nil {
			return v, fmt.Errorf("decode eligibility of %s: %w", r.ID, err)
		}
	}
	return v, nil
}

func decodeRound(raw []byte) (round.Definition, error) {
	var def round.Definition
	if err := json.Unmarshal(raw, &def); err != nil {
		return def, fmt.Errorf("decode round: %w", err)
	}
	return def, nil
}

// access is what the actor may do with one application.
type access struct {
	app  sqlc.Application
	role string // the actor's role in the lead organisation, "" if none
}

func (x access) canEdit() bool { return x.role != "" }

// loadApplication returns an application the actor may read, locking it
// when forUpdate. Applicants see their organisations' applications;
// managers and chairs see every submitted one; an assessor sees the ones
// they are assigned to (read-only). Anyone else: not_found.
func (a *App) loadApplication(ctx context.Context, q *sqlc.Queries, actor Actor, appID string, forUpdate bool) (access, error) {
	if !id.Valid(id.Application, appID) {
		return access{}, notFound("Application")
	}
	var (
		r   sqlc.Application
		err error
	)
	if forUpdate {
		r, err = q.ApplicationGetForUpdate(ctx, appID)
	} else {
		r, err = q.ApplicationGet(ctx, appID)
	}
	if err != nil {
		if isNotFound(err) {
			return access{}, notFound("Application")
		}
		return access{}, fmt.Errorf("get application: %w", err)
	}
	role, err := memberRole(ctx, q, r.OrganisationID, actor.ID)
	if err != nil {
		return access{}, err
	}
	if role == "" && !(actor.seesAllApplications() && r.Status != StatusDraft) {
		assigned, err := assignedTo(ctx, q, actor, r.ID)
		if err != nil {
			return access{}, err
		}
		if !assigned {
			return access{}, notFound("Application")
		}
	}
	return access{app: r, role: role}, nil
}

// assignedTo reports whether the actor is an assessor with a live (assigned
// or scored) assessment of the application, which lets them read it and its
// documents. A conflicted or released assessor has no access.
func assignedTo(ctx context.Context, q *sqlc.Queries, actor Actor, appID string) (bool, error) {
	if !actor.Has(RoleAssessor) {
		return false, nil
	}
	_, err := q.AssessmentActiveForAssessor(ctx, sqlc.AssessmentActiveForAssessorParams{ApplicationID: appID, AssessorID: actor.ID})
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("assessment access: %w", err)
	}
	return true, nil
}

// CreateApplication starts a draft for one of the actor's organisations.
func (a *App) CreateApplication(ctx context.Context, actor Actor, roundID, orgID string) (Application, error) {
	var out Application
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		fields := map[string]string{}
		var rnd sqlc.Round
		if roundID == "" {
			fields["round_id"] = "Choose a round"
		} else if !id.Valid(id.Round, roundID) {
			fields["round_id"] = "Choose a round that exists"
		} else {
			var err error
			if rnd, err = q.RoundGet(ctx, roundID); err != nil {
				if !isNotFound(err) {
					return fmt.Errorf("get round: %w", err)
				}
				fields["round_id"] = "Choose a round that exists"
			}
		}
		role := ""
		if orgID == "" {
			fields["organisation_id"] = "Choose your organisation"
		} else if id.Valid(id.Organisation, orgID) {
			var err error
			if role, err = memberRole(ctx, q, orgID, actor.ID); err != nil {
				return err
			}
		}
		if orgID != "" && role == "" {
			fields["organisation_id"] = "Choose an organisation you are a member of"
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		if !a.now().Before(rnd.ClosesAt) {
			return invalidState("This round has closed")
		}
		r, err := q.ApplicationCreate(ctx, sqlc.ApplicationCreateParams{ID: id.New(id.Application), RoundID: roundID,
			OrganisationID: orgID, CreatedBy: actor.ID})
		if err != nil {
			if db.IsConstraint(err, "applications_one_per_round") {
				return conflict("Your organisation already has an application in this round")
			}
			return fmt.Errorf("create application: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + r.ID, Actor: actor.ID, Action: "application.created",
			Entity: "application:" + r.ID, Data: map[string]any{"round_id": roundID, "organisation_id": orgID}}); err != nil {
			return err
		}
		out, err = applicationView(r)
		return err
	})
	return out, err
}

// GetApplication reads one application with its documents.
func (a *App) GetApplication(ctx context.Context, actor Actor, appID string) (Application, error) {
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return Application{}, err
	}
	docs, err := a.store.DocumentListByApplication(ctx, appID)
	if err != nil {
		return Application{}, fmt.Errorf("list documents: %w", err)
	}
	v, err := applicationView(x.app)
	if err != nil {
		return Application{}, err
	}
	v.Documents = make([]Document, 0, len(docs))
	for _, d := range docs {
		v.Documents = append(v.Documents, documentView(d))
	}
	if err := a.addReview(ctx, a.store.Queries, actor, []*Application{&v}, []sqlc.Application{x.app}); err != nil {
		return Application{}, err
	}
	if v.SupportCase, err = a.supportCaseSummary(ctx, a.store.Queries, x.app, x.canEdit()); err != nil {
		return Application{}, err
	}
	if v.OrganisationChecks, err = a.organisationChecks(ctx, x.app.OrganisationID); err != nil {
		return Application{}, err
	}
	return v, nil
}

// ListApplications lists what the actor may see: managers and chairs every
// submitted application, everyone else their organisations' ones.
func (a *App) ListApplications(ctx context.Context, actor Actor, f ApplicationFilter) (Page[Application], error) {
	fields := map[string]string{}
	cursor, limit := f.Page.parse(id.Application, fields)
	var roundID, status *string
	if f.RoundID != "" {
		roundID = &f.RoundID
	}
	if f.Status != "" {
		switch f.Status {
		case StatusDraft, StatusSubmitted, StatusIneligible, StatusInAssessment, StatusApproved, StatusRejected, StatusWaitlisted, StatusWithdrawn:
			status = &f.Status
		default:
			fields["status"] = "Unknown status"
		}
	}
	if len(fields) > 0 {
		return Page[Application]{}, Invalid(fields)
	}
	var rows []sqlc.Application
	var err error
	if actor.seesAllApplications() {
		rows, err = a.store.ApplicationListAll(ctx, sqlc.ApplicationListAllParams{Cursor: cursor, RoundID: roundID, Status: status,
			IncludeDrafts: false, RowLimit: limit})
	} else {
		rows, err = a.store.ApplicationListForMember(ctx, sqlc.ApplicationListForMemberParams{UserID: actor.ID, Cursor: cursor,
			RoundID: roundID, Status: status, RowLimit: limit})
	}
	if err != nil {
		return Page[Application]{}, fmt.Errorf("list applications: %w", err)
	}
	rows, next := pageRows(rows, limit, func(r sqlc.Application) string { return r.ID })
	page := Page[Application]{Items: make([]Application, len(rows)), NextCursor: next}
	views := make([]*Application, len(rows))
	for i, r := range rows {
		if page.Items[i], err = applicationView(r); err != nil {
			return Page[Application]{}, err
		}
		views[i] = &page.Items[i]
	}
	if err := a.addReview(ctx, a.store.Queries, actor, views, rows); err != nil {
		return Page[Application]{}, err
	}
	return page, nil
}

// validatePartners checks each partner; keys are partners[i].field.
func validatePartners(ps []Partner, fields map[string]string) []Partner {
	if len(ps) > maxPartners {
		fields["partners"] = fmt.Sprintf("Add no more than %d partners", maxPartners)
		return ps
	}
	out := make([]Partner, len(ps))
	for i, p := range ps {
		p.Name = strings.TrimSpace(p.Name)
		p.CharityNumber = strings.ToUpper(strings.TrimSpace(p.CharityNumber))
		p.CompanyNumber = strings.ToUpper(strings.TrimSpace(p.CompanyNumber))
		p.ContactEmail = strings.TrimSpace(p.ContactEmail)
		key := fmt.Sprintf("partners[%d].", i)
		if p.Name == "" || utf8.RuneCountInString(p.Name) > organisation.MaxNameLength {
			fields[key+"name"] = "Enter the partner organisation's name"
		}
		if p.CharityNumber != "" && !organisation.ValidCharityNumber(p.CharityNumber) {
			fields[key+"charity_number"] = "Enter a charity number of 6 to 8 digits, or SC and 6 digits"
		}
		if p.CompanyNumber != "" && !organisation.ValidCompanyNumber(p.CompanyNumber) {
			fields[key+"company_number"] = "Enter a company number of 8 characters, like 01234567"
		}
		if p.ContactEmail != "" && !validEmail(p.ContactEmail) {
			fields[key+"contact_email"] = badEmail
		}
		p.SharePurpose = strings.TrimSpace(p.SharePurpose)
		if p.SharePence != nil && *p.SharePence < 0 {
			fields[key+"share_pence"] = "Enter a share of 0 or more, in pence"
		}
		if utf8.RuneCountInString(p.SharePurpose) > maxSharePurpose {
			fields[key+"share_purpose"] = fmt.Sprintf("Say what the share pays for in %d characters or fewer", maxSharePurpose)
		}
		out[i] = p
	}
	return out
}

// SaveApplication applies a PATCH to a draft with optimistic concurrency.
// Every given value is checked; completeness waits for submission.
func (a *App) SaveApplication(ctx context.Context, actor Actor, appID string, body Body) (Application, error) {
	var out Application
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		x, err := a.loadApplication(ctx, q, actor, appID, true)
		if err != nil {
			return err
		}
		if !x.canEdit() {
			return forbidden("Only members of the applying organisation can edit an application")
		}
		if x.app.Status != StatusDraft {
			return invalidState("This application has been submitted and can no longer be edited")
		}
		var p ApplicationPatch
		if err := body(&p); err != nil {
			return err
		}
		if p.Version == nil {
			return Invalid(map[string]string{"version": "Send the version of the application you last read"})
		}
		if *p.Version != int64(x.app.Version) {
			return versionConflict()
		}
		rnd, err := q.RoundGet(ctx, x.app.RoundID)
		if err != nil {
			return fmt.Errorf("get round: %w", err)
		}
		def, err := decodeRound(rnd.Definition)
		if err != nil {
			return err
		}
		cur, err := applicationView(x.app)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		tier, requested := cur.Tier, cur.RequestedPence
		if p.Tier.Set {
			tier = nil
			if !p.Tier.Null {
				if _, ok := def.Tier(p.Tier.Value); !ok {
					fields["tier"] = "Choose one of the round's tiers"
				}
				tier = &p.Tier.Value
			}
		}
		if p.RequestedPence.Set {
			requested = nil
			if !p.RequestedPence.Null {
				v := p.RequestedPence.Value
				switch {
				case v < 0:
					fields["requested_pence"] = "Enter an amount of 0 or more, in pence"
				case v > def.MaxTierPence():
					fields["requested_pence"] = fmt.Sprintf("Enter an amount of no more than %d pence", def.MaxTierPence())
				}
				requested = &v
			}
		}
		answers := cur.Answers
		if p.Answers != nil {
			given := map[string]json.RawMessage{}
			for k, v := range p.Answers {
				if form.IsNull(v) {
					if !knownQuestion(def, k) {
						fields["answers."+k] = "Unknown question"
					}
					delete(answers, k)
					continue
				}
				given[k] = v
				answers[k] = v
			}
			for k, msg := range form.CheckAnswers(def.ApplicationQuestions(), given, false) {
				fields[k] = msg
			}
			if err := checkFileAnswers(ctx, q, def, x.app.ID, given, fields); err != nil {
				return err
			}
		}
		partners := cur.Partners
		if p.Partners.Set {
			partners = []Partner{}
			if !p.Partners.Null && p.Partners.Value != nil {
				partners = validatePartners(p.Partners.Value, fields)
			}
			partners = keepPartnerStatus(cur.Partners, partners)
		}
		if len(fields) > 0 {
			return Invalid(fields)
		}
		rawAnswers, err := json.Marshal(answers)
		if err != nil {
			return fmt.Errorf("encode answers: %w", err)
		}
		rawPartners, err := json.Marshal(partners)
		if err != nil {
			return fmt.Errorf("encode partners: %w", err)
		}
		if p.Partners.Set {
			if err := a.cancelDroppedPartnerInvitations(ctx, q, appID, cur.Partners, partners); err != nil {
				return err
			}
		}
		r, err := q.ApplicationSaveDraft(ctx, sqlc.ApplicationSaveDraftParams{ID: appID, Version: x.app.Version, Tier: tier,
			RequestedPence: requested, Answers: rawAnswers, Partners: rawPartners})
		if err != nil {
			if isNotFound(err) {
				return versionConflict() // the row is locked, so this cannot happen; guard anyway
			}
			return fmt.Errorf("save application: %w", err)
		}
		changed := []string{}
		for _, f := range []struct {
			name string
			set  bool
		}{{"tier", p.Tier.Set}, {"requested_pence", p.RequestedPence.Set}, {"partners", p.Partners.Set}} {
			if f.set {
				changed = append(changed, f.name)
			}
		}
		for _, k := range sortedKeys(p.Answers) {
			changed = append(changed, "answers."+k)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "application.saved",
			Entity: "application:" + appID, Data: map[string]any{"version": r.Version, "changed": changed}}); err != nil {
			return err
		}
		out, err = applicationView(r)
		return err
	})
	return out, err
}

func knownQuestion(def round.Definition, key string) bool {
	for _, q := range def.ApplicationQuestions() {
		if q.Key == key {
			return true
		}
	}
	return false
}

// checkFileAnswers makes sure file answers name documents of this application.
func checkFileAnswers(ctx context.Context, q *sqlc.Queries, def round.Definition, appID string, answers map[string]json.RawMessage, fields map[string]string) error {
	for key, docID := range form.FileAnswers(def.ApplicationQuestions(), answers) {
		if _, bad := fields["answers."+key]; bad {
			continue
		}
		if !id.Valid(id.Document, docID) {
			fields["answers."+key] = "Upload the file to this application first, then give its id"
			continue
		}
		d, err := q.DocumentGet(ctx, docID)
		if err != nil {
			if !isNotFound(err) {
				return fmt.Errorf("get document: %w", err)
			}
			fields["answers."+key] = "Upload the file to this application first, then give its id"
			continue
		}
		if d.ApplicationID != appID {
			fields["answers."+key] = "Upload the file to this application first, then give its id"
		}
	}
	return nil
}

// SubmitApplication validates the whole application against its round and,
// in one transaction, marks it submitted and queues its workflow start. The
// round must be open when the transaction commits.
func (a *App) SubmitApplication(ctx context.Context, actor Actor, appID string, params NoParams) (Application, error) {
	var out Application
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		x, err := a.loadApplication(ctx, q, actor, appID, true)
		if err != nil {
			return err
		}
		if !x.canEdit() {
			return forbidden("Only members of the applying organisation can submit an application")
		}
		if x.app.Status != StatusDraft {
			return invalidState("This application has already been submitted")
		}
		if err := requireVerified(actor); err != nil {
			return err
		}
		if err := params(); err != nil {
			return err
		}
		rnd, err := q.RoundGetForShare(ctx, x.app.RoundID)
		if err != nil {
			return fmt.Errorf("get round: %w", err)
		}
		if err := roundOpenAt(rnd.OpensAt, rnd.ClosesAt, rnd.CheckedAt); err != nil {
			return err
		}
		def, err := decodeRound(rnd.Definition)
		if err != nil {
			return err
		}
		cur, err := applicationView(x.app)
		if err != nil {
			return err
		}
		if err := validateForSubmission(ctx, q, def, cur, map[string]string{}); err != nil {
			return err
		}
		r, err := q.ApplicationMarkSubmitted(ctx, appID)
		if err != nil {
			return fmt.Errorf("mark submitted: %w", err)
		}
		payload, err := json.Marshal(workflows.ApplicationInput{ApplicationID: appID})
		if err != nil {
			return fmt.Errorf("encode workflow input: %w", err)
		}
		if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxStartApplication, Payload: payload}); err != nil {
			return fmt.Errorf("queue workflow: %w", err)
		}
		if _, err := audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "application.submitted",
			Entity: "application:" + appID, Data: map[string]any{"tier": r.Tier, "requested_pence": r.RequestedPence}}); err != nil {
			return err
		}
		if err := a.openSupportFromApplication(ctx, q, actor, def, cur); err != nil {
			return err
		}
		// The commit-time guard: check the window again as the last
		// statement, so a submission racing the close cannot slip in.
		again, err := q.RoundGetForShare(ctx, x.app.RoundID)
		if err != nil {
			return fmt.Errorf("recheck round: %w", err)
		}
		if err := roundOpenAt(again.OpensAt, again.ClosesAt, again.CheckedAt); err != nil {
			return err
		}
		out, err = applicationView(r)
		return err
	})
	return out, err
}

func roundOpenAt(opens, closes, now time.Time) error {
	switch {
	case now.Before(opens):
		return invalidState("This round has not opened yet")
	case !now.Before(closes):
		return invalidState("This round has closed")
	}
	return nil
}

// validateForSubmission checks completeness: every required answer, word
// limits, the tier and amount, the partners and the files.
func validateForSubmission(ctx context.Context, q *sqlc.Queries, def round.Definition, app Application, fields map[string]string) error {
	for k, msg := range form.CheckAnswers(def.ApplicationQuestions(), app.Answers, true) {
		fields[k] = msg
	}
	if err := checkFileAnswers(ctx, q, def, app.ID, app.Answers, fields); err != nil {
		return err
	}
	var tier round.Tier
	haveTier := false
	if app.Tier == nil {
		fields["tier"] = "Choose the size of grant you are applying for"
	} else if tier, haveTier = def.Tier(*app.Tier); !haveTier {
		fields["tier"] = "Choose one of the round's tiers"
	}
	switch {
	case app.RequestedPence == nil:
		fields["requested_pence"] = "Enter how much you are asking for, in pence"
	case haveTier && (*app.RequestedPence < tier.MinPence || *app.RequestedPence > tier.MaxPence):
		fields["requested_pence"] = fmt.Sprintf("For this tier, ask for between %d and %d pence", tier.MinPence, tier.MaxPence)
	}
	if n := countPartners(def, app.Partners); n < def.MinPartners {
		fields["partners"] = fmt.Sprintf("Add at least %d partner organisation(s)", def.MinPartners)
		if def.ConsentRequired() {
			fields["partners"] = fmt.Sprintf("At least %d partner organisation(s) must confirm the partnership", def.MinPartners)
		}
	}
	validatePartners(app.Partners, fields)
	checkPartnership(def, app, fields)
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

// DeleteApplication deletes a draft and its documents' rows, for a member
// of the lead organisation; the deletion is audited on the application's
// chain, which outlives the row. The documents' stored content is
// content-addressed and may be shared, so it stays. A submitted
// application is an invalid_state conflict; staff may not delete.
func (a *App) DeleteApplication(ctx context.Context, actor Actor, appID string) error {
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		x, err := a.loadApplication(ctx, q, actor, appID, true)
		if err != nil {
			return err
		}
		if !x.canEdit() {
			return forbidden("Only members of the applying organisation can delete a draft")
		}
		if x.app.Status != StatusDraft {
			return invalidState("Only a draft can be deleted; this application has been submitted")
		}
		docs, err := q.DocumentDeleteByApplication(ctx, appID)
		if err != nil {
			return fmt.Errorf("delete draft documents: %w", err)
		}
		if _, err := q.ApplicationDeleteDraft(ctx, appID); err != nil {
			return fmt.Errorf("delete draft: %w", err)
		}
		ids := make([]string, 0, len(docs))
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "application:" + appID, Actor: actor.ID, Action: "application.deleted",
			Entity: "application:" + appID, Data: map[string]any{"from": StatusDraft, "version": x.app.Version,
				"round_id": x.app.RoundID, "organisation_id": x.app.OrganisationID, "document_ids": ids}})
		return err
	})
}
