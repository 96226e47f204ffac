package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// Staff never act on their own organisation's case: a chair, manager or
// finance user who is a member (any role) of the applicant, or of an
// organisation matching a party to it, or who declared a conflict of
// interest or an affiliation with one, is refused with 403 before any
// Update is sent, and nothing changes. The same staff without the
// interest are not refused.
func TestStaffNeverActOnTheirOwnOrganisation(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	ctx := context.Background()
	c := f.inAssessment(t, "lead@example.org")
	g := f.activeGrant(t, f.manual, "grantee@example.org", 200_000)
	join := func(user app.Actor, orgID string) {
		t.Helper()
		require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: orgID,
			UserID: user.ID, Role: app.MemberMember}))
	}

	// A chair who created an organisation, applied and submitted.
	chairApplicant, chairApplicantTok := f.staff(t, "chair-applicant@example.org", app.RoleChair)
	join(chairApplicant, c.OrgID)
	// A chair who declared a conflict with the applicant.
	chairConflicted, chairConflictedTok := f.staff(t, "chair-conflicted@example.org", app.RoleChair)
	f.exec(t, `INSERT INTO assessor_conflicts (assessor_id, organisation_id, name_key, charity_number, application_id, reason)
		VALUES ($1, $2, 'org of lead example org', NULL, $3, 'Trustee')`, chairConflicted.ID, c.OrgID, c.AppID)
	// A manager who is a member of both applicants.
	managerMember, managerMemberTok := f.staff(t, "manager-member@example.org", app.RoleManager)
	join(managerMember, c.OrgID)
	join(managerMember, g.OrgID)
	// A manager whose declared affiliations name the grantee.
	managerAffiliated, managerAffiliatedTok := f.staff(t, "manager-affiliated@example.org", app.RoleManager)
	f.exec(t, `UPDATE users SET affiliations = '[{"name": "Org of Grantee (Example Org)"}]' WHERE id = $1`, managerAffiliated.ID)
	// Finance staff who belong to an organisation matching a party to the
	// grant (its partner, by name; a charity number belongs to one
	// organisation, so none can share the grantee's): matched as
	// conflicts are.
	_, financePartyTok := f.staff(t, "finance-party@example.org", app.RoleFinance)
	res := f.do(t, "POST", "/organisations", financePartyTok, orgBody("Southwark Pensioners Centre"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	_, chairTok := f.staff(t, "chair@example.org", app.RoleChair)

	pay := g.Payments[0]
	f.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderManual)
	cancelled := g.Payments[1]
	f.env.SetPayment(t, cancelled, workflows.PaymentCancelled, workflows.ProviderManual)
	report := g.Reports[0]
	f.exec(t, `UPDATE reports SET status = 'submitted', answers = '{"progress":"Going well"}', spend_pence = 100, submitted_at = now() WHERE id = $1`, report)

	decide := map[string]any{"outcome": "reject", "reason": "Not this time"}
	moderate := map[string]any{"total": 50, "rationale": "Calibrated"}
	vary := map[string]any{"award_pence": 210_000, "reason": "Extra sessions"}
	review := map[string]any{"outcome": "accept"}
	f.expectRefusals(t, rc, []rejection{
		{"a chair who applied decides", chairApplicantTok, "POST", "/applications/" + c.AppID + "/decision", decide, 403, "forbidden", ""},
		{"a conflicted chair decides", chairConflictedTok, "POST", "/applications/" + c.AppID + "/decision", decide, 403, "forbidden", ""},
		{"a member manager moderates", managerMemberTok, "POST", "/applications/" + c.AppID + "/moderation", moderate, 403, "forbidden", ""},
		{"a member manager varies", managerMemberTok, "POST", "/grants/" + g.ID + "/variations", vary, 403, "forbidden", ""},
		{"an affiliated manager varies", managerAffiliatedTok, "POST", "/grants/" + g.ID + "/variations", vary, 403, "forbidden", ""},
		{"a member manager reviews", managerMemberTok, "POST", "/reports/" + report + "/review", review, 403, "forbidden", ""},
		{"an affiliated manager reviews", managerAffiliatedTok, "POST", "/reports/" + report + "/review", review, 403, "forbidden", ""},
		{"a member manager reissues", managerMemberTok, "POST", "/payments/" + cancelled + "/reissue", map[string]any{"reason": "Again"}, 403, "forbidden", ""},
		{"finance of a party approves", financePartyTok, "POST", "/payments/" + pay + "/approve", nil, 403, "forbidden", ""},
	})
	res = f.do(t, "POST", "/applications/"+c.AppID+"/decision", chairApplicantTok, decide)
	msg, _ := res.errorCode(t)
	require.Equal(t, "forbidden", msg)
	require.Contains(t, string(res.Body), "member of the organisation that applied")

	// The same commands from staff without an interest reach the workflow.
	for _, tc := range []struct {
		name, token, path string
		body              any
	}{
		{"a chair decides", chairTok, "/applications/" + c.AppID + "/decision", decide},
		{"a manager varies", f.managerToken, "/grants/" + g.ID + "/variations", vary},
		{"a manager reviews", f.managerToken, "/reports/" + report + "/review", review},
		{"finance approves", f.fin1Tok, "/payments/" + pay + "/approve", nil},
	} {
		res := f.do(t, "POST", tc.path, tc.token, tc.body)
		require.NotEqual(t, http.StatusForbidden, res.Status, "%s: %s", tc.name, res.Body)
		require.Len(t, rc.take(), 1, tc.name)
	}
}
