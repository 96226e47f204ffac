package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Managers vary active grants through the grant's workflow; the shape is
// checked first (every problem at once); the recorded variation is read
// back, and the grantee and staff can list them.
func TestVariations(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	strangerTok := f.applicant(t, "stranger@example.org")
	path := "/grants/" + g.ID + "/variations"
	good := map[string]any{"award_pence": 300_000, "reason": "Extra sessions agreed"}

	f.expectRefusals(t, rc, []rejection{
		{"finance", f.fin1Tok, "POST", path, good, 403, "forbidden", ""},
		{"grantee", g.Token, "POST", path, good, 403, "forbidden", ""},
		{"junk id", f.managerToken, "POST", "/grants/nope/variations", good, 404, "not_found", ""},
		{"fractional award", f.managerToken, "POST", path, `{"award_pence":10.5,"reason":"x"}`, 400, "malformed_request", "award_pence"},
		{"list, a stranger", strangerTok, "GET", path, nil, 404, "not_found", ""},
	})
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"nothing", map[string]any{}, []string{"reason", "award_pence"}},
		{"no change", map[string]any{"reason": "Because"}, []string{"award_pence"}},
		{"negative award and clawback", map[string]any{"award_pence": -1, "clawback_pence": 0, "reason": "x"}, []string{"award_pence", "clawback_pence"}},
		{"empty schedule", map[string]any{"schedule": []any{}, "reason": "x"}, []string{"schedule"}},
		{"schedule off 100", map[string]any{"schedule": []any{map[string]any{"percent": 60, "condition": "on_acceptance"},
			map[string]any{"percent": 30, "condition": "after_report:final"}}, "reason": "x"}, []string{"schedule"}},
		{"bad tranche", map[string]any{"schedule": []any{map[string]any{"percent": 0, "condition": "someday"},
			map[string]any{"percent": 100, "condition": "after_report:"}}, "reason": "x"},
			[]string{"schedule[0].percent", "schedule[0].condition", "schedule[1].condition"}},
	} {
		before := f.financeSnapshot(t)
		res := f.do(t, "POST", path, f.managerToken, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", tc.name, res.Body)
		_, fields := res.errorCode(t)
		require.ElementsMatch(t, tc.fields, keys(fields), "%s: %s", tc.name, res.Body)
		require.Equal(t, before, f.financeSnapshot(t), tc.name)
		require.Empty(t, rc.take(), tc.name)
	}

	// The workflow's activity records the variation.
	rc.answer(func(u sentUpdate) (any, error) {
		v := u.Arg.(workflows.Variation)
		varID := "var_" + id.New(id.Grant)[4:]
		f.exec(t, `INSERT INTO variations (id, grant_id, reason, old_award_pence, new_award_pence, actor_id, created_at)
VALUES ($1, $2, $3, 250000, $4, $5, now())`, varID, g.ID, v.Reason, *v.AwardPence, v.Caller.ID)
		return workflows.VariationResult{VariationID: varID}, nil
	})
	res := f.do(t, "POST", path, f.managerToken, map[string]any{"award_pence": 300_000, "reason": "  Extra sessions agreed "})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	award := int64(300_000)
	require.Equal(t, []sentUpdate{{WorkflowID: "grant:" + g.ID, Name: workflows.UpdateVary, Arg: workflows.Variation{
		Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, AwardPence: &award, Reason: "Extra sessions agreed"}}}, rc.take())
	v := res.json(t)
	require.Equal(t, g.ID, v["grant_id"])
	require.EqualValues(t, 250_000, v["old_award_pence"])
	require.EqualValues(t, 300_000, v["new_award_pence"])
	require.Equal(t, "Extra sessions agreed", v["reason"])
	require.Nil(t, v["schedule"])
	require.Equal(t, f.manager.ID, v["actor_id"])
	for _, tok := range []string{g.Token, f.fin1Tok, f.managerToken} {
		list := f.do(t, "GET", path, tok, nil).json(t)
		require.Equal(t, []any{v}, list["items"])
		require.Nil(t, list["next_cursor"])
	}

	// A grant that is no longer active cannot be varied.
	f.exec(t, `UPDATE grants SET status = 'completed', completed_at = now() WHERE id = $1`, g.ID)
	f.expectRefusals(t, rc, []rejection{{"not active", f.managerToken, "POST", path, `{"garbage`, 409, "invalid_state", ""}})
}

