package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
)

// Payments are read by finance and managers; only finance approves,
// rejects, retries or cancels, and each command goes to the payment's
// workflow as an Update whose failures map onto the API's errors.
func TestPaymentCommands(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	f.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderStripe)
	f.env.Approve(t, pay, f.finance2, "Checked the grant agreement")
	applicantTok := g.Token

	// Reads.
	f.expectRefusals(t, rc, []rejection{
		{"list, applicant", applicantTok, "GET", "/payments", nil, 403, "forbidden", ""},
		{"one, applicant", applicantTok, "GET", "/payments/" + pay, nil, 403, "forbidden", ""},
		{"list, unknown status", f.fin1Tok, "GET", "/payments?status=lost", nil, 422, "validation_failed", "status"},
		{"list, bad cursor", f.fin1Tok, "GET", "/payments?cursor=nope", nil, 422, "validation_failed", "cursor"},
		{"one, junk id", f.fin1Tok, "GET", "/payments/nope", nil, 404, "not_found", ""},
	})
	for _, tok := range []string{f.fin1Tok, f.managerToken} {
		list := f.do(t, "GET", "/payments", tok, nil).json(t)
		require.Len(t, list["items"], 2)
		require.Nil(t, list["next_cursor"])
	}
	page := f.do(t, "GET", "/payments?status=awaiting_approval&grant_id="+g.ID, f.fin1Tok, nil).json(t)
	require.Len(t, page["items"], 1)
	p := page["items"].([]any)[0].(map[string]any)
	require.Equal(t, pay, p["id"])
	require.Equal(t, g.ID, p["grant_id"])
	require.Equal(t, g.OrgID, p["organisation_id"])
	require.Equal(t, "Org of grantee@example.org", p["organisation_name"])
	require.EqualValues(t, 1, p["tranche"])
	require.EqualValues(t, 125_000, p["amount_pence"])
	require.Equal(t, "stripe", p["provider"])
	require.Nil(t, p["payment_run_id"])
	approvals := p["approvals"].([]any)
	require.Len(t, approvals, 1)
	require.Equal(t, f.finance2.ID, approvals[0].(map[string]any)["user_id"])
	require.Equal(t, f.finance2.Name, approvals[0].(map[string]any)["name"])
	require.Equal(t, "Checked the grant agreement", approvals[0].(map[string]any)["note"])
	first := f.do(t, "GET", "/payments?limit=1", f.managerToken, nil).json(t)
	require.Len(t, first["items"], 1)
	require.NotNil(t, first["next_cursor"])
	require.Equal(t, p, f.do(t, "GET", "/payments/"+pay, f.fin1Tok, nil).json(t))
	// What the reader may do is the reader's: finance may approve, a
	// manager is told why not.
	require.Equal(t, true, p["can_approve"])
	require.Nil(t, p["approve_refusal"])
	one := f.do(t, "GET", "/payments/"+pay, f.managerToken, nil).json(t)
	require.Equal(t, false, one["can_approve"])
	require.Equal(t, "Only finance staff can approve payments", one["approve_refusal"])
	require.Equal(t, false, one["can_cancel"])

	// Commands: the role first, then scope, state and content.
	approve := "/payments/" + pay + "/approve"
	f.expectRefusals(t, rc, []rejection{
		{"approve, no token", "", "POST", approve, nil, 401, "unauthenticated", ""},
		{"approve, applicant", applicantTok, "POST", approve, `{"garbage`, 403, "forbidden", ""},
		{"approve, manager", f.managerToken, "POST", approve, map[string]any{"note": "ok"}, 403, "forbidden", ""},
		{"approve, junk id", f.fin1Tok, "POST", "/payments/nope/approve", nil, 404, "not_found", ""},
		{"approve, no such payment", f.fin1Tok, "POST", "/payments/" + id.New(id.Payment) + "/approve", nil, 404, "not_found", ""},
		{"approve, malformed", f.fin1Tok, "POST", approve, `{"note":`, 400, "malformed_request", ""},
		{"approve, a reason", f.fin1Tok, "POST", approve, map[string]any{"reason": "x"}, 400, "malformed_request", "reason"},
		{"reject, no reason", f.fin1Tok, "POST", "/payments/" + pay + "/reject", map[string]any{"reason": "  "}, 422, "validation_failed", "reason"},
		{"reject, empty body", f.fin1Tok, "POST", "/payments/" + pay + "/reject", nil, 422, "validation_failed", "reason"},
		{"cancel, no reason", f.fin1Tok, "POST", "/payments/" + pay + "/cancel", map[string]any{}, 422, "validation_failed", "reason"},
		{"retry, parameters", f.fin1Tok, "POST", "/payments/" + pay + "/retry", map[string]any{"now": true}, 400, "malformed_request", ""},
	})

	// An approval goes to the payment's workflow with the caller; the
	// answer is the payment read back.
	res := f.do(t, "POST", approve, f.fin1Tok, map[string]any{"note": "  Matches the schedule "})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, pay, res.json(t)["id"])
	require.Equal(t, []sentUpdate{{WorkflowID: "payment:" + pay, Name: workflows.UpdateApprovePayment,
		Arg: workflows.PaymentCommand{Caller: workflows.Caller{ID: f.finance1.ID, Roles: f.finance1.Roles}, Note: "Matches the schedule"}}}, rc.take())
	for _, tc := range []struct {
		path string
		body any
		want workflows.PaymentCommand
	}{
		{"/reject", map[string]any{"reason": "Wrong account"}, workflows.PaymentCommand{Reason: "Wrong account"}},
		{"/cancel", map[string]any{"reason": "Grantee closed"}, workflows.PaymentCommand{Reason: "Grantee closed"}},
		{"/retry", nil, workflows.PaymentCommand{}},
		{"/retry", map[string]any{}, workflows.PaymentCommand{}},
		{"/approve", nil, workflows.PaymentCommand{}},
	} {
		res := f.do(t, "POST", "/payments/"+pay+tc.path, f.fin1Tok, tc.body)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", tc.path, res.Body)
		tc.want.Caller = workflows.Caller{ID: f.finance1.ID, Roles: f.finance1.Roles}
		sent := rc.take()
		require.Len(t, sent, 1)
		require.Equal(t, "payment:"+pay, sent[0].WorkflowID)
		require.Equal(t, map[string]string{"/reject": "reject", "/cancel": "cancel", "/retry": "retry", "/approve": "approve"}[tc.path], sent[0].Name)
		require.Equal(t, tc.want, sent[0].Arg, tc.path)
	}

	// The workflow's answers map onto the API's errors.
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		field  string
	}{
		{"workflow not started yet", serviceerror.NewNotFound("workflow not found"), 409, "not_ready", ""},
		{"workflow starting", serviceerror.NewWorkflowNotReady("not ready"), 409, "not_ready", ""},
		// Every workflow registers its handlers before its first blocking
		// call, so an Update it does not know is a bug, not a start-up delay.
		{"no such update handler", temporal.NewApplicationError("unknown update approve. KnownUpdates=[]", "*errors.errorString"), 500, "internal", ""},
		{"a bug in the workflow", temporal.NewApplicationError("index out of range", "PanicError"), 500, "internal", ""},
		{"self-approval", workflows.Reject(workflows.RejectForbidden, "You issued this payment", nil), 403, "forbidden", ""},
		{"wrong state", workflows.Reject(workflows.RejectInvalidState, "Already approved by you", nil), 409, "invalid_state", ""},
		{"invalid", workflows.Reject(workflows.RejectInvalid, "Check the highlighted fields", map[string]string{"note": "Too long"}), 422, "validation_failed", "note"},
		{"engine away", errors.New("connection refused"), 503, "unavailable", ""},
	} {
		rc.answer(func(sentUpdate) (any, error) { return nil, tc.err })
		before := f.financeSnapshot(t)
		res := f.do(t, "POST", approve, f.fin1Tok, nil)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		code, fields := res.errorCode(t)
		require.Equal(t, tc.code, code, tc.name)
		if tc.field != "" {
			require.Contains(t, fields, tc.field, tc.name)
		}
		if tc.status == 503 || tc.code == "not_ready" {
			require.NotEmpty(t, res.Header.Get("Retry-After"), tc.name)
		}
		require.Equal(t, before, f.financeSnapshot(t), tc.name)
		require.Len(t, rc.take(), 1, tc.name)
	}

	// No workflow for a payment PostgreSQL does not call live (a tranche
	// not yet due): the state does not allow it.
	f.env.SetPayment(t, pay, workflows.PaymentScheduled, workflows.ProviderStripe)
	rc.answer(func(sentUpdate) (any, error) { return nil, serviceerror.NewNotFound("workflow not found") })
	f.expectRefusals(t, nil, []rejection{{"not yet due", f.fin1Tok, "POST", approve, nil, 409, "invalid_state", ""}})
	require.Len(t, rc.take(), 1)
	rc.answer(nil)

	// A payment PostgreSQL already calls settled is refused before
	// Temporal is asked.
	for _, status := range []string{workflows.PaymentCancelled, workflows.PaymentPaid, workflows.PaymentReversed} {
		f.env.SetPayment(t, pay, status, workflows.ProviderStripe)
		f.expectRefusals(t, rc, []rejection{{"approve a " + status + " payment", f.fin1Tok, "POST", approve, nil, 409, "invalid_state", ""}})
	}
}

