package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/casework"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
)

// One record (issue 16): a Spaces at Risk application's support question
// opens a support request linked to it; its assessors see a summary of
// the case where the group consented; a caseworker can invite the group
// to apply, starting a draft pre-filled from the case.

// The questions of a round's form that casework reads and fills, by key
// (the Spaces at Risk form's keys).
const (
	qSupportNeeds     = "support_needs"
	qSupportConsent   = "support_consent"
	qSpaceName        = "space_name"
	qSpaceType        = "space_type"
	qSpaceDescription = "space_description"
	qWeeklyUsers      = "weekly_users"
	qOwnsOrLeases     = "owns_or_leases"
	qRiskDescription  = "risk_description"
	qRiskDate         = "risk_date"
	supportNone       = "none"
)

// CaseSummary is what an application's readers see of the case its
// support question opened: for the group always, for staff assessing it
// only where the group consented to share.
type CaseSummary struct {
	SupportRequestID string  `json:"support_request_id"`
	RequestStatus    string  `json:"request_status"`
	CaseID           *string `json:"case_id"`
	Status           *string `json:"status"`
	RiskKind         string  `json:"risk_kind"`
	KeyDate          *string `json:"key_date"`
	CaseworkerName   *string `json:"caseworker_name"`
	Outcome          *string `json:"outcome"`
	Contacts         int     `json:"contacts"`
	OpenActions      int     `json:"open_actions"`
}

// supportCaseSummary is the summary of an application's case for actor,
// nil when there is none or actor may not see it.
func (a *App) supportCaseSummary(ctx context.Context, q *sqlc.Queries, app sqlc.Application, member bool) (*CaseSummary, error) {
	r, err := q.SupportRequestByApplication(ctx, &app.ID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("support request of application: %w", err)
	}
	if !member && !r.ConsentToShare {
		return nil, nil
	}
	out := &CaseSummary{SupportRequestID: r.ID, RequestStatus: r.Status, RiskKind: r.RiskKind, KeyDate: optionalDate(r.RiskKeyDate)}
	c, err := q.CaseByApplication(ctx, &app.ID)
	if isNotFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case of application: %w", err)
	}
	out.CaseID, out.Status, out.CaseworkerName, out.Outcome = &c.ID, &c.Status, &c.CaseworkerName, c.Outcome
	contacts, err := q.CaseContactList(ctx, []string{c.ID})
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out.Contacts = len(contacts)
	actions, err := q.CaseActionList(ctx, []string{c.ID})
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	for _, x := range actions {
		if x.Status == casework.ActionOpen {
			out.OpenActions++
		}
	}
	return out, nil
}