// The payout account is asked of the grant's workflow by an admin of the
// grantee (or its host), with the web UI's return and refresh links.
func TestPayoutAccount(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	ctx := context.Background()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	manual := f.activeGrant(t, f.manual, "manual@example.org", 250_000)
	member, memberTok := f.staff(t, "member@example.org")
	require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: g.OrgID,
		UserID: member.ID, Role: app.MemberMember}))
	path := "/grants/" + g.ID + "/payout-account"
	f.expectRefusals(t, rc, []rejection{
		{"no token", "", "POST", path, nil, 401, "unauthenticated", ""},
		{"a stranger", manual.Token, "POST", path, `{"garbage`, 404, "not_found", ""},
		{"a plain member", memberTok, "POST", path, nil, 403, "forbidden", ""},
		{"manager", f.managerToken, "POST", path, nil, 403, "forbidden", ""},
		{"manual round", manual.Token, "POST", "/grants/" + manual.ID + "/payout-account", nil, 409, "invalid_state", ""},
		{"parameters", g.Token, "POST", path, map[string]any{"country": "GB"}, 400, "malformed_request", ""},
	})
	rc.answer(func(sentUpdate) (any, error) {
		return workflows.PayoutAccountResult{AccountID: "acct_1", OnboardingURL: "https://connect.stripe.com/setup/e/acct_1/abc"}, nil
	})
	for _, body := range []any{nil, map[string]any{}} {
		res := f.do(t, "POST", path, g.Token, body)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, map[string]any{"account_id": "acct_1", "onboarding_url": "https://connect.stripe.com/setup/e/acct_1/abc"}, res.json(t))
		require.Equal(t, []sentUpdate{{WorkflowID: "grant:" + g.ID, Name: workflows.UpdatePayoutAccount, Arg: workflows.PayoutAccountUpdate{
			Caller:     workflows.Caller{ID: g.Admin.ID, Roles: []string{}},
			ReturnURL:  "http://127.0.0.1:8080/grants/" + g.ID + "?payout=done",
			RefreshURL: "http://127.0.0.1:8080/grants/" + g.ID + "?payout=refresh"}}}, rc.take())
	}
	f.exec(t, `UPDATE grants SET status = 'suspended' WHERE id = $1`, g.ID)
	f.expectRefusals(t, rc, []rejection{{"not active", g.Token, "POST", path, nil, 409, "invalid_state", ""}})
}

// The payments report: finance and managers, one row per payment, pounds
// from integer pence, approvers by name, formulas defused.
func TestExportPayments(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	g := f.activeGrant(t, f.manual, "grantee@example.org", 250_001)
	f.exec(t, `UPDATE organisations SET name = '=HYPERLINK("http://evil")' WHERE id = $1`, g.OrgID)
	f.env.SetPayment(t, g.Payments[0], workflows.PaymentPaid, workflows.ProviderManual)
	f.exec(t, `UPDATE payments SET provider_reference = '+run_1', paid_at = '2027-03-01T10:00:00Z' WHERE id = $1`, g.Payments[0])
	f.env.Approve(t, g.Payments[0], f.finance1, "")
	time.Sleep(2 * time.Millisecond)
	f.env.Approve(t, g.Payments[0], f.finance2, "")

	f.expectRefusals(t, nil, []rejection{
		{"grantee", g.Token, "GET", "/exports/payments.csv", nil, 403, "forbidden", ""},
		{"no token", "", "GET", "/exports/payments.csv", nil, 401, "unauthenticated", ""},
	})
	for _, tok := range []string{f.fin1Tok, f.managerToken} {
		res := f.do(t, "GET", "/exports/payments.csv", tok, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
		require.Contains(t, res.Header.Get("Content-Disposition"), `attachment; filename=payments.csv`)
		body, ok := bytes.CutPrefix(res.Body, []byte("\uFEFF"))
		require.True(t, ok, "a UTF-8 byte-order mark first")
		records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		require.NoError(t, err)
		want := [][]string{
			{"payment_id", "grant_id", "organisation", "tranche", "amount", "status", "provider", "provider_reference", "approved_by", "paid_at"},
			{g.Payments[0], g.ID, `'=HYPERLINK("http://evil")`, "1", "1250.00", "paid", "manual", "'+run_1",
				f.finance1.Name + "; " + f.finance2.Name, "2027-03-01T10:00:00Z"},
			{g.Payments[1], g.ID, `'=HYPERLINK("http://evil")`, "2", "1250.01", "scheduled", "", "", "", ""},
		}
		byID := func(a, b []string) int { return strings.Compare(a[0], b[0]) }
		slices.SortFunc(want[1:], byID) // by id: ids made in the same millisecond are ordered at random
		require.Equal(t, want, records)
	}
}

// The grant view carries the disbursement fields.
func TestGrantViewDisbursement(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	f.env.SetPayment(t, g.Payments[0], workflows.PaymentPaid, workflows.ProviderStripe)
	f.env.SetPayment(t, g.Payments[1], workflows.PaymentAwaitingApproval, workflows.ProviderStripe)
	f.env.Approve(t, g.Payments[1], f.finance1, "ok")
	f.exec(t, `UPDATE grants SET flags = '{report_overdue}', clawback_pence = 500 WHERE id = $1`, g.ID)

	v := f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)
	require.Equal(t, []any{"report_overdue"}, v["flags"])
	require.EqualValues(t, 500, v["clawback_pence"])
	require.EqualValues(t, 125_000, v["paid_pence"])
	require.Nil(t, v["completed_at"])
	require.Equal(t, g.OrgID, v["payee_organisation_id"])
	require.Equal(t, false, v["payout_ready"])
	pays := v["payments"].([]any)
	p0, p1 := pays[0].(map[string]any), pays[1].(map[string]any)
	require.Equal(t, "stripe", p0["provider"])
	require.Equal(t, "ref-"+g.Payments[0], p0["provider_reference"])
	require.NotNil(t, p0["paid_at"])
	require.EqualValues(t, 0, p0["approvals"])
	require.EqualValues(t, 1, p1["approvals"])
	require.Nil(t, p1["paid_at"])
	require.Contains(t, v["reports"].([]any)[0].(map[string]any), "submitted_at")

	f.exec(t, `UPDATE organisations SET payout_ready_at = now() WHERE id = $1`, g.OrgID)
	require.Equal(t, false, f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)["payout_ready"], "no account")
	f.exec(t, `UPDATE organisations SET stripe_account_id = 'acct_1' WHERE id = $1`, g.OrgID)
	require.Equal(t, true, f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)["payout_ready"])
	list := f.do(t, "GET", "/grants", f.managerToken, nil).json(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, true, list[0].(map[string]any)["payout_ready"])
}
