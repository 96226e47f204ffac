package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workflows"
)

// Forms that act only on the caller's own session (no object to
// authorise): covered by the sign-in tests and the CSRF sweep.
var ownSessionForms = map[string]bool{"/sign-out": true, "/sign-out-everywhere": true, "/session/extend": true}

// TestWebAuthorisationMatrix is the API's matrix for the web UI: one row
// per state-changing form (every POST route the UI registers, so none is
// forgotten), one column per actor, each cell the status of posting it
// with a valid CSRF token, and content that those allowed through fail on
// or a command whose case has no running workflow, so nothing changes:
// 303 to sign-in without a session (or, for a host's consent given
// already, done again without a change), 403 refused for the role or an
// interest, 404 out of scope, 409 the state (or the case's workflow not
// running: the command got through every check to Temporal), 422 allowed
// through to the content checks (the form shown again).
func TestWebAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	e := s.engine
	s.withWorker(t)
	w := buildWebWorld(t, s)

	long := strings.Repeat("x", 5000)
	rows := []struct {
		route, path string
		form        url.Values
		codes       string
	}{
		//                                                                                                                   anon mem adm str asg una con rel cha chM mgr mgM fin fiM
		{"/sign-in", "/sign-in", url.Values{"email": {""}} /*                                                             */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/register", "/register", url.Values{"email": {""}} /*                                                           */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/account/confirm", "/account/confirm", url.Values{"token": {"x"}} /*                                            */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/account/confirm/resend", "/account/confirm/resend", url.Values{} /*                                           */, "303 303 303 303 303 303 303 303 303 303 303 303 303 303"},
		{"/password-reset", "/password-reset", url.Values{"email": {""}} /*                                              */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/password-reset/complete", "/password-reset/complete", url.Values{"token": {"x"}, "password": {"short"}} /*     */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/sign-in/email-link", "/sign-in/email-link", url.Values{"email": {""}} /*                                      */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/sign-in/link", "/sign-in/link", url.Values{"token": {"x"}} /*                                                 */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/account/password", "/account/password", url.Values{"current_password": {""}} /*                               */, "303 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/rounds/:id/eligibility", "/rounds/" + w.round + "/eligibility", url.Values{"london_work": {"maybe"}} /*        */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/organisations/new", "/organisations/new", url.Values{"name": {""}} /*                                          */, "303 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/organisations/:id", "/organisations/" + w.org, url.Values{"name": {""}} /*                                     */, "303 403 422 404 404 404 404 404 404 403 403 403 403 403"},
		{"/organisations/join-request", "/organisations/join-request", url.Values{"charity_number": {""}} /*               */, "303 404 404 404 404 404 404 404 404 404 404 404 404 404"},
		{"/organisations/:id/host-consent", "/organisations/" + w.group + "/host-consent", url.Values{} /*               */, "303 403 303 404 404 404 404 404 404 403 404 403 404 403"},
		{"/organisations/:id/team/invite", "/organisations/" + w.org + "/team/invite", url.Values{"email": {""}} /*       */, "303 403 422 404 404 404 404 404 404 403 403 403 403 403"},
		{"/organisations/:id/invitations/:invitation/cancel", "/organisations/" + w.org + "/invitations/inv_nope/cancel", url.Values{}, "303 403 404 404 404 404 404 404 404 403 403 403 403 403"},
		{"/organisations/:id/members/:user/role", "/organisations/" + w.org + "/members/" + w.orgAdmin + "/role", url.Values{"role": {""}}, "303 403 422 404 404 404 404 404 404 403 403 403 403 403"},
		{"/organisations/:id/members/:user/remove", "/organisations/" + w.org + "/members/" + w.orgAdmin + "/remove", url.Values{}, "303 403 409 404 404 404 404 404 404 403 403 403 403 403"},
		{"/invitations/accept", "/invitations/accept", url.Values{"token": {"x"}} /*                                     */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/partner-invitations/accept", "/partner-invitations/accept", url.Values{"token": {"x"}} /*                     */, "303 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/admin/staff/invite", "/admin/staff/invite", url.Values{"email": {""}} /*                                    */, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/rounds/:id/apply", "/rounds/" + w.otherRound + "/apply", url.Values{"organisation_id": {""}} /*              */, "303 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/applications/:id/eligibility", "/applications/" + w.draft + "/eligibility", url.Values{"london_work": {"maybe"}}, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/applications/:id/sections/:section", "/applications/" + w.draft + "/sections/project", url.Values{"summary": {long}}, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/applications/:id/partners", "/applications/" + w.draft + "/partners", url.Values{"partners[0].name": {long}} /**/, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/applications/:id/amount", "/applications/" + w.draft + "/amount", url.Values{"requested": {"lots"}} /*       */, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/applications/:id/documents", "/applications/" + w.draft + "/documents", url.Values{} /*                      */, "303 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"/applications/:id/submit", "/applications/" + w.draft + "/submit", url.Values{} /*                            */, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/applications/:id/equality", "/applications/" + w.app + "/equality", url.Values{"mission_answered": {"yes"}, "mission_groups": {"DEI999999"}}, "303 422 422 404 404 404 404 404 404 404 404 404 404 404"},
		{"/applications/:id/withdraw", "/applications/" + w.app + "/withdraw", url.Values{} /*                          */, "303 409 409 404 403 404 404 404 403 409 403 409 404 409"},
		{"/applications/:id/delete", "/applications/" + w.app + "/delete", url.Values{} /*                              */, "303 409 409 404 403 404 404 404 403 409 403 409 404 409"},
		{"/grants/:id/accept", "/grants/" + w.grant + "/accept", url.Values{} /*                                        */, "303 403 422 404 404 404 404 404 403 403 403 403 403 403"},
		{"/grants/:id/decline", "/grants/" + w.grant + "/decline", url.Values{} /*                                      */, "303 403 422 404 404 404 404 404 403 403 403 403 403 403"},
		{"/grants/:id/payout-account", "/grants/" + w.grant + "/payout-account", url.Values{} /*                        */, "303 403 409 404 404 404 404 404 403 403 403 403 403 403"},
		{"/organisations/:id/bank-account", "/organisations/" + w.org + "/bank-account", url.Values{"sort_code": {"1"}} /**/, "303 403 422 404 404 404 404 404 404 403 403 403 403 403"},
		{"/reports/:id", "/reports/" + w.report, url.Values{"spend": {"lots"}} /*                                        */, "303 422 422 404 404 404 404 404 403 422 403 422 403 422"},
		{"/reports/:id/documents", "/reports/" + w.report + "/documents", url.Values{} /*                               */, "303 422 422 404 404 404 404 404 403 422 403 422 403 422"},
		{"/assessments/affiliations", "/assessments/affiliations", url.Values{"name-0": {long}} /*                */, "303 403 403 403 422 422 422 422 403 403 403 403 403 403"},
		{"/assessments/:id", "/assessments/" + w.asmAssigned, url.Values{"need": {"9"}} /*                              */, "303 403 403 403 422 404 404 404 403 403 403 403 403 403"},
		{"/assessments/:id/conflict", "/assessments/" + w.asmAssigned + "/conflict", url.Values{"reason": {""}} /*      */, "303 403 403 403 422 404 404 404 403 403 403 403 403 403"},
		{"/cases/:id/decide", "/cases/" + w.app + "/decide", url.Values{"outcome": {"reject"}, "reason": {"No"}} /*     */, "303 403 403 403 403 403 403 403 409 403 403 403 403 403"},
		{"/cases/:id/moderate", "/cases/" + w.app + "/moderate", url.Values{"total": {"50"}, "rationale": {"Fair"}} /* */, "303 403 403 403 403 403 403 403 403 403 409 403 403 403"},
		{"/payments/:id/approve", "/payments/" + w.payment + "/approve", url.Values{"note": {"Checked"}} /*             */, "303 403 403 403 403 403 403 403 403 403 403 403 409 403"},
		{"/payments/:id/reject", "/payments/" + w.payment + "/reject", url.Values{"reason": {""}} /*                    */, "303 403 403 403 403 403 403 403 403 403 403 403 422 422"},
		{"/payments/:id/retry", "/payments/" + w.payment + "/retry", url.Values{} /*                                    */, "303 403 403 403 403 403 403 403 403 403 403 403 409 409"},
		{"/payments/:id/cancel", "/payments/" + w.payment + "/cancel", url.Values{"reason": {""}} /*                    */, "303 403 403 403 403 403 403 403 403 403 403 403 422 422"},
		{"/payment-runs", "/payment-runs", url.Values{} /*                                                              */, "303 403 403 403 403 403 403 403 403 403 403 403 409 409"},
		{"/payment-runs/:id/mark-paid", "/payment-runs/" + w.run + "/mark-paid", url.Values{} /*                        */, "303 403 403 403 403 403 403 403 403 403 403 403 422 422"},
		{"/manage/rounds/new", "/manage/rounds/new", url.Values{"name": {""}} /*                                        */, "303 403 403 403 403 403 403 403 403 403 422 422 403 403"},
		{"/manage/rounds/:id/edit", "/manage/rounds/" + w.round + "/edit", url.Values{"name": {""}} /*                  */, "303 403 403 403 403 403 403 403 403 403 409 409 403 403"},
		{"/manage/emails/:id/retry", "/manage/emails/999999/retry", url.Values{} /*                                    */, "303 403 403 403 403 403 403 403 403 403 404 404 403 403"},
		{"/manage/programmes/new", "/manage/programmes/new", url.Values{"code": {"Not A Code"}} /*                      */, "303 403 403 403 403 403 403 403 403 403 422 422 403 403"},
		{"/manage/programmes/:code/edit", "/manage/programmes/roots-incubator/edit", url.Values{"name": {""}} /*         */, "303 403 403 403 403 403 403 403 403 403 422 422 403 403"},
		{"/admin/staff/:id/roles", "/admin/staff/" + s.env.Manager.ID + "/roles", url.Values{"roles": {"owner"}} /*   */, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/admin/staff/:id/active", "/admin/staff/" + s.env.Manager.ID + "/active", url.Values{"active": {"maybe"}} /**/, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/notifications/:id/read", "/notifications/" + w.notification + "/read", url.Values{} /*                       */, "303 404 404 404 404 404 404 404 404 404 404 404 404 404"},
		{"/support/new", "/support/new", url.Values{"organisation_id": {""}} /*                                          */, "303 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"/support/cases/:id/notes", "/support/cases/" + w.caseID + "/notes", url.Values{"body": {""}} /*          */, "303 422 422 404 404 404 404 404 404 422 404 422 404 422"},
		{"/support/cases/:id/documents", "/support/cases/" + w.caseID + "/documents", url.Values{} /*               */, "303 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"/manage/reports/:id/review", "/manage/reports/" + w.report + "/review", url.Values{"outcome": {"accept"}} /*   */, "303 403 403 403 403 403 403 403 403 403 409 403 403 403"},
		// Casework: caseworkers only (none of the columns is one).
		{"/casework/requests/:id/triage", "/casework/requests/" + w.supportRequest + "/triage", url.Values{"outcome": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/actions", "/casework/cases/" + w.caseID + "/actions", url.Values{"action-title": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/actions/:action/status", "/casework/cases/" + w.caseID + "/actions/act_nope/status", url.Values{}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/contacts", "/casework/cases/" + w.caseID + "/contacts", url.Values{"contact-summary": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/notes", "/casework/cases/" + w.caseID + "/notes", url.Values{"note-body": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/key-dates", "/casework/cases/" + w.caseID + "/key-dates", url.Values{"keydate-kind": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/documents", "/casework/cases/" + w.caseID + "/documents", url.Values{}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/reassign", "/casework/cases/" + w.caseID + "/reassign", url.Values{"reassign-caseworker": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/invite-to-apply", "/casework/cases/" + w.caseID + "/invite-to-apply", url.Values{"invite-round": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"/casework/cases/:id/close", "/casework/cases/" + w.caseID + "/close", url.Values{"close-outcome": {""}}, "303 403 403 403 403 403 403 403 403 403 403 403 403 403"},
	}

	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.route] = true
	}
	for _, rt := range e.Routes() {
		if rt.Method == http.MethodPost && !ownSessionForms[rt.Path] {
			require.True(t, covered[rt.Path], "the form %s is not in the matrix", rt.Path)
		}
	}

	var served strings.Builder
	for _, row := range rows {
		want := strings.Fields(row.codes)
		require.Len(t, want, apptest.Actors, row.path)
		t.Run(row.route, func(t *testing.T) {
			line := make([]string, apptest.Actors)
			for a := range apptest.Actors {
				before := w.snapshot(t)
				res := w.visitors[a].post(row.path, row.form)
				line[a] = strconv.Itoa(res.Code)
				require.Equal(t, before, w.snapshot(t), "POST %s as %s changed something", row.path, apptest.ActorNames[a])
				if line[a] != want[a] {
					t.Errorf("POST %s as %s: got %d, want %s", row.path, apptest.ActorNames[a], res.Code, want[a])
				}
			}
			fmt.Fprintf(&served, "%-40s %s\n", row.route, strings.Join(line, " "))
		})
	}
	if t.Failed() {
		t.Logf("the matrix as served:\n%s", served.String())
	}
}

// webWorld is what the web matrix acts on, and a visitor per actor.
type webWorld struct {
	s                             *site
	visitors                      [apptest.Actors]*visitor
	round, otherRound, org, group string
	app, draft                    string
	asmAssigned                   string
	grant, payment, report, run   string
	notification                  string
	orgAdmin                      string // the organisation's only admin's user id
	supportRequest, caseID        string // a request waiting for triage; a case of the organisation (its workflow not started)
}

func buildWebWorld(t *testing.T, s *site) *webWorld {
	t.Helper()
	ctx := context.Background()
	env := s.env
	w := &webWorld{s: s}
	r := env.Round(t, apptest.ExampleRound(t))
	w.round = r.ID
	otherDef := apptest.ExampleRound(t)
	otherDef.Name = "Another round"
	other := env.Round(t, otherDef)
	w.otherRound = other.ID
	manual := env.Round(t, apptest.ManualRound(t))

	users := [apptest.Actors]app.Actor{}
	emails := [apptest.Actors]string{}
	roles := map[int][]string{apptest.ActorAssigned: {app.RoleAssessor}, apptest.ActorUnassigned: {app.RoleAssessor}, apptest.ActorConflicted: {app.RoleAssessor},
		apptest.ActorReleased: {app.RoleAssessor}, apptest.ActorChair: {app.RoleChair}, apptest.ActorChairM: {app.RoleChair}, apptest.ActorManager: {app.RoleManager},
		apptest.ActorManagerM: {app.RoleManager}, apptest.ActorFinance: {app.RoleFinance}, apptest.ActorFinanceM: {app.RoleFinance}}
	for a := apptest.ActorMember; a < apptest.Actors; a++ {
		emails[a] = apptest.ActorNames[a] + "@example.org"
		if a == apptest.ActorManager {
			emails[a] = "manager@example.org"
			users[a] = env.Manager
			continue
		}
		users[a] = env.User(t, emails[a], roles[a]...)
	}
	admin := users[apptest.ActorAdmin]
	org := env.Organisation(t, admin, "Bermondsey Community Kitchen")
	w.org = org.ID
	w.orgAdmin = admin.ID
	for _, a := range []int{apptest.ActorMember, apptest.ActorChairM, apptest.ActorManagerM, apptest.ActorFinanceM} {
		require.NoError(t, env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: org.ID,
			UserID: users[a].ID, Role: app.MemberMember}))
	}
	income := int64(1_000_000)
	_, err := env.App.CreateOrganisation(ctx, users[apptest.ActorStranger], organisation.Input{Name: "Hackney Food Bank", LegalForm: organisation.LegalFormCharity,
		CharityNumber: "1012345", Borough: "Hackney", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "3 Mare Street", Town: "London", Postcode: "E8 1HE"}})
	require.NoError(t, err)
	groupAdmin := env.User(t, "group@example.org")
	group, err := env.App.CreateOrganisation(ctx, groupAdmin, organisation.Input{Name: "Peckham Seed Swap",
		LegalForm: organisation.LegalFormUnconstitutedGroup, Borough: "Southwark", AnnualIncomePence: &income, HostOrganisationID: org.ID,
		Address: organisation.Address{Line1: "2 Example Street", Town: "London", Postcode: "SE15 4QQ"}})
	require.NoError(t, err)
	w.group = group.ID
	_, err = env.App.ConsentToHost(ctx, admin, group.ID, func() error { return nil }) // consenting again changes nothing
	require.NoError(t, err)

	// In assessment: assigned, conflicted and released assessments.
	application, err := env.App.CreateApplication(ctx, admin, r.ID, org.ID)
	require.NoError(t, err)
	w.app = application.ID
	_, err = env.App.SaveApplication(ctx, admin, w.app, apptest.Body(t, apptest.CompleteAnswers(application.Version)))
	require.NoError(t, err)
	_, err = env.App.SubmitApplication(ctx, admin, w.app, func() error { return nil })
	require.NoError(t, err)
	_, err = env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: w.app, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Microsecond)
	assess := func(a int) string {
		s, err := env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: w.app,
			RoundID: r.ID, AssessorID: users[a].ID, Deadline: now.Add(7 * 24 * time.Hour), AssignedAt: now})
		require.NoError(t, err)
		return s.ID
	}
	w.asmAssigned = assess(apptest.ActorAssigned)
	reason := "Trustee"
	_, err = env.Store.AssessmentMarkConflict(ctx, sqlc.AssessmentMarkConflictParams{ID: assess(apptest.ActorConflicted), Reason: &reason, ReleasedAt: &now})
	require.NoError(t, err)
	deadline := workflows.ReleaseDeadline
	_, err = env.Store.AssessmentRelease(ctx, sqlc.AssessmentReleaseParams{ID: assess(apptest.ActorReleased), Reason: &deadline, ReleasedAt: &now})
	require.NoError(t, err)

	// A draft in another round.
	draft, err := env.App.CreateApplication(ctx, admin, other.ID, org.ID)
	require.NoError(t, err)
	w.draft = draft.ID

	// An active bank-transfer grant: bank details, a tranche awaiting
	// approval, the interim report submitted.
	g := env.ActiveGrantOf(t, manual, admin, org.ID, 200_000)
	w.grant, w.payment, w.report = g.ID, g.Payments[0], g.Reports[0]
	_, err = env.App.SetBankAccount(ctx, admin, org.ID,
		apptest.Body(t, map[string]any{"sort_code": "20-00-00", "account_number": "55779911", "account_name": "Bermondsey Kitchen"}))
	require.NoError(t, err)
	env.SetPayment(t, w.payment, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	_, err = env.Store.Pool.Exec(ctx, `UPDATE reports SET status = 'submitted', answers = '{"progress":"Going well"}', spend_pence = 100,
		submitted_at = now() WHERE id = $1`, w.report)
	require.NoError(t, err)

	// A payment run of another grantee's tranche.
	og := env.ActiveGrant(t, manual, "other@example.org", 100_000)
	_, err = env.App.SetBankAccount(ctx, og.Admin, og.OrgID,
		apptest.Body(t, map[string]any{"sort_code": "40-00-00", "account_number": "11223344", "account_name": "Other Org"}))
	require.NoError(t, err)
	env.SetPayment(t, og.Payments[0], workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	env.Approve(t, og.Payments[0], users[apptest.ActorFinance], "")
	env.Approve(t, og.Payments[0], env.User(t, "finance2@example.org", app.RoleFinance), "")
	env.SetPayment(t, og.Payments[0], workflows.PaymentApproved, workflows.ProviderManual)
	run, err := env.App.CreatePaymentRun(ctx, users[apptest.ActorFinance], func() error { return nil })
	require.NoError(t, err)
	w.run = run.ID

	// Casework: a request waiting for triage and a case, both of the
	// organisation, triaged by a caseworker outside the matrix.
	w.supportRequest = env.SupportRequest(t, admin, org.ID).ID
	triaged, err := env.App.TriageSupportRequest(ctx, env.User(t, "caseworker@example.org", app.RoleCaseworker),
		env.SupportRequest(t, admin, org.ID).ID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	w.caseID = *triaged.CaseID

	// A notification of someone outside the matrix: every actor's 404.
	outsider := env.User(t, "outsider@example.org")
	apptest.Must[sqlc.NotificationInsertRow](t)(env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: outsider.ID, Kind: "decision",
		Subject: "Not yours", Body: "b", Entity: "application:" + w.app, DedupeKey: "matrix:outsider"}))
	theirs, err := env.App.ListNotifications(ctx, outsider, app.NotificationQuery{})
	require.NoError(t, err)
	require.Len(t, theirs.Items, 1)
	w.notification = theirs.Items[0].ID

	w.visitors[apptest.ActorAnon] = s.visitor(t)
	w.visitors[apptest.ActorAnon].get("/sign-in")
	for a := apptest.ActorMember; a < apptest.Actors; a++ {
		w.visitors[a] = s.signedIn(t, emails[a])
		w.visitors[a].get("/dashboard") // the session's form token
	}
	return w
}

// snapshot is every table a form could change, as JSON.
func (w *webWorld) snapshot(t *testing.T) map[string]string {
	t.Helper()
	return w.s.env.Snapshot(t, "applications", "organisations", "organisation_members", "rounds", "documents", "assessments",
		"assessor_conflicts", "grants", "payments", "payment_approvals", "payment_runs", "reports", "bank_accounts", "variations",
		"outbox", "audit_events", "notifications", "invitations", "users",
		"support_requests", "cases", "case_actions", "case_notes", "case_contacts", "case_key_dates", "case_documents", "equality_answers")
}