// answerString reads a text or date answer ("" when absent or not text).
func answerString(answers map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := answers[key]; ok && json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

func answerStrings(answers map[string]json.RawMessage, key string) []string {
	var ss []string
	if raw, ok := answers[key]; ok && json.Unmarshal(raw, &ss) == nil {
		return ss
	}
	return nil
}

// supportFromApplication is the support request a submitted application's
// support question asks for, or ok false when it asks for none (no such
// question, or only "We do not need support").
func supportFromApplication(def round.Definition, app Application, org sqlc.Organisation, today workday.Date) (casework.Request, casework.Checked, bool) {
	needs := answerStrings(app.Answers, qSupportNeeds)
	needs = slices.DeleteFunc(needs, func(s string) bool { return s == supportNone })
	if len(needs) == 0 {
		return casework.Request{}, casework.Checked{}, false
	}
	questions := def.Form.Questions()
	labels := func(key string, values []string) []string {
		i := slices.IndexFunc(questions, func(q form.Question) bool { return q.Key == key })
		out := make([]string, 0, len(values))
		for _, v := range values {
			label := v
			if i >= 0 {
				for _, o := range questions[i].Options {
					if o.Value == v {
						label = o.Label
					}
				}
			}
			out = append(out, truncateRunes(label, casework.MaxUse))
		}
		return out
	}
	var addr organisation.Address
	_ = json.Unmarshal(org.Address, &addr) // written by this service; a bad one fails the check below
	consent := false
	if raw, ok := app.Answers[qSupportConsent]; ok {
		_ = json.Unmarshal(raw, &consent)
	}
	var owns bool
	if raw, ok := app.Answers[qOwnsOrLeases]; ok {
		_ = json.Unmarshal(raw, &owns)
	}
	in := casework.Request{OrganisationID: org.ID, ConsentToShare: &consent, Urgency: "medium"}
	in.Space.Name = truncateRunes(answerString(app.Answers, qSpaceName), casework.MaxName)
	if in.Space.Name == "" {
		in.Space.Name = org.Name
	}
	kinds := answerStrings(app.Answers, qSpaceType)
	if len(kinds) > 0 && casework.Known(casework.SpaceKinds, kinds[0]) {
		in.Space.Kind = kinds[0]
	}
	in.Space.Address, in.Space.Borough = addr, org.BoroughName
	in.Space.Uses = labels(qSpaceType, kinds)
	if len(in.Space.Uses) == 0 {
		in.Space.Uses = []string{"Community space"}
	}
	in.Space.UsedBy = truncateRunes(answerString(app.Answers, qSpaceDescription), casework.MaxDescription)
	var weekly int64
	if n, isNumber, whole := form.ParseInteger(app.Answers[qWeeklyUsers]); isNumber && whole && n >= 0 && n <= casework.MaxWeeklyUsers {
		weekly = n
	}
	in.Space.WeeklyUsers = &weekly
	// The form asks only whether the group owns or leases the space.
	in.Space.Tenure = "informal"
	if owns {
		in.Space.Tenure = "lease"
	}
	other := "other"
	in.Space.LandlordType = &other
	in.Risk.Kind = "other"
	in.Risk.Description = truncateRunes(strings.TrimSpace(answerString(app.Answers, qRiskDescription)+
		"\n\nSupport asked for: "+strings.Join(labels(qSupportNeeds, needs), "; ")), casework.MaxDescription)
	if d, ok := casework.ParseDate(answerString(app.Answers, qRiskDate)); ok && !d.Before(today) {
		s := d.String()
		in.Risk.KeyDate = &s
		switch {
		case d.Before(today.AddDays(91)):
			in.Urgency = "high"
		case today.AddDays(365).Before(d):
			in.Urgency = "low"
		}
	}
	checked, fields := in.Check(today)
	if fields != nil {
		return in, checked, false
	}
	return in, checked, true
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// openSupportFromApplication opens the support request a submitted
// application asks for, in the submission's transaction. One that cannot
// be made from the answers is logged, never a reason to refuse the
// submission.
func (a *App) openSupportFromApplication(ctx context.Context, q *sqlc.Queries, actor Actor, def round.Definition, app Application) error {
	if !slices.ContainsFunc(def.Form.Questions(), func(q form.Question) bool { return q.Key == qSupportNeeds }) {
		return nil
	}
	org, err := q.OrganisationGet(ctx, app.OrganisationID)
	if err != nil {
		return fmt.Errorf("get organisation: %w", err)
	}
	in, checked, ok := supportFromApplication(def, app, org, a.today())
	if !ok {
		if len(answerStrings(app.Answers, qSupportNeeds)) > 0 && in.OrganisationID != "" {
			a.log.WarnContext(ctx, "support request not opened from application: its answers do not make one", "application_id", app.ID)
		}
		return nil
	}
	programmeID, err := a.requestProgramme(ctx, q, def.Programme, map[string]string{})
	if err != nil {
		return err
	}
	_, err = a.insertSupportRequest(ctx, q, actor.ID, in, checked, programmeID, &app.ID)
	if isNotFound(err) {
		return nil // opened already
	}
	return err
}

// InviteInput is the body of POST /cases/{id}/invite-to-apply.
type InviteInput struct {
	RoundID string `json:"round_id"`
}

// InviteToApply starts a draft application of the case's group to an
// open round, pre-filled from the case (the questions of the round's
// form that casework knows), and tells the group. Caseworkers only.
func (a *App) InviteToApply(ctx context.Context, actor Actor, caseID string, body Body) (Application, error) {
	c, _, err := a.caseCommand(ctx, actor, caseID, true)
	if err != nil {
		return Application{}, err
	}
	var in InviteInput
	if err := body(&in); err != nil {
		return Application{}, err
	}
	var out Application
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if !id.Valid(id.Round, in.RoundID) {
			return Invalid(map[string]string{"round_id": "Choose a round that exists"})
		}
		rnd, err := q.RoundGet(ctx, in.RoundID)
		if isNotFound(err) {
			return Invalid(map[string]string{"round_id": "Choose a round that exists"})
		}
		if err != nil {
			return fmt.Errorf("get round: %w", err)
		}
		now := a.now()
		if now.Before(rnd.OpensAt) || !now.Before(rnd.ClosesAt) {
			return Invalid(map[string]string{"round_id": "Choose a round that is open for applications"})
		}
		def, err := decodeRound(rnd.Definition)
		if err != nil {
			return err
		}
		r, err := q.SupportRequestGetForUpdate(ctx, c.SupportRequestID)
		if err != nil {
			return fmt.Errorf("get support request: %w", err)
		}
		answers, err := prefillAnswers(def, r)
		if err != nil {
			return err
		}
		row, err := q.ApplicationCreate(ctx, sqlc.ApplicationCreateParams{ID: id.New(id.Application), RoundID: rnd.ID,
			OrganisationID: c.OrganisationID, CreatedBy: actor.ID})
		if db.IsConstraint(err, "applications_one_per_round") {
			return conflict("The group already has an application in this round")
		}
		if err != nil {
			return fmt.Errorf("create application: %w", err)
		}
		raw, err := json.Marshal(answers)
		if err != nil {
			return fmt.Errorf("encode answers: %w", err)
		}
		row, err = q.ApplicationSaveDraft(ctx, sqlc.ApplicationSaveDraftParams{ID: row.ID, Version: row.Version, Answers: raw,
			Partners: row.Partners})
		if err != nil {
			return fmt.Errorf("pre-fill application: %w", err)
		}
		for _, e := range []audit.Event{
			{Chain: "application:" + row.ID, Actor: actor.ID, Action: "application.created", Entity: "application:" + row.ID,
				Data: map[string]any{"round_id": rnd.ID, "organisation_id": c.OrganisationID, "case_id": c.ID, "prefilled": sortedKeys(answers)}},
			{Chain: workflows.CaseChain(c.ID), Actor: actor.ID, Action: "case.invited_to_apply", Entity: workflows.CaseChain(c.ID),
				Data: map[string]any{"round_id": rnd.ID, "application_id": row.ID}},
		} {
			if _, err := audit.Append(ctx, q, e); err != nil {
				return err
			}
		}
		members, err := q.OrganisationMemberList(ctx, c.OrganisationID)
		if err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.UserID
		}
		if err := mailq.Notify(ctx, q, ids, mailq.Notice{Kind: "case_invited_to_apply", Subject: "You are invited to apply: " + def.Name,
			Body: fmt.Sprintf("Your caseworker has started an application to %s for %s, filled in from your case. Check it, finish it and submit it before the round closes.",
				def.Name, c.SpaceName),
			Entity: "application:" + row.ID, Key: "application:" + row.ID + ":invited"}); err != nil {
			return err
		}
		out, err = applicationView(row)
		return err
	})
	return out, err
}

// prefillAnswers are the answers of def's form that a support request
// gives, each valid for its question.
func prefillAnswers(def round.Definition, r sqlc.SupportRequest) (map[string]json.RawMessage, error) {
	values := map[string]any{
		qSpaceName:        r.SpaceName,
		qSpaceDescription: strings.TrimSpace(strings.Join(r.Uses, "; ") + "\n\n" + r.UsedBy),
		qWeeklyUsers:      r.WeeklyUsers,
		qRiskDescription:  r.RiskDescription,
	}
	if r.SpaceKind != "other" {
		values[qSpaceType] = []string{r.SpaceKind}
	}
	switch r.Tenure {
	case "owned", "lease":
		values[qOwnsOrLeases] = true
	default:
		values[qOwnsOrLeases] = false
	}
	if r.RiskKeyDate != nil {
		values[qRiskDate] = dateString(*r.RiskKeyDate)
	}
	out := map[string]json.RawMessage{}
	for _, q := range def.Form.Questions() {
		v, ok := values[q.Key]
		if !ok {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", q.Key, err)
		}
		if form.ValidateAnswer(q, raw) == "" {
			out[q.Key] = raw
		}
	}
	return out, nil
}