// A manager reissues a cancelled payment through the grant's workflow and
// gets the new payment.
func TestReissuePayment(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	rc := f.recordUpdates()
	g := f.activeGrant(t, f.round, "grantee@example.org", 250_000)
	pay := g.Payments[0]
	f.env.SetPayment(t, pay, workflows.PaymentAwaitingApproval, workflows.ProviderStripe)
	path := "/payments/" + pay + "/reissue"
	body := map[string]any{"reason": "Bank details corrected"}
	f.expectRefusals(t, rc, []rejection{
		{"finance", f.fin1Tok, "POST", path, body, 403, "forbidden", ""},
		{"grantee", g.Token, "POST", path, body, 403, "forbidden", ""},
		{"junk id", f.managerToken, "POST", "/payments/nope/reissue", body, 404, "not_found", ""},
		{"not cancelled", f.managerToken, "POST", path, `{"garbage`, 409, "invalid_state", ""},
	})
	f.env.SetPayment(t, pay, workflows.PaymentCancelled, workflows.ProviderStripe)
	f.expectRefusals(t, rc, []rejection{
		{"no reason", f.managerToken, "POST", path, map[string]any{"reason": ""}, 422, "validation_failed", "reason"},
		{"unknown field", f.managerToken, "POST", path, map[string]any{"reason": "x", "amount": 1}, 400, "malformed_request", "amount"},
	})

	// The workflow's activity issues the tranche again as a new payment.
	var newID string
	rc.answer(func(sentUpdate) (any, error) {
		newID = id.New(id.Payment)
		_, err := f.env.Store.Pool.Exec(context.Background(), `INSERT INTO payments (id, grant_id, tranche, amount_pence, condition, requested_by)
VALUES ($1, $2, 1, 125000, 'on_acceptance', $3)`, newID, g.ID, f.manager.ID)
		return workflows.ReissueResult{PaymentID: newID}, err
	})
	res := f.do(t, "POST", path, f.managerToken, body)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	v := res.json(t)
	require.Equal(t, newID, v["id"])
	require.Equal(t, f.manager.ID, v["requested_by"])
	require.Equal(t, "scheduled", v["status"])
	require.Equal(t, []sentUpdate{{WorkflowID: "grant:" + g.ID, Name: workflows.UpdateReissue,
		Arg: workflows.Reissue{Caller: workflows.Caller{ID: f.manager.ID, Roles: f.manager.Roles}, PaymentID: pay, Reason: "Bank details corrected"}}}, rc.take())

	// A grant whose workflow has ended cannot reissue.
	f.exec(t, `UPDATE grants SET status = 'completed', completed_at = now() WHERE id = $1`, g.ID)
	rc.answer(func(sentUpdate) (any, error) { return nil, serviceerror.NewNotFound("workflow not found") })
	f.expectRefusals(t, nil, []rejection{{"grant completed", f.managerToken, "POST", path, body, 409, "invalid_state", ""}})
	require.Len(t, rc.take(), 1)
}
