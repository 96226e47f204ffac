package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/workflows"
)

// The two-approver rule: every refusal, in the order they are checked,
// and the allowed cases. The validator, the approval activity and app's
// views all call this one function.
func TestApprovalRefusal(t *testing.T) {
	t.Parallel()
	finance := workflows.Caller{ID: "usr_fin", Roles: []string{workflows.RoleFinance}}
	awaiting := workflows.ApprovalFacts{Status: workflows.PaymentAwaitingApproval, Approvals: []string{}}
	with := func(change func(*workflows.ApprovalFacts)) workflows.ApprovalFacts {
		f := awaiting
		f.Approvals = append([]string{}, awaiting.Approvals...)
		change(&f)
		return f
	}
	for _, tc := range []struct {
		name   string
		facts  workflows.ApprovalFacts
		caller workflows.Caller
		kind   string // "" when allowed
		says   string
	}{
		{"a first approval", awaiting, finance, "", ""},
		{"a second approval", with(func(f *workflows.ApprovalFacts) { f.Approvals = []string{"usr_other"} }), finance, "", ""},
		{"issued by someone else", with(func(f *workflows.ApprovalFacts) { f.RequestedBy = "usr_manager" }), finance, "", ""},
		{"not finance", awaiting, workflows.Caller{ID: "usr_fin", Roles: []string{workflows.RoleManager}}, workflows.RejectForbidden,
			"Only finance staff can approve payments"},
		{"no roles at all, even when otherwise refused", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentPaid }),
			workflows.Caller{ID: "usr_fin"}, workflows.RejectForbidden, "Only finance staff can approve payments"},
		{"held", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentHeld }), finance, workflows.RejectInvalidState,
			"This payment is held while a report of the grant is overdue"},
		{"scheduled", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentScheduled }), finance, workflows.RejectInvalidState,
			"This payment is not due yet"},
		{"approved", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentApproved }), finance, workflows.RejectInvalidState,
			"This payment has its approvals"},
		{"sending", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentSending }), finance, workflows.RejectInvalidState,
			"This payment has its approvals"},
		{"failed", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentFailed }), finance, workflows.RejectInvalidState,
			"This payment failed: retry it or cancel it"},
		{"paid", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentPaid }), finance, workflows.RejectInvalidState,
			"This payment is paid; it cannot be changed"},
		{"cancelled", with(func(f *workflows.ApprovalFacts) { f.Status = workflows.PaymentCancelled }), finance, workflows.RejectInvalidState,
			"This payment is cancelled; it cannot be changed"},
		{"the issuer", with(func(f *workflows.ApprovalFacts) { f.RequestedBy = "usr_fin" }), finance, workflows.RejectForbidden,
			"You cannot approve a payment you issued: two other finance users must approve it"},
		{"an approver already", with(func(f *workflows.ApprovalFacts) { f.Approvals = []string{"usr_fin"} }), finance, workflows.RejectConflict,
			"You approved this payment; a different finance user must give the second approval"},
		{"approvals complete", with(func(f *workflows.ApprovalFacts) { f.Approvals = []string{"usr_a", "usr_b"} }), finance,
			workflows.RejectInvalidState, "This payment already has its approvals"},
		{"an interest", with(func(f *workflows.ApprovalFacts) { f.Interest = "You are a member of the organisation being paid" }), finance,
			workflows.RejectForbidden, "You are a member of the organisation being paid, so you cannot approve its payments"},
		{"the issuer with an interest: the issuer is said", with(func(f *workflows.ApprovalFacts) {
			f.RequestedBy, f.Interest = "usr_fin", "You are a member of the organisation that applied"
		}), finance, workflows.RejectForbidden, "You cannot approve a payment you issued"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := workflows.ApprovalRefusal(tc.facts, tc.caller)
			if tc.kind == "" {
				require.NoError(t, err)
				return
			}
			r, ok := workflows.AsRejection(err)
			require.True(t, ok, "a rejection: %v", err)
			require.Equal(t, tc.kind, r.Kind)
			require.Contains(t, r.Message, tc.says)
		})
	}
}

// Retrying is for failed payments only.
func TestCanRetry(t *testing.T) {
	t.Parallel()
	for _, status := range []string{workflows.PaymentScheduled, workflows.PaymentHeld, workflows.PaymentAwaitingApproval,
		workflows.PaymentApproved, workflows.PaymentSending, workflows.PaymentPaid, workflows.PaymentCancelled, workflows.PaymentReversed} {
		r, ok := workflows.AsRejection(workflows.CanRetry(status))
		require.True(t, ok, status)
		require.Equal(t, workflows.RejectInvalidState, r.Kind, status)
	}
	require.NoError(t, workflows.CanRetry(workflows.PaymentFailed))
}
