package api_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workflows"
)

// matrixRow is one endpoint: every actor's status code, in column order.
// Commands carry a body that the actors allowed through every check of
// role, scope, interest and state fail on content (400 or 422), so that
// no cell changes anything and each shows how far its actor got: 401
// unauthenticated, 403 refused for the role or an interest, 404 out of
// scope, 409 state, 400/422 allowed through to the content checks, 2xx
// read.
type matrixRow struct {
	method, path string
	body         any
	codes        string // one status per actor, space-separated
}

// TestAuthorisationMatrix is who may do what, one row per endpoint of the
// API, one column per actor, against real PostgreSQL and the real Temporal
// dev server (a workflow worker on the test's own queue). Each row is a
// subtest; every request is checked to change nothing.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	f.workflowsOn(t)
	w := buildMatrixWorld(t, f)

	bogus := map[string]any{"bogus": 1}
	rows := []matrixRow{
		//                                                                                      anon mem adm str asg una con rel cha chM mgr mgM fin fiM
		{"GET", "/openapi.json", nil /*                                                       */, "200 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"POST", "/auth/register", map[string]any{} /*                                        */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/auth/login", bogus /*                                                      */, "400 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"POST", "/auth/confirm", map[string]any{} /*                                         */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/auth/confirm/resend", nil /*                                               */, "401 202 202 202 202 202 202 202 202 202 202 202 202 202"},
		{"POST", "/auth/password-reset", map[string]any{} /*                                  */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/auth/password-reset/complete", map[string]any{} /*                         */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/auth/email-link", map[string]any{} /*                                      */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/auth/email-link/complete", map[string]any{} /*                             */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"PUT", "/me/password", map[string]any{} /*                                           */, "401 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"GET", "/emails/undelivered", nil /*                                                 */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"POST", "/emails/999999/retry", nil /*                                               */, "401 403 403 403 403 403 403 403 403 403 404 404 403 403"},
		{"GET", "/me", nil /*                                                                 */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"PUT", "/me/affiliations", bogus /*                                                  */, "401 403 403 403 400 400 400 400 403 403 403 403 403 403"},
		{"GET", "/notifications", nil /*                                                      */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"POST", "/notifications/" + w.notification + "/read", nil /*                         */, "401 404 404 404 404 404 404 404 404 404 404 404 404 404"},
		{"GET", "/programmes", nil /*                                                         */, "200 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/programmes/roots-incubator", nil /*                                         */, "200 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"POST", "/programmes", bogus /*                                                      */, "401 403 403 403 403 403 403 403 403 403 400 400 403 403"},
		{"PATCH", "/programmes/roots-incubator", bogus /*                                     */, "401 403 403 403 403 403 403 403 403 403 400 400 403 403"},
		{"GET", "/staff", nil /*                                                              */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"GET", "/staff/" + f.env.Manager.ID, nil /*                                          */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"PATCH", "/staff/" + f.env.Manager.ID, bogus /*                                      */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"GET", "/rounds", nil /*                                                             */, "200 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/rounds/" + w.round, nil /*                                                  */, "200 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"POST", "/rounds", bogus /*                                                          */, "401 403 403 403 403 403 403 403 403 403 400 400 403 403"},
		{"PATCH", "/rounds/" + w.round, bogus /*                                              */, "401 403 403 403 403 403 403 403 403 403 400 400 403 403"},
		{"GET", "/rounds/" + w.round + "/ranking", nil /*                                     */, "401 403 403 403 403 403 403 403 200 200 200 200 403 403"},
		{"POST", "/eligibility", map[string]any{} /*                                          */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/organisations", bogus /*                                                   */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"GET", "/organisations", nil /*                                                      */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/organisations/" + w.org, nil /*                                             */, "401 200 200 404 404 404 404 404 404 200 200 200 200 200"},
		{"PATCH", "/organisations/" + w.org, bogus /*                                         */, "401 403 400 404 404 404 404 404 404 403 403 403 403 403"},
		{"POST", "/organisations/" + w.org + "/join-requests", bogus /*                        */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"GET", "/registers/lookup", nil /*                                                    */, "401 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/organisations/" + w.group + "/host-consent", bogus /*                      */, "401 403 400 404 404 404 404 404 404 403 404 403 404 403"},
		{"PUT", "/organisations/" + w.org + "/bank-account", bogus /*                         */, "401 403 400 404 404 404 404 404 404 403 403 403 403 403"},
		{"GET", "/organisations/" + w.org + "/bank-account", nil /*                           */, "401 403 200 404 404 404 404 404 404 403 403 403 403 403"},
		{"GET", "/organisations/" + w.org + "/members", nil /*                                */, "401 200 200 404 404 404 404 404 404 200 200 200 200 200"},
		{"PATCH", "/organisations/" + w.org + "/members/" + w.orgAdmin, bogus /*              */, "401 403 400 404 404 404 404 404 404 403 403 403 403 403"},
		{"DELETE", "/organisations/" + w.org + "/members/" + w.orgAdmin, nil /*               */, "401 403 409 404 404 404 404 404 404 403 403 403 403 403"},
		{"POST", "/organisations/" + w.org + "/invitations", bogus /*                         */, "401 403 400 404 404 404 404 404 404 403 403 403 403 403"},
		{"GET", "/organisations/" + w.org + "/invitations", nil /*                            */, "401 403 200 404 404 404 404 404 404 403 403 403 403 403"},
		{"DELETE", "/organisations/" + w.org + "/invitations/inv_nope", nil /*                */, "401 403 404 404 404 404 404 404 404 403 403 403 403 403"},
		{"POST", "/invitations/accept", map[string]any{} /*                                   */, "422 422 422 422 422 422 422 422 422 422 422 422 422 422"},
		{"POST", "/staff/invitations", bogus /*                                               */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"POST", "/applications", bogus /*                                                    */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"GET", "/applications", nil /*                                                       */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/applications/" + w.app, nil /*                                              */, "401 200 200 404 200 404 404 404 200 200 200 200 404 200"},
		{"GET", "/applications/" + w.draft, nil /*                                            */, "401 200 200 404 404 404 404 404 404 200 404 200 404 200"},
		{"PATCH", "/applications/" + w.draft, bogus /*                                        */, "401 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"POST", "/applications/" + w.draft + "/submit", bogus /*                             */, "401 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"POST", "/applications/" + w.app + "/withdraw", bogus /*                             */, "401 400 400 404 403 404 404 404 403 400 403 400 404 400"},
		{"DELETE", "/applications/" + w.app, nil /*                                           */, "401 409 409 404 403 404 404 404 403 409 403 409 404 409"},
		{"POST", "/applications/" + w.app + "/partners/0/invite", nil /*                      */, "401 409 409 404 403 404 404 404 403 409 403 409 404 409"},
		{"GET", "/applications/" + w.app + "/equality", nil /*                                */, "401 200 200 404 404 404 404 404 404 404 404 404 404 404"},
		{"PUT", "/applications/" + w.app + "/equality", bogus /*                              */, "401 400 400 404 404 404 404 404 404 404 404 404 404 404"},
		{"POST", "/partner-invitations/lookup", bogus /*                                      */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"POST", "/partner-invitations/accept", bogus /*                                      */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"POST", "/applications/" + w.app + "/moderation", bogus /*                           */, "401 403 403 403 403 403 403 403 403 403 400 403 403 403"},
		{"POST", "/applications/" + w.app + "/decision", bogus /*                             */, "401 403 403 403 403 403 403 403 400 403 403 403 403 403"},
		{"POST", "/applications/" + w.draft + "/documents", bogus /*                          */, "401 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"GET", "/applications/" + w.app + "/documents", nil /*                               */, "401 200 200 404 200 404 404 404 200 200 200 200 404 200"},
		{"GET", "/documents/" + w.doc, nil /*                                                 */, "401 200 200 404 200 404 404 404 200 200 200 200 404 200"},
		{"GET", "/assessments", nil /*                                                        */, "401 403 403 403 200 200 200 200 403 403 403 403 403 403"},
		{"GET", "/assessments/" + w.asmAssigned, nil /*                                       */, "401 403 403 403 200 404 404 404 403 403 403 403 403 403"},
		{"GET", "/assessments/" + w.asmConflict, nil /*                                       */, "401 403 403 403 404 404 404 404 403 403 403 403 403 403"},
		{"POST", "/assessments/" + w.asmAssigned + "/conflict", bogus /*                      */, "401 403 403 403 400 404 404 404 403 403 403 403 403 403"},
		{"POST", "/assessments/" + w.asmAssigned + "/scores", bogus /*                        */, "401 403 403 403 400 404 404 404 403 403 403 403 403 403"},
		{"POST", "/assessments/" + w.asmReleased + "/scores", bogus /*                        */, "401 403 403 403 404 404 404 404 403 403 403 403 403 403"},
		{"GET", "/grants", nil /*                                                             */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/grants/" + w.grant, nil /*                                                  */, "401 200 200 404 404 404 404 404 200 200 200 200 200 200"},
		{"POST", "/grants/" + w.grant + "/accept", bogus /*                                   */, "401 403 409 404 404 404 404 404 403 403 403 403 403 403"},
		{"POST", "/grants/" + w.grant + "/decline", bogus /*                                  */, "401 403 409 404 404 404 404 404 403 403 403 403 403 403"},
		{"POST", "/grants/" + w.grant + "/payout-account", bogus /*                           */, "401 403 409 404 404 404 404 404 403 403 403 403 403 403"},
		{"POST", "/grants/" + w.grant + "/variations", bogus /*                               */, "401 403 403 403 403 403 403 403 403 403 400 403 403 403"},
		{"GET", "/grants/" + w.grant + "/variations", nil /*                                  */, "401 200 200 404 404 404 404 404 200 200 200 200 200 200"},
		{"GET", "/payments", nil /*                                                           */, "401 403 403 403 403 403 403 403 403 403 200 200 200 200"},
		{"GET", "/payments/" + w.payment, nil /*                                              */, "401 403 403 403 403 403 403 403 403 403 200 200 200 200"},
		{"POST", "/payments/" + w.payment + "/approve", bogus /*                              */, "401 403 403 403 403 403 403 403 403 403 403 403 400 403"},
		{"POST", "/payments/" + w.payment + "/reject", bogus /*                               */, "401 403 403 403 403 403 403 403 403 403 403 403 400 400"},
		{"POST", "/payments/" + w.payment + "/retry", bogus /*                                */, "401 403 403 403 403 403 403 403 403 403 403 403 400 400"},
		{"POST", "/payments/" + w.payment + "/cancel", bogus /*                               */, "401 403 403 403 403 403 403 403 403 403 403 403 400 400"},
		{"POST", "/payments/" + w.cancelled + "/reissue", bogus /*                            */, "401 403 403 403 403 403 403 403 403 403 400 403 403 403"},
		{"POST", "/payment-runs", bogus /*                                                    */, "401 403 403 403 403 403 403 403 403 403 403 403 400 400"},
		{"GET", "/payment-runs", nil /*                                                       */, "401 403 403 403 403 403 403 403 403 403 403 403 200 200"},
		{"GET", "/payment-runs/" + w.run, nil /*                                              */, "401 403 403 403 403 403 403 403 403 403 403 403 200 200"},
		{"GET", "/payment-runs/" + w.run + "/file.csv", nil /*                                */, "401 403 403 403 403 403 403 403 403 403 403 403 200 200"},
		{"POST", "/payment-runs/" + w.run + "/mark-paid", bogus /*                            */, "401 403 403 403 403 403 403 403 403 403 403 403 400 400"},
		{"GET", "/reports", nil /*                                                            */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/reports/" + w.report, nil /*                                                */, "401 200 200 404 404 404 404 404 200 200 200 200 200 200"},
		{"POST", "/reports/" + w.report + "/submit", bogus /*                                 */, "401 409 409 404 404 404 404 404 403 409 403 409 403 409"},
		{"POST", "/reports/" + w.report + "/documents", bogus /*                              */, "401 400 400 404 404 404 404 404 403 400 403 400 403 400"},
		{"POST", "/reports/" + w.report + "/review", bogus /*                                 */, "401 403 403 403 403 403 403 403 403 403 400 403 403 403"},
		{"POST", "/webhooks/stripe", map[string]any{} /*                                      */, "400 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"GET", "/exports/payments.csv", nil /*                                               */, "401 403 403 403 403 403 403 403 403 403 200 200 200 200"},
		{"GET", "/exports/grants.csv", nil /*                                                 */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/exports/applications.csv?round_id=" + w.round, nil /*                       */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/exports/360giving.json", nil /*                                             */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/exports/360giving.csv", nil /*                                              */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/open-data/roots-incubator/360giving.json", nil /*                           */, "404 404 404 404 404 404 404 404 404 404 404 404 404 404"},
		{"POST", "/support-requests", bogus /*                                                */, "401 400 400 400 400 400 400 400 400 400 400 400 400 400"},
		{"GET", "/support-requests", nil /*                                                   */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/support-requests/" + w.support, nil /*                                      */, "401 200 200 404 404 404 404 404 404 200 404 200 404 200"},
		{"POST", "/support-requests/" + w.support + "/triage", bogus /*                        */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"GET", "/caseworkers", nil /*                                                        */, "401 403 403 403 403 403 403 403 403 403 403 403 403 403"},
		{"GET", "/cases", nil /*                                                              */, "401 200 200 200 200 200 200 200 200 200 200 200 200 200"},
		{"GET", "/cases/" + w.caseID, nil /*                                                  */, "401 200 200 404 404 404 404 404 404 200 404 200 404 200"},
		{"POST", "/cases/" + w.caseID + "/actions", bogus /*                                  */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"PATCH", "/cases/" + w.caseID + "/actions/cac_nope", bogus /*                        */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/notes", bogus /*                                    */, "401 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"POST", "/cases/" + w.caseID + "/contacts", bogus /*                                 */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/key-dates", bogus /*                                */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/close", bogus /*                                    */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/reassign", bogus /*                                 */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/invite-to-apply", bogus /*                          */, "401 403 403 404 404 404 404 404 404 403 404 403 404 403"},
		{"POST", "/cases/" + w.caseID + "/documents", bogus /*                                */, "401 400 400 404 404 404 404 404 404 400 404 400 404 400"},
		{"GET", "/cases/" + w.caseID + "/documents/doc_nope", nil /*                          */, "401 404 404 404 404 404 404 404 404 404 404 404 404 404"},
		{"GET", "/reports/equality", nil /*                                                   */, "401 403 403 403 403 403 403 403 403 403 422 422 403 403"},
		{"GET", "/reports/casework", nil /*                                                   */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/exports/cases.csv", nil /*                                                  */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/audit?entity=application:" + w.app, nil /*                                  */, "401 403 403 403 403 403 403 403 403 403 200 200 403 403"},
		{"GET", "/audit?entity=application:" + w.draft, nil /*                                */, "401 403 403 403 403 403 403 403 403 403 404 404 403 403"},
		// Last: it ends the caller's token.
		{"POST", "/auth/logout", nil /*                                                       */, "401 204 204 204 204 204 204 204 204 204 204 204 204 204"},
	}

	var got strings.Builder
	for _, row := range rows {
		want := strings.Fields(row.codes)
		require.Len(t, want, apptest.Actors, "%s %s: one code per actor", row.method, row.path)
		t.Run(row.method+" "+row.path, func(t *testing.T) {
			before := w.snapshot(t)
			line := make([]string, apptest.Actors)
			for a := range apptest.Actors {
				res := f.do(t, row.method, row.path, w.tokens[a], row.body)
				line[a] = strconv.Itoa(res.Status)
				if row.method != "GET" && row.path != "/auth/logout" {
					require.Equal(t, before, w.snapshot(t), "%s %s as %s changed something: %s", row.method, row.path, apptest.ActorNames[a], res.Body)
				}
				if line[a] != want[a] {
					t.Errorf("%s %s as %s: got %d, want %s: %s", row.method, row.path, apptest.ActorNames[a], res.Status, want[a], res.Body)
				}
			}
			fmt.Fprintf(&got, "%-7s %-60s %s\n", row.method, row.path, strings.Join(line, " "))
		})
	}
	if t.Failed() {
		t.Logf("the matrix as served:\n%s", got.String())
	}
}

// matrixWorld is the data the matrix acts on.
type matrixWorld struct {
	f                                      *financeBundle
	tokens                                 [apptest.Actors]string
	round, org, group, app, draft, doc     string
	asmAssigned, asmConflict, asmReleased  string
	grant, payment, cancelled, run, report string
	notification                           string
	support, caseID                        string // a support request of the organisation, and the case it opened
	orgAdmin                               string // the organisation's only admin's user id
}

func buildMatrixWorld(t *testing.T, f *financeBundle) *matrixWorld {
	t.Helper()
	ctx := context.Background()
	w := &matrixWorld{f: f, round: f.round.ID}
	actor := func(email string) app.Actor {
		u, ok, err := f.env.App.UserByEmail(ctx, email)
		require.NoError(t, err)
		require.True(t, ok, email)
		return app.Actor{ID: u.ID, Roles: u.Roles, EmailVerified: u.EmailVerified}
	}
	join := func(user app.Actor, orgID string) {
		require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: orgID,
			UserID: user.ID, Role: app.MemberMember}))
	}

	// The applying organisation, its admin and a member.
	w.tokens[apptest.ActorAdmin] = f.applicant(t, "admin@example.org")
	adminU := actor("admin@example.org")
	w.orgAdmin = adminU.ID
	res := f.do(t, "POST", "/organisations", w.tokens[apptest.ActorAdmin], orgBody("Bermondsey Community Kitchen"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.org = res.json(t)["id"].(string)
	w.tokens[apptest.ActorMember] = f.applicant(t, "member@example.org")
	join(actor("member@example.org"), w.org)
	// An unrelated organisation (another charity number, another name).
	w.tokens[apptest.ActorStranger] = f.applicant(t, "stranger@example.org")
	unrelated := orgBody("Hackney Food Bank")
	unrelated["charity_number"] = "1012345"
	res = f.do(t, "POST", "/organisations", w.tokens[apptest.ActorStranger], unrelated)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))

	// Staff.
	assessors := map[int]app.Actor{}
	for _, a := range []int{apptest.ActorAssigned, apptest.ActorUnassigned, apptest.ActorConflicted, apptest.ActorReleased} {
		var u app.Actor
		u, w.tokens[a] = f.staff(t, apptest.ActorNames[a]+"@example.org", app.RoleAssessor)
		assessors[a] = u
	}
	_, w.tokens[apptest.ActorChair] = f.staff(t, "chair@example.org", app.RoleChair)
	var chairMU, managerMU, financeMU app.Actor
	chairMU, w.tokens[apptest.ActorChairM] = f.staff(t, "chair-member@example.org", app.RoleChair)
	join(chairMU, w.org)
	w.tokens[apptest.ActorManager] = f.managerToken
	managerMU, w.tokens[apptest.ActorManagerM] = f.staff(t, "manager-member@example.org", app.RoleManager)
	join(managerMU, w.org)
	w.tokens[apptest.ActorFinance] = f.fin1Tok
	financeMU, w.tokens[apptest.ActorFinanceM] = f.staff(t, "finance-member@example.org", app.RoleFinance)
	join(financeMU, w.org)

	// An application in assessment with a document, assigned to one
	// assessor, conflicted for another and released for a third.
	res = f.do(t, "POST", "/applications", w.tokens[apptest.ActorAdmin], map[string]any{"round_id": f.round.ID, "organisation_id": w.org})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.app = res.json(t)["id"].(string)
	res = f.upload(t, w.app, w.tokens[apptest.ActorAdmin], "budget.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.doc = res.json(t)["id"].(string)
	version := int32(f.do(t, "GET", "/applications/"+w.app, w.tokens[apptest.ActorAdmin], nil).json(t)["version"].(float64))
	patch := apptest.CompleteAnswers(version)
	patch["requested_pence"] = 250000
	res = f.do(t, "PATCH", "/applications/"+w.app, w.tokens[apptest.ActorAdmin], patch)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = f.do(t, "POST", "/applications/"+w.app+"/submit", w.tokens[apptest.ActorAdmin], nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	f.markEligible(t, w.app)
	w.asmAssigned = f.assign(t, w.app, assessors[apptest.ActorAssigned].ID)
	w.asmConflict = f.assign(t, w.app, assessors[apptest.ActorConflicted].ID)
	now := time.Now()
	reason := "My sister is a trustee"
	_, err := f.env.Store.AssessmentMarkConflict(ctx, sqlc.AssessmentMarkConflictParams{ID: w.asmConflict, Reason: &reason, ReleasedAt: &now})
	require.NoError(t, err)
	w.asmReleased = f.assign(t, w.app, assessors[apptest.ActorReleased].ID)
	_, err = f.env.Store.AssessmentRelease(ctx, sqlc.AssessmentReleaseParams{ID: w.asmReleased, Reason: ptr(workflows.ReleaseDeadline), ReleasedAt: &now})
	require.NoError(t, err)

	// A draft of the same organisation in another round.
	def := apptest.ExampleRound(t)
	def.Name = "Another round"
	other := f.env.Round(t, def)
	res = f.do(t, "POST", "/applications", w.tokens[apptest.ActorAdmin], map[string]any{"round_id": other.ID, "organisation_id": w.org})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.draft = res.json(t)["id"].(string)

	// An unconstituted group the organisation hosts, not yet consented.
	groupAdmin := f.env.User(t, "group@example.org")
	income := int64(300_000)
	group, err := f.env.App.CreateOrganisation(ctx, groupAdmin, organisation.Input{Name: "Peckham Seed Swap",
		LegalForm: organisation.LegalFormUnconstitutedGroup, Borough: "Southwark", AnnualIncomePence: &income, HostOrganisationID: w.org,
		Address: organisation.Address{Line1: "2 Example Street", Town: "London", Postcode: "SE15 4QQ"}})
	require.NoError(t, err)
	w.group = group.ID

	// An active bank-transfer grant of the organisation: bank details, its
	// first tranche awaiting approval, its second cancelled, its interim
	// report submitted.
	g := f.env.ActiveGrantOf(t, f.manual, adminU, w.org, 200_000)
	w.grant, w.payment, w.cancelled, w.report = g.ID, g.Payments[0], g.Payments[1], g.Reports[0]
	res = f.do(t, "PUT", "/organisations/"+w.org+"/bank-account", w.tokens[apptest.ActorAdmin],
		map[string]any{"sort_code": "20-00-00", "account_number": "55779911", "account_name": "Bermondsey Kitchen"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	f.env.SetPayment(t, w.payment, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	f.env.SetPayment(t, w.cancelled, workflows.PaymentCancelled, workflows.ProviderManual)
	f.exec(t, `UPDATE reports SET status = 'submitted', answers = '{"progress":"Going well"}', spend_pence = 100, submitted_at = now() WHERE id = $1`, w.report)

	// A payment run of another grantee's approved tranche.
	og := f.activeGrant(t, f.manual, "other@example.org", 100_000)
	res = f.do(t, "PUT", "/organisations/"+og.OrgID+"/bank-account", og.Token,
		map[string]any{"sort_code": "40-00-00", "account_number": "11223344", "account_name": "Other Org"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	f.env.SetPayment(t, og.Payments[0], workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	f.env.Approve(t, og.Payments[0], f.finance1, "")
	f.env.Approve(t, og.Payments[0], f.finance2, "")
	f.env.SetPayment(t, og.Payments[0], workflows.PaymentApproved, workflows.ProviderManual)
	res = f.do(t, "POST", "/payment-runs", f.fin2Tok, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.run = res.json(t)["id"].(string)
	// A notification of someone outside the matrix: every actor's 404.
	outsider := f.env.User(t, "outsider@example.org")
	apptest.Must[sqlc.NotificationInsertRow](t)(f.env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: outsider.ID, Kind: "decision",
		Subject: "Not yours", Body: "b", Entity: "application:" + w.app, DedupeKey: "matrix:outsider"}))
	theirs, err := f.env.App.ListNotifications(ctx, outsider, app.NotificationQuery{})
	require.NoError(t, err)
	require.Len(t, theirs.Items, 1)
	w.notification = theirs.Items[0].ID

	// A support request of the organisation, accepted into a case by a
	// caseworker who is in no column.
	res = f.do(t, "POST", "/support-requests", w.tokens[apptest.ActorAdmin], apptest.SupportBody(w.org))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	w.support = res.json(t)["id"].(string)
	caseworker, _ := f.staff(t, "caseworker@example.org", app.RoleCaseworker)
	tri, err := f.env.App.TriageSupportRequest(ctx, caseworker, w.support, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	w.caseID = *tri.CaseID
	return w
}

// snapshot is every table a request could change, as JSON (sign-in
// bookkeeping and the audit of run-file downloads aside).
func (w *matrixWorld) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := w.f.financeSnapshot(t)
	maps.Copy(out, w.f.env.Snapshot(t, "applications", "assessments", "assessor_conflicts", "rounds", "organisation_members", "programmes",
		"invitations", "support_requests", "cases", "case_actions", "case_notes", "case_contacts", "case_key_dates", "case_documents", "equality_answers"))
	return out
}
